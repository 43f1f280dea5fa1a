"""auth0-core's async adapter, on ``httpx`` + ``anyio`` (asyncio and trio)."""

from auth0_core._options import (
    ConnectionTokenOptions,
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)

from ._client import ServerClient
from ._transport import HttpxTransport, handler_transport

__all__ = [
    "ConnectionTokenOptions",
    "GetAccessTokenOptions",
    "HttpxTransport",
    "LogoutOptions",
    "ServerClient",
    "StartInteractiveLoginOptions",
    "StartLinkUserOptions",
    "StartUnlinkUserOptions",
    "handler_transport",
]
