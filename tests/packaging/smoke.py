"""What a user gets from ``pip install 'auth0-core[EXTRA]'``, checked inside that fresh venv.

Run as ``python -I smoke.py EXTRA`` with the venv's interpreter: it imports only the installed
wheel and the standard library (nothing from the repository), and exits non-zero with the
reason when anything the extra promises does not work, or anything it does not provide fails
without naming the extra to install. ``EXTRA`` is ``none`` for the base install.

For every facade the extra provides it logs in against the emulated tenant (in-process), reads
the session back and logs out; the ``tenant`` and ``demo`` extras also run the ``auth0-core``
command as a user would, on a free loopback port, stopped by its PID; the ``redis`` extra
builds the Redis stores and checks that an unreachable server is a typed error.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

# What each extra provides. httpx depends on h11 and anyio, so the anyio extra brings all the
# tenant server needs as well; the demo needs Starlette and Hypercorn besides.
ASYNC = {"auth0_anyio", "auth0_tenant_server"}
PROVIDES: dict[str, set[str]] = {
    "none": set(),
    "requests": {"auth0_requests"},
    "anyio": ASYNC,
    "trio": ASYNC | {"trio"},
    "tenant": {"auth0_tenant_server"},
    "demo": ASYNC | {"auth0_starlette", "auth0_demo"},
    "redis": {"auth0_redis"},
    "starlette": ASYNC | {"auth0_starlette"},
    "flask": {"auth0_requests", "auth0_flask"},
    "django": {"auth0_requests", "auth0_django"},
}
# The extra each module's missing-extra message must name.
NEEDS = {
    "auth0_requests": "requests",
    "auth0_anyio": "anyio",
    "auth0_tenant_server": "tenant",
    "auth0_demo": "demo",
    "auth0_redis": "redis",
    "auth0_starlette": "starlette",
    "auth0_flask": "flask",
    "auth0_django": "django",
}
# The integrations' routes, served at the demo client's allowed callback's origin.
APP = "http://127.0.0.1:3000"
SECRET = "a-session-secret-of-at-least-32-characters"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
TENANT = "https://tenant.example"
COMMAND = Path(sys.executable).with_name("auth0-core")


def check(condition: object, message: str) -> None:
    if not condition:
        raise SystemExit(f"smoke: {message}")


def import_provided(module: str) -> None:
    if module == "auth0_tenant_server":
        # The package loads its server lazily: import a name, as a user would.
        from auth0_tenant_server import ServerThread  # noqa: F401
    else:
        __import__(module)


def check_missing(module: str) -> None:
    hint = f"pip install 'auth0-core[{NEEDS[module]}]'"
    try:
        import_provided(module)
    except ImportError as exc:
        check(hint in str(exc), f"import {module} failed without naming the extra: {exc}")
        from auth0_core.errors import MissingExtraError

        check(isinstance(exc, MissingExtraError), f"{module}: {type(exc).__name__}, not typed")
    else:
        raise SystemExit(f"smoke: {module} imported though its extra is not installed")


def tenant_and_client_options() -> tuple[Any, dict[str, Any]]:
    from auth0_core.tenant import Tenant, TenantConfig

    config = TenantConfig.default()
    tenant = Tenant(config, base_url=TENANT)
    options = {
        "domain": TENANT,
        "client_id": config.clients[0].client_id,
        "client_secret": config.clients[0].client_secret,
        "secret": SECRET,
        "authorization_params": {"redirect_uri": CALLBACK},
    }
    return tenant, options


def browse(tenant: Any, authorize_url: str) -> str:
    """The user's browser: the tenant's login form, as alice; returns the callback URL."""
    from auth0_core.effects import Effect, HttpRequest, run
    from auth0_core.tenant import browser_login_flow

    def perform(effect: Effect) -> Any:
        check(isinstance(effect, HttpRequest), f"the browser flow yielded {effect!r}")
        return tenant.handle(effect)

    flow = browser_login_flow(authorize_url, "alice@example.com", "alice-password")
    return str(run(flow, perform))


class Jar:
    """Cookies between the app's calls, through the cookie stores' request/response."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.response: Any = None

    def options(self) -> dict[str, Any]:
        from auth0_core.stores import CookieRequest, CookieResponse

        self.response = CookieResponse()
        return {"request": CookieRequest(dict(self.cookies)), "response": self.response}

    def absorb(self) -> None:
        for _, line in self.response.headers():
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in line or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


