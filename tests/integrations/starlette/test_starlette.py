"""The Starlette integration, on Starlette and on FastAPI, on asyncio and on trio: login,
callback, protected routes with and without a session, tokens, logout, bad callbacks, open
redirects, cookie flags, linking, connecting and back-channel logout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth0_core.stores import CookieStateStore, CookieTransactionStore

from ..helpers import (
    ALICE,
    CLIENT_ID,
    SECRET,
    TENANT,
    assert_cookie_flags,
    denied_callback,
    parse_set_cookies,
    session_set,
    tenant_consent,
    tenant_login,
)
from .conftest import Site

pytestmark = pytest.mark.anyio

OPEN_REDIRECTS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/path\nLocation: https://evil.example",
    "javascript:alert(1)",
    "http://testserver.evil.example/",
    "https://testserver/",  # another scheme is another origin
    "relative/path",
]


def cookies_of(response: httpx.Response) -> list[Any]:
    return parse_set_cookies(response.headers.get_list("set-cookie"))


async def log_in(
    site: Site, browser: httpx.AsyncClient, return_to: str = "/private", user: str = "alice"
) -> httpx.Response:
    """Login route, tenant login page, callback route: the callback's answer."""
    start = await browser.get("/auth/login", params={"returnTo": return_to})
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    assert authorize.startswith(f"{TENANT}/authorize")
    callback = tenant_login(site.tenant, authorize, user)
    assert callback.startswith(f"{browser.base_url}/auth/callback?")
    return await browser.get(callback)


async def test_login_protected_routes_token_and_logout(site: Site) -> None:
    async with site.browser() as browser:
        # Without a session: a page redirects to the login, which comes back to it.
        page = await browser.get("/private")
        assert page.status_code == 302
        assert page.headers["location"] == "/auth/login?returnTo=%2Fprivate"
        api = await browser.get("/api/me")
        assert api.status_code == 401
        assert api.json()["error"] == "login_required"
        assert (await browser.get("/", headers={"accept": "text/html"})).text.endswith("nobody</p>")
        # An API client (Accept: JSON) gets a 401 from a page route too.
        json_client = await browser.get("/private", headers={"accept": "application/json"})
        assert json_client.status_code == 401

        done = await log_in(site, browser)
        assert done.status_code == 302
        assert done.headers["location"] == "/private"
        assert session_set(cookies_of(done))
        assert_cookie_flags(cookies_of(done), secure=False)

        page = await browser.get("/private")
        assert page.status_code == 200
        assert "Hello Alice Example" in page.text
        assert (await browser.get("/api/me")).json() == {"sub": ALICE}
        token = await browser.get("/token")
        assert token.status_code == 200
        assert token.json()["length"] > 20

        out = await browser.get("/auth/logout", params={"returnTo": "/"})
        assert out.status_code == 302
        logout_url = urlsplit(out.headers["location"])
        assert f"{logout_url.scheme}://{logout_url.netloc}" == TENANT
        sent = parse_qs(logout_url.query)
        assert sent["post_logout_redirect_uri"] == ["http://testserver/"]
        cleared = cookies_of(out)
        assert cleared
        assert all(c.deleted for c in cleared if c.name.startswith("_a0_session"))
        assert not [name for name in browser.cookies if name.startswith("_a0_session")]
        assert (await browser.get("/private")).status_code == 302
        assert (await browser.get("/api/me")).status_code == 401


async def test_cookie_stores_and_a_tampered_session(site_factory: Callable[..., Site]) -> None:
    site = site_factory(
        client={
            "state_store": CookieStateStore(SECRET, secure=False),
            "transaction_store": CookieTransactionStore(SECRET, secure=False),
        }
    )
    async with site.browser() as browser:
        done = await log_in(site, browser)
        assert done.status_code == 302
        assert "_a0_session_0" in browser.cookies
        assert (await browser.get("/private")).status_code == 200
        assert (await browser.get("/token")).status_code == 200
        # A session cookie changed by one character reads as no session.
        value = browser.cookies["_a0_session_0"]
        tampered = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
        browser.cookies.set("_a0_session_0", tampered, domain="testserver.local")
        assert (await browser.get("/private")).status_code == 302
        assert (await browser.get("/api/me")).status_code == 401
    await site.client.aclose()


