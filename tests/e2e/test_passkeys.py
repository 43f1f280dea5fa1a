"""Native passkeys end to end through both facades (sync, asyncio, trio; in process and on
loopback): ``passkey_signup_challenge`` then ``signin_with_passkey`` with a registration
credential (``none`` and ``packed`` self-attestation), ``passkey_login_challenge`` then
``signin_with_passkey`` with an assertion, each writing a session as a login does.

The credentials are made by :class:`~auth0_core.testing.passkeys.SoftwareAuthenticator`: EC
P-256 keys generated in the test with ``cryptography``, CBOR and authenticator data encoded
by hand, so the tenant's verifier (py_webauthn) checks what the specification says.

The negative matrix: an assertion with a wrong challenge, origin, RP ID, client data type,
a non-increasing counter, a bad signature, no user verification, another user's handle, a
replayed challenge, an unknown credential, an expired ``auth_session``; registrations with a
wrong challenge, origin or RP ID, a bad packed signature, no user verification, a reused
credential: each a typed error, nothing written to the session.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from auth0_core.auth_types import PasskeyAuthResponse, PasskeyUserProfile
from auth0_core.errors import (
    Auth0Error,
    InvalidArgumentError,
    MfaRequiredError,
    MissingRequiredArgumentError,
    PasskeyError,
)
from auth0_core.tenant.authentication.mfa_state import Authenticator
from auth0_core.tenant.outbox import Email
from auth0_core.testing.passkeys import FLAG_AT, FLAG_UP, FLAG_UV, SoftwareAuthenticator

from .conftest import App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"


@pytest.fixture
def pk_app(app: App) -> Iterator[App]:
    """The app, with the tenant's passkey and MFA state emptied around the test."""

    def clean() -> None:
        app.tenant.state.passkeys.reset()
        app.tenant.state.mfa.reset()

    clean()
    yield app
    clean()


def email(app: App, name: str) -> str:
    return f"{name}-{app.mode}@passkeys.example"


async def call(app: App, method: str, *args: Any, **kwargs: Any) -> Any:
    store = app.browser.store_options()
    result = await app.call(method, *args, store_options=store, **kwargs)
    app.browser.absorb(store)
    return result


async def session(app: App) -> Any:
    return await app.call("get_session", store_options=app.browser.store_options())


async def sign_up(
    app: App, device: SoftwareAuthenticator, name: str = "pat", **create: Any
) -> dict[str, Any]:
    challenge = await call(
        app, "passkey_signup_challenge", user_profile={"email": email(app, name), "name": name}
    )
    credential = device.create(challenge.authn_params_public_key, **create)
    result = await call(app, "signin_with_passkey", challenge.auth_session, credential)
    return dict(result.state_data)


