"""The async ``ServerClient``: every method builds a core flow and awaits it.

Runs on asyncio and trio (anyio underneath httpx).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from functools import partial
from types import TracebackType
from typing import Any, TypeVar, Unpack

import httpx

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
from auth0_core.flows.client_credentials import client_credentials_flow
from auth0_core.flows.login import complete_login_flow, start_login_flow
from auth0_core.flows.session import get_session_flow, get_user_flow, logout_flow
from auth0_core.flows.token_vault import get_access_token_for_connection_flow
from auth0_core.flows.tokens import get_access_token_flow

from ._single_flight import TaskSingleFlight
from ._transport import HttpxTransport

T = TypeVar("T")
StoreOptions = Mapping[str, Any] | None


class ServerClient(FacadeBase):
    """Auth0 for async Python (asyncio or trio), on one pooled ``httpx.AsyncClient``.

    Takes the same arguments as the official SDK's ``ServerClient`` plus ``http_client`` (an
    ``httpx.AsyncClient`` to use instead of an owned one) and ``timeout`` (seconds). Stores may
    be sync or async.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        timeout: float = 10.0,
        **options: Unpack[FacadeOptions],
    ) -> None:
        super().__init__(**options)
        self._transport = HttpxTransport(http_client, timeout=timeout)
        self._single_flight = TaskSingleFlight(self._core.config.env.clock)

    async def _run(self, flow: Flow[T]) -> T:
        try:
            effect = next(flow)
            while True:
                if isinstance(effect, HttpRequest):
                    result: object = await self._transport.send(effect)
                elif isinstance(effect, SharedRequest):
                    result = await self._single_flight.run(
                        effect.key, partial(self._transport.send, effect.request)
                    )
                else:
                    result = self._perform_store(effect)
                    if inspect.isawaitable(result):
                        result = await result
                effect = flow.send(result)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Close the owned HTTP client."""
        await self._transport.aclose()

    async def __aenter__(self) -> ServerClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def start_interactive_login(
        self,
        options: StartInteractiveLoginOptions | Mapping[str, Any] | None = None,
        store_options: StoreOptions = None,
    ) -> str:
        """Return the URL that starts a login; stores the transaction."""
        return await self._run(start_login_flow(self._core, options, store_options))

    async def complete_interactive_login(
        self, url: str, store_options: StoreOptions = None
    ) -> LoginResult:
        """Finish the login from the full callback URL; writes the session."""
        return await self._run(complete_login_flow(self._core, url, store_options))

    async def get_user(self, store_options: StoreOptions = None) -> dict[str, Any] | None:
        """The logged-in user's claims, or None."""
        return await self._run(get_user_flow(self._core, store_options))

    async def get_session(self, store_options: StoreOptions = None) -> dict[str, Any] | None:
        """The session (without internals), or None."""
        return await self._run(get_session_flow(self._core, store_options))

    async def logout(
        self,
        options: LogoutOptions | Mapping[str, Any] | None = None,
        store_options: StoreOptions = None,
    ) -> str:
        """Clear the session and return the tenant's logout URL."""
        return await self._run(logout_flow(self._core, options, store_options))

    async def get_access_token(
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
        return await self._run(get_access_token_flow(self._core, chosen, store_options))

    async def get_access_token_for_connection(
        self,
        options: ConnectionTokenOptions | Mapping[str, Any],
        store_options: StoreOptions = None,
    ) -> str:
        """The user's access token at a federated connection, through Token Vault."""
        return await self._run(
            get_access_token_for_connection_flow(self._core, options, store_options)
        )

    async def get_client_credentials_token(
        self, audience: str, organization: str | None = None
    ) -> str:
        """An access token for the application itself (client credentials), cached."""
        return await self._run(client_credentials_flow(self._core, audience, organization))
