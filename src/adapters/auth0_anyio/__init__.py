"""auth0-core's async adapter, on ``httpx`` + ``anyio`` (asyncio and trio)."""

from auth0_core._options import LogoutOptions, StartInteractiveLoginOptions

from ._client import ServerClient
from ._transport import HttpxTransport, handler_transport

__all__ = [
    "HttpxTransport",
    "LogoutOptions",
    "ServerClient",
    "StartInteractiveLoginOptions",
    "handler_transport",
]
