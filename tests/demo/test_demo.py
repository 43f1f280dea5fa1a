"""The main job: log in through the demo app and the tenant's HTML form, like a person."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio
import httpx
import pytest

from auth0_demo import serve_demo


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def running_demo() -> AsyncIterator[str]:
    """The demo served on free ports for one test; yields the app's base URL."""
    async with anyio.create_task_group() as group:
        addresses = await group.start(partial(serve_demo, app_port=0, access_log=None))
        try:
            yield addresses.app.base_url
        finally:
            group.cancel_scope.cancel()


async def submit_login(
    browser: httpx.AsyncClient, login_page: httpx.Response, username: str, password: str
) -> httpx.Response:
    """Fill in and submit the tenant's login form; the page the redirects end on."""
    tx = re.search(r'name="tx" value="([^"]+)"', login_page.text)
    assert tx is not None, login_page.text
    action = str(login_page.url.copy_with(path="/u/login", query=None))
    fields = {"tx": tx.group(1), "username": username, "password": password}
    return await browser.post(action, data=fields)


async def log_in_as(browser: httpx.AsyncClient, app_url: str, user: str) -> httpx.Response:
    login_page = await browser.get(f"{app_url}/auth/login")
    return await submit_login(browser, login_page, f"{user}@example.com", f"{user}-password")


USER = '<h2 id="user-name">Alice Example</h2>'


async def browse(app_url: str) -> None:
    async with httpx.AsyncClient(follow_redirects=True) as browser:
        home = await browser.get(f"{app_url}/")
        assert "You are not logged in" in home.text
        # A real ASGI server answers: Hypercorn, not the tenant's h11 server.
        assert home.headers["server"].startswith("hypercorn")

        login_page = await browser.get(f"{app_url}/auth/login")
        assert '<form method="post"' in login_page.text
        tx = re.search(r'name="tx" value="([^"]+)"', login_page.text)
        assert tx is not None
        action = str(login_page.url.copy_with(path="/u/login", query=None))
        wrong = await browser.post(
            action, data={"tx": tx.group(1), "username": "alice@example.com", "password": "nope"}
        )
        assert 'id="user-name"' not in wrong.text
        tx = re.search(r'name="tx" value="([^"]+)"', wrong.text) or tx
        page = await browser.post(
            action,
            data={"tx": tx.group(1), "username": "alice@example.com", "password": "alice-password"},
        )
        assert page.url == httpx.URL(f"{app_url}/")
        assert USER in page.text
        assert any(name.startswith("_a0_session") for name in browser.cookies)

        api = await browser.get(f"{app_url}/call-api")
        assert '<strong id="api-status">200</strong>' in api.text
        assert "first item" in api.text
        # The MRRT token for the API's audience is now one of the session's token sets.
        rows = token_rows(await browser.get(f"{app_url}/"))
        assert "https://api.example.com" in rows
        assert "read:items" in rows["https://api.example.com"]
        vault = await browser.get(f"{app_url}/connection")
        assert '<code id="connection-token">ya29.' in vault.text

        await link_and_unlink(browser, app_url)

        async with httpx.AsyncClient() as stranger:
            anonymous = await stranger.get(f"{app_url}/api/items")
            assert anonymous.status_code == 401
            forged = await stranger.get(
                f"{app_url}/api/items", headers={"Authorization": "Bearer a.b.c"}
            )
            assert forged.status_code == 401

        after = await browser.get(f"{app_url}/auth/logout")
        assert after.url == httpx.URL(f"{app_url}/")
        assert "You are not logged in" in after.text
        assert not [name for name in browser.cookies if name.startswith("_a0_session")]


def token_rows(page: httpx.Response) -> dict[str, str]:
    """The home page's token table: audience (or connection) -> the row's HTML."""
    rows = re.findall(
        r'<tr class="token-set" data-(?:audience|connection)="([^"]+)">(.*?)</tr>', page.text
    )
    return dict(rows)


