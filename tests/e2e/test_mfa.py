"""MFA end to end through both facades (sync, asyncio, trio; in process and on loopback):
``get_access_token`` meets ``mfa_required`` from the emulated tenant, and ``server_client.mfa``
lists, enrolls (OTP, SMS, e-mail, push), challenges and verifies (OTP, OOB + binding code,
push, recovery code), persisting into the session. Codes are read from the tenant's outbox
and OTPs computed from the enrolled secret on the tenant's clock.

The negative matrix: wrong, expired and reused codes; an ``mfa_token`` replayed, expired
(sealed and raw), tampered or from another client; the attempt limit; another user's tokens.
Each is a typed error and leaves the session as it was.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import auth0_anyio
import auth0_requests
from auth0_core.errors import (
    AccessTokenError,
    Auth0Error,
    InvalidArgumentError,
    MfaEnrollmentError,
    MfaListAuthenticatorsError,
    MfaRequiredError,
    MfaTokenExpiredError,
    MfaTokenInvalidError,
    MfaVerifyError,
)
from auth0_core.tenant.authentication.mfa_state import totp
from auth0_core.tenant.outbox import Email, TextMessage

from .conftest import App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
ALICE = "auth0|alice"
PHONE = "+14155550100"
OTP = "http://auth0.com/oauth/grant-type/mfa-otp"


@pytest.fixture
def mfa_app(app: App) -> Iterator[App]:
    """The app with MFA enforced for alice; the tenant's MFA state is forgotten after."""
    app.tenant.state.mfa.reset()
    app.tenant.state.mfa.users.add(ALICE)
    app.tenant.outbox.take(Email)
    app.tenant.outbox.take(TextMessage)
    yield app
    app.tenant.state.mfa.reset()


async def mfa(app: App, method: str, *args: Any, **kwargs: Any) -> Any:
    return await app.call(method, *args, client=app.client.mfa, **kwargs)


async def step_up(app: App, audience: str = API) -> MfaRequiredError:
    """Ask for a token that needs MFA: the error, with the sealed token."""
    store = app.browser.store_options()
    with pytest.raises(MfaRequiredError) as raised:
        await app.call("get_access_token", store_options=store, audience=audience)
    app.browser.absorb(store)
    return raised.value


async def verify(app: App, options: dict[str, Any], **kwargs: Any) -> Any:
    store = app.browser.store_options()
    result = await mfa(app, "verify", options, store_options=store, **kwargs)
    app.browser.absorb(store)
    return result


async def session(app: App) -> Any:
    store = app.browser.store_options()
    found = await app.call("get_session", store_options=store)
    app.browser.absorb(store)
    return found


def last_code(app: App, kind: type[Email] | type[TextMessage]) -> str:
    messages = app.tenant.outbox.take(kind)
    assert messages, f"no {kind.__name__} in the outbox"
    found = re.search(r"\b(\d{6})\b", messages[-1].body)
    assert found is not None
    return found.group(1)


async def enroll_otp(app: App) -> tuple[str, Any]:
    """alice logs in, steps up, enrolls OTP and verifies it (persisted): (secret, enrollment)."""
    await app.login()
    error = await step_up(app)
    enrollment = await mfa(
        app, "enroll_authenticator", {"mfa_token": error.mfa_token, "factor_type": "otp"}
    )
    answer = await verify(
        app,
        {
            "mfa_token": error.mfa_token,
            "otp": totp(enrollment.secret, app.clock.now),
            "persist": True,
        },
    )
    assert answer.access_token
    return enrollment.secret, enrollment


