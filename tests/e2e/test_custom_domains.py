"""Multiple Custom Domains end to end (docs/custom-domains.md), in every mode.

Two emulated tenants (in process, or each served on loopback) sit behind one client whose
``domain`` is a resolver picking the tenant by the request's ``Host`` header: the sync modes
use a sync resolver, the async modes an async one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.auth_types import DomainResolverContext
from auth0_core.errors import DomainResolverError, MissingRefreshTokenError
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_tenant_server._server import ServerThread

from .conftest import CALLBACK, CLIENT_ID, CLIENT_SECRET, MODES, SECRET, START, Browser, run_sync

pytestmark = pytest.mark.anyio

HOSTS = ("app-a.example", "app-b.example")


class Counted:
    """A tenant's handler that counts the token requests it answers."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.token_requests = 0

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and urlsplit(request.url).path == "/oauth/token":
            self.token_requests += 1
        return self.tenant.handle(request)


@pytest.fixture(scope="module")
def served_pair() -> Iterator[tuple[list[Counted], FixedClock]]:
    clock = FixedClock(START)
    counted: list[Counted] = []

    def make_handler(base_url: str) -> Any:
        counted.append(
            Counted(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        )
        return counted[-1]

    with ServerThread(make_handler=make_handler), ServerThread(make_handler=make_handler):
        yield counted, clock


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode.startswith("trio") else "asyncio"


class Pair:
    """One client, two tenants, a browser per app host."""

    def __init__(self, mode: str, tenants: list[Counted], clock: FixedClock) -> None:
        self.mode = mode
        self.tenants = dict(zip(HOSTS, tenants, strict=True))
        self.by_base = {t.tenant.base_url: t for t in tenants}
        self.clock = clock
        self.resolved: list[DomainResolverContext] = []
        self.client = self.make_client()

    def resolve(self, context: DomainResolverContext) -> str:
        self.resolved.append(context)
        host = (context.host or "").split(":")[0]
        if host not in self.tenants:
            raise LookupError(f"unknown application host {host!r}")
        return self.tenants[host].tenant.base_url

    def handle(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        return self.by_base[f"{parts.scheme}://{parts.netloc}"](request)

    def make_client(self) -> Any:
        options: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            "rolling_duration": 7 * 86_400,
            "absolute_duration": 30 * 86_400,
            "env": Env(clock=self.clock),
        }
        inprocess = self.mode.endswith("inprocess")
        if self.mode.startswith("sync"):
            session = requests.Session()
            if inprocess:
                for base in self.by_base:
                    session.mount(base, auth0_requests.HandlerAdapter(self.handle))
            return auth0_requests.ServerClient(session=session, domain=self.resolve, **options)

        async def resolve(context: DomainResolverContext) -> str:
            return self.resolve(context)

        transport = auth0_anyio.handler_transport(self.handle) if inprocess else None
        return auth0_anyio.ServerClient(
            http_client=httpx.AsyncClient(transport=transport), domain=resolve, **options
        )

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, method)(*args, **kwargs)
        if hasattr(result, "__await__"):
            result = await result
        return result

    def send(self, request: HttpRequest) -> HttpResponse:
        if self.mode.endswith("inprocess"):
            return self.handle(request)
        with httpx.Client() as http:
            answer = http.request(
                request.method, request.url, headers=list(request.headers), content=request.body
            )
        return HttpResponse(
            status=answer.status_code,
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
        )

    @staticmethod
    def options(browser: Browser, host: str) -> dict[str, Any]:
        request = CookieRequest(
            dict(browser.cookies), url=f"https://{host}/auth/login", headers={"Host": host}
        )
        return {"request": request, "response": CookieResponse()}

    async def run(self, browser: Browser, host: str, method: str, *args: Any, **kw: Any) -> Any:
        store = self.options(browser, host)
        result = await self.call(method, *args, store_options=store, **kw)
        browser.absorb(store)
        return result

    async def login(self, browser: Browser, host: str, user: str = "alice") -> str:
        url = await self.run(browser, host, "start_interactive_login")
        flow = browser_login_flow(url, f"{user}@example.com", f"{user}-password")
        callback = str(run_sync(flow, self.send))
        await self.run(browser, host, "complete_interactive_login", callback)
        return str(url)


