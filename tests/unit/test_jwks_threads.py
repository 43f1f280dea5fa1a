"""The JWKS cache is shared by every thread of a sync client serving a web server: first
logins fetch, re-fetch and evict at once. Without its lock this raised KeyError and "dictionary
keys changed during iteration" within a few hundred steps."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

from auth0_core._jwks import JsonWebKeys, JwksCache


@pytest.fixture
def switch_often() -> Iterator[None]:
    """Threads switch every microsecond: interleavings come quickly."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def test_many_threads_fetching_refetching_and_evicting_at_once(switch_often: None) -> None:
    cache = JwksCache(max_entries=100)
    keys = JsonWebKeys(())
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for step in range(5_000):
                key = cache.mark_refetch("https://t.example/jwks", step % 100, kid=str(step % 3))
                cache.may_refetch("https://t.example/jwks", step % 100, kid="x")
                cache.refetch_done("https://t.example/jwks", key)
                cache.put(f"https://t{step % 150}.example/jwks", keys, step)  # evicts
        except BaseException as failure:  # handed to the test below
            failures.append(failure)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert (
        len([uri for uri in (f"https://t{n}.example/jwks" for n in range(150)) if cache.entry(uri)])
        <= 100
    )
