"""Embedded passwordless end to end through both facades (sync, asyncio, trio; in process and
on loopback): ``server_client.passwordless.start`` sends a code by e-mail or SMS or a magic
link (read from the tenant's outbox), ``verify`` exchanges the code and writes the session, the
magic link's callback is finished by ``complete_interactive_login``; MFA during passwordless
is finished by ``server_client.mfa.verify(persist=True)``.

The negative matrix: wrong, expired, reused and too often tried codes, the send limit, a bad
address, reserved ``auth_params``, a replayed magic link, invalid ID tokens: each a typed
error, and no session written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.auth_types import (
    StartPasswordlessEmailOptions,
    StartPasswordlessSmsOptions,
    VerifyPasswordlessOtpOptions,
)
from auth0_core.errors import (
    Auth0Error,
    InvalidArgumentError,
    MfaRequiredError,
    MissingRequiredArgumentError,
    MissingTransactionError,
    PasswordlessStartError,
    PasswordlessVerifyError,
)
from auth0_core.tenant.authentication.mfa_state import totp
from auth0_core.tenant.outbox import Email, TextMessage

from .conftest import App

pytestmark = pytest.mark.anyio

EMAIL = "pat@example.org"
PHONE = "+14155550123"
API = "https://api.example.com"


@pytest.fixture
def pl_app(app: App) -> Iterator[App]:
    """The app, with the tenant's passwordless and MFA state and outbox emptied around."""

    def clean() -> None:
        app.tenant.state.passwordless.reset()
        app.tenant.state.mfa.reset()
        app.tenant.id_token_hook = None
        app.tenant.outbox.take(Email)
        app.tenant.outbox.take(TextMessage)

    clean()
    yield app
    clean()


async def start(app: App, options: Any, **kwargs: Any) -> Any:
    store = app.browser.store_options()
    result = await app.call(
        "start", options, store_options=store, client=app.client.passwordless, **kwargs
    )
    app.browser.absorb(store)
    return result


async def verify(app: App, options: Any) -> Any:
    store = app.browser.store_options()
    result = await app.call("verify", options, store_options=store, client=app.client.passwordless)
    app.browser.absorb(store)
    return result


async def session(app: App) -> Any:
    store = app.browser.store_options()
    return await app.call("get_session", store_options=store)


def code_in(app: App, kind: type[Email] | type[TextMessage]) -> str:
    messages = app.tenant.outbox.take(kind)
    assert messages
    found = re.search(r"\b(\d{6})\b", messages[-1].body)
    assert found is not None
    return found.group(1)


def email_verify(code: str, **extra: Any) -> dict[str, Any]:
    return {"connection": "email", "email": EMAIL, "verification_code": code, **extra}


async def test_email_code(pl_app: App) -> None:
    app = pl_app
    started = await start(app, StartPasswordlessEmailOptions(email=EMAIL, language="en-US"))
    assert started.id
    assert started.id.startswith("email|")
    assert started.email == EMAIL
    code = code_in(app, Email)
    result = await verify(
        app, VerifyPasswordlessOtpOptions(connection="email", email=EMAIL, verification_code=code)
    )
    user = result["state_data"]["user"]
    assert user["sub"] == started.id
    assert user["email"] == EMAIL
    assert code not in repr(result)
    found = await session(app)
    assert found["user"]["sub"] == started.id


async def test_sms_code_with_dicts(pl_app: App) -> None:
    app = pl_app
    await start(app, {"phone_number": PHONE})
    message = app.tenant.outbox.messages(TextMessage)[-1]
    assert message.to == PHONE
    code = code_in(app, TextMessage)
    result = await verify(
        app, {"connection": "sms", "phone_number": PHONE, "verification_code": code}
    )
    assert result.user["sub"].startswith("sms|")
    assert "email" not in result.user  # SMS asks "openid profile"


async def test_audience_and_scope(pl_app: App) -> None:
    app = pl_app
    await start(app, {"email": EMAIL})
    await verify(
        app, email_verify(code_in(app, Email), audience=API, scope="offline_access read:items")
    )
    found = await session(app)
    assert found["refresh_token"]
    (token_set,) = found["token_sets"]
    assert token_set["audience"] == API
    assert "openid" in token_set["scope"].split()
    calls = app.tenant.count("/oauth/token")
    store = app.browser.store_options()
    assert await app.call("get_access_token", store_options=store, audience=API)
    assert app.tenant.count("/oauth/token") == calls  # the session's token


async def test_magic_link(pl_app: App) -> None:
    app = pl_app
    await start(
        app,
        StartPasswordlessEmailOptions(email=EMAIL, send="link", auth_params={"login_hint": EMAIL}),
    )
    mail = app.tenant.outbox.take(Email)[-1]
    link = re.search(r"(https?://\S+)", mail.body)
    assert link is not None
    query = parse_qs(urlsplit(link.group(1)).query)
    assert query["redirect_uri"] == [app.options["authorization_params"]["redirect_uri"]]
    assert query["response_type"] == ["code"]
    assert query["nonce"]
    assert query["state"]
    answer = app.send_get(link.group(1))
    assert answer.status == 302
    callback = answer.header("location")
    assert callback is not None
    assert "code=" in callback
    store = app.browser.store_options()
    result = await app.call("complete_interactive_login", callback, store_options=store)
    app.browser.absorb(store)
    assert result["state_data"]["user"]["email"] == EMAIL
    # The link and the callback are single-use.
    assert app.send_get(link.group(1)).status == 403
    store = app.browser.store_options()
    with pytest.raises(MissingTransactionError):
        await app.call("complete_interactive_login", callback, store_options=store)


