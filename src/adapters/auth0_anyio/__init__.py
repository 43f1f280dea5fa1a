"""auth0-core's async adapter, on ``httpx`` + ``anyio`` (asyncio and trio).

Install it with the ``anyio`` extra; the ``trio`` extra adds trio.
"""

import importlib
from typing import TYPE_CHECKING

from auth0_core._extras import require_extra

require_extra("auth0_anyio", "anyio", "httpx", "anyio")

# The check must run before these imports, which need the extra.

from auth0_core._options import (
    ConnectAccountOptions,
    ConnectionTokenOptions,
    CustomTokenExchangeOptions,
    GetAccessTokenOptions,
    LoginWithCustomTokenExchangeOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)
from auth0_core._result import LoginResult

from ._client import ServerClient
from ._transport import HttpxTransport, handler_transport

if TYPE_CHECKING:
    from auth0_core._my_account_types import (
        CompleteConnectAccountResponse,
        ConnectedAccount,
        ConnectedAccountConnection,
        ListConnectedAccountConnectionsResponse,
        ListConnectedAccountsResponse,
    )
    from auth0_core._token_exchange_types import (
        LoginWithCustomTokenExchangeResult,
        SessionTransferTokenResult,
        TokenExchangeResponse,
    )
    from auth0_core.auth_types import AccessTokenForConnectionOptions

    from ._backchannel import backchannel_logout_asgi_app
    from .my_account_client import MyAccountClient

__all__ = [
    "AccessTokenForConnectionOptions",
    "CompleteConnectAccountResponse",
    "ConnectAccountOptions",
    "ConnectedAccount",
    "ConnectedAccountConnection",
    "ConnectionTokenOptions",
    "CustomTokenExchangeOptions",
    "GetAccessTokenOptions",
    "HttpxTransport",
    "ListConnectedAccountConnectionsResponse",
    "ListConnectedAccountsResponse",
    "LoginResult",
    "LoginWithCustomTokenExchangeOptions",
    "LoginWithCustomTokenExchangeResult",
    "LogoutOptions",
    "MyAccountClient",
    "ServerClient",
    "SessionTransferTokenResult",
    "StartInteractiveLoginOptions",
    "StartLinkUserOptions",
    "StartUnlinkUserOptions",
    "TokenExchangeResponse",
    "backchannel_logout_asgi_app",
    "handler_transport",
]


# Imported when first asked for, not with the adapter (issue 14: import time): the types of
# connected accounts and custom token exchange, and the back-channel logout endpoint (with the
# logout-token checks under it).
_LAZY = {
    "MyAccountClient": "auth0_anyio.my_account_client",
    "AccessTokenForConnectionOptions": "auth0_core.auth_types",
    "CompleteConnectAccountResponse": "auth0_core._my_account_types",
    "ConnectedAccount": "auth0_core._my_account_types",
    "ConnectedAccountConnection": "auth0_core._my_account_types",
    "ListConnectedAccountConnectionsResponse": "auth0_core._my_account_types",
    "ListConnectedAccountsResponse": "auth0_core._my_account_types",
    "LoginWithCustomTokenExchangeResult": "auth0_core._token_exchange_types",
    "SessionTransferTokenResult": "auth0_core._token_exchange_types",
    "TokenExchangeResponse": "auth0_core._token_exchange_types",
    "backchannel_logout_asgi_app": "auth0_anyio._backchannel",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
