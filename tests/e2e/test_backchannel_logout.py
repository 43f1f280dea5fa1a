"""Back-channel logout end to end, in every mode: users log in through the app (memory state
store, one session id cookie per browser), the tenant mints or delivers logout tokens, and
``handle_backchannel_logout`` (or the WSGI/ASGI app the tenant posts to) ends exactly the
sessions a token names."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import pytest

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import BackchannelLogoutError, StoreNotSupportedError
from auth0_core.stores import CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig, generate_signing_key
from auth0_tenant_server._server import ServerThread

from .conftest import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INPROCESS_BASE,
    SECRET,
    START,
    App,
    Browser,
)

pytestmark = pytest.mark.anyio

ALICE, BOB = "auth0|alice", "auth0|bob"
JWKS = "/.well-known/jwks.json"
APP_URI = "https://app.example/backchannel-logout"


async def login_in(app: App, browser: Browser, user: str) -> None:
    saved, app.browser = app.browser, browser
    try:
        await app.login(user)
    finally:
        app.browser = saved


async def user_in(app: App, browser: Browser) -> Any:
    saved, app.browser = app.browser, browser
    try:
        return await app.user()
    finally:
        app.browser = saved


async def refused(app: App, token: str, client: Any = None) -> str:
    with pytest.raises(BackchannelLogoutError) as info:
        await app.call("handle_backchannel_logout", token, client=client)
    return info.value.reason


async def test_a_logout_token_ends_that_session_and_not_another_users(app: App) -> None:
    alice, bob = Browser(), Browser()
    await login_in(app, alice, "alice")
    await login_in(app, bob, "bob")
    sid = (await user_in(app, alice))["sid"]
    assert sid != (await user_in(app, bob))["sid"]
    token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=sid)
    assert await app.call("handle_backchannel_logout", token) is None
    assert await user_in(app, alice) is None
    assert (await user_in(app, bob))["sub"] == BOB
    # The same token again is a replay; alice logging in again is not undone by it.
    await login_in(app, alice, "alice")
    assert await refused(app, token) == "replayed"
    assert (await user_in(app, alice))["sub"] == ALICE


async def test_sid_only_and_sub_only_tokens(app: App) -> None:
    laptop, phone, bob = Browser(), Browser(), Browser()
    await login_in(app, laptop, "alice")
    await login_in(app, phone, "alice")
    await login_in(app, bob, "bob")
    phone_sid = (await user_in(app, phone))["sid"]
    await app.call(
        "handle_backchannel_logout",
        app.tenant.mint_logout_token(CLIENT_ID, sub=None, sid=phone_sid),
    )
    assert await user_in(app, phone) is None
    assert (await user_in(app, laptop))["sub"] == ALICE
    await login_in(app, phone, "alice")
    # sub only: every session of alice at this tenant, none of bob's.
    await app.call(
        "handle_backchannel_logout", app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    )
    assert await user_in(app, laptop) is None
    assert await user_in(app, phone) is None
    assert (await user_in(app, bob))["sub"] == BOB


async def test_bad_tokens_end_nothing(app: App) -> None:
    await app.login("alice")
    sid = (await app.user())["sid"]
    now = int(app.clock.now)
    tenant = app.tenant
    kid = tenant.state.keys.current.kid
    foreign = generate_signing_key()

    def mint(**kwargs: Any) -> str:
        return tenant.mint_logout_token(CLIENT_ID, **{"sub": ALICE, "sid": sid, **kwargs})

    cases = {
        "invalid_signature": mint(key=foreign, header={"kid": kid}),
        "unsupported_algorithm": mint(header={"alg": "none"}),
        "invalid_audience": mint(aud="another-client"),
        "invalid_issuer": mint(iss="https://evil.example/"),
        "expired": mint(iat=now - 600, exp=now - 480),
        "issued_in_future": mint(iat=now + 600, exp=now + 720),
        "missing_iat": mint(omit=("iat",)),
        "missing_jti": mint(omit=("jti",)),
        "missing_events": mint(omit=("events",)),
        "invalid_events": mint(events={"http://schemas.openid.net/event/backchannel-logout": 1}),
        "nonce_present": mint(nonce="n-0S6"),
        "missing_sid_and_sub": mint(sub=None, sid=None),
        "invalid_typ": mint(header={"typ": "at+jwt"}),
    }
    for reason, token in cases.items():
        assert await refused(app, token) == reason, reason
    assert (await app.user())["sub"] == ALICE
    # A key the JWKS does not publish: one re-fetch, then refused.
    before = tenant.count(JWKS)
    assert await refused(app, mint(key=foreign)) == "unknown_kid"
    assert tenant.count(JWKS) == before + 1
    assert (await app.user())["sub"] == ALICE


async def test_a_rotated_signing_key_is_fetched_once(app: App) -> None:
    await app.login("alice")
    sid = (await app.user())["sid"]
    before = app.tenant.count(JWKS)
    app.tenant.rotate_signing_key()
    await app.call(
        "handle_backchannel_logout", app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=sid)
    )
    assert app.tenant.count(JWKS) == before + 1
    assert await app.user() is None


async def test_a_cookie_store_validates_then_refuses(app: App) -> None:
    client = app.make_client(state_store=CookieStateStore(SECRET, secure=False, clock=app.clock))
    mint = app.tenant.mint_logout_token
    assert await refused(app, mint(CLIENT_ID, sub=ALICE, sid="s", nonce="n"), client) == (
        "nonce_present"
    )
    with pytest.raises(StoreNotSupportedError, match="server-side"):
        await app.call(
            "handle_backchannel_logout", mint(CLIENT_ID, sub=ALICE, sid="s"), client=client
        )


# --- the tenant's own deliveries, to the WSGI or ASGI app ---------------------------------------


def config_with_backchannel_uri() -> TenantConfig:
    return TenantConfig.from_dict(
        {
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "callbacks": [CALLBACK],
                    "backchannel_logout_uri": APP_URI,
                }
            ]
        }
    )


@pytest.fixture
def delivering_app(mode: str) -> Iterator[App]:
    """An app whose tenant knows its back-channel logout URI (served on loopback when the mode
    says so)."""
    clock = FixedClock(START)
    config = config_with_backchannel_uri()
    if mode.endswith("inprocess"):
        yield App(
            mode,
            Tenant(config, base_url=INPROCESS_BASE, env=Env(clock=clock)),
            INPROCESS_BASE,
            clock,
        )
        return
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(config, base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler) as server:
        yield App(mode, tenants[0], server.base_url, clock)


def wsgi_send(app: Any) -> Any:
    """``HttpRequest -> HttpResponse`` through a WSGI application, as a WSGI server does it."""

    def send(request: HttpRequest) -> HttpResponse:
        headers = {name.lower(): value for name, value in request.headers}
        environ = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": "/backchannel-logout",
            "QUERY_STRING": "",
            "SERVER_NAME": "app.example",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "CONTENT_TYPE": headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(request.body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(request.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        answer: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> Any:
            answer["status"], answer["headers"] = int(status.split()[0]), response_headers
            return lambda data: None

        body = b"".join(app(environ, start_response))
        return HttpResponse(status=answer["status"], headers=answer["headers"], body=body)

    return send


async def asgi_call(app: Any, request: HttpRequest) -> HttpResponse:
    """``request`` through an ASGI application, as an ASGI server does it."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "scheme": "https",
        "path": "/backchannel-logout",
        "raw_path": b"/backchannel-logout",
        "query_string": b"",
        "root_path": "",
        "headers": [(n.lower().encode(), v.encode()) for n, v in request.headers],
    }
    messages = [{"type": "http.request", "body": request.body, "more_body": False}]
    sent: list[Any] = []

    async def receive() -> Any:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, body = sent
    headers = [(n.decode(), v.decode()) for n, v in start["headers"]]
    return HttpResponse(status=start["status"], headers=headers, body=body["body"])


