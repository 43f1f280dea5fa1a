"""How the Starlette integration is put together: without the middleware the routes still
work, and the helpers say what is missing."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant
from auth0_starlette import Auth0

from .apps import make_client

pytestmark = pytest.mark.anyio


async def test_without_the_middleware(tenant: Tenant) -> None:
    auth0 = Auth0(make_client(tenant))

    async def private(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(await auth0.require_user(request)))

    app = Starlette(routes=[auth0.mount, Route("/private", private)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        start = await browser.get("/auth/login")
        assert start.status_code == 302
        assert start.headers.get_list("set-cookie")
        with pytest.raises(ConfigurationError, match=r"auth0\.middleware"):
            await browser.get("/private")
    await auth0.client.aclose()


async def test_a_mount_at_the_root_and_login_params(tenant: Tenant) -> None:
    from urllib.parse import parse_qs, urlsplit

    auth0 = Auth0(make_client(tenant), prefix="", login_params={"screen_hint": "signup"})
    app = Starlette(routes=[auth0.mount], middleware=[auth0.middleware])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as browser:
        start = await browser.get("/login")
        assert start.status_code == 302
        authorize = start.headers["location"]
        query = parse_qs(urlsplit(authorize).query)
        if "request_uri" not in query:  # PAR keeps the parameters at the tenant
            assert query["screen_hint"] == ["signup"]
            assert query["redirect_uri"] == ["http://testserver/callback"]
    await auth0.client.aclose()
    with pytest.raises(ValueError, match="prefix"):
        Auth0(auth0.client, prefix="auth/")
