"""The demo's pages as a developer shows them: the user card, the session's token table, the
claims folded away, friendly error pages, and one local stylesheet that the tenant's login,
consent and approval pages share. Through the real stack: Hypercorn serving the Starlette app
on a free loopback port, the tenant on its h11 server, httpx as the browser.

The element ids and classes checked here are the ones ``auth0_demo._templates`` documents for
browser tests."""

from __future__ import annotations

import html
import json
import re
import time

import httpx
import pytest

from auth0_core.tenant.stylesheet import STYLESHEET, STYLESHEET_PATH
from auth0_demo._templates import avatar, expires_in, user_card

from .test_demo import log_in_as, press, running_demo, token_rows
from .test_demo_backchannel import running_demo as running_demo_with_tenant
from .test_demo_connected_accounts import answer_consent, start_connect

LINKED_STYLESHEET = f'<link rel="stylesheet" href="{STYLESHEET_PATH}">'


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def element(page: httpx.Response, pattern: str) -> str:
    found = re.search(pattern, page.text, re.DOTALL)
    assert found is not None, f"{pattern!r} not on {page.url}"
    return found.group(1)


def only_local_resources(page: httpx.Response) -> None:
    """The page loads the one stylesheet and nothing from elsewhere (no CDN, no script)."""
    assert page.text.count('rel="stylesheet"') == 1
    assert LINKED_STYLESHEET in page.text
    assert "<script" not in page.text
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page.text)


@pytest.mark.anyio
async def test_the_home_page_shows_the_user_as_a_card_and_the_tokens_as_a_table() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        out = await browser.get(f"{app_url}/")
        assert 'id="welcome"' in out.text
        assert '<a class="button" id="login" href="/auth/login">' in out.text
        assert 'id="nav-login"' in out.text
        only_local_resources(out)

        home = await log_in_as(browser, app_url, "alice")
        only_local_resources(home)
        # The card: picture (initials: the demo users have no picture claim), name, email,
        # linked identities.
        user_card = element(home, r'(<section class="card user-card" id="user-card">.*?</section>)')
        assert '<span class="avatar" aria-hidden="true">AE</span>' in user_card
        assert '<h2 id="user-name">Alice Example</h2>' in user_card
        assert '<p id="user-email">alice@example.com' in user_card
        identities = re.findall(r'<li class="identity" data-connection="([^"]+)"', user_card)
        assert identities == ["Username-Password-Authentication"]
        assert 'id="nav-logout"' in home.text
        for action in ("call-api", "token-vault", "connected-accounts", "logout", "end-sessions"):
            assert f'id="{action}"' in home.text, action

        # The token table: the login's token set, with its scopes and time left.
        rows = token_rows(home)
        assert list(rows) == ["default"]
        scopes = re.findall(r'<span class="chip">([^<]+)</span>', rows["default"])
        assert scopes == ["openid", "profile", "email", "offline_access"]
        left = element(home, r'<td class="expires-in number" data-expires-at="(\d+)">')
        assert int(left) > time.time()
        assert re.search(r">\d+ h \d+ min</td>|>\d+ min</td>", rows["default"])

        # The claims are there, folded away: inside <details>, after the card and the table.
        claims = element(home, r'<details id="claims"><summary>[^<]+</summary><pre>(.*?)</pre>')
        decoded = json.loads(html.unescape(claims))
        assert decoded["sub"] == "auth0|alice"
        assert decoded["email"] == "alice@example.com"
        assert '<details id="claims" open' not in home.text
        order = [home.text.index(marker) for marker in ('id="user-card"', 'id="token-sets"')]
        assert order == sorted(order)
        assert order[-1] < home.text.index('id="claims"')

        # An MRRT token for a second audience and a Token Vault token join the table.
        await browser.get(f"{app_url}/call-api")
        await browser.get(f"{app_url}/connection")
        rows = token_rows(await browser.get(f"{app_url}/"))
        assert list(rows) == ["default", "https://api.example.com", "google-oauth2"]
        assert "read:items" in rows["https://api.example.com"]
        assert "Token Vault" in rows["google-oauth2"]
        # No page shows a whole token.
        home = await browser.get(f"{app_url}/")
        assert not re.search(r"eyJ[\w-]{20,}\.", home.text)


@pytest.mark.anyio
async def test_the_profile_page_has_the_card_and_the_link_buttons() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "alice")
        profile = await browser.get(f"{app_url}/profile")
        assert 'id="user-card"' in profile.text
        buttons = re.findall(r'<button type="submit" id="([^"]+)"', profile.text)
        assert buttons == ["link-github", "link-google-oauth2"]
        # Each posts to the integration's route and comes back to this page.
        link_form = element(profile, r'(<form[^>]*action="/auth/link">.*?</form>)')
        assert '<input type="hidden" name="returnTo" value="/profile">' in link_form