def login_sync() -> None:
    import requests

    import auth0_requests

    tenant, options = tenant_and_client_options()
    session = requests.Session()
    session.mount(TENANT, auth0_requests.HandlerAdapter(tenant.handle))
    client = auth0_requests.ServerClient(session=session, **options)
    jar = Jar()
    url = client.start_interactive_login(store_options=jar.options())
    jar.absorb()
    client.complete_interactive_login(browse(tenant, url), store_options=jar.options())
    jar.absorb()
    user = client.get_user(store_options=jar.options())
    check(user and user["email"] == "alice@example.com", f"sync login gave user {user!r}")
    connect_sync(client, tenant, jar)
    logout = client.logout({"return_to": "http://127.0.0.1:3000/"}, store_options=jar.options())
    jar.absorb()
    check(logout.startswith(TENANT), "sync logout URL")
    check(client.get_user(store_options=jar.options()) is None, "sync session survived logout")


def connect_sync(client: Any, tenant: Any, jar: Jar) -> None:
    """Connected Accounts from the wheel: connect through the consent page, list, delete."""
    from auth0_core.effects import run
    from auth0_core.tenant.browser import browser_connect_flow
    from auth0_requests import ConnectAccountOptions
    from auth0_requests.error import MyAccountApiError

    url = client.start_connect_account(
        ConnectAccountOptions(connection="github"), store_options=jar.options()
    )
    jar.absorb()
    callback = str(run(browser_connect_flow(url), tenant.handle))
    account = client.complete_connect_account(url=callback, store_options=jar.options())
    jar.absorb()
    listed = [a.id for a in client.iter_connected_accounts(store_options=jar.options())]
    check(account.id in listed, f"the connected account is not listed: {listed!r}")
    client.delete_connected_account(account.id, store_options=jar.options())
    jar.absorb()
    try:
        client.delete_connected_account(account.id, store_options=jar.options())
    except MyAccountApiError as error:
        check(error.status == 404, f"deleting twice answered {error.status}")
    else:
        raise SystemExit("smoke: deleting a connected account twice did not fail")


def login_async(backend: str) -> None:
    import anyio
    import httpx

    import auth0_anyio

    async def main() -> None:
        tenant, options = tenant_and_client_options()
        transport = auth0_anyio.handler_transport(tenant.handle)
        async with auth0_anyio.ServerClient(
            http_client=httpx.AsyncClient(transport=transport), **options
        ) as client:
            jar = Jar()
            url = await client.start_interactive_login(store_options=jar.options())
            jar.absorb()
            await client.complete_interactive_login(
                browse(tenant, url), store_options=jar.options()
            )
            jar.absorb()
            user = await client.get_user(store_options=jar.options())
            check(user and user["email"] == "alice@example.com", f"{backend} login: {user!r}")
            listed = [
                a.connection
                async for a in client.iter_connected_accounts(store_options=jar.options())
            ]
            check(listed == ["google-oauth2"], f"{backend} connected accounts: {listed!r}")

    anyio.run(main, backend=backend)


def integration_client(module: Any, tenant: Any, options: dict[str, Any]) -> Any:
    """A facade without a redirect_uri: the integration's callback route is the one sent."""
    options = {k: v for k, v in options.items() if k != "authorization_params"}
    if module.__name__ == "auth0_requests":
        import requests

        session = requests.Session()
        session.mount(TENANT, module.HandlerAdapter(tenant.handle))
        return module.ServerClient(session=session, **options)
    import httpx

    transport = module.handler_transport(tenant.handle)
    return module.ServerClient(http_client=httpx.AsyncClient(transport=transport), **options)


def check_integration_login(name: str, tenant: Any, get: Callable[[str], Any]) -> None:
    """Through an integration's routes: the login route, the tenant's form, the callback,
    then the protected page; ``get(url)`` is the framework's test client, awaited (status,
    Location, text). Run on asyncio from the standard library: the sync extras bring no
    anyio."""

    async def walk() -> None:
        status, location, _ = await get(f"{APP}/private")
        check(status == 302 and location.startswith("/auth/login"), f"{name}: {location}")
        status, location, _ = await get(APP + location)
        check(status == 302 and location.startswith(TENANT), f"{name} login: {status}")
        status, location, _ = await get(browse(tenant, location))
        check(status == 302 and location == "/private", f"{name} callback: {location}")
        status, _, text = await get(f"{APP}/private")
        check(status == 200 and text == "alice@example.com", f"{name} page: {text!r}")

    asyncio.run(walk())