async def press(browser: httpx.AsyncClient, page: httpx.Response, button_id: str) -> httpx.Response:
    """Submit the one-button form holding ``button_id``, as a browser would."""
    form = re.search(
        rf'<form class="inline" method="post" action="([^"]+)"[^>]*>((?:(?!</form>).)*?)'
        rf'<button type="submit" id="{re.escape(button_id)}"',
        page.text,
    )
    assert form is not None, f"no button #{button_id}"
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    target = page.url.join(html.unescape(form.group(1)))
    return await browser.post(target, data={k: html.unescape(v) for k, v in fields.items()})


async def link_and_unlink(browser: httpx.AsyncClient, app_url: str) -> None:
    profile = await browser.get(f"{app_url}/profile")
    assert 'data-connection="Username-Password-Authentication" data-user-id="alice"' in (
        profile.text
    )
    assert 'id="link-github"' in profile.text
    assert 'id="link-google-oauth2"' in profile.text

    login_page = await press(browser, profile, "link-github")
    tx = re.search(r'name="tx" value="([^"]+)"', login_page.text)
    assert tx is not None
    action = str(login_page.url.copy_with(path="/u/login", query=None))
    credentials = {"username": "alice.gh@example.com", "password": "alice-github-password"}
    linked = await browser.post(action, data={"tx": tx.group(1), **credentials})
    assert linked.url == httpx.URL(f"{app_url}/profile")
    assert 'data-connection="github" data-user-id="4242"' in linked.text
    assert 'id="link-github"' not in linked.text
    assert 'id="unlink-github"' in linked.text
    home = await browser.get(f"{app_url}/")  # the link's ID token has no profile claims
    assert USER in home.text
    assert 'data-connection="github" data-user-id="4242"' in home.text  # on the user card

    unlinked = await press(browser, linked, "unlink-github")
    assert unlinked.url == httpx.URL(f"{app_url}/profile")
    assert 'data-connection="github"' not in unlinked.text
    assert 'id="link-github"' in unlinked.text
    home = await browser.get(f"{app_url}/")
    assert USER in home.text


@pytest.mark.anyio
async def test_demo_login_and_logout_in_a_task() -> None:
    async with anyio.create_task_group() as group:
        addresses = await group.start(partial(serve_demo, app_port=0, access_log=None))
        await browse(addresses.app.base_url)
        group.cancel_scope.cancel()


def test_demo_command_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "auth0_tenant_server", "demo", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("tenant listening on http://127.0.0.1:")
        line = process.stdout.readline()
        match = re.search(r"demo app on (http://127\.0\.0\.1:\d+)/", line)
        assert match, line
        anyio.run(browse, match.group(1))
    finally:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=10) == 0


NEEDS_SESSION = [
    ("GET", "/call-api", "/call-api"),
    ("GET", "/connection", "/connection"),
    ("GET", "/profile", "/profile"),
    ("GET", "/connected-accounts", "/connected-accounts"),
    # No coming back to a POST: the page with the button instead.
    ("POST", "/connected-accounts/delete", "/connected-accounts"),
    ("POST", "/end-sessions", "/"),
]
# The integration's start routes: without a session, the login, then home.
INTEGRATION_NEEDS_SESSION = ["/auth/link", "/auth/unlink", "/auth/connect"]


@pytest.mark.anyio
async def test_pages_that_need_a_session_log_in_first_then_come_back() -> None:
    async with running_demo() as app_url, httpx.AsyncClient() as stranger:
        for method, path, back in NEEDS_SESSION:
            answer = await stranger.request(method, f"{app_url}{path}")
            assert answer.status_code == 302, path
            assert answer.headers["location"] == f"/auth/login?returnTo={back.replace('/', '%2F')}"
        for path in INTEGRATION_NEEDS_SESSION:
            form = {"connection": "github", "returnTo": "/profile"}
            answer = await stranger.post(f"{app_url}{path}", data=form)
            assert answer.status_code == 302, path
            assert answer.headers["location"] == "/auth/login"

        for method, path, back in NEEDS_SESSION:
            async with httpx.AsyncClient(follow_redirects=True) as browser:
                login_page = await browser.request(method, f"{app_url}{path}")
                assert '<form method="post"' in login_page.text
                page = await submit_login(
                    browser, login_page, "alice@example.com", "alice-password"
                )
                assert page.url == httpx.URL(f"{app_url}{back}"), path
                assert page.status_code == 200