@pytest.mark.anyio
async def test_error_pages_are_friendly_4xx_pages() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        # A callback this browser never started (forged, or another browser's).
        forged = await browser.get(
            f"{app_url}/auth/callback", params={"code": "abc", "state": "forged"}
        )
        assert forged.status_code == 400
        assert forged.headers["content-type"] == "text/html; charset=utf-8"
        only_local_resources(forged)
        assert element(forged, r'<section class="card" id="error-page" data-status="(\d+)">') == (
            "400"
        )
        assert element(forged, r'<h1 id="error-title">([^<]+)</h1>') == (
            "This sign-in could not be completed"
        )
        assert element(forged, r'<p class="error" id="error">([^<]+)</p>') == (
            "The login transaction is missing or has expired."
        )
        assert '<a class="button" id="home" href="/">' in forged.text
        for trace in ("Traceback", "MissingTransactionError", 'File "'):
            assert trace not in forged.text

        # The tenant sends a denial back (error=access_denied): 403, in the tenant's words.
        await log_in_as(browser, app_url, "bob")
        consent = await start_connect(browser, app_url, "github")
        denied = await answer_consent(browser, consent, "deny")
        assert denied.status_code == 403
        assert 'data-status="403"' in denied.text
        assert "The user did not allow access to their github account." in denied.text
        assert '<h1 id="error-title">Sign-in refused</h1>' in denied.text

        # A JSON client gets JSON from the same route.
        as_json = await browser.get(
            f"{app_url}/auth/callback",
            params={"code": "abc", "state": "forged"},
            headers={"accept": "application/json"},
        )
        assert as_json.status_code == 400
        assert as_json.json()["error"] == "missing_transaction_error"


@pytest.mark.anyio
async def test_one_stylesheet_for_the_app_and_the_tenants_pages() -> None:
    async with running_demo_with_tenant() as demo:
        app_url, tenant_url = demo.app.base_url, demo.tenant.base_url
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            # Served by both origins, the same bytes, as CSS, from this machine.
            for origin in (app_url, tenant_url):
                css = await browser.get(f"{origin}{STYLESHEET_PATH}")
                assert css.status_code == 200
                assert css.headers["content-type"] == "text/css; charset=utf-8"
                assert css.text == STYLESHEET

            # The tenant's login page (also the upstream login a link asks for) links it.
            login = await browser.get(f"{app_url}/auth/login")
            assert login.url.host == httpx.URL(tenant_url).host
            assert login.url.port == httpx.URL(tenant_url).port
            only_local_resources(login)
            assert '<body class="tenant">' in login.text
            assert '<section class="card">' in login.text

            await log_in_as(browser, app_url, "alice")
            upstream = await press(browser, await browser.get(f"{app_url}/profile"), "link-github")
            assert upstream.url.path == "/authorize"
            only_local_resources(upstream)

            # The provider's consent page, emulated by the tenant.
            consent = await start_connect(browser, app_url, "windowslive")
            assert consent.url.path == "/connect"
            only_local_resources(consent)
            assert '<button type="submit" name="decision" value="allow">' in consent.text

            # The CIBA approval page (the user's device, emulated).
            device = await browser.get(f"{tenant_url}/ciba", params={"user": "auth0|alice"})
            only_local_resources(device)


def test_the_card_shows_a_picture_claim_and_escapes_every_field() -> None:
    user = {
        "sub": "auth0|x",
        "name": "Zoë <b>Quinn</b>",
        "email": "z@example.com",
        "picture": 'https://cdn.example/z.png?a=1&b="2"',
    }
    card = user_card(user, [{"connection": "github", "user_id": "<1>"}])
    assert '<img class="avatar" src="https://cdn.example/z.png?a=1&amp;b=&quot;2&quot;"' in card
    assert '<h2 id="user-name">Zoë &lt;b&gt;Quinn&lt;/b&gt;</h2>' in card
    assert 'data-user-id="&lt;1&gt;"' in card
    # No picture, or one that is no URL: initials instead.
    assert '<span class="avatar" aria-hidden="true">ZQ</span>' in avatar({"name": "zoe quinn"})
    assert 'class="avatar"' in avatar({"picture": "javascript:alert(1)", "email": "a@b.c"})
    assert "javascript" not in avatar({"picture": "javascript:alert(1)", "email": "a@b.c"})


@pytest.mark.parametrize(
    ("left", "shown"),
    [(-5, "expired"), (0, "expired"), (42, "42 s"), (60, "1 min"), (3599, "59 min"),
     (3600, "1 h 0 min"), (86399, "23 h 59 min")],
)  # fmt: skip
def test_expires_in_reads_as_a_duration(left: int, shown: str) -> None:
    assert expires_in(1_000_000 + left, now=1_000_000) == shown
    assert expires_in(None) == "unknown"
