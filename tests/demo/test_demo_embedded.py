"""Embedded authentication in the demo, end to end through the real stack (Hypercorn serving the
Starlette app on a free loopback port, the tenant on its h11 server, httpx as the browser):

- the MFA step-up: the admin API (``https://api.example.com/admin``, under ``[mfa] audiences``
  in the demo tenant) raises ``MfaRequiredError``; the user sets up an e-mail or app
  authenticator (or, on a later login, is sent a code), types the code read from the outbox
  page, ``verify(persist=True)`` stores the token, and the API call succeeds; a wrong code is
  a 4xx page and stores nothing;
- the passwordless login by e-mail code (the code from the outbox page; a wrong, expired or
  reused code is a 4xx page and logs nobody in);
- the outbox page: the tenant's e-mails, newest first, with its test-mailbox notice.
"""

from __future__ import annotations

import html
import re
import time

import httpx
import pytest

from auth0_core.tenant.authentication.mfa_state import totp
from auth0_core.tenant.outbox import TextMessage

from .test_demo import log_in_as, press, token_rows
from .test_demo_backchannel import running_demo
from .test_demo_pages import only_local_resources

ADMIN_AUDIENCE = "https://api.example.com/admin"
LOGGED_OUT = "You are not logged in"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=True)


async def submit(
    browser: httpx.AsyncClient, page: httpx.Response, form_id: str, **typed: str
) -> httpx.Response:
    """Submit the form ``form_id`` of ``page`` with its hidden fields and what was ``typed``."""
    form = re.search(
        rf'<form method="post" action="([^"]+)" id="{re.escape(form_id)}">(.*?)</form>',
        page.text,
        re.DOTALL,
    )
    assert form is not None, f"no form #{form_id} on {page.url}: {page.text}"
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    fields = {name: html.unescape(value) for name, value in hidden} | typed
    return await browser.post(page.url.join(html.unescape(form.group(1))), data=fields)


async def outbox_code(browser: httpx.AsyncClient, app_url: str, to: str) -> str:
    """The newest code sent to ``to``, as the outbox page shows it."""
    outbox = await browser.get(f"{app_url}/outbox")
    assert outbox.status_code == 200
    found = re.search(
        rf'<tr class="message" data-kind="email" data-to="{re.escape(to)}">.*?'
        r'<code class="code">(\d{6})</code>',
        outbox.text,
        re.DOTALL,
    )
    assert found is not None, outbox.text
    return found.group(1)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def error_page(page: httpx.Response, status: int) -> None:
    assert page.status_code == status, page.text
    assert f'id="error-page" data-status="{status}"' in page.text
    assert "Traceback" not in page.text


async def admin_row(browser: httpx.AsyncClient, app_url: str) -> str | None:
    return token_rows(await browser.get(f"{app_url}/")).get(ADMIN_AUDIENCE)


def reports(page: httpx.Response) -> None:
    assert page.url.path == "/admin-api", page.text
    assert '<strong id="admin-status">200</strong>' in page.text
    assert "third-quarter report" in page.text
    assert f'<code id="admin-audience">{ADMIN_AUDIENCE}</code>' in page.text


@pytest.mark.anyio
async def test_step_up_enrolls_an_email_authenticator_then_challenges_it_at_the_next_login() -> (
    None
):
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        home = await log_in_as(web, app_url, "alice")
        assert 'id="call-admin-api" href="/admin-api"' in home.text

        # The admin API needs MFA: MfaRequiredError, and alice has no authenticator yet.
        step_up = await web.get(f"{app_url}/admin-api")
        assert step_up.status_code == 200
        assert 'id="mfa-enroll"' in step_up.text
        assert "MfaRequiredError" in step_up.text
        assert 'id="mfa-enroll-otp"' in step_up.text
        only_local_resources(step_up)
        assert await admin_row(web, app_url) is None

        code_page = await press(web, step_up, "mfa-enroll-email")
        assert 'id="mfa-code-card"' in code_page.text
        assert 'id="recovery-code"' in code_page.text
        code = await outbox_code(web, app_url, "alice@example.com")

        # A wrong code: a 4xx page, nothing stored.
        refused = await submit(web, code_page, "mfa-verify-form", code=wrong(code))
        error_page(refused, 400)
        assert 'id="error-code">mfa_verify_error<' in refused.text
        assert await admin_row(web, app_url) is None

        # The right one: the token is persisted and the API call succeeds.
        answered = await submit(web, code_page, "mfa-verify-form", code=code)
        reports(answered)
        row = await admin_row(web, app_url)
        assert row is not None
        assert "read:reports" in row
        # Served from the session now: no second factor asked again.
        reports(await web.get(f"{app_url}/admin-api"))

        # A new login session must pass MFA again: alice's e-mail authenticator is challenged.
        await web.get(f"{app_url}/auth/logout")
        await log_in_as(web, app_url, "alice")
        challenge_page = await web.get(f"{app_url}/admin-api")
        assert 'id="mfa-challenge"' in challenge_page.text
        assert 'id="mfa-enroll"' not in challenge_page.text
        code_page = await press(web, challenge_page, "mfa-challenge-email")
        again = await outbox_code(web, app_url, "alice@example.com")
        reports(await submit(web, code_page, "mfa-verify-form", code=again))


@pytest.mark.anyio
async def test_step_up_with_an_authenticator_app() -> None:
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        await log_in_as(web, app_url, "bob")
        step_up = await web.get(f"{app_url}/admin-api")
        code_page = await press(web, step_up, "mfa-enroll-otp")
        secret = re.search(r'<code id="otp-secret">([A-Z2-7]+)</code>', code_page.text)
        assert secret is not None, code_page.text
        assert 'id="otp-uri">otpauth://totp/' in code_page.text
        code = totp(secret.group(1), time.time())

        refused = await submit(web, code_page, "mfa-verify-form", code="not-a-code")
        error_page(refused, 400)
        assert await admin_row(web, app_url) is None

        reports(await submit(web, code_page, "mfa-verify-form", code=code))
        assert await admin_row(web, app_url) is not None