def flask_login() -> None:
    from flask import Flask, g

    import auth0_requests
    from auth0_flask import Auth0

    tenant, options = tenant_and_client_options()
    app = Flask("smoke")
    auth0 = Auth0(integration_client(auth0_requests, tenant, options), app)

    @app.get("/private")
    @auth0.login_required
    def private() -> str:
        return str(g.user["email"])

    http = app.test_client()

    async def get(url: str) -> Any:
        answer = http.get(url)
        return answer.status_code, answer.headers.get("Location"), answer.get_data(as_text=True)

    check_integration_login("flask", tenant, get)


def django_login() -> None:
    import types

    import django
    from django.conf import settings
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import include, path

    import auth0_requests
    from auth0_django import login_required

    tenant, options = tenant_and_client_options()

    @login_required
    def private(request: HttpRequest) -> HttpResponse:
        return HttpResponse(request.auth0_user["email"])  # type: ignore[attr-defined]

    urls = types.ModuleType("smoke_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]
        path("auth/", include("auth0_django.urls")),
        path("private", private),
    ]
    settings.configure(
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=urls,
        INSTALLED_APPS=["auth0_django"],
        MIDDLEWARE=["auth0_django.middleware.Auth0Middleware"],
        AUTH0={"CLIENT": integration_client(auth0_requests, tenant, options)},
    )
    django.setup()
    http = Client(HTTP_HOST="127.0.0.1:3000")

    async def get(url: str) -> Any:
        answer = http.get(url)
        return answer.status_code, answer.headers.get("Location"), answer.content.decode()

    check_integration_login("django", tenant, get)


def starlette_login() -> None:
    import httpx
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    import auth0_anyio
    from auth0_starlette import Auth0

    tenant, options = tenant_and_client_options()
    auth0 = Auth0(integration_client(auth0_anyio, tenant, options))

    async def private(request: Request) -> PlainTextResponse:
        return PlainTextResponse((await auth0.require_user(request))["email"])

    app = Starlette(routes=[auth0.mount, Route("/private", private)], middleware=[auth0.middleware])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))

    async def get(url: str) -> Any:
        answer = await http.get(url)
        return answer.status_code, answer.headers.get("location"), answer.text

    check_integration_login("starlette", tenant, get)


def redis_unreachable() -> None:
    """The Redis stores from the wheel: a server that is not there is a typed error, fast."""
    import socket
    import time

    from auth0_core.errors import StoreUnavailableError
    from auth0_core.stores import CookieRequest, CookieResponse
    from auth0_redis import RedisStateStore, RedisTransactionStore

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    cookies = {"_a0_session": "A" * 22 + "." + "B" * 22}
    options = {"request": CookieRequest(cookies), "response": CookieResponse()}
    for store in (RedisStateStore(url, secret=SECRET), RedisTransactionStore(url, secret=SECRET)):
        started = time.monotonic()
        try:
            store.get("_a0_session", options=options)
        except StoreUnavailableError:
            check(time.monotonic() - started < 5, "the Redis store took too long to fail")
        else:
            raise SystemExit("smoke: a Redis store answered without a server")
        store.close()