@pytest.mark.anyio
async def test_login_never_returns_outside_the_app() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        for target in ("//evil.example/", "http://evil.example/", "/\\evil.example"):
            refused = await browser.get(f"{app_url}/auth/login", params={"returnTo": target})
            assert refused.url.path == "/auth/login", target  # no redirect at all
            assert refused.status_code == 400
            assert 'id="error-page" data-status="400"' in refused.text
            assert "returnTo must be a path of this application" in refused.text


@pytest.mark.anyio
async def test_connection_without_a_google_account_is_explained() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "bob")
        page = await browser.get(f"{app_url}/connection")
        assert page.status_code == 200
        assert "Your account has no connected <code>google-oauth2</code> account" in page.text
        for raw in ("not_connected", "AccessTokenForConnectionError", "connection-token"):
            assert raw not in page.text


@pytest.mark.anyio
async def test_other_errors_read_as_escaped_messages() -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        stale = await browser.get(f"{app_url}/auth/callback", params={"code": "c", "state": "s"})
        assert stale.status_code == 400
        missing = "The login transaction is missing or has expired."
        assert f'<p class="error" id="error">{missing}</p>' in stale.text
        assert "MissingTransactionError" not in stale.text

        # The tenant refuses an unknown connection; its description comes back in the error.
        home = await log_in_as(browser, app_url, "alice")
        script = "<script>alert(1)</script>"
        refused = await browser.post(
            f"{app_url}/auth/link", data={"connection": script, "returnTo": "/profile"}
        )
        assert refused.status_code == 400
        # Server words reach a message without markup (and the page escapes it anyway).
        assert "Unknown requested_connection: \u2039script\u203aalert(1)" in refused.text
        assert script not in refused.text
        assert "AuthorizationError" not in refused.text
        assert USER in home.text


POST_ONLY = (
    "/auth/link",
    "/auth/unlink",
    "/auth/connect",
    "/connected-accounts/delete",
    "/end-sessions",
)


@pytest.mark.anyio
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_post_only_routes_answer_405(method: str) -> None:
    async with running_demo() as app_url, httpx.AsyncClient(follow_redirects=True) as browser:
        await log_in_as(browser, app_url, "alice")
        for path in POST_ONLY:
            answer = await browser.request(method, f"{app_url}{path}")
            assert answer.status_code == 405, path
            assert answer.headers["allow"] == "POST"
            assert answer.headers["content-type"].startswith("text/html")
            assert 'id="error-page" data-status="405"' in answer.text
            assert "only answers POST" in answer.text


@pytest.mark.anyio
async def test_favicon_is_served_and_unknown_routes_stay_404() -> None:
    async with running_demo() as app_url, httpx.AsyncClient() as browser:
        home = await browser.get(f"{app_url}/")
        assert '<link rel="icon" href="/favicon.svg"' in home.text
        for path in ("/favicon.svg", "/favicon.ico"):
            icon = await browser.get(f"{app_url}{path}")
            assert icon.status_code == 200
            assert icon.headers["content-type"] == "image/svg+xml"
            assert icon.content.startswith(b"<svg")
        for path in ("/nope", "/favicon.png", "/auth/nope", "/link", "/auth/link-callback"):
            missing = await browser.get(f"{app_url}{path}")
            assert missing.status_code == 404, path
            assert 'id="error-page" data-status="404"' in missing.text
            assert '<h1 id="error-title">Not found</h1>' in missing.text


@pytest.mark.anyio
async def test_the_server_stops_with_the_demo() -> None:
    async with running_demo() as app_url, httpx.AsyncClient() as browser:
        assert (await browser.get(f"{app_url}/")).status_code == 200
    # Hypercorn closed its socket at teardown: nothing listens there any more.
    async with httpx.AsyncClient() as browser:
        with pytest.raises(httpx.ConnectError):
            await browser.get(f"{app_url}/")
