"""Tenants that answer late, for the deadline and cancellation tests.

:class:`Hold` wraps a tenant: a matching request is processed at once (a refresh rotates the
refresh token there and then) but its answer is held back until the test releases it, as a
slow network or a slow tenant would. :func:`app_for` gives an :class:`App` of one mode talking
to a wrapped tenant, in-process or served on loopback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import attrs

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.stores import CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_tenant_server._server import ServerThread

from .conftest import INPROCESS_BASE, SECRET, START, App

# How long anything in these tests may wait before it is plainly stuck.
STUCK = 20.0


def rotating_config(leeway: int = 0) -> TenantConfig:
    """The default tenant, with refresh-token rotation and the given overlap period."""
    config = TenantConfig.default()
    client = config.clients[0]
    refresh = attrs.evolve(client.refresh_token, rotation_type="rotating", leeway=leeway)
    return attrs.evolve(config, clients=(attrs.evolve(client, refresh_token=refresh),))


def is_grant(grant_type: str) -> Callable[[HttpRequest], bool]:
    def matches(request: HttpRequest) -> bool:
        return urlsplit(request.url).path == "/oauth/token" and parse_form(request.body).get(
            "grant_type"
        ) == [grant_type]

    return matches


def is_discovery(request: HttpRequest) -> bool:
    return urlsplit(request.url).path == "/.well-known/openid-configuration"


class Hold:
    """Processes every request at once; answers the matching ones only once released."""

    def __init__(self, tenant: Tenant, matches: Callable[[HttpRequest], bool]) -> None:
        self.tenant = tenant
        self.matches = matches
        self.arrived = threading.Event()
        self.released = threading.Event()

    def handle(self, request: HttpRequest) -> HttpResponse:
        """For the sync in-process adapter, which calls its handler on the exchange's thread."""
        response = self.tenant.handle(request)
        if self.matches(request):
            self.arrived.set()
            self.released.wait(STUCK)
        return response

    async def handle_async(self, request: HttpRequest) -> HttpResponse:
        """For the async in-process transport and the loopback server (an event loop each)."""
        response = self.tenant.handle(request)
        if self.matches(request):
            self.arrived.set()
            with anyio.move_on_after(STUCK):
                while not self.released.is_set():
                    await anyio.sleep(0.01)
        return response

    async def until_arrived(self) -> None:
        with anyio.fail_after(STUCK):
            while not self.arrived.is_set():
                await anyio.sleep(0.01)


@contextmanager
def app_for(
    mode: str, config: TenantConfig, wrap: Callable[[Tenant], Any], **options: Any
) -> Iterator[App]:
    """An App of ``mode`` whose client talks to ``wrap(tenant)`` (the browser to the tenant)."""
    clock = FixedClock(START)
    if mode.endswith("inprocess"):
        tenant = Tenant(config, base_url=INPROCESS_BASE, env=Env(clock=clock))
        app = App(mode, tenant, INPROCESS_BASE, clock, **options)
        app.handler = wrap(tenant)
        app.client = app.make_client()
        yield app
        return
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(config, base_url=base_url, env=Env(clock=clock)))
        return wrap(tenants[0])

    with ServerThread(make_handler=make_handler) as server:
        yield App(mode, tenants[0], server.base_url, clock, **options)


@contextmanager
def held_app(
    mode: str, config: TenantConfig, matches: Callable[[HttpRequest], bool], **options: Any
) -> Iterator[tuple[App, Hold]]:
    """An App whose tenant holds back the answers to ``matches`` until released."""
    holds: list[Hold] = []

    def wrap(tenant: Tenant) -> Any:
        holds.append(Hold(tenant, matches))
        return holds[0].handle if mode == "sync-inprocess" else holds[0].handle_async

    with app_for(mode, config, wrap, **options) as app:
        try:
            yield app, holds[0]
        finally:
            holds[0].released.set()  # no handler is left waiting after the test


def use_cookie_sessions(app: App, **options: Any) -> None:
    """A new client for ``app`` keeping sessions in cookies, so a stale cookie can be replayed."""
    store = CookieStateStore(SECRET, secure=False, clock=app.clock)
    app.client = app.make_client(state_store=store, **options)
