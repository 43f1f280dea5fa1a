"""auth0-core's synchronous adapter, on ``requests``."""

from auth0_core._options import (
    ConnectionTokenOptions,
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)

from ._client import ServerClient
from ._transport import HandlerAdapter, RequestsTransport

__all__ = [
    "ConnectionTokenOptions",
    "GetAccessTokenOptions",
    "HandlerAdapter",
    "LogoutOptions",
    "RequestsTransport",
    "ServerClient",
    "StartInteractiveLoginOptions",
    "StartLinkUserOptions",
    "StartUnlinkUserOptions",
]
