"""My Account factors and authentication methods (issue 17, item 4) end to end in every mode
(sync, asyncio, trio; in process and over loopback): the user's token comes from the session
through MRRT (``get_access_token(audience=.../me/, scope=...)``, as the official example gets
it) and goes to ``MyAccountClient`` as Bearer, or as DPoP with the key it is bound to.

Passkeys: enrolled with a credential :class:`~auth0_core.testing.passkeys.SoftwareAuthenticator`
makes over the enrollment's creation options, verified by the tenant's passkey verifier
(py_webauthn), then used by ``ServerClient.signin_with_passkey`` to log in; a spoiled
registration (challenge, origin, RP ID, client data type, packed signature, user verification)
and a replayed ``auth_session`` are each a ``MyAccountApiError`` with nothing stored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import auth0_anyio
import auth0_requests
from auth0_core import Env
from auth0_core.auth_types import (
    EnrollAuthenticationMethodRequest,
    PasskeyAuthResponse,
    UpdateAuthenticationMethodRequest,
    VerifyAuthenticationMethodRequest,
)
from auth0_core.errors import (
    InvalidArgumentError,
    MissingRequiredArgumentError,
    MyAccountApiError,
    PasskeyError,
)
from auth0_core.tenant.my_account.methods_store import MethodStore
from auth0_core.tenant.my_account.totp import secret_from_base32, totp_code
from auth0_core.tenant.outbox import Email, TextMessage
from auth0_core.testing.passkeys import FLAG_AT, FLAG_UP, SoftwareAuthenticator, unb64url

from .conftest import App

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fresh_methods")]
ALL_SCOPES = (
    "read:me:factors read:me:authentication_methods create:me:authentication_methods "
    "update:me:authentication_methods delete:me:authentication_methods"
)
# One key for the whole module: the tenant binds the tokens to it (cnf.jkt).
DPOP_PEM = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    .decode("ascii")
)


@pytest.fixture
def fresh_methods(app: App) -> Iterator[None]:
    """The loopback tenant is shared by the whole run: forget every method, passkey and
    message."""
    state = app.tenant.state
    state.authentication_methods = MethodStore(state.env)
    state.passkeys.reset()
    state.outbox.take(Email)
    state.outbox.take(TextMessage)
    yield
    state.authentication_methods = MethodStore(state.env)
    state.passkeys.reset()


def my_account_client(app: App) -> Any:
    """A ``MyAccountClient`` of the app's mode, talking to the app's tenant."""
    inprocess = app.mode.endswith("inprocess")
    env = Env(clock=app.clock)
    if app.mode.startswith("sync"):
        session = requests.Session()
        if inprocess:
            session.mount(app.base_url, auth0_requests.HandlerAdapter(app.handler))
        return auth0_requests.MyAccountClient(domain=app.base_url, session=session, env=env)
    transport = auth0_anyio.handler_transport(app.handler) if inprocess else None
    return auth0_anyio.MyAccountClient(
        domain=app.base_url, http_client=httpx.AsyncClient(transport=transport), env=env
    )


async def token_for(app: App, scope: str = ALL_SCOPES, *, dpop: bool = False) -> str:
    """Log alice in (with a DPoP client when asked) and take a /me/ token for ``scope``."""
    if dpop:
        app.client = app.make_client(dpop_key=DPOP_PEM)
    await app.login()
    store = app.browser.store_options()
    token = await app.call(
        "get_access_token", store_options=store, audience=f"{app.base_url}/me/", scope=scope
    )
    app.browser.absorb(store)
    assert isinstance(token, str)
    return token


def code_in(message: Email | TextMessage) -> str:
    return message.body.rsplit(" ", 1)[-1]


def no_secret_in(error: BaseException, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in str(error)
        assert secret not in repr(error)
        assert secret not in repr(error.args)


def my_account_requests(app: App) -> int:
    return sum(1 for entry in app.tenant.log if entry.path.startswith("/me/"))


@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
async def test_the_whole_lifecycle(app: App, dpop: bool) -> None:
    token = await token_for(app, dpop=dpop)
    client = my_account_client(app)
    key = DPOP_PEM if dpop else None
    assert client.audience == f"{app.base_url}/me/"

    factors = await app.call("get_factors", access_token=token, dpop_key=key, client=client)
    assert [(f.type, f.usage) for f in factors.factors] == [
        ("totp", ["secondary"]),
        ("email", ["secondary"]),
        ("phone", ["secondary"]),
        ("passkey", ["primary"]),
    ]

    # TOTP: the secret comes back, the app computes the code, the enrollment is confirmed.
    challenge = await app.call(
        "enroll_authentication_method",
        access_token=token,
        request=EnrollAuthenticationMethodRequest(type="totp"),
        dpop_key=key,
        client=client,
    )
    assert challenge.authentication_method_id.startswith("totp|dev_")
    assert challenge.barcode_uri.startswith("otpauth://totp/")
    for secret in (challenge.auth_session, challenge.manual_input_code, challenge.barcode_uri):
        assert secret not in repr(challenge)
    otp = totp_code(secret_from_base32(challenge.manual_input_code), app.clock())
    totp = await app.call(
        "verify_authentication_method",
        access_token=token,
        authentication_method_id=challenge.authentication_method_id,
        request=VerifyAuthenticationMethodRequest(
            auth_session=challenge.auth_session, otp_code=otp
        ),
        dpop_key=key,
        client=client,
    )
    assert (totp.id, totp.type, totp.confirmed) == (
        challenge.authentication_method_id,
        "totp",
        True,
    )

    # E-mail and phone: the code goes to the tenant's outbox; requests as plain dicts.
    email_start = await app.call(
        "enroll_authentication_method",
        access_token=token,
        request={"type": "email", "email": "alice@example.com"},
        dpop_key=key,
        client=client,
    )
    [mail] = app.tenant.state.outbox.take(Email)
    assert mail.to == "alice@example.com"
    email = await app.call(
        "verify_authentication_method",
        access_token=token,
        authentication_method_id=email_start.authentication_method_id,
        request={"auth_session": email_start.auth_session, "otp_code": code_in(mail)},
        dpop_key=key,
        client=client,
    )
    assert email.email == "alice@example.com"
    phone_start = await app.call(
        "enroll_authentication_method",
        access_token=token,
        request={"type": "phone", "phone_number": "+15555550100"},
        dpop_key=key,
        client=client,
    )
    [text] = app.tenant.state.outbox.take(TextMessage)
    phone = await app.call(
        "verify_authentication_method",
        access_token=token,
        authentication_method_id=phone_start.authentication_method_id,
        request={"auth_session": phone_start.auth_session, "otp_code": code_in(text)},
        dpop_key=key,
        client=client,
    )
    assert (phone.phone_number, phone.preferred_authentication_method) == ("+15555550100", "sms")

    listed = await app.call(
        "list_authentication_methods", access_token=token, dpop_key=key, client=client
    )
    assert [m.id for m in listed.authentication_methods] == [totp.id, email.id, phone.id]
    only_totp = await app.call(
        "list_authentication_methods",
        access_token=token,
        type_filter="totp",
        dpop_key=key,
        client=client,
    )
    assert [m.id for m in only_totp.authentication_methods] == [totp.id]

    got = await app.call(
        "get_authentication_method",
        access_token=token,
        authentication_method_id=totp.id,  # "totp|dev_...": the "|" is percent-encoded
        dpop_key=key,
        client=client,
    )
    assert got == totp

    renamed = await app.call(
        "update_authentication_method",
        access_token=token,
        authentication_method_id=totp.id,
        request=UpdateAuthenticationMethodRequest(name="My Authenticator App"),
        dpop_key=key,
        client=client,
    )
    assert renamed.name == "My Authenticator App"
    voice = await app.call(
        "update_authentication_method",
        access_token=token,
        authentication_method_id=phone.id,
        request={"preferred_authentication_method": "voice"},
        dpop_key=key,
        client=client,
    )
    assert voice.preferred_authentication_method == "voice"

    deleted = await app.call(
        "delete_authentication_method",
        access_token=token,
        authentication_method_id=totp.id,
        dpop_key=key,
        client=client,
    )
    assert deleted is None
    left = await app.call(
        "list_authentication_methods", access_token=token, dpop_key=key, client=client
    )
    assert [m.id for m in left.authentication_methods] == [email.id, phone.id]
    assert left.authentication_methods[0].to_dict()["email"] == "alice@example.com"
    with pytest.raises(MyAccountApiError) as gone:
        await app.call(
            "get_authentication_method",
            access_token=token,
            authentication_method_id=totp.id,
            dpop_key=key,
            client=client,
        )
    assert gone.value.status == 404
    no_secret_in(gone.value, token)


async def test_a_bound_token_without_its_key_is_refused(app: App) -> None:
    token = await token_for(app, dpop=True)
    client = my_account_client(app)
    with pytest.raises(MyAccountApiError) as refused:
        await app.call("get_factors", access_token=token, client=client)
    assert refused.value.status == 401
    no_secret_in(refused.value, token)


async def test_a_missing_scope_is_a_403(app: App) -> None:
    token = await token_for(app, scope="read:me:factors read:me:authentication_methods")
    client = my_account_client(app)
    assert (await app.call("get_factors", access_token=token, client=client)).factors
    for method, kwargs in (
        ("enroll_authentication_method", {"request": {"type": "totp"}}),
        ("delete_authentication_method", {"authentication_method_id": "totp|dev_x"}),
        ("update_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {"name": "x"}}),
    ):  # fmt: skip
        with pytest.raises(MyAccountApiError) as refused:
            await app.call(method, access_token=token, client=client, **kwargs)
        assert refused.value.status == 403
        assert "authentication_methods" in str(refused.value)
        no_secret_in(refused.value, token)


async def test_the_sdk_docs_hyphenated_scopes_work_too(app: App) -> None:
    hyphens = ALL_SCOPES.replace("authentication_methods", "authentication-methods")
    token = await token_for(app, scope=hyphens)
    client = my_account_client(app)
    challenge = await app.call(
        "enroll_authentication_method", access_token=token, request={"type": "totp"}, client=client
    )
    assert challenge.authentication_method_id.startswith("totp|")
    assert await app.call("list_authentication_methods", access_token=token, client=client)


async def test_a_wrong_code_is_a_403_and_the_fifth_ends_the_enrollment(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    challenge = await app.call(
        "enroll_authentication_method", access_token=token, request={"type": "totp"}, client=client
    )
    right = totp_code(secret_from_base32(challenge.manual_input_code), app.clock())
    wrong = str((int(right) + 500_000) % 1_000_000).zfill(6)
    proof = {"auth_session": challenge.auth_session, "otp_code": wrong}
    for attempt in range(5):
        with pytest.raises(MyAccountApiError) as refused:
            await app.call(
                "verify_authentication_method",
                access_token=token,
                authentication_method_id=challenge.authentication_method_id,
                request=proof,
                client=client,
            )
        assert refused.value.status == 403
        no_secret_in(refused.value, token, wrong, challenge.auth_session, right)
        if attempt == 4:
            assert "start again" in str(refused.value)
    with pytest.raises(MyAccountApiError) as ended:  # the right code comes too late
        await app.call(
            "verify_authentication_method",
            access_token=token,
            authentication_method_id=challenge.authentication_method_id,
            request={"auth_session": challenge.auth_session, "otp_code": right},
            client=client,
        )
    assert ended.value.status == 404
    listed = await app.call("list_authentication_methods", access_token=token, client=client)
    assert listed.authentication_methods == []


async def test_unknown_ids_and_sessions(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    for method, extra in (
        ("get_authentication_method", {}),
        ("delete_authentication_method", {}),
        ("update_authentication_method", {"request": {"name": "x"}}),
        ("verify_authentication_method", {"request": {"auth_session": "s", "otp_code": "123456"}}),
    ):
        with pytest.raises(MyAccountApiError) as missing:
            await app.call(
                method,
                access_token=token,
                authentication_method_id="totp|dev_unknown",
                client=client,
                **extra,
            )
        assert missing.value.status == 404
        no_secret_in(missing.value, token)
    challenge = await app.call(
        "enroll_authentication_method", access_token=token, request={"type": "totp"}, client=client
    )
    with pytest.raises(MyAccountApiError) as other_session:
        await app.call(
            "verify_authentication_method",
            access_token=token,
            authentication_method_id=challenge.authentication_method_id,
            request={"auth_session": "another-session", "otp_code": "123456"},
            client=client,
        )
    assert other_session.value.status == 403


async def test_types_this_tenant_does_not_enroll_are_a_400(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    with pytest.raises(MyAccountApiError) as refused:
        await app.call(
            "enroll_authentication_method",
            access_token=token,
            request=EnrollAuthenticationMethodRequest(type="push-notification"),
            client=client,
        )
    assert refused.value.status == 400
    assert refused.value.validation_errors
    assert refused.value.validation_errors[0]["field"] == "type"
    assert "not supported by this tenant" in str(refused.value)


# --- passkeys ---------------------------------------------------------------------------------


async def enroll_passkey(app: App, token: str, client: Any, *, dpop: bool = False) -> Any:
    """Start a passkey enrollment with the official request type."""
    return await app.call(
        "enroll_authentication_method",
        access_token=token,
        request=EnrollAuthenticationMethodRequest(type="passkey"),
        dpop_key=DPOP_PEM if dpop else None,
        client=client,
    )


async def verify_passkey(
    app: App, token: str, client: Any, method_id: str, auth_session: str,
    credential: dict[str, Any], *, dpop: bool = False,
) -> Any:  # fmt: skip
    """Verify it with the browser's credential, as the official example builds the request."""
    return await app.call(
        "verify_authentication_method",
        access_token=token,
        authentication_method_id=method_id,
        request=VerifyAuthenticationMethodRequest(
            auth_session=auth_session,
            authn_response=PasskeyAuthResponse(
                id=credential["id"],
                raw_id=credential["rawId"],
                type="public-key",
                response={
                    "clientDataJSON": credential["response"]["clientDataJSON"],
                    "attestationObject": credential["response"]["attestationObject"],
                },
            ),
        ),
        dpop_key=DPOP_PEM if dpop else None,
        client=client,
    )


