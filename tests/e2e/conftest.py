"""End-to-end harness: one scenario, run through every adapter and transport.

``app`` gives each test a client of one *mode*:

- ``sync-inprocess`` / ``sync-loopback``: ``auth0_requests.ServerClient`` against the emulated
  tenant wired in as a requests adapter, or served over real HTTP on 127.0.0.1;
- ``asyncio-*`` / ``trio-*``: ``auth0_anyio.ServerClient`` the same two ways, on that backend.

Tests are written once as ``async`` functions and call ``await app.call("method", ...)``; for the
sync client that call simply blocks.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

import anyio
import httpx
import pytest
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_tenant_server._server import ServerThread

from ..tenant.tenant_helpers import run_flow

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
SECRET = "a-session-secret-of-at-least-32-characters"
START = 1_800_000_000
INPROCESS_BASE = "https://tenant.example"

MODES = [
    "sync-inprocess",
    "sync-loopback",
    "asyncio-inprocess",
    "asyncio-loopback",
    "trio-inprocess",
    "trio-loopback",
]


class Browser:
    """A cookie jar standing in for the user's browser between app requests."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def store_options(self) -> dict[str, Any]:
        return {"request": CookieRequest(dict(self.cookies)), "response": CookieResponse()}

    def absorb(self, store_options: dict[str, Any]) -> None:
        for name, value in store_options["response"].headers():
            assert name.lower() == "set-cookie"
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for key, morsel in jar.items():
                if morsel["max-age"] in ("0",) or morsel.value == "":
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value


run_sync = run_flow  # runs the scripted browser: a flow that yields only HttpRequests


class App:
    """One client of one mode, plus the tenant it talks to and a browser."""

    def __init__(self, mode: str, tenant: Tenant, base_url: str, clock: FixedClock, **kw: Any):
        self.mode = mode
        self.tenant = tenant
        self.base_url = base_url
        self.clock = clock
        self.browser = Browser()
        self.options: dict[str, Any] = {
            "domain": base_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            "env": Env(clock=clock),
        }
        self.options.update(kw)
        # What the in-process client talks to; a test may wrap the tenant (slow, oversized).
        self.handler: Any = tenant.handle
        self.client = self.make_client()

    def make_client(self, **overrides: Any) -> Any:
        options = {**self.options, **overrides}
        inprocess = self.mode.endswith("inprocess")
        if self.mode.startswith("sync"):
            session = requests.Session()
            if inprocess:
                session.mount(self.base_url, auth0_requests.HandlerAdapter(self.handler))
            return auth0_requests.ServerClient(session=session, **options)
        transport = auth0_anyio.handler_transport(self.handler) if inprocess else None
        return auth0_anyio.ServerClient(
            http_client=httpx.AsyncClient(transport=transport), **options
        )

    async def call(self, method: str, *args: Any, client: Any = None, **kwargs: Any) -> Any:
        result = getattr(client or self.client, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def send(self, request: HttpRequest) -> HttpResponse:
        """What the user's browser does: talk to the tenant directly."""
        if self.mode.endswith("inprocess"):
            return self.tenant.handle(request)
        with httpx.Client() as http:
            answer = http.request(
                request.method, request.url, headers=list(request.headers), content=request.body
            )
        return HttpResponse(
            status=answer.status_code,
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
        )

    def send_get(self, url: str) -> HttpResponse:
        return self.send(HttpRequest(method="GET", url=url))

    def browser_login(self, authorize_url: str, user: str = "alice") -> str:
        flow = browser_login_flow(
            authorize_url, f"{user}@example.com", f"{user}-password", allow_error=True
        )
        return str(run_sync(flow, self.send))

    async def login(self, user: str = "alice", options: Any = None) -> Any:
        """The whole interactive login through the app's store options."""
        store = self.browser.store_options()
        url = await self.call("start_interactive_login", options, store_options=store)
        self.browser.absorb(store)
        callback = self.browser_login(url, user)
        store = self.browser.store_options()
        result = await self.call("complete_interactive_login", callback, store_options=store)
        self.browser.absorb(store)
        return result

    async def concurrently(self, callers: int, method: str, *args: Any) -> list[Any]:
        """Call ``method`` from ``callers`` threads (sync client) or tasks (async client) at
        once; return every result."""
        results: list[Any] = []
        if self.mode.startswith("sync"):
            barrier = threading.Barrier(callers)

            def caller() -> None:
                barrier.wait()
                results.append(getattr(self.client, method)(*args))

            threads = [threading.Thread(target=caller) for _ in range(callers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        else:

            async def task() -> None:
                results.append(await getattr(self.client, method)(*args))

            async with anyio.create_task_group() as group:
                for _ in range(callers):
                    group.start_soon(task)
        return results

    async def user(self) -> Any:
        store = self.browser.store_options()
        user = await self.call("get_user", store_options=store)
        self.browser.absorb(store)
        return user


@pytest.fixture(scope="session")
def served() -> Iterator[tuple[Tenant, str, FixedClock]]:
    """One tenant served on loopback for the whole run, with a clock tests may move."""
    clock = FixedClock(START)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler) as server:
        yield tenants[0], server.base_url, clock


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode.startswith("trio") else "asyncio"


@pytest.fixture
def app(mode: str, served: tuple[Tenant, str, FixedClock]) -> App:
    if mode.endswith("inprocess"):
        clock = FixedClock(START)
        tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
        return App(mode, tenant, INPROCESS_BASE, clock)
    tenant, base_url, clock = served
    clock.now = START
    return App(mode, tenant, base_url, clock)


@pytest.fixture
def fresh_user_directory(app: App) -> Iterator[None]:
    """For tests that link users: the loopback tenant is shared by the whole run."""
    yield
    app.tenant.users = type(app.tenant.users)(app.tenant.config)
