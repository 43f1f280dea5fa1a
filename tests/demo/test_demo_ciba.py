"""Log in on another device (CIBA) in the demo: the app starts ``login_backchannel`` for a
user and shows the binding message and the tenant's approval page; approving there gives this
browser the session, denying shows why not."""

from __future__ import annotations

import re

import anyio
import httpx
import pytest

from .test_demo_backchannel import running_demo

WAIT = 15.0


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def start(browser: httpx.AsyncClient, app_url: str, user: str) -> tuple[str, str]:
    """Send the sign-in request; the binding message and the approval page's URL shown."""
    form = await browser.get(f"{app_url}/ciba")
    assert 'name="user"' in form.text
    waiting = await browser.post(f"{app_url}/ciba", data={"user": user})
    assert waiting.status_code == 200
    message = re.search(r'id="binding-message">([^<]+)<', waiting.text)
    link = re.search(r'id="approve-link" href="([^"]+)"', waiting.text)
    assert message is not None, waiting.text
    assert link is not None, waiting.text
    assert "auth0-core ciba approve --user" in waiting.text
    return message.group(1), link.group(1).replace("&amp;", "&")


async def answer_on_the_device(link: str, message: str, decision: str) -> None:
    """The user's device: the tenant's page lists the request; press a button."""
    async with httpx.AsyncClient() as device:
        with anyio.fail_after(WAIT):  # the app sends the request in the background
            while message not in (listing := await device.get(link)).text:
                await anyio.sleep(0.05)
        rid = re.search(r'data-auth-req-id="([^"]+)"', listing.text)
        assert rid is not None, listing.text
        action = str(listing.url.copy_with(path="/ciba", query=None))
        answered = await device.post(
            action, data={"auth_req_id": rid.group(1), "decision": decision}
        )
        assert answered.status_code == 200


async def outcome(browser: httpx.AsyncClient, app_url: str) -> httpx.Response:
    """Reload the demo's page (as its Refresh header does) until the login has ended."""
    with anyio.fail_after(WAIT):
        while True:
            current = await browser.get(f"{app_url}/ciba")
            if 'id="binding-message"' not in current.text:
                return current
            await anyio.sleep(0.1)


@pytest.mark.anyio
async def test_approving_on_the_device_logs_this_browser_in() -> None:
    async with running_demo() as addresses:
        addresses.tenant_model.state.ciba.interval = 1  # poll every second, not every five
        app_url = addresses.app.base_url
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            assert "Log in on another device (CIBA)" in (await browser.get(f"{app_url}/")).text
            message, link = await start(browser, app_url, "auth0|alice")
            assert re.fullmatch(r"Demo sign-in \d{4}", message)
            await answer_on_the_device(link, message, "approve")
            home = await outcome(browser, app_url)
            assert home.url.path == "/"
            assert 'id="user-name">Alice Example<' in home.text
            # The handle is spent: the page offers the form again.
            assert 'name="user"' in (await browser.get(f"{app_url}/ciba")).text


@pytest.mark.anyio
async def test_denying_on_the_device_shows_why() -> None:
    async with running_demo() as addresses:
        addresses.tenant_model.state.ciba.interval = 1
        app_url = addresses.app.base_url
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            message, link = await start(browser, app_url, "auth0|bob")
            await answer_on_the_device(link, message, "deny")
            refused = await outcome(browser, app_url)
            assert 'id="ciba-error"' in refused.text
            assert "You are not logged in" in (await browser.get(f"{app_url}/")).text


@pytest.mark.anyio
async def test_an_unknown_user_or_no_user_is_reported() -> None:
    async with running_demo() as addresses:
        app_url = addresses.app.base_url
        async with httpx.AsyncClient(follow_redirects=True) as browser:
            empty = await browser.post(f"{app_url}/ciba", data={"user": " "})
            assert empty.status_code == 400
            await browser.post(f"{app_url}/ciba", data={"user": "auth0|nobody"})
            refused = await outcome(browser, app_url)
            assert 'id="ciba-error"' in refused.text
