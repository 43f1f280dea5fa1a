"""The store locks one public call holds, so that its driver releases them however the call
ends.

A flow releases its lock itself on every exception it sees (flows/tokens.py), but a call
that is cancelled, or whose ``call_timeout`` runs out, closes the flow at its ``yield``,
where it can perform nothing more. Without this the lock would stay until its TTL, and every
other request for the session would wait that long.
"""

from __future__ import annotations

from .effects import Effect, StoreLock, StoreUnlock


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
