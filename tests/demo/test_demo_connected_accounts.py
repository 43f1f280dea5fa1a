"""The demo's Connected Accounts page: list, connect through the tenant's consent page, use the
account through Token Vault, delete it; a declined consent and the API's refusals read as pages.
"""

from __future__ import annotations

import io
import re
from functools import partial
from typing import Literal

import anyio
import httpx
import pytest

from auth0_core._authorize import resolve_authorization_params
from auth0_core.endpoints.my_account._api import my_account_audience
from auth0_demo import serve_demo
from auth0_demo._run import LOGIN_SCOPE, _tenant_config, demo_client

from .test_demo import log_in_as, running_demo

PAGE = "/connected-accounts"
TRACE_WORDS = ("Traceback", "Error:", "MyAccountApiError", "InvalidArgumentError")


async def start_connect(
    browser: httpx.AsyncClient, app_url: str, connection: str
) -> httpx.Response:
    """Press a Connect button (the integration's connect route, back to the page after);
    the page the redirects end on (the tenant's consent page)."""
    fields = {"connection": connection, "returnTo": PAGE}
    return await browser.post(f"{app_url}/auth/connect", data=fields)


async def answer_consent(
    browser: httpx.AsyncClient,
    consent: httpx.Response,
    decision: Literal["allow", "deny"],
    *,
    follow: bool = True,
) -> httpx.Response:
    """Press Allow or Deny on the tenant's consent page, as a browser submits its form."""
    assert consent.status_code == 200, consent.text
    assert consent.url.path == "/connect"
    ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text)
    assert ticket is not None, consent.text
    action = str(consent.url.copy_with(path="/connect", query=None))
    fields = {"ticket": ticket.group(1), "decision": decision}
    return await browser.post(action, data=fields, follow_redirects=follow)


def account_ids(page: httpx.Response) -> list[str]:
    return re.findall(r'<tr class="account" data-id="([^"]+)">', page.text)


def account_row(page: httpx.Response, account_id: str) -> str:
    row = re.search(rf'<tr class="account" data-id="{re.escape(account_id)}">.*?</tr>', page.text)
    assert row is not None, page.text
    return row.group(0)


@pytest.mark.anyio
async def test_connect_use_and_delete_an_account() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "bob")
        home = await browser.get(f"{app_url}/")
        assert f'id="connected-accounts" href="{PAGE}"' in home.text

        empty = await browser.get(f"{app_url}{PAGE}")
        assert empty.status_code == 200
        assert 'id="no-accounts"' in empty.text
        for name in ("google-oauth2", "github", "windowslive"):
            assert f'<tr class="connection" data-name="{name}">' in empty.text
            assert f'id="connect-{name}">Connect {name}</button>' in empty.text
        assert "read:user repo" in empty.text  # github's scopes
        before = await browser.get(f"{app_url}/connection", params={"connection": "github"})
        assert "no connected <code>github</code> account" in before.text

        consent = await start_connect(browser, app_url, "github")
        assert 'data-connection="github"' in consent.text
        listed = await answer_consent(browser, consent, "allow")
        assert listed.url == httpx.URL(f"{app_url}{PAGE}")
        [account_id] = account_ids(listed)
        assert re.fullmatch(r"cac_[A-Za-z0-9]+", account_id)
        row = account_row(listed, account_id)
        assert '<td class="connection">github</td><td class="scopes">read:user repo</td>' in row
        assert re.search(
            r'<td class="created">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</td>'
            r'<td class="expires">never</td>',
            row,
        )
        assert 'href="/connection?connection=github"' in row
        assert f'id="delete-{account_id}"' in row

        # The tenant fed Token Vault on complete: the new account gives an upstream token.
        vault = await browser.get(f"{app_url}/connection", params={"connection": "github"})
        assert vault.status_code == 200
        assert '<code id="connection">github</code>' in vault.text
        assert '<code id="connection-token">upstream…</code>' in vault.text

        gone = await browser.post(f"{app_url}{PAGE}/delete", data={"id": account_id})
        assert gone.url == httpx.URL(f"{app_url}{PAGE}")
        assert account_ids(gone) == []
        assert 'id="no-accounts"' in gone.text
        after = await browser.get(f"{app_url}/connection", params={"connection": "github"})
        assert "no connected <code>github</code> account" in after.text


@pytest.mark.anyio
async def test_configured_account_is_listed_and_a_second_one_joins_it() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "alice")
        page = await browser.get(f"{app_url}{PAGE}")
        [configured] = account_ids(page)
        row = account_row(page, configured)
        assert '<td class="connection">google-oauth2</td>' in row
        assert "https://www.googleapis.com/auth/calendar.readonly" in row

        consent = await start_connect(browser, app_url, "windowslive")
        listed = await answer_consent(browser, consent, "allow")
        assert listed.url == httpx.URL(f"{app_url}{PAGE}")
        ids = account_ids(listed)
        assert len(ids) == 2
        assert ids[0] == configured
        assert '<td class="connection">windowslive</td>' in account_row(listed, ids[1])
        vault = await browser.get(f"{app_url}/connection", params={"connection": "google-oauth2"})
        assert '<code id="connection-token">ya29.' in vault.text


