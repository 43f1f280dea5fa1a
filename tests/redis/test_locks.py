"""Claims (a logout token's jti, once) and locks (one refresh among instances) on Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from auth0_core import FixedClock
from auth0_redis import RedisStateStore, RedisTransactionStore

from .conftest import Backend
from .helpers import NOW, SECRET, clock


@pytest.fixture
def time_() -> FixedClock:
    return clock()


@pytest.fixture
def store(backend: Backend, time_: FixedClock) -> Iterator[RedisStateStore]:
    with RedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster, clock=time_) as s:
        yield s


def test_a_claim_is_granted_once_until_it_expires(
    store: RedisStateStore, time_: FixedClock
) -> None:
    assert store.claim("iss|jti-1", NOW + 60) is True
    assert store.claim("iss|jti-1", NOW + 60) is False
    assert store.claim("iss|jti-2", NOW + 60) is True
    time_.now = NOW - 0.2  # 200 ms of real TTL
    assert store.claim("iss|jti-3", NOW) is True
    assert store.claim("iss|jti-3", NOW) is False
    time.sleep(0.3)
    assert store.claim("iss|jti-3", NOW) is True


def test_a_claim_already_over_is_granted_and_not_kept(
    backend: Backend, store: RedisStateStore
) -> None:
    assert store.claim("iss|old", NOW - 1) is True
    assert backend.all_keys() == set()


def test_claims_are_shared_by_every_instance(backend: Backend, time_: FixedClock) -> None:
    with (
        RedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster, clock=time_) as a,
        RedisTransactionStore(
            backend.url, secret=SECRET, cluster=backend.cluster, clock=time_
        ) as b,
    ):
        assert a.claim("jti", NOW + 60) is True
        assert b.claim("jti", NOW + 60) is False


def test_a_lock_is_exclusive_and_released_only_by_its_token(store: RedisStateStore) -> None:
    token = store.acquire_lock("refresh", ttl=5, wait=0)
    assert token
    started = time.monotonic()
    assert store.acquire_lock("refresh", ttl=5, wait=0.2) is None
    assert 0.2 <= time.monotonic() - started < 1.0
    store.release_lock("refresh", "not-the-token")
    assert store.acquire_lock("refresh", ttl=5, wait=0) is None
    store.release_lock("refresh", token)
    second = store.acquire_lock("refresh", ttl=5, wait=0)
    assert second
    assert second != token
    store.release_lock("refresh", token)  # a stale holder cannot free the new one's lock
    assert store.acquire_lock("refresh", ttl=5, wait=0) is None
    store.release_lock("refresh", "")  # the no-lock token releases nothing


def test_a_crashed_holders_lock_expires(store: RedisStateStore) -> None:
    assert store.acquire_lock("refresh", ttl=0.3, wait=0)  # never released
    started = time.monotonic()
    token = store.acquire_lock("refresh", ttl=5, wait=2)
    waited = time.monotonic() - started
    assert token
    assert 0.2 <= waited < 1.0


def test_a_waiter_gets_the_lock_once_it_is_released(
    backend: Backend, store: RedisStateStore
) -> None:
    import threading

    token = store.acquire_lock("refresh", ttl=5, wait=0)
    assert token
    timer = threading.Timer(0.15, store.release_lock, ("refresh", token))
    timer.start()
    started = time.monotonic()
    assert store.acquire_lock("refresh", ttl=5, wait=2)
    assert time.monotonic() - started < 1.0
    timer.join()
