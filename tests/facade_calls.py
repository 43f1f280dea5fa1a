"""Calling a public method through either facade against an in-process handler (the emulated
tenant, or one that changes its answers): the unit tests of argument and answer checks."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse

BASE = "https://tenant.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"
START = 1_800_000_000

Handler = Callable[[HttpRequest], HttpResponse]


def bound(client: object, method: str) -> Any:
    """``client.<method>``, for a dotted ``method`` too."""
    return functools.reduce(getattr, method.split("."), client)


def call(
    facade: str, handler: Handler, method: str, *args: Any, options: Any = None, **kwargs: Any
) -> Any:
    """``client.<method>(*args, **kwargs)`` on a fresh client of ``facade`` (``requests`` or
    ``anyio``) that talks to ``handler``, with ``options`` over the defaults; ``method`` may
    be dotted (``anonymous.create_session``)."""
    client_options: dict[str, Any] = {
        "domain": BASE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "env": Env(clock=FixedClock(START)),
        **(options or {}),
    }
    if facade == "requests":
        session = requests.Session()
        session.mount(BASE, auth0_requests.HandlerAdapter(handler))
        client = auth0_requests.ServerClient(session=session, **client_options)
        return bound(client, method)(*args, **kwargs)

    async def main() -> Any:
        transport = auth0_anyio.handler_transport(handler)
        async with httpx.AsyncClient(transport=transport) as http:
            client = auth0_anyio.ServerClient(http_client=http, **client_options)
            return await bound(client, method)(*args, **kwargs)

    return anyio.run(main)