@pytest.mark.anyio
async def test_denied_consent_reads_as_a_clear_page_and_connects_nothing() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "bob")
        consent = await start_connect(browser, app_url, "google-oauth2")
        denied = await answer_consent(browser, consent, "deny")
        assert denied.url.path == "/auth/callback"
        assert denied.url.params["error"] == "access_denied"
        # The integration's answer to a refusal (403), in the demo's error page.
        assert denied.status_code == 403
        assert '<h1 id="error-title">Sign-in refused</h1>' in denied.text
        assert "The user did not allow access to their google-oauth2 account." in denied.text
        assert "Nothing was changed." in denied.text
        for word in (*TRACE_WORDS, "AuthorizationError"):
            assert word not in denied.text
        page = await browser.get(f"{app_url}{PAGE}")
        assert account_ids(page) == []


@pytest.mark.anyio
async def test_connect_callback_belongs_to_its_browser_and_is_used_once() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "bob")
        consent = await start_connect(browser, app_url, "github")
        back = await answer_consent(browser, consent, "allow", follow=False)
        assert back.status_code == 302
        callback = back.headers["location"]
        assert callback.startswith(f"{app_url}/auth/callback?")
        assert "connect_code=" in callback

        async with httpx.AsyncClient() as stranger:
            refused = await stranger.get(callback)
            assert refused.status_code == 400
            assert 'id="error"' in refused.text
            for word in TRACE_WORDS:
                assert word not in refused.text

        listed = await browser.get(callback)  # the stranger consumed nothing
        assert listed.url == httpx.URL(f"{app_url}{PAGE}")
        assert len(account_ids(listed)) == 1
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert "missing or has expired" in replayed.text


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("action", "fields", "message"),
    [
        # The SDK refuses these before any request.
        ("delete", {"id": "<script>alert(1)</script>"}, "connected_account_id"),
        ("delete", {}, "connected_account_id"),
        ("connect", {}, "connection"),
        # The My Account API refuses these: its problem detail is the message.
        ("delete", {"id": "cac_doesnotexist123"}, None),
        ("connect", {"connection": "<script>alert(1)</script>"}, "Connected Accounts"),
    ],
)
async def test_refusals_read_as_escaped_4xx_pages(
    action: str, fields: dict[str, str], message: str | None
) -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "alice")
        route = f"{PAGE}/delete" if action == "delete" else "/auth/connect"
        refused = await browser.post(f"{app_url}{route}", data=fields)
        assert refused.status_code == 400, refused.text
        assert refused.headers["content-type"].startswith("text/html")
        assert 'id="error-page" data-status="400"' in refused.text
        error = re.search(r'<p class="error" id="error">([^<]+)</p>', refused.text)
        assert error is not None
        assert error.group(1).strip()
        if message is not None:
            assert message in error.group(1)
        assert "<script>" not in refused.text
        for word in TRACE_WORDS:
            assert word not in refused.text
        page = await browser.get(f"{app_url}{PAGE}")  # nothing changed
        assert len(account_ids(page)) == 1


@pytest.mark.anyio
async def test_demo_client_scopes_keep_the_login_and_cover_my_account() -> None:
    app_url, tenant_url = "http://127.0.0.1:3000", "http://127.0.0.1:4000"
    client = demo_client(app_url, tenant_url, "s" * 32)
    try:
        config = client.config
        scopes = config.authorization_params["scope"][my_account_audience(config)]
        assert set(scopes.split()) == {
            "create:me:connected_accounts",
            "read:me:connected_accounts",
            "delete:me:connected_accounts",
        }
        # The login still asks for what it did, offline_access (the refresh token) included.
        login = resolve_authorization_params(config, None)
        assert login["scope"] == LOGIN_SCOPE == "openid profile email offline_access"
        assert login["redirect_uri"] == f"{app_url}/auth/callback"
    finally:
        await client.aclose()
    # One callback URL serves logins, links, unlinks and connects.
    assert _tenant_config(app_url).clients[0].callbacks == (f"{app_url}/auth/callback",)


@pytest.mark.anyio
async def test_one_token_request_serves_listing_connecting_and_deleting() -> None:
    log = io.StringIO()  # the tenant's access log: one line per request
    async with anyio.create_task_group() as group:
        addresses = await group.start(partial(serve_demo, app_port=0, access_log=log))
        app_url = addresses.app.base_url
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            await log_in_as(browser, app_url, "bob")
            since_login = len(log.getvalue())
            await browser.get(f"{app_url}{PAGE}")
            listed = await answer_consent(
                browser, await start_connect(browser, app_url, "github"), "allow"
            )
            [account_id] = account_ids(listed)
            gone = await browser.post(f"{app_url}{PAGE}/delete", data={"id": account_id})
            assert account_ids(gone) == []
        group.cancel_scope.cancel()
    lines = log.getvalue()[since_login:].splitlines()
    assert sum("/me/v1/connected-accounts/" in line for line in lines) == 9
    # The /me/ audience's default scopes cover all three calls: one MRRT refresh in all.
    assert [line for line in lines if "/oauth/token" in line] == [
        "POST /oauth/token 200 grant_type=refresh_token"
    ]
