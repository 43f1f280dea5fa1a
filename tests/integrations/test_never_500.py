"""Whatever a browser (or an attacker) sends to the routes, the answer is never a 5xx: any
query string on the login, callback and logout routes, any form on the start routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth0_core.tenant import Tenant

from .helpers import make_tenant
from .sites import SITES, Site
from .starlette.apps import make_client, starlette_app

# Query strings as bytes: parameters with odd names and values, repeats, bad escapes, raw
# bytes beyond ASCII.
NAMES = st.sampled_from(["state", "code", "error", "error_description", "iss", "returnTo", "x"])
VALUES = st.text(max_size=40) | st.sampled_from(["%", "%zz", "%00", "//evil", "\\x", ""])
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=6)
RAW = st.binary(max_size=60)
ROUTES = ["/auth/login", "/auth/callback", "/auth/logout"]
FORMS = ["/auth/link", "/auth/unlink", "/auth/connect", "/auth/logout"]


def query(pairs: list[tuple[str, str]]) -> bytes:
    from urllib.parse import quote

    return "&".join(f"{quote(k)}={quote(v)}" if v != "%" else f"{k}=%" for k, v in pairs).encode()


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture(scope="module", params=sorted(SITES))
def site(request: pytest.FixtureRequest, tenant: Tenant) -> Iterator[Site]:
    made = SITES[request.param](tenant)
    yield made
    made.close()


def wsgi_get(site: Site, path: str, raw_query: bytes) -> int:
    if site.host == "localhost":  # Flask's test client
        return int(site.http.get(path, query_string=raw_query.decode("latin-1")).status_code)
    return int(site.http.get(path, QUERY_STRING=raw_query.decode("latin-1")).status_code)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(route=st.sampled_from(ROUTES), pairs=PAIRS, raw=RAW)
def test_flask_and_django_routes(site: Site, route: str, pairs: Any, raw: bytes) -> None:
    assert wsgi_get(site, route, query(pairs)) < 500
    assert wsgi_get(site, route, raw) < 500


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(route=st.sampled_from(FORMS), body=RAW, pairs=PAIRS)
def test_flask_and_django_forms(site: Site, route: str, body: bytes, pairs: Any) -> None:
    form = "application/x-www-form-urlencoded"
    for data in (body, query(pairs)):
        if site.host == "localhost":
            answer = site.http.post(route, data=data, content_type=form)
        else:
            answer = site.http.post(route, data, content_type=form)
        assert answer.status_code < 500


async def asgi_status(app: Any, method: str, path: str, raw_query: bytes, body: bytes) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": raw_query,
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []
    delivered = False

    async def receive() -> dict[str, Any]:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(route=st.sampled_from(ROUTES + FORMS), pairs=PAIRS, raw=RAW)
def test_starlette_routes(tenant: Tenant, route: str, pairs: Any, raw: bytes) -> None:
    from auth0_starlette import Auth0

    app = starlette_app(Auth0(make_client(tenant)))
    method = "POST" if route in FORMS and route != "/auth/logout" else "GET"

    async def main() -> None:
        for data in (query(pairs), raw):
            body = data if method == "POST" else b""
            assert await asgi_status(app, method, route, data, body) < 500

    anyio.run(main)
