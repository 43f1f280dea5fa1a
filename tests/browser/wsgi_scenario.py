"""The scenario the browser plays on the Flask and the Django app (:mod:`.apps`): log in
through the tenant's form, see the user, call the API, link and unlink an account, log out,
and check the cookies the browser holds after every step."""

from __future__ import annotations

import json
from collections.abc import Callable

import attrs

from auth0_core.stores import CookieRequest, CookieResponse
from auth0_requests import ServerClient

from .apps import API_AUDIENCE, LINKABLE, TENANT_HOST, session_store
from .checks import (
    BINDING,
    SESSION,
    TENANT_SESSION,
    assert_flags,
    log_in_at_tenant,
    ours,
    session_chunks,
)
from .chromium import Browser, Cookie
from .steps import Steps

ALICE = ("alice@example.com", "alice-password")
ALICE_ON_GITHUB = ("alice.gh@example.com", "alice-github-password")


@attrs.frozen
class Site:
    """An app as the scenario sees it."""

    url: str  # the app's origin
    tenant_url: str
    # The user the app's own client reads from these cookies (None: no session).
    read_user: Callable[[dict[str, str]], dict[str, object] | None]
    # The tenant's live sessions of alice.
    tenant_sessions: Callable[[], list[dict[str, object]]]
    # Cookies of the framework's own besides ours (Django's csrftoken once a form was shown).
    foreign: frozenset[str] = frozenset()
    # The cookies a pending login leaves on the app's host (names before their ".<hash>").
    pending: tuple[str, ...] = (BINDING,)
    # Served over HTTPS: every cookie of ours must then be Secure.
    secure: bool = False


def app_cookies(
    browser: Browser, site: Site, *, allowed: frozenset[str] = frozenset()
) -> dict[str, Cookie]:
    """The app's cookies (WebDriver's view of the current page, which is the app's), after
    checking that nothing but the SDK's and ``allowed`` are there, and the flags of ours."""
    assert browser.url.startswith(f"{site.url}/"), browser.url
    cookies = browser.cookies()
    assert set(cookies) - set(ours(cookies)) <= allowed, sorted(cookies)
    for cookie in ours(cookies).values():
        assert_flags(cookie, secure=site.secure)
    return ours(cookies)


def assert_logged_in_session(browser: Browser, site: Site, allowed: frozenset[str]) -> list[Cookie]:
    """The session's chunks and nothing else of ours (no transaction left); the app's own
    client reads Alice from exactly these cookies. Returns the chunks."""
    cookies = app_cookies(browser, site, allowed=allowed)
    chunks = session_chunks(cookies, session_store().chunk_size)
    assert set(cookies) == {c.name for c in chunks}, sorted(cookies)
    user = site.read_user({c.name: c.value for c in chunks})
    assert user is not None
    assert user["sub"] == "auth0|alice"
    return chunks


