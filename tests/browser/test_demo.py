"""The demo in a real browser: ``auth0-core demo`` (the Starlette app on auth0_starlette,
served by Hypercorn, beside the emulated tenant), started as a user starts it, on free ports,
and stopped by its PID. Headless Chromium logs in through the tenant's form, sees the user
card and the token table, calls the API, gets a Token Vault token, links and unlinks GitHub,
and logs out, checking the cookies at each step.

The elements are the stable hooks documented at the top of ``auth0_demo/_templates.py``.

The command serves the tenant and the app on one host (127.0.0.1, two ports), so the app's
pages also see the tenant's ``auth0`` cookie (cookies ignore ports). Its sessions live in
memory: the browser holds one session-id cookie, no chunks.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import attrs
import pytest

from .checks import BINDING, SESSION, TENANT_SESSION, assert_flags, log_in_at_tenant, ours
from .chromium import WAIT, Browser, Cookie
from .steps import Steps

ALICE = ("alice@example.com", "alice-password")
ALICE_ON_GITHUB = ("alice.gh@example.com", "alice-github-password")
API_AUDIENCE = "https://api.example.com"


@attrs.frozen
class Demo:
    app: str
    tenant: str


@pytest.fixture(scope="module")
def demo() -> Iterator[Demo]:
    """``auth0-core demo --port 0``, until the module ends (SIGTERM to its PID)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "auth0_tenant_server", "demo", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield _addresses(process)
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
        try:
            status = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
        assert status == 0, f"auth0-core demo exited with {status}"


def _addresses(process: subprocess.Popen[str]) -> Demo:
    """The tenant's and the app's URLs, from the first lines the command prints."""
    assert process.stdout is not None
    found: dict[str, str] = {}
    ready = threading.Event()

    def read() -> None:  # readline() blocks: a thread, so a silent command fails the wait
        assert process.stdout is not None
        for line in process.stdout:
            tenant = re.match(r"tenant listening on (http://[^\s/]+)", line)
            app = re.match(r"demo app on (http://[^\s/]+)/", line)
            if tenant:
                found["tenant"] = tenant.group(1)
            if app:
                found["app"] = app.group(1)
            if len(found) == 2:
                break
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert ready.wait(WAIT * 3), "auth0-core demo printed no addresses"
    assert len(found) == 2, f"auth0-core demo exited ({process.poll()}) without its addresses"
    return Demo(app=found["app"], tenant=found["tenant"])


def app_cookies(browser: Browser) -> dict[str, Cookie]:
    """The SDK's cookies the app's page sees (the tenant's ``auth0`` aside), flags checked;
    nothing else may be there."""
    cookies = browser.cookies()
    assert set(cookies) - set(ours(cookies)) <= {TENANT_SESSION}, sorted(cookies)
    for cookie in cookies.values():
        assert_flags(cookie)
    return ours(cookies)


def assert_session(browser: Browser) -> str:
    """One session-id cookie (memory store: no chunks) and nothing else of ours; its id."""
    cookies = app_cookies(browser)
    assert set(cookies) == {SESSION}, sorted(cookies)
    session_id = cookies[SESSION].value
    assert len(session_id) >= 22  # 128 random bits
    return session_id


def token_audiences(browser: Browser) -> list[str]:
    browser.find("#token-sets")
    rows = browser.driver.find_elements("css selector", "#token-sets tr.token-set")
    return [str(row.get_attribute("data-audience") or "") for row in rows]


def identities(browser: Browser) -> list[str]:
    browser.find("#identities")
    rows = browser.driver.find_elements("css selector", "#identities li.identity")
    return [str(row.get_attribute("data-connection")) for row in rows]


