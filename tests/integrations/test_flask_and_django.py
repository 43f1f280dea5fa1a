"""The Flask and Django integrations through each framework's own test client: login,
callback, protected routes with and without a session, tokens, logout, bad callbacks, open
redirects, cookie flags, linking, connecting and back-channel logout."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.stores import CookieStateStore, CookieTransactionStore
from auth0_core.tenant import Tenant
from auth0_web_common import ErrorPage

from .helpers import (
    ALICE,
    CLIENT_ID,
    SECRET,
    TENANT,
    assert_cookie_flags,
    denied_callback,
    make_tenant,
    session_set,
    tenant_consent,
    tenant_login,
)
from .sites import SITES, Reply, Site

OPEN_REDIRECTS = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/path\r\nLocation: https://evil.example",
    "javascript:alert(1)",
    "http://localhost.evil.example/",
    "http://testserver.evil.example/",
    "relative/path",
]


@pytest.fixture(params=sorted(SITES))
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant()


@pytest.fixture
def make_site(tenant: Tenant, framework: str) -> Iterator[Callable[..., Site]]:
    made: list[Site] = []

    def make(**settings: Any) -> Site:
        for site in made:  # one Django project at a time: its settings are global
            site.close()
        made.clear()
        made.append(SITES[framework](tenant, **settings))
        return made[-1]

    yield make
    for site in made:
        site.close()


@pytest.fixture
def site(make_site: Callable[..., Site]) -> Site:
    return make_site()


def log_in(site: Site, return_to: str = "/private", user: str = "alice") -> Reply:
    start = site.get("/auth/login", {"returnTo": return_to})
    assert start.status == 302, start.text
    assert start.location is not None
    assert start.location.startswith(f"{TENANT}/authorize")
    callback = tenant_login(site.tenant, start.location, user)
    assert callback.startswith(f"http://{site.host}/auth/callback?")
    return site.get(callback)


def test_login_protected_routes_token_and_logout(site: Site) -> None:
    page = site.get("/private")
    assert page.status == 302
    assert page.location == "/auth/login?returnTo=%2Fprivate"
    api = site.get("/api/me")
    assert api.status == 401
    assert api.json()["error"] == "login_required"
    assert site.get("/private", headers={"Accept": "application/json"}).status == 401
    assert "nobody" in site.get("/").text

    done = log_in(site)
    assert done.status == 302, done.text
    assert done.location == "/private"
    assert session_set(done.cookies)
    assert_cookie_flags(done.cookies, secure=False)

    page = site.get("/private")
    assert page.status == 200
    assert "Hello Alice Example" in page.text
    assert site.get("/api/me").json() == {"sub": ALICE}
    token = site.get("/token")
    assert token.status == 200
    assert token.json()["length"] > 20

    out = site.get("/auth/logout", {"returnTo": "/"})
    assert out.status == 302
    assert out.location is not None
    logout_url = urlsplit(out.location)
    assert f"{logout_url.scheme}://{logout_url.netloc}" == TENANT
    sent = parse_qs(logout_url.query)
    assert sent["post_logout_redirect_uri"] == [f"http://{site.host}/"]
    cleared = [c for c in out.cookies if c.name.startswith("_a0_session")]
    assert cleared
    assert all(c.deleted for c in cleared)
    assert site.get("/private").status == 302
    assert site.get("/api/me").status == 401
    # Without a session, getting a token asks for a login (the error handler / middleware).
    assert site.get("/token-anyway").status == 302
    assert site.get("/token-anyway", headers={"Accept": "application/json"}).status == 401


def test_a_long_return_to_is_a_400_and_a_long_query_comes_back_without_it(
    make_site: Callable[..., Site],
) -> None:
    """A returnTo travels in the login transaction, which the cookie store must fit in one
    cookie: one too long to keep is refused (never a 500), and a protected page whose query
    makes it too long comes back to its path."""
    site = make_site(client={"transaction_store": CookieTransactionStore(SECRET, secure=False)})
    refused = site.get("/auth/login", {"returnTo": "/" + "a" * 2500})
    assert refused.status == 400
    assert "returnTo" in refused.text
    assert site.get("/auth/login", {"returnTo": "/" + "a" * 1023}).status == 302
    page = site.get("/private", {"q": "x" * 2500})
    assert page.status == 302
    assert page.location == "/auth/login?returnTo=%2Fprivate"
    done = log_in(site, "/private?" + "q=" + "x" * 900)
    assert done.status == 302, done.text
    assert done.location == "/private?q=" + "x" * 900


def test_cookie_stores_and_a_tampered_session(make_site: Callable[..., Site]) -> None:
    site = make_site(
        client={
            "state_store": CookieStateStore(SECRET, secure=False),
            "transaction_store": CookieTransactionStore(SECRET, secure=False),
        }
    )
    assert log_in(site).status == 302
    value = site.cookie("_a0_session_0")
    assert value
    assert site.get("/private").status == 200
    assert site.get("/token").status == 200
    tampered = value[:-3] + ("A" if value[-3] != "A" else "B") + value[-2:]
    site.set_cookie("_a0_session_0", tampered)
    assert site.get("/private").status == 302
    assert site.get("/api/me").status == 401
    # Back-channel logout cannot reach a cookie session: the endpoint says so (501).
    token = site.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    assert site.browser().post("/auth/backchannel-logout", {"logout_token": token}).status == 501


@pytest.mark.parametrize(
    ("https", "override", "secure"),
    [(True, None, True), (False, None, False), (True, False, False), (False, True, True)],
)
def test_secure_follows_the_scheme_unless_overridden(
    make_site: Callable[..., Site], https: bool, override: bool | None, secure: bool
) -> None:
    site = make_site(secure_cookies=override)
    start = site.get("/auth/login", https=https)
    assert_cookie_flags(start.cookies, secure=secure)
    assert start.location is not None
    callback = tenant_login(site.tenant, start.location)
    if https:
        callback = callback.replace("http://", "https://", 1)
    done = site.get(callback, https=https)
    assert done.status == 302, done.text
    assert session_set(done.cookies)
    assert_cookie_flags(done.cookies, secure=secure)


def test_bad_callbacks_answer_4xx_pages_and_write_no_session(site: Site) -> None:
    forged = site.get("/auth/callback?code=abc&state=forged")
    assert forged.status == 400
    assert "missing_transaction_error" in forged.text
    assert not session_set(forged.cookies)
    assert site.get("/auth/callback?code=abc").status == 400
    assert site.get("/auth/callback?state=a&state=b&code=c").status == 400

    start = site.get("/auth/login")
    assert start.location is not None
    callback = tenant_login(site.tenant, start.location)
    refused = site.get(denied_callback(callback))
    assert refused.status == 403
    assert "User refused" in refused.text
    assert not session_set(refused.cookies)

    start = site.get("/auth/login")
    assert start.location is not None
    callback = tenant_login(site.tenant, start.location)
    stolen = site.browser().get(callback)
    assert stolen.status == 400
    assert not session_set(stolen.cookies)
    assert site.get(callback).status == 302
    replayed = site.get(callback)
    assert replayed.status == 400
    assert not session_set(replayed.cookies)
    for answer in (forged, refused, stolen, replayed):
        assert "Traceback" not in answer.text
        assert "eyJ" not in answer.text
        assert SECRET not in answer.text
    json_client = site.get(
        "/auth/callback?code=abc&state=x", headers={"Accept": "application/json"}
    )
    assert json_client.json()["error"] == "missing_transaction_error"


@pytest.mark.parametrize("target", OPEN_REDIRECTS)
def test_open_redirects_are_refused(site: Site, target: str) -> None:
    login = site.get("/auth/login", {"returnTo": target})
    assert login.status == 400
    assert login.location is None
    logout = site.get("/auth/logout", {"returnTo": target})
    assert logout.status == 400
    assert logout.location is None


def test_same_origin_targets_come_back(site: Site) -> None:
    done = log_in(site, return_to=f"http://{site.host}/private?tab=2#top")
    assert done.location == "/private?tab=2#top"
    done = log_in(site, return_to="/日本?q=é")
    assert done.location == "/%E6%97%A5%E6%9C%AC?q=%C3%A9"
    out = site.get("/auth/logout", {"returnTo": "/bye"})
    assert out.location is not None
    sent = parse_qs(urlsplit(out.location).query)
    assert sent["post_logout_redirect_uri"] == [f"http://{site.host}/bye"]


def test_link_unlink_and_connect_start_at_the_tenant(site: Site) -> None:
    early = site.post("/auth/link", {"connection": "github"})
    assert early.status == 302
    assert early.location is not None
    assert early.location.startswith("/auth/login")
    log_in(site)

    link = site.post("/auth/link", {"connection": "github"})
    assert link.status == 302, link.text
    assert link.location is not None
    assert link.location.startswith(f"{TENANT}/authorize")
    sent = parse_qs(urlsplit(link.location).query)
    assert sent["requested_connection"] == ["github"]
    assert sent["scope"] == ["openid link_account"]
    assert sent["redirect_uri"] == [f"http://{site.host}/auth/callback"]
    callback = tenant_login(
        site.tenant, link.location, email="alice.gh@example.com", password="alice-github-password"
    )
    linked = site.get(callback)
    assert linked.status == 302, linked.text
    assert linked.location == "/"
    assert site.get("/private").status == 200

    unlink = site.post("/auth/unlink", {"connection": "github"})
    assert unlink.status == 302
    assert unlink.location is not None
    assert parse_qs(urlsplit(unlink.location).query)["scope"] == ["openid unlink_account"]
    connect = site.post("/auth/connect", {"connection": "google-oauth2", "returnTo": "/private"})
    assert connect.status == 302, connect.text
    assert connect.location is not None
    assert connect.location.startswith(TENANT)
    assert "ticket=" in connect.location

    # The consent page, then the same callback route completes the connect.
    connected = site.get(tenant_consent(site.tenant, connect.location))
    assert connected.status == 302, connected.text
    assert connected.location == "/private"
    again = site.post("/auth/connect", {"connection": "github"})
    assert again.location is not None
    denied = site.get(tenant_consent(site.tenant, again.location, allow=False))
    assert denied.status == 403
    assert "access_denied" in denied.text or "refused" in denied.text.lower()

    assert site.post("/auth/link", {}).status == 400
    assert site.post("/auth/link", {"connection": "github", "returnTo": "//evil"}).status == 400
    assert site.get("/auth/link").status == 405


def test_backchannel_logout_ends_the_session(site: Site) -> None:
    log_in(site)
    assert site.get("/private").status == 200
    token = site.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    tenant_side = site.browser()
    assert tenant_side.post("/auth/backchannel-logout", {"logout_token": token}).status == 200
    again = tenant_side.post("/auth/backchannel-logout", {"logout_token": token})
    assert again.status == 400
    assert "already used" in again.text
    assert tenant_side.get("/auth/backchannel-logout").status == 405
    assert site.get("/private").status == 302


def test_a_prefix_and_a_base_url(make_site: Callable[..., Site]) -> None:
    site = make_site(prefix="/sso", base_url="http://127.0.0.1")
    page = site.get("/private")
    assert page.location == "/sso/login?returnTo=%2Fprivate"
    start = site.get(page.location)
    assert start.location is not None
    callback = tenant_login(site.tenant, start.location)
    assert callback.startswith("http://127.0.0.1/sso/callback?")
    done = site.get(callback.replace("http://127.0.0.1", f"http://{site.host}"))
    assert done.status == 302, done.text
    assert done.location == "/private"
    refused = site.get("/sso/login", {"returnTo": f"http://{site.host}/x"})
    assert refused.status == 400
    assert site.get("/sso/login", {"returnTo": "http://127.0.0.1/x"}).status == 302


def test_no_code_token_or_secret_is_logged(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    start = site.get("/auth/login")
    assert start.location is not None
    callback = tenant_login(site.tenant, start.location)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    assert site.get(callback).status == 302
    assert site.get(callback).status == 400  # replayed: logged as a warning
    assert site.get("/token").status == 200
    site.get("/auth/callback?code=forged-code&state=forged-state")
    logged = caplog.text
    assert "missing_transaction_error" in logged
    for secret in (code, "forged-code", "forged-state", "eyJ", SECRET, site.cookie("_a0_session")):
        assert secret
        assert secret not in logged


def render_in_the_apps_look(page: ErrorPage) -> str:
    return (
        f"<main class='mine' data-status='{page.status}' data-code='{html.escape(page.code)}'>"
        f"<p>{html.escape(page.message)}</p><a href='{html.escape(page.home)}'>home</a></main>"
    )


def test_error_pages_use_the_apps_renderer(make_site: Callable[..., Site]) -> None:
    """``error_page`` (Flask) and ``AUTH0["ERROR_PAGE"]`` (Django): the integration's HTML
    error pages in the app's own look; statuses, JSON answers and redirects unchanged."""
    site = make_site(error_page=render_in_the_apps_look)
    forged = site.get("/auth/callback?code=abc&state=forged")
    assert forged.status == 400
    assert forged.text.startswith("<main class='mine' data-status='400'")
    assert "data-code='missing_transaction_error'" in forged.text

    start = site.get("/auth/login")
    assert start.status == 302  # redirects are not pages
    assert start.location is not None
    refused = site.get(denied_callback(tenant_login(site.tenant, start.location)))
    assert refused.status == 403
    assert "data-code='authorization_error'" in refused.text
    assert "<p>access_denied: User refused</p>" in refused.text

    bad = site.get("/auth/login", {"returnTo": "https://evil.example/"})
    assert bad.status == 400
    assert "data-code='invalid_return_to'" in bad.text
    as_json = site.get("/auth/callback?code=abc&state=x", headers={"Accept": "application/json"})
    assert as_json.json()["error"] == "missing_transaction_error"


def test_without_a_renderer_the_pages_are_the_integrations(site: Site) -> None:
    forged = site.get("/auth/callback?code=abc&state=forged")
    assert '<p id="message">The login transaction is missing or has expired.</p>' in forged.text