def start_command(*args: str) -> tuple[subprocess.Popen[str], str]:
    """Run ``auth0-core ARGS`` and wait for its first ``... on URL`` line."""
    process = subprocess.Popen(
        [str(COMMAND), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    found = re.search(r"(https?://\S+)", line)
    if found is None:
        process.kill()
        raise SystemExit(f"smoke: auth0-core {args[0]} said {line!r}: {process.communicate()[1]}")
    return process, found.group(1).rstrip("/")


def stop_command(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGTERM)
    process.communicate(timeout=20)
    check(process.returncode == 0, f"auth0-core exited {process.returncode} on SIGTERM")


def serve_tenant() -> None:
    process, base_url = start_command("tenant", "--port", "0", "--quiet")
    try:
        with urllib.request.urlopen(f"{base_url}/.well-known/openid-configuration") as answer:
            check(b'"issuer"' in answer.read(), "the served tenant's discovery")
    finally:
        stop_command(process)


def demo_login() -> None:
    """Log in through the demo app and the tenant's HTML form, with a cookie jar."""
    process, _ = start_command("demo", "--port", "0")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        found = re.search(r"demo app on (http://\S+?)/? ", line)
        check(found, f"the demo's announcement: {line!r}")
        assert found is not None
        app = found.group(1)
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        with browser.open(f"{app}/auth/login") as page:
            form = page.read().decode()
            action = page.geturl()
        tx = re.search(r'name="tx" value="([^"]+)"', form)
        check(tx, "the tenant's login form")
        assert tx is not None
        fields = {"tx": tx.group(1), "username": "alice@example.com", "password": "alice-password"}
        target = urllib.parse.urljoin(action, "/u/login")
        body = urllib.parse.urlencode(fields).encode()
        with browser.open(target, data=body) as home:
            text = home.read().decode()
        check("Alice Example" in text, "the demo's home page after login")
    finally:
        stop_command(process)


def testing_tools(served: bool) -> None:
    """The pytest plugin's tools (docs/testing.md): the pure half works from a base install
    (no pytest either); the served tenant works with the tenant extra, else names it."""
    from auth0_core.errors import MissingExtraError
    from auth0_core.testing import EmulatedTenant

    tenant = EmulatedTenant.create()
    token = tenant.tokens.access_token("https://api.example.com")
    check(tenant.tokens.claims(token)["aud"] == "https://api.example.com", "a minted token")
    page = tenant.browser().get(tenant.base_url + "/.well-known/jwks.json")
    check(page.status == 200, f"the in-process browser: HTTP {page.status}")
    if not served:
        try:
            EmulatedTenant.serve()
        except MissingExtraError as exc:
            check("auth0-core[tenant]" in str(exc), f"serving did not name the extra: {exc}")
        else:
            raise SystemExit("smoke: the tenant was served though the tenant extra is missing")
        return
    with EmulatedTenant.serve() as tenant:
        page = tenant.browser().get(tenant.base_url + "/.well-known/jwks.json")
        check(page.status == 200, f"the served tenant: HTTP {page.status}")


def run_command_expecting_hint(args: list[str], extra: str) -> None:
    done = subprocess.run([str(COMMAND), *args], capture_output=True, text=True, timeout=60)
    hint = f"pip install 'auth0-core[{extra}]'"
    check(done.returncode == 2, f"auth0-core {args} exited {done.returncode}: {done.stderr}")
    check(hint in done.stderr, f"auth0-core {args} did not name the extra: {done.stderr!r}")
    check("Traceback" not in done.stderr, f"auth0-core {args} printed a traceback")


def main(extra: str) -> None:
    provided = PROVIDES[extra]
    import auth0_core

    version = subprocess.run(
        [str(COMMAND), "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    check(version.stdout.strip() == f"auth0-core {auth0_core.__version__}", "--version")
    # The testing tool (docs/testing-with-fixtures.md) needs no extra.
    import auth0_core.recording

    testing_tools(served="auth0_tenant_server" in provided)

    for module in NEEDS:
        if module in provided:
            import_provided(module)
            if module in ("auth0_requests", "auth0_anyio"):
                __import__(f"{module}.recording")  # its recording and replay transports
        else:
            check_missing(module)
    if "auth0_tenant_server" not in provided:
        run_command_expecting_hint(["tenant", "--port", "0"], "tenant")
    if "auth0_demo" not in provided:
        run_command_expecting_hint(["demo", "--port", "0"], "demo")
    if "trio" not in provided:
        run_command_expecting_hint(["tenant", "--backend", "trio"], "trio")
    steps: list[Callable[[], None]] = []
    if "auth0_requests" in provided:
        steps.append(login_sync)
    if "auth0_anyio" in provided:
        steps.append(lambda: login_async("asyncio"))
    if "trio" in provided:
        steps.append(lambda: login_async("trio"))
    if "auth0_tenant_server" in provided:
        steps.append(serve_tenant)
    if "auth0_demo" in provided:
        steps.append(demo_login)
    if "auth0_redis" in provided:
        steps.append(redis_unreachable)
    if "auth0_starlette" in provided:
        steps.append(starlette_login)
    if "auth0_flask" in provided:
        steps.append(flask_login)
    if "auth0_django" in provided:
        steps.append(django_login)
    for step in steps:
        step()
    print(f"smoke {extra}: ok ({len(steps)} flows)")


if __name__ == "__main__":
    main(sys.argv[1])
