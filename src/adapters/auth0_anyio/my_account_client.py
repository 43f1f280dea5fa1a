"""The async ``MyAccountClient`` (asyncio and trio): the official SDK's
``auth0_server_python.auth_server.my_account_client.MyAccountClient``, awaited.

Factors and authentication methods of the My Account API
(docs/my-account-authentication-methods.md);
every method builds a core flow (:mod:`auth0_core.flows.my_account_methods`) and awaits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from auth0_core._facade import async_call
from auth0_core._http import DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from auth0_core._my_account_facade import DRIVER_OPTIONS, MyAccountFacadeBase
from auth0_core.flows import my_account_methods as flows

from ._client import ServerClient

if TYPE_CHECKING:
    import ssl

    import httpx

    from auth0_core import Env

__all__ = ["MyAccountClient"]


class MyAccountClient(MyAccountFacadeBase):
    """The My Account API of the tenant at ``domain``, called with the user's own tokens.

    The official arguments: ``headers`` are sent with every request; ``ssl_context`` is the TLS
    of an owned client (in the official b20, the client certificate of mTLS-bound tokens). Ours,
    keyword-only: ``http_client`` (an ``httpx.AsyncClient`` to use instead of an owned
    one), the network limits ``timeout``, ``call_timeout`` and ``max_response_bytes``
    (docs/network.md) and ``env`` (the clock and randomness of DPoP proofs).
    """

    def __init__(
        self,
        domain: str,
        headers: Mapping[str, str] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        *,
        http_client: httpx.AsyncClient | None = None,
        env: Env | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        options: dict[str, Any] = {**DRIVER_OPTIONS, "domain": domain, "env": env}
        if ssl_context is not None:
            options["ssl_context"] = ssl_context
        driver = ServerClient(
            http_client=http_client,
            timeout=timeout,
            call_timeout=call_timeout,
            max_response_bytes=max_response_bytes,
            **options,
        )
        super().__init__(driver, headers)

    async def aclose(self) -> None:
        """Close the owned HTTP client."""
        await self._driver.aclose()

    async def __aenter__(self) -> MyAccountClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # The public methods: one line each, signatures and docs from the core flows.
    get_factors = async_call(flows.get_factors)
    list_authentication_methods = async_call(flows.list_authentication_methods)
    get_authentication_method = async_call(flows.get_authentication_method)
    enroll_authentication_method = async_call(flows.enroll_authentication_method)
    verify_authentication_method = async_call(flows.verify_authentication_method)
    update_authentication_method = async_call(flows.update_authentication_method)
    delete_authentication_method = async_call(flows.delete_authentication_method)
