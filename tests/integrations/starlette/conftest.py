"""Starlette and FastAPI apps on asyncio and trio, driven through httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from auth0_core.tenant import Tenant
from auth0_starlette import Auth0

from ..helpers import make_tenant
from .apps import fastapi_app, make_client, starlette_app

FRAMEWORKS: dict[str, Callable[[Auth0], Any]] = {
    "starlette": starlette_app,
    "fastapi": fastapi_app,
}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=sorted(FRAMEWORKS))
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


class Site:
    """An app and a browser for it (httpx with a cookie jar, redirects not followed)."""

    def __init__(self, tenant: Tenant, framework: str, **settings: Any) -> None:
        self.tenant = tenant
        client_overrides = settings.pop("client", {})
        self.client = make_client(tenant, **client_overrides)
        self.auth0 = Auth0(self.client, **settings)
        self.app = FRAMEWORKS[framework](self.auth0)

    def browser(self, base_url: str = "http://testserver") -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest.fixture
def site_factory(tenant: Tenant, framework: str) -> Callable[..., Site]:
    return lambda **settings: Site(tenant, framework, **settings)


@pytest.fixture
async def site(site_factory: Callable[..., Site]) -> AsyncIterator[Site]:
    made = site_factory()
    yield made
    await made.client.aclose()