def play(browser: Browser, steps: Steps, site: Site) -> None:
    app, tenant = site.url, site.tenant_url

    # Nobody logged in, and the browser holds no cookie at all.
    browser.open(f"{app}/")
    browser.find("#anonymous")
    steps("home-anonymous")
    assert browser.all_cookies() == []

    # To the tenant's login page: the app's transaction cookie waits for the callback.
    browser.click("#login")
    browser.find("input[name='username']")
    steps("tenant-login-page")
    pending = [c for c in browser.all_cookies() if c.domain != TENANT_HOST]
    assert sorted(c.name.split(".")[0] for c in pending) == sorted(site.pending), pending
    for cookie in pending:
        assert_flags(cookie, secure=site.secure)

    # A wrong password: the tenant says so, and the user tries again.
    log_in_at_tenant(browser, steps, tenant, ALICE[0], "not-her-password", "wrong-password")
    browser.wait_for_url_starting(f"{tenant}/u/login")
    browser.find("input[name='password']")
    assert "Logged in" not in browser.text("body")
    log_in_at_tenant(browser, steps, tenant, *ALICE, "login-filled")

    # Back on the app (a cross-site redirect): the user, and the session in the cookies.
    browser.wait_for_url(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"
    assert browser.text("#user-email") == "alice@example.com"
    steps("logged-in")
    # The ID token, the refresh token and the login's access token fit one chunk.
    sealed = assert_logged_in_session(browser, site, frozenset())
    assert len(sealed) == 1
    tenant_cookies = [c for c in browser.all_cookies() if c.domain == TENANT_HOST]
    assert [c.name for c in tenant_cookies] == [TENANT_SESSION], tenant_cookies
    assert_flags(tenant_cookies[0])
    assert len(site.tenant_sessions()) == 1, site.tenant_sessions()

    # A protected page, then the API: an access token for another audience joins the session,
    # which now takes two chunks (written again at each step, in the chunk layout).
    browser.click("#profile")
    browser.wait_for_url(f"{app}/profile")
    assert json.loads(browser.text("body")) == {
        "sub": "auth0|alice",
        "email": "alice@example.com",
    }
    steps("profile")
    browser.open(f"{app}/")
    browser.click("#orders")
    browser.wait_for_url(f"{app}/api/orders")
    answer = json.loads(browser.text("body"))
    assert answer["audience"] == API_AUDIENCE
    assert answer["token_length"] > 100
    steps("api-called")
    with_api_token = assert_logged_in_session(browser, site, frozenset())
    assert len(with_api_token) >= 2  # the browser now holds (and sends) a chunked session
    assert sum(len(c.value) for c in with_api_token) > len(sealed[0].value)

    # Link the user's GitHub account: the tenant asks that account's credentials.
    browser.open(f"{app}/")
    browser.click("#accounts")
    browser.wait_for_url(f"{app}/accounts")
    assert identities(browser) == ["Username-Password-Authentication (alice)"]
    steps("accounts")
    allowed = site.foreign
    assert_logged_in_session(browser, site, allowed)
    browser.click(f"#link-{LINKABLE}")
    log_in_at_tenant(browser, steps, tenant, *ALICE_ON_GITHUB, "link-login-filled")
    browser.wait_for_url(f"{app}/accounts")
    browser.find(f"#unlink-{LINKABLE}")
    assert identities(browser) == [
        "Username-Password-Authentication (alice)",
        f"{LINKABLE} (4242)",
    ]
    steps("linked")
    assert_logged_in_session(browser, site, allowed)

    # Unlink it (the tenant's session answers without a form).
    browser.click(f"#unlink-{LINKABLE}")
    browser.wait_for_url(f"{app}/accounts")
    browser.find(f"#link-{LINKABLE}")
    assert identities(browser) == ["Username-Password-Authentication (alice)"]
    steps("unlinked")
    assert_logged_in_session(browser, site, allowed)
    browser.open(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"

    # Log out, at the app and at the tenant: nothing of either session is left.
    browser.click("#logout")
    browser.wait_for_url(f"{app}/")
    browser.find("#anonymous")
    steps("logged-out")
    left = browser.all_cookies()
    assert {c.name for c in left} <= allowed, left
    assert not [c for c in left if c.name.startswith(SESSION) or c.name == TENANT_SESSION]
    assert site.read_user({c.name: c.value for c in left}) is None
    live = site.tenant_sessions()
    assert live == [], live

    # A protected page now sends the browser to log in again.
    browser.open(f"{app}/profile")
    browser.wait_for_url_starting(f"{tenant}/")
    browser.find("input[name='username']")
    steps("protected-page-after-logout")


def play_secure(browser: Browser, steps: Steps, site: Site) -> None:
    """Over HTTPS: log in and out; every cookie of ours is Secure at each step."""
    assert site.secure
    app, tenant = site.url, site.tenant_url
    browser.open(f"{app}/")
    browser.click("#login")
    browser.find("input[name='username']")
    steps("tenant-login-page")
    pending = [c for c in browser.all_cookies() if c.domain != TENANT_HOST]
    assert sorted(c.name.split(".")[0] for c in pending) == sorted(site.pending), pending
    for cookie in pending:
        assert_flags(cookie, secure=True)
    log_in_at_tenant(browser, steps, tenant, *ALICE, "login-filled")
    browser.wait_for_url(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"
    steps("logged-in")
    assert len(assert_logged_in_session(browser, site, frozenset())) == 1
    browser.click("#orders")
    browser.wait_for_url(f"{app}/api/orders")
    assert json.loads(browser.text("body"))["audience"] == API_AUDIENCE
    steps("api-called")
    assert len(assert_logged_in_session(browser, site, frozenset())) >= 2
    browser.open(f"{app}/")
    browser.click("#logout")
    browser.wait_for_url(f"{app}/")
    browser.find("#anonymous")
    steps("logged-out")
    assert browser.all_cookies() == []
    live = site.tenant_sessions()
    assert live == [], live


def identities(browser: Browser) -> list[str]:
    browser.find("#identities")
    rows = browser.driver.find_elements("css selector", "#identities li.identity")
    return [str(row.text) for row in rows]


def reader(client: ServerClient) -> Callable[[dict[str, str]], dict[str, object] | None]:
    """What the app's client reads as the user from a browser's cookies."""

    def read(cookies: dict[str, str]) -> dict[str, object] | None:
        options = {"request": CookieRequest(cookies), "response": CookieResponse()}
        user: dict[str, object] | None = client.get_user(store_options=options)
        return user

    return read
