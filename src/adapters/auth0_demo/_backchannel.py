"""The demo's back-channel logout endpoint: the SDK's ready ASGI app, served by the demo's server.

``auth0_anyio.backchannel_logout_asgi_app(client)`` is what a Starlette or FastAPI app mounts
(docs/backchannel-logout.md). The demo has no ASGI server, so :func:`call_asgi` hands it one
request the way any ASGI server does (a scope, the body in one ``http.request`` message) and
collects its answer. Nothing of the endpoint's contract lives here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from auth0_anyio._backchannel import ASGIApp, Message
from auth0_core import HttpRequest, HttpResponse


async def call_asgi(app: ASGIApp, request: HttpRequest) -> HttpResponse:
    """``request`` through the ASGI application ``app``; its answer.

    Raises:
        RuntimeError: the app finished without starting an answer.
    """
    parts = urlsplit(request.url)
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": parts.scheme or "http",
        "path": parts.path or "/",
        "raw_path": (parts.path or "/").encode("latin-1", "replace"),
        "query_string": parts.query.encode("latin-1", "replace"),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers
        ],
    }
    delivered = False
    status: int | None = None
    headers: list[tuple[str, str]] = []
    body = bytearray()

    async def receive() -> Message:
        nonlocal delivered
        if delivered:  # the server has read the whole request already
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": request.body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
            headers.extend(
                (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
                for name, value in message.get("headers", ())
            )
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    if status is None:
        raise RuntimeError("the ASGI app sent no answer")
    return HttpResponse(status=status, headers=tuple(headers), body=bytes(body))