def test_the_demo_in_a_browser(browser: Browser, steps: Steps, demo: Demo) -> None:
    app, tenant = demo.app, demo.tenant

    # Logged out: the welcome, and no cookie at all.
    browser.open(f"{app}/")
    browser.find("#welcome")
    steps("home-anonymous")
    assert browser.all_cookies() == []

    # The tenant's login page, with the login's binding cookie waiting on the app's host.
    browser.click("#login")
    browser.find("input[name='username']")
    steps("tenant-login-page")
    pending = browser.cookies()
    assert [name.split(".")[0] for name in pending] == [BINDING], sorted(pending)
    for cookie in pending.values():
        assert_flags(cookie)

    log_in_at_tenant(browser, steps, tenant, ALICE[0], "wrong", "wrong-password")
    browser.wait_for_url_starting(f"{tenant}/u/login")
    browser.find("input[name='password']")
    log_in_at_tenant(browser, steps, tenant, *ALICE, "login-filled")

    # The user card, the token table, the claims folded away.
    browser.wait_for_url(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"
    assert browser.text("#user-email").split()[0] == "alice@example.com"
    assert identities(browser) == ["Username-Password-Authentication"]
    assert token_audiences(browser)
    claims = browser.find("details#claims")
    assert claims.get_attribute("open") is None
    assert not browser.driver.find_element("css selector", "details#claims pre").is_displayed()
    steps("logged-in")
    session_id = assert_session(browser)
    assert_flags(browser.cookies()[TENANT_SESSION])

    # The API, with an MRRT token for its audience, which joins the token table.
    browser.click("#call-api")
    browser.wait_for_url(f"{app}/call-api")
    assert browser.find("#api-status").text == "200"
    assert browser.text("#api-audience") == API_AUDIENCE
    assert "first item" in browser.text("#api-response")
    steps("api-called")
    assert assert_session(browser) == session_id
    browser.click("#nav-home")
    browser.wait_for_url(f"{app}/")
    assert API_AUDIENCE in token_audiences(browser)

    # A Google token from the Token Vault (alice has a connected Google account).
    browser.click("#token-vault")
    browser.find("#connection-token")
    steps("token-vault")
    assert assert_session(browser) == session_id

    # Link GitHub (the tenant asks that account's password), then unlink it.
    browser.click("#nav-profile")
    browser.wait_for_url(f"{app}/profile")
    browser.click("#link-github")
    log_in_at_tenant(browser, steps, tenant, *ALICE_ON_GITHUB, "link-login-filled")
    browser.wait_for_url(f"{app}/profile")
    browser.find("#unlink-github")
    assert identities(browser) == ["Username-Password-Authentication", "github"]
    steps("linked")
    assert_session(browser)
    browser.click("#unlink-github")
    browser.wait_for_url(f"{app}/profile")
    browser.find("#link-github")
    assert identities(browser) == ["Username-Password-Authentication"]
    steps("unlinked")
    assert_session(browser)

    # Log out: nothing of the app's session nor of the tenant's is left.
    browser.click("#nav-home")
    browser.wait_for_url(f"{app}/")
    browser.click("#logout")
    browser.wait_for_url(f"{app}/")
    browser.find("#welcome")
    steps("logged-out")
    assert browser.all_cookies() == []

    # A protected page sends the browser to log in again.
    browser.open(f"{app}/profile")
    browser.wait_for_url_starting(f"{tenant}/")
    browser.find("input[name='username']")
    steps("protected-page-after-logout")


def code_from_outbox(browser: Browser, app: str, to: str) -> str:
    """The newest code sent to ``to``, read on the demo's outbox page in a second tab (the
    page with the code's form stays open in the first, as a user would do)."""
    first = browser.driver.current_window_handle
    browser.driver.switch_to.new_window("tab")
    try:
        browser.open(f"{app}/outbox")
        browser.find("#outbox-notice")
        row = f'#outbox-messages tr.message[data-to="{to}"] code.code'
        code = browser.find(row).text
    finally:
        browser.driver.close()
        browser.driver.switch_to.window(first)
    assert re.fullmatch(r"\d{6}", code), code
    return code


def test_passwordless_login_and_mfa_step_up_in_a_browser(
    browser: Browser, steps: Steps, demo: Demo
) -> None:
    app = demo.app
    address = "robin@example.org"

    # Log in by e-mail code: the address, the code from the outbox page, the session.
    browser.open(f"{app}/")
    browser.click("#passwordless-login")
    browser.wait_for_url(f"{app}/passwordless")
    browser.fill("#passwordless-email", address)
    steps("passwordless-form")
    browser.click("#passwordless-send")
    assert browser.find("#passwordless-to").text == address
    steps("passwordless-code")
    browser.fill("#passwordless-code", code_from_outbox(browser, app, address))
    browser.click("#passwordless-verify")
    browser.wait_for_url(f"{app}/")
    assert browser.text("#user-email").split()[0] == address
    assert identities(browser) == ["email"]
    steps("passwordless-logged-in")
    assert_session(browser)

    # The admin API needs MFA: set up an e-mail authenticator, type its code, call the API.
    browser.click("#call-admin-api")
    browser.wait_for_url(f"{app}/admin-api")
    browser.find("#mfa-enroll")
    steps("mfa-enroll")
    browser.click("#mfa-enroll-email")
    browser.find("#mfa-code-card")
    browser.find("#recovery-code")
    steps("mfa-code")
    browser.fill("#mfa-code", code_from_outbox(browser, app, address))
    browser.click("#mfa-verify")
    browser.wait_for_url(f"{app}/admin-api")
    assert browser.find("#admin-status").text == "200"
    assert "third-quarter report" in browser.text("#admin-response")
    steps("admin-api-called")
    browser.click("#nav-home")
    browser.wait_for_url(f"{app}/")
    assert "https://api.example.com/admin" in token_audiences(browser)

    # The outbox lists both codes, newest first, under its test-mailbox notice.
    browser.click("#nav-outbox")
    browser.wait_for_url(f"{app}/outbox")
    assert "test mailbox" in browser.text("#outbox-notice")
    rows = browser.driver.find_elements("css selector", "#outbox-messages tr.message")
    assert [row.get_attribute("data-to") for row in rows[:2]] == [address, address]
    steps("outbox")


def test_back_channel_logout_in_a_browser(browser: Browser, steps: Steps, demo: Demo) -> None:
    """Auth0 ends the user's sessions from the server (the demo's End-my-sessions button asks
    the tenant's Management API): the tenant posts a logout token to the app, the SDK deletes
    the session from the store, and the browser, which took no part, is logged out."""
    app, tenant = demo.app, demo.tenant
    browser.open(f"{app}/")
    browser.click("#login")
    log_in_at_tenant(browser, steps, tenant, *ALICE, "bcl-login-filled")
    browser.wait_for_url(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"
    assert_session(browser)
    steps("bcl-logged-in")

    browser.click("#end-sessions")
    browser.wait_for_url(f"{app}/")
    browser.find("#welcome")
    assert "Your session here has ended" in browser.text("#session-ended")
    steps("bcl-session-ended")

    # The tenant's session went too: the next login asks for the password again.
    browser.open(f"{app}/profile")
    browser.wait_for_url_starting(f"{tenant}/")
    browser.find("input[name='password']")
    steps("bcl-login-again")


def test_ciba_login_on_another_device_in_a_browser(
    browser: Browser, steps: Steps, demo: Demo
) -> None:
    """Log in on another device (CIBA): the app asks the tenant to ask alice, shows the
    binding message and waits; alice approves on her device (the tenant's approval page, in a
    second tab, showing the same message); the app's page then carries the session."""
    app = demo.app
    browser.open(f"{app}/")
    browser.click("#ciba-login")
    browser.wait_for_url(f"{app}/ciba")
    browser.fill("#ciba-form input[name='user']", "auth0|alice")
    steps("ciba-form")
    browser.click("#ciba-send")
    message = browser.find("#binding-message").text
    assert re.fullmatch(r"Demo sign-in \d{4}", message), message
    approve_at = str(browser.find("#approve-link").get_attribute("href"))
    steps("ciba-waiting")
    waiting = browser.cookies()
    assert SESSION not in waiting  # no session yet: only the handle of the pending login
    assert waiting["demo_ciba"].http_only

    first = browser.driver.current_window_handle
    browser.driver.switch_to.new_window("tab")
    try:
        browser.open(approve_at)
        item = 'li[data-user="auth0|alice"]'
        assert browser.find(f"{item} .binding-message").text == message
        steps("ciba-device")
        browser.click(f"{item} button[value='approve']")
    finally:
        browser.driver.close()
        browser.driver.switch_to.window(first)

    # The waiting page reloads itself; once the login is done it goes home, logged in.
    browser.wait_for_url(f"{app}/")
    assert browser.find("#user-name").text == "Alice Example"
    steps("ciba-logged-in")
    assert_session(browser)
    browser.click("#logout")
    browser.wait_for_url(f"{app}/")
    browser.find("#welcome")


def connected(browser: Browser) -> dict[str, str]:
    """The connected accounts listed on the page: connection to account id."""
    browser.find("#accounts")
    rows = browser.driver.find_elements("css selector", "#accounts tr.account")
    return {
        row.find_element("css selector", "td.connection").text: str(row.get_attribute("data-id"))
        for row in rows
    }


def test_connected_accounts_in_a_browser(browser: Browser, steps: Steps, demo: Demo) -> None:
    """Connect GitHub through the My Account API (the tenant's consent page, Allow), get its
    token from the Token Vault, and delete the connected account again."""
    app, tenant = demo.app, demo.tenant
    browser.open(f"{app}/")
    browser.click("#login")
    log_in_at_tenant(browser, steps, tenant, *ALICE, "ca-login-filled")
    browser.wait_for_url(f"{app}/")
    browser.click("#nav-connected-accounts")
    browser.wait_for_url(f"{app}/connected-accounts")
    before = connected(browser)
    assert "google-oauth2" in before
    assert "github" not in before
    steps("ca-before")

    browser.click("#connect-github")
    browser.wait_for_url_starting(f"{tenant}/")
    steps("ca-consent")
    browser.click("button[value='allow']")
    browser.wait_for_url(f"{app}/connected-accounts")
    after = connected(browser)
    assert set(after) == {*before, "github"}
    steps("ca-connected")
    assert_session(browser)

    browser.click(f'#accounts tr.account[data-id="{after["github"]}"] a.vault-token')
    browser.find("#connection-token")
    assert browser.text("#connection") == "github"
    steps("ca-vault-token")

    browser.open(f"{app}/connected-accounts")
    browser.click(f'button[id="delete-{after["github"]}"]')
    browser.wait_for_url(f"{app}/connected-accounts")
    assert connected(browser) == before
    steps("ca-deleted")
    browser.click("#nav-home")
    browser.wait_for_url(f"{app}/")
    browser.click("#logout")
    browser.wait_for_url(f"{app}/")
