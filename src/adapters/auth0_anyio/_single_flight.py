"""Single-flight for tasks (asyncio or trio): one request per key in flight, its answer shared."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio

from auth0_core import HttpResponse
from auth0_core._single_flight import RecentResponses
from auth0_core.errors import TransportError


class _Slot:
    def __init__(self) -> None:
        self.done = anyio.Event()
        self.response: HttpResponse | None = None
        self.error: Exception | None = None


class TaskSingleFlight:
    """Runs ``send`` once per key among concurrent tasks; the others wait for its answer.

    Tasks of one event loop only need no lock: nothing here awaits between the check and the
    claim of a key.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._in_flight: dict[str, _Slot] = {}
        self._recent = RecentResponses()

    async def run(self, key: str, send: Callable[[], Awaitable[HttpResponse]]) -> HttpResponse:
        remembered = self._recent.get(key, self._clock())
        if remembered is not None:
            return remembered
        slot = self._in_flight.get(key)
        if slot is not None:
            await slot.done.wait()
            if slot.response is None:
                raise slot.error or TransportError("the shared request failed")
            return slot.response
        slot = self._in_flight[key] = _Slot()
        try:
            slot.response = await send()
            self._recent.remember(key, slot.response, self._clock())
            return slot.response
        except Exception as exc:
            slot.error = exc
            raise
        except BaseException:
            # The leader was cancelled: its cancellation is not the waiters' to re-raise.
            slot.error = TransportError("the shared request was cancelled")
            raise
        finally:
            del self._in_flight[key]
            slot.done.set()
