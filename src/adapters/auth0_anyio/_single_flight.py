"""Single-flight for tasks (asyncio or trio): one request per key in flight, its answer shared."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

import anyio

from auth0_core import HttpResponse
from auth0_core._single_flight import RecentResponses
from auth0_core.errors import TransportError

if TYPE_CHECKING:
    import asyncio


class _Slot:
    def __init__(self) -> None:
        self.done = anyio.Event()
        self.response: HttpResponse | None = None
        self.error: Exception | None = None

    def outcome(self) -> HttpResponse:
        if self.response is None:
            raise self.error or TransportError("the shared request ended without an answer")
        return self.response


class TaskSingleFlight:
    """Runs ``send`` once per key among concurrent tasks; all of them get its answer.

    The request runs in a task of its own, not in any caller's: a caller that is cancelled (a
    browser that went away) or runs out of time only stops waiting. The request goes on to its
    own deadline and its answer is remembered before any caller is woken, so the others get it,
    and so does the next caller with the same key, even when every caller has gone.

    Tasks of one event loop need no lock: nothing here awaits between the check and the claim
    of a key.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._in_flight: dict[str, _Slot] = {}
        self._recent = RecentResponses()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, key: str, send: Callable[[], Awaitable[HttpResponse]]) -> HttpResponse:
        remembered = self._recent.get(key, self._clock())
        if remembered is not None:
            return remembered
        slot = self._in_flight.get(key)
        if slot is None:
            slot = self._in_flight[key] = _Slot()
            self._spawn(lambda: self._exchange(key, send, slot))
        await slot.done.wait()
        return slot.outcome()

    async def _exchange(
        self, key: str, send: Callable[[], Awaitable[HttpResponse]], slot: _Slot
    ) -> None:
        try:
            slot.response = await send()
            self._recent.remember(key, slot.response, self._clock())
        except Exception as exc:  # handed to every caller; cancellation is not caught
            slot.error = exc
        finally:
            del self._in_flight[key]
            slot.done.set()

    def _spawn(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Start ``work`` in a task that belongs to no caller, on the running event loop.

        anyio has no such task outside a task group, so this asks the backend itself.
        """
        import asyncio  # loaded by now on asyncio; not imported with the adapter (issue 14)

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio, so trio, anyio's other backend
            import trio  # reached only under trio, so it is installed

            trio.lowlevel.spawn_system_task(work)
            return
        task = loop.create_task(work())
        self._tasks.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._tasks.discard)