@pytest.mark.anyio
async def test_step_up_pages_need_a_session_and_their_forms() -> None:
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        # No session: the login page, then back.
        login = await web.get(f"{app_url}/admin-api")
        assert 'name="tx"' in login.text
        await log_in_as(web, app_url, "bob")
        # A forged or foreign mfa_token: a 4xx page, never a trace.
        forged = await web.post(
            f"{app_url}/mfa/enroll", data={"mfa_token": "forged", "factor": "email"}
        )
        assert 400 <= forged.status_code < 500, forged.text
        assert 'id="error-page"' in forged.text
        unknown = await web.post(f"{app_url}/mfa/enroll", data={"factor": "carrier-pigeon"})
        error_page(unknown, 400)
        # POST-only.
        assert (await web.get(f"{app_url}/mfa/verify")).status_code == 405


@pytest.mark.anyio
async def test_passwordless_login_by_email_code() -> None:
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        home = await web.get(f"{app_url}/")
        assert 'id="passwordless-login" href="/passwordless"' in home.text
        form = await web.get(f"{app_url}/passwordless")
        assert 'id="passwordless-form"' in form.text
        only_local_resources(form)

        code_page = await submit(web, form, "passwordless-form", email="pat@example.org")
        assert code_page.status_code == 200
        assert '<strong id="passwordless-to">pat@example.org</strong>' in code_page.text
        code = await outbox_code(web, app_url, "pat@example.org")

        # A wrong code: a 4xx page, nobody logged in.
        refused = await submit(web, code_page, "passwordless-verify-form", code=wrong(code))
        error_page(refused, 400)
        assert 'id="error-code">invalid_grant<' in refused.text
        assert "Wrong email or verification code." in refused.text
        assert LOGGED_OUT in (await web.get(f"{app_url}/")).text

        logged_in = await submit(web, code_page, "passwordless-verify-form", code=code)
        assert logged_in.url == httpx.URL(f"{app_url}/")
        assert '<p id="user-email">pat@example.org' in logged_in.text
        assert 'data-connection="email"' in logged_in.text
        # The session has a refresh token: the API by MRRT, the admin API after a step-up.
        api = await web.get(f"{app_url}/call-api")
        assert '<strong id="api-status">200</strong>' in api.text
        step_up = await web.get(f"{app_url}/admin-api")
        mfa_page = await press(web, step_up, "mfa-enroll-email")
        mfa_code = await outbox_code(web, app_url, "pat@example.org")
        reports(await submit(web, mfa_page, "mfa-verify-form", code=mfa_code))

        # The code is used up: once more, a 4xx page.
        async with browser() as other:
            reused = await submit(other, code_page, "passwordless-verify-form", code=code)
            error_page(reused, 400)
            assert LOGGED_OUT in (await other.get(f"{app_url}/")).text


@pytest.mark.anyio
async def test_an_expired_passwordless_code_or_a_bad_address_is_a_4xx_page() -> None:
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        form = await web.get(f"{app_url}/passwordless")
        bad = await submit(web, form, "passwordless-form", email="not-an-address")
        error_page(bad, 400)

        code_page = await submit(web, form, "passwordless-form", email="sam@example.org")
        code = await outbox_code(web, app_url, "sam@example.org")
        # The code's lifetime is over (the tenant's test hook, not a wait).
        state = addresses.tenant_model.state
        for waiting in state.passwordless.codes.values():
            waiting.expires_at = state.env.now()
        expired = await submit(web, code_page, "passwordless-verify-form", code=code)
        error_page(expired, 400)
        assert "The verification code has expired." in expired.text
        assert LOGGED_OUT in (await web.get(f"{app_url}/")).text


@pytest.mark.anyio
async def test_the_outbox_page_lists_the_messages_newest_first() -> None:
    async with running_demo() as addresses, browser() as web:
        app_url = addresses.app.base_url
        empty = await web.get(f"{app_url}/outbox")
        assert empty.status_code == 200
        assert 'id="outbox-notice"' in empty.text
        assert "test mailbox" in empty.text
        assert 'id="outbox-empty"' in empty.text
        assert 'id="nav-outbox" href="/outbox"' in empty.text
        only_local_resources(empty)

        form = await web.get(f"{app_url}/passwordless")
        for address in ("first@example.org", "second@example.org"):
            await submit(web, form, "passwordless-form", email=address)
        # A text message (an SMS code), sent last.
        addresses.tenant_model.outbox.send(
            TextMessage(to="+14155550100", body="Your verification code is 123456")
        )
        listed = await web.get(f"{app_url}/outbox")
        rows = re.findall(
            r'<tr class="message" data-kind="(\w+)" data-to="([^"]+)">(.*?)</tr>',
            listed.text,
            re.DOTALL,
        )
        assert [(kind, to) for kind, to, _ in rows] == [
            ("sms", "+14155550100"),
            ("email", "second@example.org"),
            ("email", "first@example.org"),
        ]
        assert '<td class="subject">(text message)</td>' in rows[0][2]
        assert '<code class="code">123456</code>' in rows[0][2]
        for _, _, row in rows[1:]:
            assert '<td class="subject">Your verification code</td>' in row
            assert re.search(r'<code class="code">\d{6}</code>', row)
            assert "Your verification code is" in row
        assert 'id="outbox-empty"' not in listed.text
