"""The store locks one public call holds, so that its driver releases them however the call
ends.

A flow releases its lock itself on every exception it sees (flows/tokens.py), but a call
that is cancelled, or whose ``call_timeout`` runs out, closes the flow at its ``yield``,
where it can perform nothing more. Without this the lock would stay until its TTL, and every
other request for the session would wait that long.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar, cast

from .effects import Effect, StoreLock, StoreUnlock

L = TypeVar("L")


class HeldLocks:
    """Notes each lock a call's :class:`StoreLock` took and each :class:`StoreUnlock` that
    released one; :meth:`take_unreleased` gives what is left to release."""

    __slots__ = ("_held",)

    def __init__(self) -> None:
        self._held: dict[tuple[str, str, str], StoreUnlock] = {}

    def note(self, effect: Effect, result: object) -> None:
        """Record what performing ``effect`` (with ``result``) did to the locks held."""
        kind = type(effect)  # every effect of a call passes here: the cheapest test first
        if kind is not StoreLock and kind is not StoreUnlock:
            return
        if isinstance(effect, StoreLock):
            if isinstance(result, str) and result:  # "": a store without locks; None: none
                key = (effect.store, effect.identifier, result)
                self._held[key] = StoreUnlock(
                    store=effect.store,
                    identifier=effect.identifier,
                    token=result,
                    options=effect.options,
                )
        elif isinstance(effect, StoreUnlock):
            self._held.pop((effect.store, effect.identifier, effect.token), None)

    def __bool__(self) -> bool:
        return bool(self._held)

    def take_unreleased(self) -> list[StoreUnlock]:
        """The releases still owed, forgotten here (each is attempted once)."""
        owed = list(self._held.values())
        self._held.clear()
        return owed


class Releasable(Protocol):
    def release(self) -> None: ...


class LocalLocks(Generic[L]):
    """One in-process lock per store lock a client takes (a session's refresh lock), that the
    callers of this process queue on before they ask the store.

    A store's lock is polled (Redis: tries some tens of milliseconds apart): callers of one
    process that wait for it together would each wait out polls in turn. Queued here, they
    are handed the store's lock one after the other as soon as it is released, and only one
    of them at a time asks the store; waiters in other processes still poll it. ``factory``
    makes the lock (``threading.Lock`` for the sync client, ``anyio.Lock`` for the async one);
    the driver acquires it, this table releases it.
    """

    __slots__ = ("_factory", "_guard", "_held", "_locks")

    def __init__(self, factory: Callable[[], L]) -> None:
        self._factory = factory
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[L, int]] = {}  # (store, id) -> (lock, users)
        self._held: dict[tuple[str, str, str], L] = {}  # (store, id, token) -> its local lock

    def enter(self, effect: StoreLock) -> L:
        """The local lock for ``effect``'s store lock, counted as used until it is settled."""
        key = (effect.store, effect.identifier)
        with self._guard:
            lock, users = self._locks.get(key) or (self._factory(), 0)
            self._locks[key] = (lock, users + 1)
        return lock

    def settle(self, effect: StoreLock, lock: L, *, acquired: bool, token: object) -> None:
        """After asking the store (or not, ``acquired`` False: the local wait ran out): the
        local lock stays held with a store lock ``token`` granted, else it is let go."""
        if acquired and isinstance(token, str) and token:
            with self._guard:
                self._held[(effect.store, effect.identifier, token)] = lock
            return
        self._let_go(effect.store, effect.identifier, lock if acquired else None)

    def released(self, unlock: StoreUnlock) -> None:
        """The store lock ``unlock`` names was released (or given up): its local lock too."""
        with self._guard:
            lock = self._held.pop((unlock.store, unlock.identifier, unlock.token), None)
        if lock is not None:
            self._let_go(unlock.store, unlock.identifier, lock)

    def _let_go(self, store: str, identifier: str, lock: L | None) -> None:
        if lock is not None:
            cast(Releasable, lock).release()
        key = (store, identifier)
        with self._guard:
            held, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (held, users - 1)
