"""auth0-core's synchronous adapter, on ``requests`` (the ``requests`` extra)."""

from auth0_core._extras import require_extra

require_extra("auth0_requests", "requests", "requests")

# The check must run before these imports, which need the extra.

from auth0_core._my_account_types import (
    CompleteConnectAccountResponse,
    ConnectedAccount,
    ConnectedAccountConnection,
    ListConnectedAccountConnectionsResponse,
    ListConnectedAccountsResponse,
)
from auth0_core._options import (
    ConnectAccountOptions,
    ConnectionTokenOptions,
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)
from auth0_core._result import LoginResult
from auth0_core.auth_types import (
    AccessTokenForConnectionOptions,
    CustomTokenExchangeOptions,
    LoginWithCustomTokenExchangeOptions,
    LoginWithCustomTokenExchangeResult,
    SessionTransferTokenResult,
    TokenExchangeResponse,
)

from ._backchannel import backchannel_logout_wsgi_app
from ._client import ServerClient
from ._transport import HandlerAdapter, RequestsTransport

__all__ = [
    "AccessTokenForConnectionOptions",
    "CompleteConnectAccountResponse",
    "ConnectAccountOptions",
    "ConnectedAccount",
    "ConnectedAccountConnection",
    "ConnectionTokenOptions",
    "CustomTokenExchangeOptions",
    "GetAccessTokenOptions",
    "HandlerAdapter",
    "ListConnectedAccountConnectionsResponse",
    "ListConnectedAccountsResponse",
    "LoginResult",
    "LoginWithCustomTokenExchangeOptions",
    "LoginWithCustomTokenExchangeResult",
    "LogoutOptions",
    "RequestsTransport",
    "ServerClient",
    "SessionTransferTokenResult",
    "StartInteractiveLoginOptions",
    "StartLinkUserOptions",
    "StartUnlinkUserOptions",
    "TokenExchangeResponse",
    "backchannel_logout_wsgi_app",
]
