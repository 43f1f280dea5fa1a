"""Single-flight in both drivers: N concurrent callers, one request, one shared answer."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from auth0_anyio._single_flight import TaskSingleFlight
from auth0_core import FixedClock, HttpResponse
from auth0_core._single_flight import RecentResponses
from auth0_core.errors import TransportError
from auth0_requests._single_flight import ThreadSingleFlight

CALLERS = 50


def test_recent_responses_window_and_errors() -> None:
    recent = RecentResponses(window=30)
    ok, bad = HttpResponse(status=200), HttpResponse(status=400)
    recent.remember("k", ok, now=100)
    recent.remember("e", bad, now=100)
    assert recent.get("k", 129) is ok
    assert recent.get("k", 130) is None
    assert recent.get("e", 100) is None


def test_threads_share_one_request() -> None:
    flight = ThreadSingleFlight(FixedClock(0))
    sent = 0
    barrier = threading.Barrier(CALLERS)

    def send() -> HttpResponse:
        nonlocal sent
        sent += 1
        time.sleep(0.05)  # keep the request in flight while the others arrive
        return HttpResponse(status=200, body=b"shared")

    results: list[HttpResponse] = []

    def caller() -> None:
        barrier.wait()
        results.append(flight.run("key", send))

    threads = [threading.Thread(target=caller) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sent == 1
    assert len(results) == CALLERS
    assert all(r.body == b"shared" for r in results)


def test_thread_failure_reaches_every_waiter_and_is_not_remembered() -> None:
    flight = ThreadSingleFlight(FixedClock(0))

    def fail() -> HttpResponse:
        raise TransportError("down")

    with pytest.raises(TransportError):
        flight.run("key", fail)
    assert flight.run("key", lambda: HttpResponse(status=200)).status == 200


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_tasks_share_one_request(anyio_backend: str) -> None:
    flight = TaskSingleFlight(FixedClock(0))
    sent = 0
    results: list[HttpResponse] = []

    async def send() -> HttpResponse:
        nonlocal sent
        sent += 1
        await anyio.sleep(0.01)
        return HttpResponse(status=200, body=b"shared")

    async def caller() -> None:
        results.append(await flight.run("key", send))

    async with anyio.create_task_group() as group:
        for _ in range(CALLERS):
            group.start_soon(caller)
    assert sent == 1
    assert len(results) == CALLERS


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_cancelled_leader_fails_waiters_with_a_typed_error(anyio_backend: str) -> None:
    flight = TaskSingleFlight(FixedClock(0))
    errors: list[Exception] = []
    scopes: list[anyio.CancelScope] = []

    async def slow() -> HttpResponse:
        await anyio.sleep(10)
        return HttpResponse(status=200)

    async def leader() -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            await flight.run("key", slow)

    async def waiter() -> None:
        try:
            await flight.run("key", slow)
        except TransportError as exc:
            errors.append(exc)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(leader)
            await anyio.sleep(0.01)  # the leader has claimed the key
            group.start_soon(waiter)
            await anyio.sleep(0.01)
            scopes[0].cancel()
    assert len(errors) == 1
    assert "cancelled" in str(errors[0])