def alices_credentials(app: App) -> list[bytes]:
    return [
        c.credential_id
        for c in app.tenant.state.passkeys.credentials.values()
        if c.user_id == "auth0|alice"
    ]


@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
async def test_a_passkey_enrolled_through_my_account_logs_the_user_in(app: App, dpop: bool) -> None:
    token = await token_for(app, dpop=dpop)
    client = my_account_client(app)
    device = SoftwareAuthenticator()

    challenge = await enroll_passkey(app, token, client, dpop=dpop)
    assert challenge.authentication_method_id.startswith("passkey|dev_")
    options = challenge.authn_params_public_key
    rp_id = app.tenant.state.passkeys.rp_id(app.base_url)
    assert options.rp is not None
    assert options.rp.id == rp_id
    assert options.user is not None
    assert unb64url(options.user.id) == b"auth0|alice"
    assert options.authenticator_selection is not None
    assert options.authenticator_selection.user_verification == "required"
    assert options.to_dict()["excludeCredentials"] == []
    assert challenge.to_dict()["authn_params_public_key"] == options.to_dict()
    assert challenge.auth_session not in repr(challenge)

    credential = device.create(options, attestation="packed")
    method = await verify_passkey(
        app, token, client, challenge.authentication_method_id, challenge.auth_session,
        credential, dpop=dpop,
    )  # fmt: skip
    assert (method.id, method.type, method.confirmed) == (
        challenge.authentication_method_id,
        "passkey",
        True,
    )
    assert method.usage == ["primary"]
    assert method.key_id == credential["id"]
    assert method.relying_party_id == rp_id
    assert unb64url(method.user_handle or "") == b"auth0|alice"
    assert method.credential_device_type == "single_device"
    assert method.credential_backed_up is False
    assert alices_credentials(app) == [unb64url(credential["rawId"])]

    listed = await app.call(
        "list_authentication_methods", access_token=token, type_filter="passkey",
        dpop_key=DPOP_PEM if dpop else None, client=client,
    )  # fmt: skip
    assert listed.authentication_methods == [method]
    renamed = await app.call(
        "update_authentication_method", access_token=token,
        authentication_method_id=method.id, request={"name": "Laptop"},
        dpop_key=DPOP_PEM if dpop else None, client=client,
    )  # fmt: skip
    assert (renamed.name, renamed.key_id) == ("Laptop", method.key_id)

    # A second enrollment excludes the credential the user has.
    second = await enroll_passkey(app, token, client, dpop=dpop)
    excluded = second.authn_params_public_key.to_dict()["excludeCredentials"]
    assert excluded == [{"type": "public-key", "id": credential["rawId"]}]

    # Another browser: a passkey login with the enrolled credential, through ServerClient.
    app.browser.cookies.clear()
    store = app.browser.store_options()
    login = await app.call("passkey_login_challenge", store_options=store)
    assertion = device.get(login.authn_params_public_key)
    result = await app.call(
        "signin_with_passkey", login.auth_session, assertion, store_options=store
    )
    app.browser.absorb(store)
    assert result.state_data["user"]["sub"] == "auth0|alice"
    found = await app.call("get_session", store_options=app.browser.store_options())
    assert found["user"]["sub"] == "auth0|alice"

    # Deleting the method unregisters the credential: it logs nobody in any more.
    await app.call(
        "delete_authentication_method", access_token=token, authentication_method_id=method.id,
        dpop_key=DPOP_PEM if dpop else None, client=client,
    )  # fmt: skip
    assert alices_credentials(app) == []
    app.browser.cookies.clear()
    store = app.browser.store_options()
    login = await app.call("passkey_login_challenge", store_options=store)
    with pytest.raises(PasskeyError) as refused:
        await app.call(
            "signin_with_passkey", login.auth_session,
            device.get(login.authn_params_public_key), store_options=store,
        )  # fmt: skip
    assert "not registered" in str(refused.value)


