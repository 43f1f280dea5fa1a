"""The store interfaces as typing protocols, with the official SDK's method names (§9.5).

Any object with these methods is a store; nothing needs to subclass anything. The base classes
named like the official SDK's (``StateStore``/``TransactionStore``, for stores written against
it) are in :mod:`auth0_core.stores._base`.

Values handed to a store are plain JSON-able dicts: the session (protocol doc §2.7/§3.2) or
a transaction record (§2.3). ``options`` is the caller's ``store_options``, usually
``{"request": req, "response": resp}``; it is the only channel through which a cookie store
sees the HTTP exchange. The sync driver needs a sync store; the async driver accepts both.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from .._effects import StoreOptions


@runtime_checkable
class TransactionStoreProtocol(Protocol):
    """Keeps the login transaction between the redirect to /authorize and the callback."""

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The record stored under ``identifier``, or None when absent or expired."""
        ...

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Store ``state`` under ``identifier``, replacing any previous record."""
        ...

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget ``identifier``; deleting an absent record is not an error."""
        ...


@runtime_checkable
class StateStoreProtocol(TransactionStoreProtocol, Protocol):
    """Keeps sessions; adds back-channel logout on top of the transaction interface."""

    def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Delete the sessions a verified logout token names (``sid``, else ``sub``; ``iss``)."""
        ...


@runtime_checkable
class AsyncTransactionStore(Protocol):
    """The awaited twin of :class:`TransactionStoreProtocol`."""

    async def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The record stored under ``identifier``, or None when absent or expired."""
        ...

    async def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Store ``state`` under ``identifier``, replacing any previous record."""
        ...

    async def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget ``identifier``; deleting an absent record is not an error."""
        ...


@runtime_checkable
class AsyncStateStore(AsyncTransactionStore, Protocol):
    """The awaited twin of :class:`StateStoreProtocol`."""

    async def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Delete the sessions a verified logout token names (``sid``, else ``sub``; ``iss``)."""
        ...


__all__ = [
    "AsyncStateStore",
    "AsyncTransactionStore",
    "StateStoreProtocol",
    "TransactionStoreProtocol",
]
