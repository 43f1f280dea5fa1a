"""The sync ``ServerClient``: every method builds a core flow and runs it, blocking."""

from __future__ import annotations

import inspect
from functools import partial
from types import TracebackType
from typing import TypeVar, Unpack

import requests

from auth0_core import HttpRequest
from auth0_core._effects import Flow, SharedRequest
from auth0_core._facade import FacadeBase, FacadeOptions, sync_call
from auth0_core.errors import ConfigurationError
from auth0_core.flows import api

from ._single_flight import ThreadSingleFlight
from ._transport import RequestsTransport

T = TypeVar("T")


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

    # The public methods: one line each, signatures and docs from auth0_core.flows.api.
    start_interactive_login = sync_call(api.start_interactive_login)
    complete_interactive_login = sync_call(api.complete_interactive_login)
    get_user = sync_call(api.get_user)
    get_session = sync_call(api.get_session)
    logout = sync_call(api.logout)
    get_access_token = sync_call(api.get_access_token)
    get_access_token_for_connection = sync_call(api.get_access_token_for_connection)
    get_client_credentials_token = sync_call(api.get_client_credentials_token)
    start_link_user = sync_call(api.start_link_user)
    complete_link_user = sync_call(api.complete_link_user)
    start_unlink_user = sync_call(api.start_unlink_user)
    complete_unlink_user = sync_call(api.complete_unlink_user)
    link_user_accounts = sync_call(api.link_user_accounts)
    unlink_user_accounts = sync_call(api.unlink_user_accounts)