async def test_a_long_return_to_is_a_400_and_a_long_query_comes_back_without_it(
    site_factory: Callable[..., Site],
) -> None:
    site = site_factory(client={"transaction_store": CookieTransactionStore(SECRET, secure=False)})
    async with site.browser() as browser:
        refused = await browser.get("/auth/login", params={"returnTo": "/" + "a" * 2500})
        assert refused.status_code == 400
        page = await browser.get("/private", params={"q": "x" * 2500})
        assert page.status_code == 302
        assert page.headers["location"] == "/auth/login?returnTo=%2Fprivate"
        done = await log_in(site, browser, "/private?q=" + "x" * 900)
        assert done.status_code == 302
        assert done.headers["location"] == "/private?q=" + "x" * 900
    await site.client.aclose()


@pytest.mark.parametrize(
    ("base_url", "override", "secure"),
    [
        ("https://testserver", None, True),
        ("http://testserver", None, False),
        ("https://testserver", False, False),
        ("http://testserver", True, True),
    ],
)
async def test_secure_follows_the_scheme_unless_overridden(
    site_factory: Callable[..., Site], base_url: str, override: bool | None, secure: bool
) -> None:
    site = site_factory(secure_cookies=override)
    async with site.browser(base_url) as browser:
        start = await browser.get("/auth/login")
        assert_cookie_flags(cookies_of(start), secure=secure)
        callback = tenant_login(site.tenant, start.headers["location"])
        # httpx does not send a Secure cookie over http: hand the binding cookie over as the
        # browser on https would.
        jar = "; ".join(f"{c.name}={c.value}" for c in cookies_of(start) if not c.deleted)
        done = await browser.get(callback, headers={"cookie": jar})
        assert done.status_code == 302, done.text
        assert session_set(cookies_of(done))
        assert_cookie_flags(cookies_of(done), secure=secure)
    await site.client.aclose()


async def test_bad_callbacks_answer_4xx_pages_and_write_no_session(site: Site) -> None:
    async with site.browser() as browser:
        # Forged: a state no login of this browser started.
        forged = await browser.get("/auth/callback?code=abc&state=forged")
        assert forged.status_code == 400
        assert "text/html" in forged.headers["content-type"]
        assert "missing_transaction_error" in forged.text
        assert not session_set(cookies_of(forged))
        # No state at all.
        assert (await browser.get("/auth/callback?code=abc")).status_code == 400
        # A repeated parameter.
        assert (await browser.get("/auth/callback?state=a&state=b&code=c")).status_code == 400

        # Refused at the tenant: error=access_denied comes back with the login's state.
        start = await browser.get("/auth/login")
        callback = tenant_login(site.tenant, start.headers["location"])
        refused = await browser.get(denied_callback(callback))
        assert refused.status_code == 403
        assert "User refused" in refused.text
        assert not session_set(cookies_of(refused))

        # Another browser presenting this browser's callback: bound to the first one.
        start = await browser.get("/auth/login")
        callback = tenant_login(site.tenant, start.headers["location"])
        async with site.browser() as stranger:
            stolen = await stranger.get(callback)
            assert stolen.status_code == 400
            assert not session_set(cookies_of(stolen))
        done = await browser.get(callback)
        assert done.status_code == 302
        # Replayed: the same callback again.
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert not session_set(cookies_of(replayed))
        for answer in (forged, refused, stolen, replayed):
            assert "Traceback" not in answer.text
            assert "eyJ" not in answer.text  # no JWT of any kind on an error page
            assert SECRET not in answer.text


async def test_json_clients_get_json_errors(site: Site) -> None:
    async with site.browser() as browser:
        forged = await browser.get(
            "/auth/callback?code=abc&state=forged", headers={"accept": "application/json"}
        )
        assert forged.status_code == 400
        assert forged.json()["error"] == "missing_transaction_error"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
async def test_open_redirects_are_refused(site: Site, target: str) -> None:
    async with site.browser() as browser:
        login = await browser.get("/auth/login", params={"returnTo": target})
        assert login.status_code == 400
        assert "location" not in login.headers
        logout = await browser.get("/auth/logout", params={"returnTo": target})
        assert logout.status_code == 400
        assert "location" not in logout.headers


async def test_same_origin_targets_come_back(site: Site) -> None:
    async with site.browser() as browser:
        done = await log_in(site, browser, return_to="http://testserver/private?tab=2#top")
        assert done.headers["location"] == "/private?tab=2#top"
        done = await log_in(site, browser, return_to="/日本?q=é")
        assert done.headers["location"] == "/%E6%97%A5%E6%9C%AC?q=%C3%A9"
        out = await browser.get("/auth/logout", params={"returnTo": "/bye"})
        sent = parse_qs(urlsplit(out.headers["location"]).query)
        assert sent["post_logout_redirect_uri"] == ["http://testserver/bye"]


