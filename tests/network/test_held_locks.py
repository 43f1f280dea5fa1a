"""A refresh holds its session's lock in a store with locks (docs/tokens.md). A call that
ends early (its ``call_timeout`` runs out, or the caller cancels it) closes the flow at its
``yield``, before the flow's own release: the driver releases the lock, so the next request
for the session goes on at once instead of waiting out the lock's TTL."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import anyio
import pytest

from auth0_core.errors import TransportTimeoutError
from auth0_core.stores import (
    CookieRequest,
    CookieResponse,
    MemoryStateStore,
    MemoryTransactionStore,
)

from .faults import never_answer
from .test_faults import DAY, TOKEN, faulty

pytestmark = pytest.mark.anyio


class LockingStore(MemoryStateStore):
    """The memory store with the lock protocol the Redis store implements, in real time."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.locks: dict[str, tuple[str, float]] = {}
        self.log: list[str] = []
        self._changed = threading.Condition()

    def acquire_lock(
        self, identifier: str, *, ttl: float, wait: float, options: Any = None
    ) -> str | None:
        end = time.monotonic() + wait
        with self._changed:
            while True:
                now = time.monotonic()
                held = self.locks.get(identifier)
                if held is None or held[1] <= now:
                    token = uuid.uuid4().hex
                    self.locks[identifier] = (token, now + ttl)
                    self.log.append("acquired")
                    return token
                if now >= end:
                    return None
                self._changed.wait(min(end, held[1]) - now)

    def release_lock(self, identifier: str, token: str, options: Any = None) -> None:
        with self._changed:
            if self.locks.get(identifier, ("",))[0] == token:
                del self.locks[identifier]
                self.log.append("released")
            self._changed.notify_all()


async def test_a_call_timeout_mid_refresh_releases_the_lock(mode: str) -> None:
    with faulty(mode) as (app, server):
        store = LockingStore(clock=app.clock)
        stores = {"state_store": store, "transaction_store": MemoryTransactionStore()}
        app.client = app.make_client(**stores)
        await app.login()
        app.clock.advance(DAY - 59)  # due for a refresh
        server.fail("POST", TOKEN, never_answer, times=1)
        hasty = app.make_client(timeout=5.0, call_timeout=1.0, **stores)
        with pytest.raises(TransportTimeoutError):
            await app.call(
                "get_access_token", store_options=app.browser.store_options(), client=hasty
            )
        assert store.log == ["acquired", "released"]
        assert store.locks == {}
        started = time.monotonic()
        token = await app.call("get_access_token", store_options=app.browser.store_options())
        assert token
        assert time.monotonic() - started < 5  # not the lock's 15 s TTL


@pytest.mark.parametrize("mode", ["asyncio-loopback", "trio-loopback"])  # a blocking call
async def test_a_cancelled_refresh_releases_the_lock(mode: str) -> None:  # is not cancelled
    with faulty(mode) as (app, server):
        store = LockingStore(clock=app.clock)
        app.client = app.make_client(state_store=store, transaction_store=MemoryTransactionStore())
        await app.login()
        app.clock.advance(DAY - 59)
        server.fail("POST", TOKEN, never_answer, times=1)
        with anyio.move_on_after(0.5) as scope:
            await app.call("get_access_token", store_options=app.browser.store_options())
        assert scope.cancelled_caught
        assert store.log == ["acquired", "released"]
        assert store.locks == {}  # the next request for the session need not wait for it


@pytest.mark.parametrize("mode", ["asyncio-loopback", "trio-loopback"])
async def test_a_blocking_store_lock_does_not_block_the_event_loop(mode: str) -> None:
    """A sync store with locks in the async client: its ``acquire_lock`` blocks while it
    waits, so it runs on a worker thread. On the loop itself, a second caller froze the loop
    for the whole wait (the holder could not run to release) and then failed."""
    with faulty(mode) as (app, _server):
        store = LockingStore(clock=app.clock)
        app.client = app.make_client(state_store=store, transaction_store=MemoryTransactionStore())
        await app.login()
        app.clock.advance(DAY - 59)
        cookies = dict(app.browser.cookies)
        tokens: list[str] = []

        async def one() -> None:
            options = {"request": CookieRequest(dict(cookies)), "response": CookieResponse()}
            tokens.append(await app.client.get_access_token(store_options=options))

        with anyio.fail_after(30):
            async with anyio.create_task_group() as tasks:
                for _ in range(3):
                    tasks.start_soon(one)
        assert len(set(tokens)) == 1
        assert len(tokens) == 3
        assert store.locks == {}
