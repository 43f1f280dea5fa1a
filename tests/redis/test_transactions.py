"""RedisTransactionStore: sealed records with a TTL from their expires_at."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from auth0_core import FixedClock
from auth0_redis import RedisTransactionStore

from .conftest import Backend
from .helpers import NOW, SECRET, clock

TX = "_a0_tx:state-123"


def transaction(expires_at: int = NOW + 600) -> dict[str, object]:
    return {"code_verifier": "VERIFIER-secret", "state": "state-123", "expires_at": expires_at}


@pytest.fixture
def time_() -> FixedClock:
    return clock()


@pytest.fixture
def store(backend: Backend, time_: FixedClock) -> Iterator[RedisTransactionStore]:
    with RedisTransactionStore(
        backend.url, secret=SECRET, cluster=backend.cluster, clock=time_
    ) as made:
        yield made


def test_set_get_delete(backend: Backend, store: RedisTransactionStore) -> None:
    assert store.get(TX) is None
    store.set(TX, transaction())
    assert store.get(TX) == transaction()
    assert backend.all_keys() == {f"auth0:tx:{TX}"}
    assert b"VERIFIER" not in backend.raw.get(f"auth0:tx:{TX}")
    assert 599_000 < backend.raw.pttl(f"auth0:tx:{TX}") <= 600_000
    store.delete(TX)
    assert store.get(TX) is None
    assert backend.all_keys() == set()
    store.delete(TX)


def test_an_expired_record_is_not_kept(backend: Backend, store: RedisTransactionStore) -> None:
    store.set(TX, transaction())
    store.set(TX, transaction(expires_at=NOW))
    assert store.get(TX) is None
    assert backend.all_keys() == set()


def test_a_record_past_its_expiry_by_the_clock_reads_as_none(
    store: RedisTransactionStore, time_: FixedClock
) -> None:
    store.set(TX, transaction())
    time_.advance(601)
    assert store.get(TX) is None


def test_a_record_without_expiry_gets_the_default_ttl(backend: Backend) -> None:
    with RedisTransactionStore(
        backend.url, secret=SECRET, cluster=backend.cluster, default_ttl=30, prefix="app1:"
    ) as store:
        store.set("stamp:auth0|alice", {"not_before": NOW})
        assert store.get("stamp:auth0|alice") == {"not_before": NOW}
        assert 29_000 < backend.raw.pttl("app1:tx:stamp:auth0|alice") <= 30_000


def test_a_value_copied_under_another_identifier_does_not_open(
    backend: Backend, store: RedisTransactionStore
) -> None:
    store.set(TX, transaction())
    backend.raw.set("auth0:tx:_a0_tx:other", backend.raw.get(f"auth0:tx:{TX}"))
    assert store.get("_a0_tx:other") is None
    backend.raw.set(f"auth0:tx:{TX}", b"not a sealed value")
    assert store.get(TX) is None
