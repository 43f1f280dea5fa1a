"""What the sync and async ``ServerClient`` facades share: construction and store dispatch.

The facades differ only in how they perform effects (blocking or awaited); everything else,
including every flow, lives in the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._client import CoreClient
from ._config import ClientAuthMethod, LogoutStrategy, make_config
from ._effects import StoreDelete, StoreGet, StoreSet
from ._env import Env
from .stores import MemoryStateStore, MemoryTransactionStore


class FacadeBase:
    """Validates the ``ServerClient(...)`` arguments and holds the core client and stores.

    With no store given, in-memory stores are used: they live in this process only, so an app
    running several processes needs a shared store.
    """

    def __init__(
        self,
        *,
        domain: str,
        client_id: str,
        client_secret: str | None = None,
        secret: str | Sequence[str] | None = None,
        client_assertion_signing_key: str | None = None,
        client_assertion_signing_alg: str = "RS256",
        client_auth_method: ClientAuthMethod | None = None,
        redirect_uri: str | None = None,
        authorization_params: Mapping[str, Any] | None = None,
        pushed_authorization_requests: bool = False,
        organization: str | None = None,
        transaction_store: Any = None,
        state_store: Any = None,
        transaction_identifier: str = "_a0_tx",
        state_identifier: str = "_a0_session",
        leeway: int = 60,
        algorithms: Sequence[str] = ("RS256",),
        rolling_duration: int = 86_400,
        absolute_duration: int = 259_200,
        logout_strategy: LogoutStrategy = "auto",
        telemetry: bool = True,
        env: Env | None = None,
    ) -> None:
        config = make_config(
            domain=domain,
            client_id=client_id,
            client_secret=client_secret,
            secret=secret,
            client_assertion_signing_key=client_assertion_signing_key,
            client_assertion_signing_alg=client_assertion_signing_alg,
            client_auth_method=client_auth_method,
            redirect_uri=redirect_uri,
            authorization_params=authorization_params,
            pushed_authorization_requests=pushed_authorization_requests,
            organization=organization,
            transaction_identifier=transaction_identifier,
            state_identifier=state_identifier,
            leeway=leeway,
            algorithms=algorithms,
            rolling_duration=rolling_duration,
            absolute_duration=absolute_duration,
            logout_strategy=logout_strategy,
            telemetry=telemetry,
            env=env,
        )
        self._core = CoreClient(config)
        self._stores: dict[str, Any] = {
            "state": state_store
            if state_store is not None
            else MemoryStateStore(clock=config.env.clock),
            "transaction": transaction_store
            if transaction_store is not None
            else MemoryTransactionStore(clock=config.env.clock),
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