async def test_sign_up_then_log_in(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    state = await sign_up(app, device)
    user = state["user"]
    assert user["sub"].startswith("auth0|")
    assert user["email"] == email(app, "pat")
    assert (await session(app))["user"]["sub"] == user["sub"]
    registered = next(iter(app.tenant.state.passkeys.credentials.values()))
    assert registered.attestation_format == "none"
    assert registered.user_id == user["sub"]

    app.browser.cookies.clear()  # another browser: a login
    challenge = await call(app, "passkey_login_challenge")
    assert challenge.authn_params_public_key.rp_id == app.tenant.state.passkeys.rp_id(app.base_url)
    assertion = device.get(challenge.authn_params_public_key)
    result = await call(app, "signin_with_passkey", challenge.auth_session, assertion)
    assert result.state_data["user"]["sub"] == user["sub"]
    assert result.state_data["token_sets"][0]["audience"] == "default"
    found = await session(app)
    assert found["user"]["sub"] == user["sub"]
    assert registered.sign_count == 1

    challenge = await call(app, "passkey_login_challenge")  # and again: the counter goes up
    assertion = device.get(challenge.authn_params_public_key.to_dict())
    await call(app, "signin_with_passkey", challenge.auth_session, assertion)
    assert registered.sign_count == 2


async def test_packed_attestation_with_the_official_types(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    challenge = await call(
        app,
        "passkey_signup_challenge",
        user_profile=PasskeyUserProfile(
            email=email(app, "jane"), name="Jane Doe", nickname="Janie", favourite="tea"
        ),
        connection="Username-Password-Authentication",
        user_metadata={"plan": "gold"},
    )
    options = challenge.authn_params_public_key
    assert options.user is not None
    assert options.user.display_name == "Jane Doe"
    assert options.authenticator_selection is not None
    assert options.authenticator_selection.user_verification == "required"
    assert options.model_dump(by_alias=True)["pubKeyCredParams"][0] == {
        "type": "public-key",
        "alg": -7,
    }
    assert challenge.auth_session not in repr(challenge)
    credential = device.create(options, attestation="packed")
    result = await call(
        app,
        "signin_with_passkey",
        auth_session=challenge.auth_session,
        authn_response=PasskeyAuthResponse(
            id=credential["id"],
            raw_id=credential["rawId"],
            type="public-key",
            response=credential["response"],
        ),
        audience=API,
        scope="profile read:items",
    )
    state = result.state_data
    assert state["user"]["nickname"] == "Janie"
    token_set = state["token_sets"][0]
    assert token_set["audience"] == API
    assert "read:items" in token_set["scope"].split()
    assert "openid" in token_set["scope"].split()
    assert challenge.auth_session not in repr(result)
    registered = next(iter(app.tenant.state.passkeys.credentials.values()))
    assert registered.attestation_format == "packed"
    record = app.tenant.state.users.get(state["user"]["sub"])
    assert record is not None
    assert record.user_metadata == {"plan": "gold"}


LOGIN_SPOILERS: dict[str, dict[str, Any]] = {
    "wrong challenge": {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
    "wrong origin": {"origin": "https://evil.example"},
    "wrong rp id": {"rp_id": "evil.example"},
    "create instead of get": {"client_data_type": "webauthn.create"},
    "counter not increasing": {"sign_count": 0},
    "bad signature": {"corrupt_signature": True},
    "user not verified": {"flags": FLAG_UP},
    "user not present": {"flags": FLAG_UV},
    "another user's handle": {"user_handle": b"auth0|someone-else"},
}


@pytest.mark.parametrize("spoiler", sorted(LOGIN_SPOILERS))
async def test_a_spoiled_assertion_is_refused_and_nothing_is_written(
    pk_app: App, spoiler: str
) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    await sign_up(app, device)
    if spoiler == "counter not increasing":  # a counter the tenant has seen: 5, then 5
        challenge = await call(app, "passkey_login_challenge")
        assertion = device.get(challenge.authn_params_public_key, sign_count=5)
        await call(app, "signin_with_passkey", challenge.auth_session, assertion)
    app.browser.cookies.clear()
    challenge = await call(app, "passkey_login_challenge")
    spoiled = dict(LOGIN_SPOILERS[spoiler])
    if spoiler == "counter not increasing":
        spoiled["sign_count"] = 5
    assertion = device.get(challenge.authn_params_public_key, **spoiled)
    log_size = len(app.tenant.state.log)
    with pytest.raises(PasskeyError) as raised:
        await call(app, "signin_with_passkey", challenge.auth_session, assertion)
    assert raised.value.code == "invalid_grant"
    assert raised.value.status_code == 403
    assert challenge.auth_session not in str(raised.value)
    assert challenge.auth_session not in repr(raised.value)
    assert await session(app) is None
    assert app.browser.cookies == {}
    assert len(app.tenant.state.log) > log_size  # the tenant refused it, not the SDK


async def test_a_replayed_challenge_is_refused(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    await sign_up(app, device)
    app.browser.cookies.clear()
    challenge = await call(app, "passkey_login_challenge")
    assertion = device.get(challenge.authn_params_public_key)
    await call(app, "signin_with_passkey", challenge.auth_session, assertion)
    app.browser.cookies.clear()
    replay = device.get(challenge.authn_params_public_key)  # a new counter, the old challenge
    for auth_session in (
        challenge.auth_session,
        (await call(app, "passkey_login_challenge")).auth_session,
    ):
        with pytest.raises(PasskeyError) as raised:  # the used session; a new session
            await call(app, "signin_with_passkey", auth_session, replay)
        assert raised.value.code == "invalid_grant"
        assert await session(app) is None


async def test_an_unknown_credential_is_refused(pk_app: App) -> None:
    app = pk_app
    await sign_up(app, SoftwareAuthenticator())
    app.browser.cookies.clear()
    stranger = SoftwareAuthenticator()
    signup = await app.call("passkey_signup_challenge", user_profile={"email": email(app, "x")})
    stranger.create(signup.authn_params_public_key)  # made, never registered at the tenant
    challenge = await call(app, "passkey_login_challenge")
    with pytest.raises(PasskeyError) as raised:
        await call(
            app,
            "signin_with_passkey",
            challenge.auth_session,
            stranger.get(challenge.authn_params_public_key),
        )
    assert raised.value.code == "invalid_grant"
    assert "not registered" in str(raised.value)
    assert await session(app) is None


async def test_an_expired_auth_session_is_refused(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    await sign_up(app, device)
    app.browser.cookies.clear()
    challenge = await call(app, "passkey_login_challenge")
    app.clock.advance(app.tenant.state.passkeys.settings.timeout + 1)
    with pytest.raises(PasskeyError) as raised:
        await call(
            app,
            "signin_with_passkey",
            challenge.auth_session,
            device.get(challenge.authn_params_public_key),
        )
    assert raised.value.code == "invalid_grant"
    assert await session(app) is None


SIGNUP_SPOILERS: dict[str, dict[str, Any]] = {
    "wrong challenge": {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
    "wrong origin": {"origin": "https://evil.example"},
    "wrong rp id": {"rp_id": "evil.example"},
    "get instead of create": {"client_data_type": "webauthn.get"},
    "user not verified": {"flags": FLAG_UP | FLAG_AT},
    "no attested credential": {"flags": FLAG_UP | FLAG_UV},
}


@pytest.mark.parametrize("spoiler", sorted(SIGNUP_SPOILERS))
@pytest.mark.parametrize("attestation", ["none", "packed"])
async def test_a_spoiled_registration_is_refused_and_no_user_is_made(
    pk_app: App, spoiler: str, attestation: str
) -> None:
    app = pk_app
    challenge = await call(
        app, "passkey_signup_challenge", user_profile={"email": email(app, "spoiled")}
    )
    credential = SoftwareAuthenticator().create(
        challenge.authn_params_public_key,
        attestation=attestation,  # type: ignore[arg-type]
        **SIGNUP_SPOILERS[spoiler],
    )
    users_before = app.tenant.state.passkeys.credentials.copy()
    with pytest.raises(PasskeyError) as raised:
        await call(app, "signin_with_passkey", challenge.auth_session, credential)
    assert raised.value.code == "invalid_grant"
    assert app.tenant.state.passkeys.credentials == users_before
    assert await session(app) is None


async def test_a_packed_attestation_signed_by_another_key_is_refused(pk_app: App) -> None:
    app = pk_app
    challenge = await call(
        app, "passkey_signup_challenge", user_profile={"email": email(app, "forger")}
    )
    forged = SoftwareAuthenticator().create(
        challenge.authn_params_public_key, attestation="packed", corrupt_signature=True
    )
    with pytest.raises(PasskeyError) as raised:
        await call(app, "signin_with_passkey", challenge.auth_session, forged)
    assert raised.value.code == "invalid_grant"
    assert app.tenant.state.passkeys.credentials == {}
    assert await session(app) is None


async def test_challenge_refusals_are_typed(pk_app: App) -> None:
    app = pk_app
    with pytest.raises(PasskeyError) as raised:  # a configured user's address
        await app.call("passkey_signup_challenge", user_profile={"email": "alice@example.com"})
    assert raised.value.code == "invalid_signup"
    assert raised.value.status_code == 400
    with pytest.raises(PasskeyError) as raised:
        await app.call("passkey_signup_challenge", user_profile={"email": "x@y.example"},
                       connection="google-oauth2")  # fmt: skip
    assert raised.value.code == "invalid_request"
    with pytest.raises(PasskeyError) as raised:
        await app.call("passkey_signup_challenge", user_profile={"name": "no identifier"})
    assert raised.value.code == "invalid_request"
    with pytest.raises(PasskeyError) as raised:
        await app.call("passkey_login_challenge", organization="org_unknown")
    assert raised.value.code == "invalid_request"


async def test_bad_arguments_send_nothing(pk_app: App) -> None:
    app = pk_app
    log_size = len(app.tenant.state.log)
    with pytest.raises(MissingRequiredArgumentError):
        await app.call("signin_with_passkey", "", {"id": "a"})
    with pytest.raises(MissingRequiredArgumentError):
        await app.call("signin_with_passkey", "session", None)
    for credential in ({"id": "a"}, {"id": "a", "rawId": "a", "type": "public-key",
                       "response": {"x": 1}}, "text", {"nonsense": 1}):  # fmt: skip
        with pytest.raises(InvalidArgumentError):
            await app.call("signin_with_passkey", "session", credential)
    with pytest.raises(InvalidArgumentError):
        await app.call(
            "signin_with_passkey",
            "session",
            {"id": "a", "rawId": "a", "type": "public-key", "response": {"x": "y"}},
            verification={"sms": "1"},
        )
    with pytest.raises(InvalidArgumentError):
        await app.call("passkey_signup_challenge", delivery_method="carrier pigeon")
    with pytest.raises(InvalidArgumentError):
        await app.call("passkey_signup_challenge", user_profile={"email": 42})
    with pytest.raises(InvalidArgumentError):  # not JSON data
        await app.call("passkey_signup_challenge", user_profile={"email": "a@b.c", "x": {1}})
    with pytest.raises(InvalidArgumentError):
        await app.call("passkey_signup_challenge", user_metadata={"plan": object()})
    with pytest.raises(InvalidArgumentError):
        await app.call(
            "signin_with_passkey",
            "session",
            {"id": "a", "rawId": "a", "type": "public-key", "response": {"x": "y"},
             "clientExtensionResults": {"e": float("nan")}},
        )  # fmt: skip
    assert len(app.tenant.state.log) == log_size


async def test_a_failed_sign_in_leaves_the_existing_session_alone(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    await sign_up(app, device)
    app.browser.cookies.clear()
    await app.login("alice")
    before = await session(app)
    assert before["user"]["sub"] == "auth0|alice"
    cookies = dict(app.browser.cookies)
    challenge = await call(app, "passkey_login_challenge")
    spoiled = device.get(challenge.authn_params_public_key, corrupt_signature=True)
    with pytest.raises(PasskeyError):
        await call(app, "signin_with_passkey", challenge.auth_session, spoiled)
    assert app.browser.cookies == cookies
    assert await session(app) == before
    challenge = await call(app, "passkey_login_challenge")  # a good one replaces the session
    good = device.get(challenge.authn_params_public_key)
    result = await call(app, "signin_with_passkey", challenge.auth_session, good)
    assert (await session(app))["user"]["sub"] == result.state_data["user"]["sub"] != "auth0|alice"


async def test_sign_up_verification_codes(pk_app: App) -> None:
    app = pk_app
    app.tenant.state.passkeys.settings.verify_email = True
    app.tenant.outbox.take(Email)
    address = email(app, "verify")
    challenge = await call(app, "passkey_signup_challenge", user_profile={"email": address})
    assert challenge.verification_required == ["email"]
    (mail,) = app.tenant.outbox.take(Email)
    assert mail.to == address
    found = re.search(r"\b(\d{6})\b", mail.body)
    assert found is not None
    code = found.group(1)
    credential = SoftwareAuthenticator().create(challenge.authn_params_public_key)
    wrong = "000000" if code != "000000" else "111111"
    attempts = [None, {"email": "\uff11\uff12\uff13"}, {"email": wrong}, {"email": code}]
    for number, verification in enumerate(attempts, 1):
        with pytest.raises(PasskeyError) as raised:
            await call(
                app, "signin_with_passkey", challenge.auth_session, credential,
                verification=verification,
            )  # fmt: skip
        assert raised.value.code == "invalid_grant"
        # Two wrong or missing codes keep the session; the third ends it (max_code_attempts).
        assert raised.value.is_verification_retryable is (number < 3)
        if number < 3:
            assert raised.value.auth_session == challenge.auth_session
            assert raised.value.verification_required == ["email"]
        assert challenge.auth_session not in str(raised.value)
        assert await session(app) is None

    challenge = await call(app, "passkey_signup_challenge", user_profile={"email": address})
    (mail,) = app.tenant.outbox.take(Email)
    found = re.search(r"\b(\d{6})\b", mail.body)
    assert found is not None
    credential = SoftwareAuthenticator().create(challenge.authn_params_public_key)
    result = await call(
        app, "signin_with_passkey", challenge.auth_session, credential,
        verification={"email": found.group(1), "phone": None},
    )  # fmt: skip
    assert result.state_data["user"]["email"] == address
    assert (await session(app))["user"]["email"] == address


async def test_mfa_required_writes_nothing(pk_app: App) -> None:
    app = pk_app
    device = SoftwareAuthenticator()
    state = await sign_up(app, device)
    user_id = state["user"]["sub"]
    app.tenant.state.mfa.users.add(user_id)
    app.browser.cookies.clear()
    challenge = await call(app, "passkey_login_challenge")
    with pytest.raises(MfaRequiredError) as raised:
        await call(
            app,
            "signin_with_passkey",
            challenge.auth_session,
            device.get(challenge.authn_params_public_key),
        )
    assert raised.value.mfa_token
    assert await session(app) is None
    # Finished through server_client.mfa: persist=True starts the session from the ID token.
    app.tenant.state.mfa.authenticators.setdefault(user_id, []).append(
        Authenticator(
            id="totp|dev_passkey",
            user_id=user_id,
            authenticator_type="otp",
            secret="JBSWY3DPEHPK3PXP",
            active=True,
        )
    )
    app.tenant.state.mfa.fixed_code = "123456"
    token = raised.value.mfa_token
    await call(app, "challenge_authenticator", {"mfa_token": token, "factor_type": "otp"},
               client=app.client.mfa)  # fmt: skip
    await call(app, "verify", {"mfa_token": token, "otp": "123456", "persist": True},
               client=app.client.mfa)  # fmt: skip
    assert (await session(app))["user"]["sub"] == user_id


async def test_dpop_bound_sign_in(pk_app: App) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    app = pk_app
    device = SoftwareAuthenticator()
    await sign_up(app, device)
    app.browser.cookies.clear()
    challenge = await call(app, "passkey_login_challenge")
    key = ec.generate_private_key(ec.SECP256R1())
    result = await call(
        app,
        "signin_with_passkey",
        challenge.auth_session,
        device.get(challenge.authn_params_public_key),
        dpop_key=key,
    )
    assert result.state_data["token_sets"][0]["access_token"]
    assert (await session(app)) is not None


async def test_userinfo_is_merged_when_configured(pk_app: App) -> None:
    app = pk_app
    app.client = app.make_client(fetch_userinfo="login")
    log_size = len(app.tenant.state.log)
    state = await sign_up(app, SoftwareAuthenticator())
    assert state["user"]["email"] == email(app, "pat")
    paths = [entry.path for entry in app.tenant.state.log[log_size:]]
    assert "/userinfo" in paths
    assert (await session(app))["user"]["sub"] == state["user"]["sub"]


def test_errors_are_auth0_errors() -> None:
    assert issubclass(PasskeyError, Auth0Error)
