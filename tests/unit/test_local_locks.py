"""LocalLocks: the in-process queue for a store lock. A granted store lock keeps its local
lock until released; a refused or never-asked one lets it go; the table forgets a lock nobody
uses."""

from __future__ import annotations

import threading

from auth0_core._held_locks import LocalLocks
from auth0_core.effects import StoreLock, StoreUnlock

LOCK = StoreLock(store="state", identifier="refresh:s1", ttl=15, wait=16)


def test_a_granted_store_lock_keeps_its_local_lock_until_released() -> None:
    table: LocalLocks[threading.Lock] = LocalLocks(threading.Lock)
    local = table.enter(LOCK)
    assert local.acquire(blocking=False)
    table.settle(LOCK, local, acquired=True, token="t1")
    assert local.locked()
    waiting = table.enter(LOCK)
    assert waiting is local  # the next caller queues on the same lock
    table.released(StoreUnlock(store="state", identifier="refresh:s1", token="t1"))
    assert not local.locked()
    assert waiting.acquire(blocking=False)
    table.settle(LOCK, waiting, acquired=True, token=None)  # the store refused: let go
    assert not waiting.locked()
    assert table._locks == {}
    assert table._held == {}


def test_a_wait_that_ran_out_and_a_second_release_change_nothing() -> None:
    table: LocalLocks[threading.Lock] = LocalLocks(threading.Lock)
    local = table.enter(LOCK)
    table.settle(LOCK, local, acquired=False, token=None)
    assert table._locks == {}
    again = table.enter(LOCK)
    assert again.acquire(blocking=False)
    table.settle(LOCK, again, acquired=True, token="t2")
    unlock = StoreUnlock(store="state", identifier="refresh:s1", token="t2")
    table.released(unlock)
    table.released(unlock)  # the driver's clean-up after the flow's own release
    assert not again.locked()
    assert table._locks == {}


def test_a_store_without_locks_holds_nothing() -> None:
    table: LocalLocks[threading.Lock] = LocalLocks(threading.Lock)
    local = table.enter(LOCK)
    assert local.acquire(blocking=False)
    table.settle(LOCK, local, acquired=True, token="")
    assert not local.locked()
    assert table._locks == {}
