"""The main job: log in through the demo app and the tenant's HTML form, like a person."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from functools import partial

import anyio
import httpx
import pytest

from auth0_demo import serve_demo


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def browse(app_url: str) -> None:
    async with httpx.AsyncClient(follow_redirects=True) as browser:
        home = await browser.get(f"{app_url}/")
        assert "You are not logged in" in home.text

        login_page = await browser.get(f"{app_url}/auth/login")
        assert '<form method="post"' in login_page.text
        tx = re.search(r'name="tx" value="([^"]+)"', login_page.text)
        assert tx is not None
        action = str(login_page.url.copy_with(path="/u/login", query=None))
        wrong = await browser.post(
            action, data={"tx": tx.group(1), "username": "alice@example.com", "password": "nope"}
        )
        assert "Logged in as" not in wrong.text
        tx = re.search(r'name="tx" value="([^"]+)"', wrong.text) or tx
        page = await browser.post(
            action,
            data={"tx": tx.group(1), "username": "alice@example.com", "password": "alice-password"},
        )
        assert page.url == httpx.URL(f"{app_url}/")
        assert "Logged in as <strong id='user'>Alice Example</strong>" in page.text
        assert any(name.startswith("_a0_session") for name in browser.cookies)

        api = await browser.get(f"{app_url}/call-api")
        assert "The API answered HTTP <span id='status'>200</span>" in api.text
        assert "first item" in api.text
        vault = await browser.get(f"{app_url}/connection")
        assert "<span id='connection-token'>ya29." in vault.text

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


async def link_and_unlink(browser: httpx.AsyncClient, app_url: str) -> None:
    profile = await browser.get(f"{app_url}/profile")
    assert "Username-Password-Authentication (alice)" in profile.text
    assert "Link github" in profile.text
    assert "Link google-oauth2" in profile.text

    login_page = await browser.post(f"{app_url}/link", data={"connection": "github"})
    tx = re.search(r'name="tx" value="([^"]+)"', login_page.text)
    assert tx is not None
    action = str(login_page.url.copy_with(path="/u/login", query=None))
    credentials = {"username": "alice.gh@example.com", "password": "alice-github-password"}
    linked = await browser.post(action, data={"tx": tx.group(1), **credentials})
    assert linked.url == httpx.URL(f"{app_url}/profile")
    assert "github (4242)" in linked.text
    assert "Link github" not in linked.text

    unlinked = await browser.post(f"{app_url}/unlink", data={"connection": "github"})
    assert unlinked.url == httpx.URL(f"{app_url}/profile")
    assert "github (4242)" not in unlinked.text
    assert "Link github" in unlinked.text


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
