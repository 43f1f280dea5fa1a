"""Single-flight in both drivers: N concurrent callers, one request, one shared answer, and
the request belongs to no caller: one that stops waiting or is cancelled does not stop it."""

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
        results.append(flight.start("key", send).result())

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
        flight.start("key", fail).result()
    assert flight.start("key", lambda: HttpResponse(status=200)).result().status == 200


def test_thread_answer_is_remembered_after_its_caller_stopped_waiting() -> None:
    flight = ThreadSingleFlight(FixedClock(0))
    release = threading.Event()

    def slow() -> HttpResponse:
        release.wait(5)
        return HttpResponse(status=200, body=b"late")

    with pytest.raises(TimeoutError):
        flight.start("key", slow).result(timeout=0.01)  # the caller's deadline passed
    release.set()

    def never() -> HttpResponse:
        raise AssertionError("the remembered answer should have been used")

    assert flight.start("key", never).result(timeout=5).body == b"late"


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
async def test_cancelled_leader_leaves_the_answer_to_waiters_and_later_callers(
    anyio_backend: str,
) -> None:
    flight = TaskSingleFlight(FixedClock(0))
    release = anyio.Event()
    answers: list[HttpResponse] = []
    scopes: list[anyio.CancelScope] = []

    async def slow() -> HttpResponse:
        await release.wait()
        return HttpResponse(status=200, body=b"rotated")

    async def leader() -> None:
        with anyio.CancelScope() as scope:
            scopes.append(scope)
            await flight.run("key", slow)
        assert scope.cancelled_caught

    async def waiter() -> None:
        answers.append(await flight.run("key", slow))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(leader)
            await anyio.sleep(0.01)  # the leader has claimed the key
            group.start_soon(waiter)
            await anyio.sleep(0.01)
            scopes[0].cancel()
            await anyio.sleep(0.01)
            release.set()
    assert [a.body for a in answers] == [b"rotated"]

    async def never() -> HttpResponse:
        raise AssertionError("the remembered answer should have been used")

    assert (await flight.run("key", never)).body == b"rotated"


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_answer_is_remembered_when_every_caller_is_cancelled(anyio_backend: str) -> None:
    flight = TaskSingleFlight(FixedClock(0))
    release = anyio.Event()
    answered = anyio.Event()

    async def slow() -> HttpResponse:
        await release.wait()
        answered.set()
        return HttpResponse(status=200, body=b"rotated")

    with anyio.fail_after(5):
        with anyio.move_on_after(0.01):
            await flight.run("key", slow)
        release.set()
        await answered.wait()
        await anyio.sleep(0.01)  # let the request's own task record the answer

        async def never() -> HttpResponse:
            raise AssertionError("the remembered answer should have been used")

        assert (await flight.run("key", never)).body == b"rotated"


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_task_failure_reaches_every_waiter_and_is_not_remembered(
    anyio_backend: str,
) -> None:
    flight = TaskSingleFlight(FixedClock(0))
    errors: list[TransportError] = []

    async def fail() -> HttpResponse:
        await anyio.sleep(0.01)
        raise TransportError("down")

    async def caller() -> None:
        with pytest.raises(TransportError) as caught:
            await flight.run("key", fail)
        errors.append(caught.value)

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(caller)
    assert [str(e) for e in errors] == ["down"] * 3

    async def ok() -> HttpResponse:
        return HttpResponse(status=200)

    assert (await flight.run("key", ok)).status == 200