async def test_step_up_with_otp_enrollment(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    before = await session(app)
    error = await step_up(app)
    assert error.mfa_requirements == {
        "enroll": [{"type": t} for t in ("otp", "sms", "email", "auth0")]
    }
    context = app.client.mfa.decrypt_mfa_token(error.mfa_token)
    for secret in (context.mfa_token, error.mfa_token):
        assert secret not in repr(error)
        assert secret not in str(error)
        assert secret not in repr(context)
    assert (context.audience, context.client_id) == (API, "demo-client")
    assert await mfa(app, "list_authenticators", {"mfa_token": error.mfa_token}) == []
    enrollment = await mfa(
        app, "enroll_authenticator", {"mfa_token": error.mfa_token, "factor_type": "otp"}
    )
    assert enrollment.barcode_uri.startswith("otpauth://totp/")
    assert enrollment.recovery_codes
    assert len(enrollment.recovery_codes) == 1
    assert enrollment.secret not in repr(enrollment)
    answer = await verify(
        app,
        {
            "mfa_token": error.mfa_token,
            "otp": totp(enrollment.secret, app.clock.now),
            "persist": True,
        },
    )
    assert answer.audience == API
    assert answer.token_type == "Bearer"
    assert answer.access_token not in repr(answer)
    refreshes = app.tenant.count("/oauth/token", grant_type="refresh_token")
    store = app.browser.store_options()
    token = await app.call("get_access_token", store_options=store, audience=API)
    assert token == answer.access_token  # from the session: no second refresh
    assert app.tenant.count("/oauth/token", grant_type="refresh_token") == refreshes
    after = await session(app)
    assert after["user"]["sub"] == before["user"]["sub"] == ALICE
    with pytest.raises(MfaListAuthenticatorsError) as spent:  # the mfa_token is used up
        await mfa(app, "list_authenticators", {"mfa_token": error.mfa_token})
    assert spent.value.status == 401


async def test_raw_token_as_the_official_examples_pass_it(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    error = await step_up(app)
    raw = app.client.mfa.decrypt_mfa_token(error.mfa_token).mfa_token
    enrollment = await mfa(app, "enroll_authenticator", {"mfa_token": raw, "factor_type": "otp"})
    answer = await verify(
        app,
        {"mfa_token": raw, "otp": totp(enrollment.secret, app.clock.now), "persist": True,
         "audience": API},
    )  # fmt: skip
    store = app.browser.store_options()
    assert await app.call("get_access_token", store_options=store, audience=API) == (
        answer.access_token
    )


async def test_sms_enrollment_then_challenge_on_the_next_login(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    error = await step_up(app)
    enrollment = await mfa(
        app,
        "enroll_authenticator",
        {"mfa_token": error.mfa_token, "factor_type": "sms", "phone_number": PHONE},
    )
    assert (enrollment.authenticator_type, enrollment.oob_channel) == ("oob", "sms")
    assert enrollment.binding_method == "prompt"
    code = last_code(app, TextMessage)
    await verify(
        app,
        {"mfa_token": error.mfa_token, "oob_code": enrollment.oob_code, "binding_code": code,
         "persist": True},
    )  # fmt: skip
    # A new login session must pass MFA again: now a challenge of the enrolled factor.
    app.browser.cookies.clear()
    await app.login()
    again = await step_up(app)
    assert again.mfa_requirements == {"challenge": [{"type": "sms"}]}
    listed = await mfa(app, "list_authenticators", {"mfa_token": again.mfa_token})
    assert [a.authenticator_type for a in listed] == ["oob", "recovery-code"]
    sms = [a for a in listed if a.authenticator_type == "oob"]
    assert sms[0].oob_channel == "sms"
    assert sms[0].id.startswith("sms|")
    assert PHONE not in repr(listed)
    assert sms[0].name.endswith(PHONE[-4:])
    challenge = await mfa(
        app,
        "challenge_authenticator",
        {"mfa_token": again.mfa_token, "factor_type": "sms", "authenticator_id": sms[0].id},
    )
    assert challenge.challenge_type == "oob"
    assert challenge.oob_code
    answer = await verify(
        app,
        {"mfa_token": again.mfa_token, "oob_code": challenge.oob_code,
         "binding_code": last_code(app, TextMessage), "persist": True, "audience": API},
    )  # fmt: skip
    store = app.browser.store_options()
    assert await app.call("get_access_token", store_options=store, audience=API) == (
        answer.access_token
    )


async def test_email_enrollment(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    error = await step_up(app)
    enrollment = await mfa(
        app, "enroll_authenticator", {"mfa_token": error.mfa_token, "factor_type": "email"}
    )
    mail = app.tenant.outbox.messages(Email)[-1]
    assert mail.to == "alice@example.com"
    answer = await verify(
        app,
        {"mfa_token": error.mfa_token, "oob_code": enrollment.oob_code,
         "binding_code": last_code(app, Email)},
    )  # fmt: skip
    assert answer.id_token


async def test_push_pending_then_approved_or_denied(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    error = await step_up(app)
    enrollment = await mfa(
        app, "enroll_authenticator", {"mfa_token": error.mfa_token, "factor_type": "push"}
    )
    assert enrollment.oob_channel == "auth0"
    assert enrollment.barcode_uri
    before = await session(app)
    with pytest.raises(MfaVerifyError) as pending:
        await verify(
            app, {"mfa_token": error.mfa_token, "oob_code": enrollment.oob_code, "persist": True}
        )
    assert pending.value.error == "authorization_pending"
    assert "authorization_pending" in str(pending.value)  # what MFA.md's polling loop reads
    assert await session(app) == before
    assert app.tenant.state.mfa.answer_push(enrollment.oob_code)
    answer = await verify(
        app, {"mfa_token": error.mfa_token, "oob_code": enrollment.oob_code, "persist": True}
    )
    assert answer.access_token
    # The next login session: a push challenge the device refuses.
    app.browser.cookies.clear()
    await app.login()
    again = await step_up(app)
    challenge = await mfa(
        app, "challenge_authenticator", {"mfa_token": again.mfa_token, "factor_type": "auth0"}
    )
    app.tenant.state.mfa.answer_push(challenge.oob_code, approve=False)
    with pytest.raises(MfaVerifyError) as denied:
        await verify(app, {"mfa_token": again.mfa_token, "oob_code": challenge.oob_code})
    assert denied.value.error == "access_denied"


async def test_recovery_code_is_replaced(mfa_app: App) -> None:
    app = mfa_app
    _, enrollment = await enroll_otp(app)
    (first,) = enrollment.recovery_codes
    app.browser.cookies.clear()
    await app.login()
    error = await step_up(app)
    answer = await verify(
        app, {"mfa_token": error.mfa_token, "recovery_code": first, "persist": True}
    )
    assert answer.recovery_code
    assert answer.recovery_code != first
    assert answer.recovery_code not in repr(answer)
    app.browser.cookies.clear()
    await app.login()
    again = await step_up(app)
    with pytest.raises(MfaVerifyError) as used:
        await verify(app, {"mfa_token": again.mfa_token, "recovery_code": first})
    assert used.value.error == "invalid_grant"


async def test_mfa_per_api(mfa_app: App) -> None:
    app = mfa_app
    app.tenant.state.mfa.users.clear()
    app.tenant.state.mfa.audiences.add(API)
    await app.login()
    store = app.browser.store_options()
    assert await app.call("get_access_token", store_options=store)  # the login's own token
    error = await step_up(app, API)
    assert app.client.mfa.decrypt_mfa_token(error.mfa_token).audience == API


# --- the negative matrix: a typed error, and the session as it was ----------------------------


async def refused(app: App, options: dict[str, Any], kind: type[Auth0Error], **kw: Any) -> Any:
    before = await session(app)
    with pytest.raises(kind) as raised:
        await verify(app, {**options, "persist": True}, **kw)
    assert await session(app) == before
    for secret in (options.get("otp"), options.get("recovery_code")):
        assert secret is None or secret not in f"{raised.value!s}{raised.value!r}"
    return raised.value


async def test_wrong_expired_and_reused_otp(mfa_app: App) -> None:
    app = mfa_app
    secret, _ = await enroll_otp(app)
    app.browser.cookies.clear()
    await app.login()
    error = await step_up(app)
    token = error.mfa_token
    wrong = str((int(totp(secret, app.clock.now)) + 1) % 1_000_000).zfill(6)
    assert (await refused(app, {"mfa_token": token, "otp": wrong}, MfaVerifyError)).status == 403
    old = totp(secret, app.clock.now - 300)
    assert (await refused(app, {"mfa_token": token, "otp": old}, MfaVerifyError)).error == (
        "invalid_grant"
    )
    # The code enroll_otp used is still current: it was accepted once and is refused now.
    reused = await refused(
        app, {"mfa_token": token, "otp": totp(secret, app.clock.now)}, MfaVerifyError
    )
    assert reused.error == "invalid_grant"
    assert "already used" in str(reused)
    app.clock.advance(30)
    assert await verify(app, {"mfa_token": token, "otp": totp(secret, app.clock.now)})


async def test_mfa_token_replayed_expired_tampered_and_of_another_client(mfa_app: App) -> None:
    app = mfa_app
    secret, _ = await enroll_otp(app)
    app.browser.cookies.clear()
    await app.login()
    error = await step_up(app)
    token = error.mfa_token
    app.clock.advance(30)
    await verify(app, {"mfa_token": token, "otp": totp(secret, app.clock.now)})
    app.clock.advance(30)
    replayed = await refused(
        app, {"mfa_token": token, "otp": totp(secret, app.clock.now)}, MfaVerifyError
    )
    assert replayed.error == "invalid_grant"
    # Another step-up: tampered, another client's, then expired (sealed: refused before any
    # request; raw: the tenant refuses it).
    app.browser.cookies.clear()
    await app.login()
    fresh = (await step_up(app)).mfa_token
    raw = app.client.mfa.decrypt_mfa_token(fresh).mfa_token
    tampered = fresh[:-4] + ("AAAA" if fresh[-4:] != "AAAA" else "BBBB")
    await refused(app, {"mfa_token": tampered, "otp": "123456"}, MfaTokenInvalidError)
    facade = auth0_requests if app.mode.startswith("sync") else auth0_anyio
    other = facade.ServerClient(**{**app.options, "client_id": "another-client"})
    with pytest.raises(MfaTokenInvalidError):
        other.mfa.decrypt_mfa_token(fresh)
    calls = app.tenant.count("/oauth/token")
    app.clock.advance(301)
    await refused(app, {"mfa_token": fresh, "otp": "123456"}, MfaTokenExpiredError)
    assert app.tenant.count("/oauth/token") == calls  # refused before any request
    expired = await refused(
        app, {"mfa_token": raw, "otp": totp(secret, app.clock.now)}, MfaVerifyError
    )
    assert expired.error == "expired_token"


async def test_attempt_limit(mfa_app: App) -> None:
    app = mfa_app
    secret, _ = await enroll_otp(app)
    app.browser.cookies.clear()
    await app.login()
    token = (await step_up(app)).mfa_token
    for _ in range(app.tenant.state.mfa.settings.max_attempts):
        await refused(app, {"mfa_token": token, "otp": "000000"}, MfaVerifyError)
    app.clock.advance(30)
    limited = await refused(
        app, {"mfa_token": token, "otp": totp(secret, app.clock.now)}, MfaVerifyError
    )
    assert (limited.error, limited.status) == ("too_many_attempts", 429)


async def test_wrong_and_expired_binding_code(mfa_app: App) -> None:
    app = mfa_app
    mfa_state = app.tenant.state.mfa
    mfa_state.settings = attrs.evolve(mfa_state.settings, challenge_lifetime=60)
    await app.login()
    token = (await step_up(app)).mfa_token
    enrollment = await mfa(
        app,
        "enroll_authenticator",
        {"mfa_token": token, "factor_type": "sms", "phone_number": PHONE},
    )
    code = last_code(app, TextMessage)
    wrong = str((int(code) + 1) % 1_000_000).zfill(6)
    options = {"mfa_token": token, "oob_code": enrollment.oob_code}
    assert (await refused(app, {**options, "binding_code": wrong}, MfaVerifyError)).error == (
        "invalid_grant"
    )
    app.clock.advance(61)
    expired = await refused(app, {**options, "binding_code": code}, MfaVerifyError)
    assert expired.error == "expired_token"


async def test_another_users_tokens_are_not_persisted(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    token = (await step_up(app)).mfa_token
    enrollment = await mfa(app, "enroll_authenticator", {"mfa_token": token, "factor_type": "otp"})
    assert app.client.mfa.decrypt_mfa_token(token).sub == ALICE  # bound to alice's session
    app.browser.cookies.clear()
    await app.login("bob")
    grants = app.tenant.count("/oauth/token", grant_type=OTP)
    code = totp(enrollment.secret, app.clock.now)
    refusal = await refused(app, {"mfa_token": token, "otp": code}, MfaVerifyError)
    assert "another user" in str(refusal)
    assert app.tenant.count("/oauth/token", grant_type=OTP) == grants  # refused before sending
    assert (await session(app))["user"]["sub"] == "auth0|bob"
    assert await verify(app, {"mfa_token": token, "otp": code})  # not spent: alice may use it


async def test_bad_requests_are_typed(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    token = (await step_up(app)).mfa_token
    with pytest.raises(MfaTokenInvalidError):
        await mfa(app, "list_authenticators", {})
    with pytest.raises(MfaEnrollmentError):
        await mfa(
            app, "enroll_authenticator", {"mfa_token": token, "factor_type": "carrier-pigeon"}
        )
    with pytest.raises(MfaEnrollmentError) as no_phone:
        await mfa(app, "enroll_authenticator", {"mfa_token": token, "factor_type": "sms"})
    assert no_phone.value.status == 400
    await refused(app, {"mfa_token": token}, MfaVerifyError)
    await refused(app, {"mfa_token": token, "otp": "1", "recovery_code": "2"}, MfaVerifyError)


async def test_verify_with_a_dpop_key_binds_the_tokens(mfa_app: App) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    app = mfa_app
    await app.login()
    token = (await step_up(app)).mfa_token
    enrollment = await mfa(app, "enroll_authenticator", {"mfa_token": token, "factor_type": "otp"})
    key = ec.generate_private_key(ec.SECP256R1())
    answer = await verify(
        app, {"mfa_token": token, "otp": totp(enrollment.secret, app.clock.now)}, dpop_key=key
    )
    assert answer.token_type == "DPoP"
    with pytest.raises(InvalidArgumentError):
        await verify(app, {"mfa_token": token, "otp": "123456"}, dpop_key="not a key")


async def test_a_token_for_another_audience_is_not_persisted(mfa_app: App) -> None:
    app = mfa_app
    await app.login()
    token = (await step_up(app)).mfa_token  # stepped up for API
    enrollment = await mfa(app, "enroll_authenticator", {"mfa_token": token, "factor_type": "otp"})
    options = {
        "mfa_token": token,
        "otp": totp(enrollment.secret, app.clock.now),
        "audience": "https://another-api.example",
    }
    refusal = await refused(app, options, AccessTokenError)
    assert refusal.code == "incorrect_audience"