async def test_the_tenants_deliveries_reach_the_endpoint(delivering_app: App) -> None:
    app = delivering_app
    laptop, phone, bob = Browser(), Browser(), Browser()
    await login_in(app, laptop, "alice")
    await login_in(app, phone, "alice")
    await login_in(app, bob, "bob")
    queued = app.tenant.end_sessions(ALICE)  # an administrator ends alice's sessions
    assert len(queued) == 2
    assert all(d.uri == APP_URI and d.sid for d in queued)
    if app.mode.startswith("sync"):
        send = wsgi_send(auth0_requests.backchannel_logout_wsgi_app(app.client))
        delivered = app.tenant.deliver_pending(send)
    else:
        endpoint = auth0_anyio.backchannel_logout_asgi_app(app.client)

        def send(request: HttpRequest) -> HttpResponse:
            return anyio.from_thread.run(asgi_call, endpoint, request)

        delivered = await anyio.to_thread.run_sync(app.tenant.deliver_pending, send)
    assert [(d.result.status, d.result.body) for d in delivered if d.result] == [(200, "")] * 2
    assert await user_in(app, laptop) is None
    assert await user_in(app, phone) is None
    assert (await user_in(app, bob))["sub"] == BOB
    # Delivered again (an OP retrying): refused as a replay, with the JSON error body.
    again = HttpRequest(
        method="POST",
        url=APP_URI,
        headers=(("Content-Type", "application/x-www-form-urlencoded"),),
        body=f"logout_token={queued[0].logout_token}".encode(),
    )
    if app.mode.startswith("sync"):
        response = send(again)
    else:
        response = await asgi_call(endpoint, again)
    assert response.status == 400
    assert response.json_object()["error"] == "invalid_request"
    assert "already used" in str(response.json_object()["error_description"])


async def test_untyped_and_jwt_typed_tokens_are_accepted(app: App) -> None:
    # Which typ Auth0 stamps on logout tokens is unconfirmed (docs/tenant.md): JWT and none pass.
    for header in ({"typ": "JWT"}, {"typ": None}):
        await app.login("alice")
        sid = (await app.user())["sid"]
        token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=sid, header=header)
        await app.call("handle_backchannel_logout", token)
        assert await app.user() is None