async def test_mfa_during_passwordless(pl_app: App) -> None:
    app = pl_app
    app.tenant.state.mfa.audiences.add(API)
    await start(app, {"email": EMAIL})
    with pytest.raises(MfaRequiredError) as raised:
        await verify(app, email_verify(code_in(app, Email), audience=API))
    assert await session(app) is None
    token = raised.value.mfa_token
    assert app.client.mfa.decrypt_mfa_token(token).audience == API
    mfa = app.client.mfa
    enrollment = await app.call(
        "enroll_authenticator", {"mfa_token": token, "factor_type": "otp"}, client=mfa
    )
    store = app.browser.store_options()
    await app.call(
        "verify",
        {"mfa_token": token, "otp": totp(enrollment.secret, app.clock.now), "persist": True},
        store_options=store,
        client=mfa,
    )
    app.browser.absorb(store)
    found = await session(app)
    assert found["user"]["email"] == EMAIL
    assert found["token_sets"][0]["audience"] == API


# --- the negative matrix --------------------------------------------------------------------


async def refused(app: App, options: Any, kind: type[Auth0Error] = PasswordlessVerifyError) -> Any:
    with pytest.raises(kind) as raised:
        await verify(app, options)
    assert await session(app) is None
    code = options.get("verification_code") if isinstance(options, dict) else None
    assert code is None or code not in f"{raised.value!s}{raised.value!r}"
    return raised.value


def other_than(code: str) -> str:
    return str((int(code) + 1) % 1_000_000).zfill(6)


async def test_wrong_expired_and_reused_codes(pl_app: App) -> None:
    app = pl_app
    await start(app, {"email": EMAIL})
    code = code_in(app, Email)
    wrong = await refused(app, email_verify(other_than(code)))
    assert (wrong.code, wrong.error, wrong.status) == ("invalid_grant", "invalid_grant", 403)
    assert await verify(app, email_verify(code))  # one wrong try does not void it
    app.browser.cookies.clear()
    reused = await refused(app, email_verify(code))
    assert reused.code == "invalid_grant"
    await start(app, {"email": EMAIL})
    code = code_in(app, Email)
    app.clock.advance(app.tenant.state.passwordless.settings.code_lifetime + 1)
    expired = await refused(app, email_verify(code))
    assert "expired" in str(expired)


async def test_attempt_limit_voids_the_code(pl_app: App) -> None:
    app = pl_app
    await start(app, {"email": EMAIL})
    code = code_in(app, Email)
    for _ in range(app.tenant.state.passwordless.settings.max_attempts):
        last = await refused(app, email_verify(other_than(code)))
    assert "maximum number of attempts" in str(last)
    await refused(app, email_verify(code))


async def test_code_of_another_address(pl_app: App) -> None:
    app = pl_app
    await start(app, {"email": EMAIL})
    code = code_in(app, Email)
    await refused(
        app, {"connection": "email", "email": "someone@example.org", "verification_code": code}
    )


async def test_send_limit(pl_app: App) -> None:
    app = pl_app
    for _ in range(app.tenant.state.passwordless.settings.max_sends):
        await start(app, {"email": EMAIL})
    with pytest.raises(PasswordlessStartError) as limited:
        await start(app, {"email": EMAIL})
    assert (limited.value.code, limited.value.status) == ("too_many_requests", 429)
    assert isinstance(limited.value.retry_after, int)
    assert limited.value.retry_after > 0


async def test_bad_start_requests(pl_app: App) -> None:
    app = pl_app
    with pytest.raises(PasswordlessStartError) as bad:
        await start(app, {"email": "not-an-address"})
    assert bad.value.code == "bad.email"
    calls = len(app.tenant.state.log)
    with pytest.raises(InvalidArgumentError):
        await start(app, {"email": EMAIL, "auth_params": {"redirect_uri": "https://evil.example"}})
    with pytest.raises(InvalidArgumentError):
        await start(app, {"email": EMAIL, "auth_params": {"unknown": "x"}})
    with pytest.raises(InvalidArgumentError):
        StartPasswordlessSmsOptions(phone_number="0123")
    with pytest.raises(MissingRequiredArgumentError):
        await app.call("start", {"email": EMAIL, "send": "link"}, client=app.client.passwordless)
    assert len(app.tenant.state.log) == calls  # refused before any request
    with pytest.raises(InvalidArgumentError):
        await verify(app, {"connection": "email", "phone_number": PHONE, "verification_code": "1"})


@pytest.mark.parametrize(
    ("claim", "value", "code"),
    [
        ("aud", "another-client", "invalid_audience"),
        ("iss", "https://evil.example/", "invalid_issuer"),
        ("exp", 1, "token_expired"),
    ],
)
async def test_invalid_id_token(pl_app: App, claim: str, value: Any, code: str) -> None:
    app = pl_app

    def spoil(
        claims: dict[str, Any], header: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return {**claims, claim: value}, header

    app.tenant.id_token_hook = spoil
    await start(app, {"email": EMAIL})
    error = await refused(app, email_verify(code_in(app, Email)))
    assert error.code == code


async def test_a_refused_magic_link_leaves_no_transaction(pl_app: App) -> None:
    app = pl_app
    with pytest.raises(PasswordlessStartError):
        await start(app, {"email": "not-an-address", "send": "link"})
    assert app.browser.cookies == {}  # no binding cookie, no transaction