async def test_link_unlink_and_connect_start_at_the_tenant(site: Site) -> None:
    async with site.browser() as browser:
        # Without a session, linking asks for a login first.
        early = await browser.post("/auth/link", data={"connection": "github"})
        assert early.status_code == 302
        assert early.headers["location"].startswith("/auth/login")
        await log_in(site, browser)

        link = await browser.post("/auth/link", data={"connection": "github"})
        assert link.status_code == 302
        sent = parse_qs(urlsplit(link.headers["location"]).query)
        assert link.headers["location"].startswith(f"{TENANT}/authorize")
        assert sent["requested_connection"] == ["github"]
        assert sent["scope"] == ["openid link_account"]
        assert sent["redirect_uri"] == ["http://testserver/auth/callback"]
        # The link completes through the same callback route.
        callback = tenant_login(
            site.tenant,
            link.headers["location"],
            email="alice.gh@example.com",
            password="alice-github-password",
        )
        linked = await browser.get(callback)
        assert linked.status_code == 302, linked.text
        assert linked.headers["location"] == "/"
        assert (await browser.get("/private")).status_code == 200

        unlink = await browser.post("/auth/unlink", data={"connection": "github"})
        assert unlink.status_code == 302
        assert parse_qs(urlsplit(unlink.headers["location"]).query)["scope"] == [
            "openid unlink_account"
        ]
        connect = await browser.post(
            "/auth/connect", data={"connection": "google-oauth2", "returnTo": "/private"}
        )
        assert connect.status_code == 302, connect.text
        assert connect.headers["location"].startswith(TENANT)
        assert "ticket=" in connect.headers["location"]

        # The consent page, then the same callback route completes the connect.
        connected = await browser.get(tenant_consent(site.tenant, connect.headers["location"]))
        assert connected.status_code == 302, connected.text
        assert connected.headers["location"] == "/private"
        again = await browser.post("/auth/connect", data={"connection": "github"})
        denied = await browser.get(
            tenant_consent(site.tenant, again.headers["location"], allow=False)
        )
        assert denied.status_code == 403

        assert (await browser.post("/auth/link", data={})).status_code == 400
        refused = await browser.post(
            "/auth/link", data={"connection": "github", "returnTo": "//evil.example"}
        )
        assert refused.status_code == 400
        assert (await browser.get("/auth/link")).status_code == 405


async def test_backchannel_logout_ends_the_session(site: Site) -> None:
    async with site.browser() as browser:
        await log_in(site, browser)
        assert (await browser.get("/private")).status_code == 200
        token = site.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
        async with site.browser() as tenant_side:
            answer = await tenant_side.post(
                "/auth/backchannel-logout", data={"logout_token": token}
            )
            assert answer.status_code == 200
            again = await tenant_side.post("/auth/backchannel-logout", data={"logout_token": token})
            assert again.status_code == 400
            assert "already used" in again.text
            assert (await tenant_side.get("/auth/backchannel-logout")).status_code == 405
        assert (await browser.get("/private")).status_code == 302


async def test_a_prefix_and_a_base_url(site_factory: Callable[..., Site]) -> None:
    site = site_factory(prefix="/sso", base_url="http://localhost")
    async with site.browser() as browser:
        page = await browser.get("/private")
        assert page.headers["location"] == "/sso/login?returnTo=%2Fprivate"
        start = await browser.get(page.headers["location"])
        sent = parse_qs(urlsplit(start.headers["location"]).query)
        assert sent.get("redirect_uri", [None])[0] in (None, "http://localhost/sso/callback")
        callback = tenant_login(site.tenant, start.headers["location"])
        assert callback.startswith("http://localhost/sso/callback?")
        done = await browser.get(callback.replace("http://localhost", "http://testserver"))
        assert done.status_code == 302
        assert done.headers["location"] == "/private"
        # Same-origin means base_url's origin now, not the Host header's.
        refused = await browser.get("/sso/login", params={"returnTo": "http://testserver/x"})
        assert refused.status_code == 400
        allowed = await browser.get("/sso/login", params={"returnTo": "http://localhost/x"})
        assert allowed.status_code == 302
    await site.client.aclose()
