"""What the sync and async ``ServerClient`` facades share: construction and store dispatch.

The facades differ only in how they perform effects (blocking or awaited); everything else,
including every flow, lives in the core.
"""

from __future__ import annotations

from typing import Any, Unpack

from ._client import CoreClient
from ._config import ClientOptions, make_config
from ._effects import StoreDelete, StoreGet, StoreSet
from .stores import MemoryStateStore, MemoryTransactionStore


class FacadeBase:
    """Validates the ``ServerClient(...)`` arguments and holds the core client and stores.

    With no store given, in-memory stores are used: they live in this process only, so an app
    running several processes needs a shared store.
    """

    def __init__(
        self,
        *,
        transaction_store: Any = None,
        state_store: Any = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        config = make_config(**options)
        self._core = CoreClient(config)
        clock = config.env.clock
        self._stores: dict[str, Any] = {
            "state": state_store if state_store is not None else MemoryStateStore(clock=clock),
            "transaction": transaction_store
            if transaction_store is not None
            else MemoryTransactionStore(clock=clock),
        }

    @property
    def config(self) -> Any:
        """The validated configuration (secrets redacted in its repr)."""
        return self._core.config

    def _perform_store(self, effect: StoreGet | StoreSet | StoreDelete) -> Any:
        """Call the store method for ``effect``; the result may be awaitable (async stores)."""
        store = self._stores[effect.store]
        if isinstance(effect, StoreGet):
            return store.get(effect.identifier, options=effect.options)
        if isinstance(effect, StoreSet):
            return store.set(
                effect.identifier,
                dict(effect.value),
                remove_if_expires=effect.remove_if_expires,
                options=effect.options,
            )
        return store.delete(effect.identifier, options=effect.options)


class FacadeOptions(ClientOptions, total=False):
    """``ServerClient(...)`` keyword arguments: the client options plus the two stores."""

    transaction_store: Any
    state_store: Any
