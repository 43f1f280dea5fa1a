"""The back-channel logout endpoint as an ASGI application, for any ASGI framework.

Parsing and answers are the core's (:mod:`auth0_core._backchannel_http`); this module only
reads the ASGI messages and sends the answer. It runs on asyncio and trio.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from auth0_core._backchannel_http import (
    MAX_BODY_BYTES,
    EndpointResponse,
    declared_length,
    endpoint_store_options,
    logout_response,
    method_not_allowed,
    read_logout_token,
)
from auth0_core.errors import Auth0Error

if TYPE_CHECKING:
    from ._client import ServerClient

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("auth0_anyio.backchannel")


def backchannel_logout_asgi_app(client: ServerClient) -> ASGIApp:
    """An ASGI application that serves back-channel logout with ``client``.

    Mount it wherever the application's *Back-Channel Logout URI* points (any path: the app
    ignores it). It takes a POST with a form-encoded ``logout_token`` (or a JSON object
    holding one), awaits ``client.handle_backchannel_logout`` and answers 200, or 400 with
    ``{"error": "invalid_request", "error_description": ...}``; another method gets 405.
    Every answer has ``Cache-Control: no-store``. docs/backchannel-logout.md has the whole
    contract and how to mount it in Starlette or FastAPI.

    The app is an object, not a function, so that routers which call plain functions with a
    request (Starlette's ``Route``) see it as the ASGI application it is.
    """
    return _BackchannelLogoutApp(client)


class _BackchannelLogoutApp:
    def __init__(self, client: ServerClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return "backchannel_logout_asgi_app(...)"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":  # served on its own: nothing to start or stop
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"the back-channel logout app serves HTTP, not {scope['type']!r}")
        response = await _respond(self._client, scope, receive)
        if response is None:
            return  # the client went away before its body was read
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in response.headers
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _header(scope: Scope, name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", ()) if bytes(key).lower() == name]
    return b",".join(values).decode("latin-1") if values else None


def _store_options(scope: Scope) -> dict[str, Any]:
    headers = {
        bytes(key).decode("latin-1").lower(): bytes(value).decode("latin-1")
        for key, value in scope.get("headers", ())
    }
    host = headers.get("host")
    if host is None and scope.get("server"):
        server_host, port = scope["server"]
        host = f"{server_host}:{port}" if port else str(server_host)
    path = f"{scope.get('root_path', '')}{scope.get('path', '')}"
    url = f"{scope.get('scheme', 'http')}://{host}{path}" if host else None
    return endpoint_store_options(url, headers)


async def _respond(client: ServerClient, scope: Scope, receive: Receive) -> EndpointResponse | None:
    if scope.get("method") != "POST":
        return method_not_allowed()
    try:
        declared_length(_header(scope, b"content-length"))
        body = await _read_body(receive)
        if body is None:
            return None
        token = read_logout_token(body, _header(scope, b"content-type"))
        await client.handle_backchannel_logout(token, store_options=_store_options(scope))
    except Auth0Error as error:
        response = logout_response(error)
        if response.status >= 500:
            logger.error("back-channel logout could not be completed: %r", error)
        return response
    return logout_response(None)


async def _read_body(receive: Receive) -> bytes | None:
    """The body, or its first bytes past the limit (which the core refuses); None on a
    disconnect."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = bytes(message.get("body", b""))
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_BODY_BYTES or not message.get("more_body", False):
            return b"".join(chunks)