PASSKEY_SPOILERS: dict[str, dict[str, Any]] = {
    "wrong challenge": {"challenge": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
    "wrong origin": {"origin": "https://evil.example"},
    "wrong rp id": {"rp_id": "evil.example"},
    "login instead of create": {"client_data_type": "webauthn.get"},
    "bad packed signature": {"attestation": "packed", "corrupt_signature": True},
    "user not verified": {"flags": FLAG_UP | FLAG_AT},
}


@pytest.mark.parametrize("spoiler", sorted(PASSKEY_SPOILERS))
async def test_a_spoiled_registration_is_refused_and_nothing_is_stored(
    app: App, spoiler: str
) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    device = SoftwareAuthenticator()
    challenge = await enroll_passkey(app, token, client)
    spoiled = device.create(challenge.authn_params_public_key, **PASSKEY_SPOILERS[spoiler])
    log_size = my_account_requests(app)
    with pytest.raises(MyAccountApiError) as refused:
        await verify_passkey(
            app, token, client, challenge.authentication_method_id, challenge.auth_session,
            spoiled,
        )  # fmt: skip
    assert refused.value.status == 403
    assert "start again" in str(refused.value)
    no_secret_in(refused.value, token, challenge.auth_session)
    assert my_account_requests(app) == log_size + 1  # the tenant refused it, not the SDK
    listed = await app.call("list_authentication_methods", access_token=token, client=client)
    assert listed.authentication_methods == []
    assert alices_credentials(app) == []
    # The challenge answered once: even a right credential is too late for it.
    right = device.create(challenge.authn_params_public_key)
    with pytest.raises(MyAccountApiError) as ended:
        await verify_passkey(
            app, token, client, challenge.authentication_method_id, challenge.auth_session,
            right,
        )  # fmt: skip
    assert ended.value.status == 404
    assert alices_credentials(app) == []


async def test_a_replayed_auth_session_is_refused(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    device = SoftwareAuthenticator()
    first = await enroll_passkey(app, token, client)
    credential = device.create(first.authn_params_public_key)
    method = await verify_passkey(
        app, token, client, first.authentication_method_id, first.auth_session, credential
    )
    # The same session and enrollment again, with a new credential over its challenge.
    again = device.create(first.authn_params_public_key)
    with pytest.raises(MyAccountApiError) as used:
        await verify_passkey(
            app, token, client, first.authentication_method_id, first.auth_session, again
        )
    assert used.value.status == 404
    no_secret_in(used.value, token, first.auth_session)
    # The used session on a new enrollment, with a credential over the new challenge.
    second = await enroll_passkey(app, token, client)
    other = device.create(second.authn_params_public_key)
    with pytest.raises(MyAccountApiError) as foreign:
        await verify_passkey(
            app, token, client, second.authentication_method_id, first.auth_session, other
        )
    assert foreign.value.status == 403
    no_secret_in(foreign.value, token, first.auth_session, second.auth_session)
    # The credential already registered, offered to the new enrollment.
    with pytest.raises(MyAccountApiError) as reused:
        await verify_passkey(
            app, token, client, second.authentication_method_id, second.auth_session, credential
        )
    assert reused.value.status == 403
    listed = await app.call("list_authentication_methods", access_token=token, client=client)
    assert [m.id for m in listed.authentication_methods] == [method.id]
    assert alices_credentials(app) == [unb64url(credential["rawId"])]


async def test_a_passkey_verification_needs_the_credential(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    challenge = await enroll_passkey(app, token, client)
    with pytest.raises(MyAccountApiError) as refused:  # an OTP is no proof of a passkey
        await app.call(
            "verify_authentication_method",
            access_token=token,
            authentication_method_id=challenge.authentication_method_id,
            request={"auth_session": challenge.auth_session, "otp_code": "123456"},
            client=client,
        )
    assert refused.value.status == 400
    errors = refused.value.validation_errors
    assert errors is not None
    assert errors[0]["field"] == "authn_response"
    assert alices_credentials(app) == []


async def test_the_tenant_validates_what_the_sdk_lets_through(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    challenge = await app.call(
        "enroll_authentication_method", access_token=token, request={"type": "totp"}, client=client
    )
    otp = totp_code(secret_from_base32(challenge.manual_input_code), app.clock())
    totp = await app.call(
        "verify_authentication_method",
        access_token=token,
        authentication_method_id=challenge.authentication_method_id,
        request={"auth_session": challenge.auth_session, "otp_code": otp},
        client=client,
    )
    with pytest.raises(MyAccountApiError) as refused:  # only phone methods have one
        await app.call(
            "update_authentication_method",
            access_token=token,
            authentication_method_id=totp.id,
            request={"preferred_authentication_method": "voice"},
            client=client,
        )
    assert refused.value.status == 400
    errors = refused.value.validation_errors
    assert errors is not None
    assert errors[0]["field"] == "preferred_authentication_method"


async def test_invalid_input_is_refused_before_any_request(app: App) -> None:
    token = await token_for(app)
    client = my_account_client(app)
    before = my_account_requests(app)
    bad_calls: list[tuple[str, dict[str, Any], type[InvalidArgumentError], str]] = [
        ("get_factors", {"access_token": None}, MissingRequiredArgumentError, "access_token"),
        ("get_factors", {"access_token": "has a blank"}, InvalidArgumentError, "access_token"),
        ("list_authentication_methods", {"type_filter": "sms"}, InvalidArgumentError,
         "type_filter"),
        ("get_authentication_method", {"authentication_method_id": ""},
         MissingRequiredArgumentError, "authentication_method_id"),
        ("delete_authentication_method", {"authentication_method_id": "totp|\n"},
         InvalidArgumentError, "authentication_method_id"),
        ("enroll_authentication_method", {"request": None}, MissingRequiredArgumentError,
         "request"),
        ("enroll_authentication_method", {"request": {"type": "sms"}}, InvalidArgumentError,
         "type"),
        ("enroll_authentication_method", {"request": {"type": "email"}},
         MissingRequiredArgumentError, "email"),
        ("enroll_authentication_method", {"request": {"type": "email", "email": "not-mail"}},
         InvalidArgumentError, "email"),
        ("enroll_authentication_method", {"request": {"type": "phone", "phone_number": "555"}},
         InvalidArgumentError, "phone_number"),
        ("enroll_authentication_method", {"request": {"type": "totp", "colour": "red"}},
         InvalidArgumentError, "request"),
        ("update_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {}}, InvalidArgumentError, "request"),
        ("update_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {"name": "  "}}, InvalidArgumentError,
         "name"),
        ("update_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {"preferred_authentication_method": "fax"}},
         InvalidArgumentError, "preferred_authentication_method"),
        ("verify_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {"otp_code": "123456"}},
         InvalidArgumentError, "request"),
        ("verify_authentication_method", {"authentication_method_id": "totp|dev_x",
                                          "request": {"auth_session": ""}},
         MissingRequiredArgumentError, "auth_session"),
        ("get_factors", {"dpop_key": "not a key"}, InvalidArgumentError, "dpop_key"),
    ]  # fmt: skip
    for method, kwargs, error, argument in bad_calls:
        arguments = {"access_token": token, **kwargs}
        with pytest.raises(error) as refused:
            await app.call(method, client=client, **arguments)
        assert refused.value.argument == argument, (method, kwargs)
        no_secret_in(refused.value, token)
    with pytest.raises(InvalidArgumentError):  # refused when built, as the official model is
        EnrollAuthenticationMethodRequest(type="sms")
    assert my_account_requests(app) == before


def test_the_request_and_result_types_hide_their_secrets() -> None:
    proof = VerifyAuthenticationMethodRequest(auth_session="session-secret", otp_code="123456")
    assert "session-secret" not in repr(proof)
    assert "123456" not in repr(proof)
    assert proof.model_dump() == {"auth_session": "session-secret", "otp_code": "123456"}
    enroll = EnrollAuthenticationMethodRequest(type="phone", phone_number="+15555550100")
    assert enroll.to_dict() == {"type": "phone", "phone_number": "+15555550100"}
