"""The official ``ServerClient`` (auth0-server-python 1.0.0b20) runs its passkey calls against
the emulated tenant served over HTTPS: ``passkey_signup_challenge`` and
``passkey_login_challenge`` parse the tenant's answers into their models, and
``signin_with_passkey`` exchanges credentials made by our software authenticator (its
``PasskeyAuthResponse``), validates the tenant's ID token and writes its session; a spoiled
assertion is the official ``PasskeyError`` with the tenant's ``invalid_grant``."""

from __future__ import annotations

import pytest
from auth0_server_python.auth_types import (  # type: ignore[import-untyped]
    PasskeyAuthResponse,
    PasskeyUserProfile,
)
from auth0_server_python.error import PasskeyError  # type: ignore[import-untyped]

from auth0_core.testing.passkeys import SoftwareAuthenticator

from . import test_official_sdk_against_tenant as base
from .test_official_sdk_against_tenant import Served, official_client

served, trusted, anyio_backend = base.served, base.trusted, base.anyio_backend


def credential_model(credential: dict[str, object]) -> object:
    return PasskeyAuthResponse.model_validate(credential)


@pytest.mark.anyio
async def test_the_official_client_signs_up_and_logs_in_with_a_passkey(trusted: Served) -> None:
    trusted.tenant.state.passkeys.reset()
    client = official_client(trusted)
    device = SoftwareAuthenticator()
    challenge = await client.passkey_signup_challenge(
        user_profile=PasskeyUserProfile(email="official@passkeys.example", name="Official"),
        connection="Username-Password-Authentication",
    )
    options = challenge.authn_params_public_key
    assert options.rp.id == "127.0.0.1"
    assert options.user.display_name == "Official"
    assert options.authenticator_selection.user_verification == "required"
    created = device.create(options.model_dump(by_alias=True, exclude_none=True))
    result = await client.signin_with_passkey(
        auth_session=challenge.auth_session,
        authn_response=credential_model(created),
        scope="openid profile email",
    )
    user = result.state_data["user"]
    assert user["sub"].startswith("auth0|")
    assert user["email"] == "official@passkeys.example"
    session = await client.get_session()
    assert session["user"]["sub"] == user["sub"]

    login = await client.passkey_login_challenge()
    assert login.authn_params_public_key.rp_id == "127.0.0.1"
    request_options = login.authn_params_public_key.model_dump(by_alias=True, exclude_none=True)
    assertion = device.get(request_options)
    result = await client.signin_with_passkey(
        auth_session=login.auth_session, authn_response=credential_model(assertion)
    )
    assert result.state_data["user"]["sub"] == user["sub"]

    login = await client.passkey_login_challenge()
    request_options = login.authn_params_public_key.model_dump(by_alias=True, exclude_none=True)
    spoiled = device.get(request_options, corrupt_signature=True)
    with pytest.raises(PasskeyError) as raised:
        await client.signin_with_passkey(
            auth_session=login.auth_session, authn_response=credential_model(spoiled)
        )
    assert raised.value.code == "invalid_grant"
    assert raised.value.status_code == 403