@pytest.fixture
def pair(mode: str, served_pair: tuple[list[Counted], FixedClock]) -> Pair:
    if mode.endswith("inprocess"):
        clock = FixedClock(START)
        tenants = [
            Counted(Tenant(TenantConfig.default(), base_url=base, env=Env(clock=clock)))
            for base in ("https://a.tenant.example", "https://b.tenant.example")
        ]
        return Pair(mode, tenants, clock)
    tenants, clock = served_pair
    clock.now = START
    for counted in tenants:
        counted.token_requests = 0
    return Pair(mode, tenants, clock)


async def test_login_on_each_domain_and_sessions_stay_on_theirs(pair: Pair) -> None:
    a, b = (pair.tenants[h] for h in HOSTS)
    on_a, on_b = Browser(), Browser()
    url_a = await pair.login(on_a, HOSTS[0], "alice")
    url_b = await pair.login(on_b, HOSTS[1], "bob")
    assert url_a.startswith(a.tenant.base_url + "/")
    assert url_b.startswith(b.tenant.base_url + "/")
    user_a = await pair.run(on_a, HOSTS[0], "get_user")
    user_b = await pair.run(on_b, HOSTS[1], "get_user")
    assert user_a["iss"] == a.tenant.issuer
    assert user_b["iss"] == b.tenant.issuer
    session = await pair.run(on_a, HOSTS[0], "get_session")
    assert session["domain"] == urlsplit(a.tenant.base_url).netloc
    # The same cookies presented on the other domain are no session there.
    assert await pair.run(on_a, HOSTS[1], "get_user") is None
    assert await pair.run(on_a, HOSTS[1], "get_session") is None
    with pytest.raises(MissingRefreshTokenError):
        await pair.run(on_a, HOSTS[1], "get_access_token")
    # ... and are still alice's session on her own domain.
    assert (await pair.run(on_a, HOSTS[0], "get_user"))["sub"] == user_a["sub"]
    assert {c.request_headers["host"] for c in pair.resolved if c.request_headers} == set(HOSTS)


async def test_refresh_goes_to_the_sessions_tenant(pair: Pair) -> None:
    a, b = (pair.tenants[h] for h in HOSTS)
    on_a, on_b = Browser(), Browser()
    await pair.login(on_a, HOSTS[0])
    await pair.login(on_b, HOSTS[1])
    before = (a.token_requests, b.token_requests)
    pair.clock.now += 86_400 + 600  # both access tokens have expired
    await pair.run(on_a, HOSTS[0], "get_access_token")
    assert (a.token_requests, b.token_requests) == (before[0] + 1, before[1])
    await pair.run(on_b, HOSTS[1], "get_access_token")
    assert (a.token_requests, b.token_requests) == (before[0] + 1, before[1] + 1)


async def test_logout_url_is_on_the_resolved_domain(pair: Pair) -> None:
    on_a = Browser()
    await pair.login(on_a, HOSTS[0])
    # On the other domain: the logout URL is that domain's; alice's session is not touched.
    url_b = await pair.run(on_a, HOSTS[1], "logout")
    assert url_b.startswith(pair.tenants[HOSTS[1]].tenant.base_url + "/")
    assert await pair.run(on_a, HOSTS[0], "get_user") is not None
    url_a = await pair.run(on_a, HOSTS[0], "logout")
    assert url_a.startswith(pair.tenants[HOSTS[0]].tenant.base_url + "/")
    assert await pair.run(on_a, HOSTS[0], "get_user") is None


async def test_a_resolver_that_fails_raises_domain_resolver_error(pair: Pair) -> None:
    with pytest.raises(DomainResolverError) as caught:
        await pair.run(Browser(), "unknown.example", "start_interactive_login")
    assert isinstance(caught.value.original_error, LookupError)
