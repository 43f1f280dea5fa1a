"""The sync ``ServerClient``: every method builds a core flow and runs it, blocking."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import Any, TypeVar, Unpack

import requests

from auth0_core import HttpRequest
from auth0_core._effects import Flow, SharedRequest
from auth0_core._facade import FacadeBase, FacadeOptions
from auth0_core._options import (
    ConnectionTokenOptions,
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
)
from auth0_core._result import LoginResult
from auth0_core.errors import ConfigurationError
from auth0_core.flows.client_credentials import client_credentials_flow
from auth0_core.flows.login import complete_login_flow, start_login_flow
from auth0_core.flows.session import get_session_flow, get_user_flow, logout_flow
from auth0_core.flows.token_vault import get_access_token_for_connection_flow
from auth0_core.flows.tokens import get_access_token_flow

from ._single_flight import ThreadSingleFlight
from ._transport import RequestsTransport

T = TypeVar("T")
StoreOptions = Mapping[str, Any] | None


class ServerClient(FacadeBase):
    """Auth0 for synchronous Python (scripts, Flask, Django), on one pooled requests.Session.

    Takes the same arguments as the official SDK's ``ServerClient`` plus ``session`` (a
    ``requests.Session`` to use instead of an owned one) and ``timeout`` (seconds).
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        **options: Unpack[FacadeOptions],
    ) -> None:
        super().__init__(**options)
        for kind, store in self._stores.items():
            if inspect.iscoroutinefunction(getattr(store, "get", None)):
                raise ConfigurationError(
                    f"the {kind} store is async; the sync ServerClient needs a sync store "
                    "(or use auth0_anyio.ServerClient)."
                )
        self._transport = RequestsTransport(session, timeout=timeout)
        self._single_flight = ThreadSingleFlight(self._core.config.env.clock)

    def _run(self, flow: Flow[T]) -> T:
        try:
            effect = next(flow)
            while True:
                if isinstance(effect, HttpRequest):
                    result: object = self._transport.send(effect)
                elif isinstance(effect, SharedRequest):
                    result = self._single_flight.run(
                        effect.key, partial(self._transport.send, effect.request)
                    )
                else:
                    result = self._perform_store(effect)
                    if inspect.isawaitable(result):
                        if inspect.iscoroutine(result):
                            result.close()
                        flow.close()
                        raise ConfigurationError(
                            "an async store was given to the sync ServerClient; "
                            "use auth0_anyio.ServerClient or a sync store."
                        )
                effect = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the owned HTTP session."""
        self._transport.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def start_interactive_login(
        self,
        options: StartInteractiveLoginOptions | Mapping[str, Any] | None = None,
        store_options: StoreOptions = None,
    ) -> str:
        """Return the URL that starts a login; stores the transaction."""
        return self._run(start_login_flow(self._core, options, store_options))

    def complete_interactive_login(
        self, url: str, store_options: StoreOptions = None
    ) -> LoginResult:
        """Finish the login from the full callback URL; writes the session."""
        return self._run(complete_login_flow(self._core, url, store_options))

    def get_user(self, store_options: StoreOptions = None) -> dict[str, Any] | None:
        """The logged-in user's claims, or None."""
        return self._run(get_user_flow(self._core, store_options))

    def get_session(self, store_options: StoreOptions = None) -> dict[str, Any] | None:
        """The session (without internals), or None."""
        return self._run(get_session_flow(self._core, store_options))

    def logout(
        self,
        options: LogoutOptions | Mapping[str, Any] | None = None,
        store_options: StoreOptions = None,
    ) -> str:
        """Clear the session and return the tenant's logout URL."""
        return self._run(logout_flow(self._core, options, store_options))

    def get_access_token(
        self,
        store_options: StoreOptions = None,
        audience: str | None = None,
        scope: str | None = None,
        *,
        options: GetAccessTokenOptions | Mapping[str, Any] | None = None,
    ) -> str:
        """An access token for the session, refreshed (as an MRRT for another audience) when
        needed. ``options`` (a dict or GetAccessTokenOptions) replaces audience and scope."""
        chosen = options if options is not None else {"audience": audience, "scope": scope}
        return self._run(get_access_token_flow(self._core, chosen, store_options))

    def get_access_token_for_connection(
        self,
        options: ConnectionTokenOptions | Mapping[str, Any],
        store_options: StoreOptions = None,
    ) -> str:
        """The user's access token at a federated connection, through Token Vault."""
        return self._run(get_access_token_for_connection_flow(self._core, options, store_options))

    def get_client_credentials_token(self, audience: str, organization: str | None = None) -> str:
        """An access token for the application itself (client credentials), cached."""
        return self._run(client_credentials_flow(self._core, audience, organization))
