"""The official ``MyAccountClient`` (auth0-server-python 1.0.0b20) against the emulated tenant
served over HTTPS: the tenant's factors and authentication-methods answers are what the
official client reads (202 with ``Location``, the factors object, methods, 204, RFC 7807
problems), with a Bearer token and with a DPoP-bound one presented by the official
``DPoPAuth`` with a ``jwcrypto`` key. The user's token comes from our own client (MRRT)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from jwcrypto import jwk  # type: ignore[import-untyped]

import auth0_requests
from auth0_core.tenant.my_account.totp import secret_from_base32, totp_code
from auth0_core.testing.passkeys import SoftwareAuthenticator

from . import test_official_sdk_against_tenant as base
from .test_official_sdk_against_tenant import CALLBACK, CLIENT_ID, CLIENT_SECRET, SECRET, Served

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from auth0_server_python.auth_server.my_account_client import (  # type: ignore[import-untyped]
        MyAccountClient,
    )
from auth0_server_python.auth_types import (  # type: ignore[import-untyped]
    EnrollAuthenticationMethodRequest,
    PasskeyAuthResponse,
    PasskeyPublicKeyOptions,
    UpdateAuthenticationMethodRequest,
    VerifyAuthenticationMethodRequest,
)
from auth0_server_python.error import MyAccountApiError  # type: ignore[import-untyped]

# The served tenant and its trusted CA, as the official login test has them.
served, trusted, anyio_backend = base.served, base.trusted, base.anyio_backend
SCOPES = (
    "read:me:factors read:me:authentication-methods create:me:authentication-methods "
    "update:me:authentication-methods delete:me:authentication-methods"
)


def my_account_token(where: Served, dpop_key: Any = None) -> str:
    """alice's token for the tenant's My Account API, from a login with our sync client."""
    options: dict[str, Any] = {"dpop_key": dpop_key} if dpop_key is not None else {}
    client = auth0_requests.ServerClient(
        domain=where.base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": CALLBACK},
        ssl_context=where.trust,
        **options,
    )
    with client:
        url = client.start_interactive_login()
        client.complete_interactive_login(where.browser_login(url))
        token = client.get_access_token(audience=f"{where.base_url}/me/", scope=SCOPES)
    assert isinstance(token, str)
    return token


@pytest.mark.anyio
@pytest.mark.parametrize("dpop", [False, True], ids=["bearer", "dpop"])
async def test_the_official_client_runs_the_lifecycle(trusted: Served, dpop: bool) -> None:
    key = jwk.JWK.generate(kty="EC", crv="P-256") if dpop else None
    token = my_account_token(trusted, key.export_private(as_dict=True) if key else None)
    my_account = MyAccountClient(domain=trusted.host_port)

    factors = await my_account.get_factors(access_token=token, dpop_key=key)
    assert [factor.type for factor in factors.factors] == ["totp", "email", "phone", "passkey"]

    challenge = await my_account.enroll_authentication_method(
        access_token=token, request=EnrollAuthenticationMethodRequest(type="totp"), dpop_key=key
    )
    assert challenge.authentication_method_id.startswith("totp|dev_")
    secret = secret_from_base32(challenge.manual_input_code)
    method = await my_account.verify_authentication_method(
        access_token=token,
        authentication_method_id=challenge.authentication_method_id,
        request=VerifyAuthenticationMethodRequest(
            auth_session=challenge.auth_session,
            otp_code=totp_code(secret, trusted.tenant.state.env.now()),
        ),
        dpop_key=key,
    )
    assert (method.id, method.type, method.confirmed) == (
        challenge.authentication_method_id,
        "totp",
        True,
    )

    listed = await my_account.list_authentication_methods(
        access_token=token, type_filter="totp", dpop_key=key
    )
    assert method.id in [m.id for m in listed.authentication_methods]
    renamed = await my_account.update_authentication_method(
        access_token=token,
        authentication_method_id=method.id,
        request=UpdateAuthenticationMethodRequest(name="Phone app"),
        dpop_key=key,
    )
    assert renamed.name == "Phone app"
    assert (
        await my_account.delete_authentication_method(
            access_token=token, authentication_method_id=method.id, dpop_key=key
        )
        is None
    )
    with pytest.raises(MyAccountApiError) as gone:
        await my_account.get_authentication_method(
            access_token=token, authentication_method_id=method.id, dpop_key=key
        )
    assert gone.value.status == 404


@pytest.mark.anyio
async def test_the_official_client_reads_the_tenants_refusals(trusted: Served) -> None:
    token = my_account_token(trusted)
    my_account = MyAccountClient(domain=trusted.host_port)
    with pytest.raises(MyAccountApiError) as refused:
        await my_account.enroll_authentication_method(
            access_token=token,
            request=EnrollAuthenticationMethodRequest(type="push-notification"),
        )
    assert refused.value.status == 400
    assert refused.value.validation_errors[0]["field"] == "type"


@pytest.mark.anyio
async def test_the_official_client_enrolls_a_passkey(trusted: Served) -> None:
    token = my_account_token(trusted)
    my_account = MyAccountClient(domain=trusted.host_port)
    challenge = await my_account.enroll_authentication_method(
        access_token=token, request=EnrollAuthenticationMethodRequest(type="passkey")
    )
    options = challenge.authn_params_public_key
    assert isinstance(options, PasskeyPublicKeyOptions)  # the official model reads our shape
    assert options.rp is not None
    assert options.user is not None
    credential = SoftwareAuthenticator().create(options.model_dump(by_alias=True))
    method = await my_account.verify_authentication_method(
        access_token=token,
        authentication_method_id=challenge.authentication_method_id,
        request=VerifyAuthenticationMethodRequest(
            auth_session=challenge.auth_session,
            authn_response=PasskeyAuthResponse(
                id=credential["id"],
                raw_id=credential["rawId"],
                type="public-key",
                response=credential["response"],
            ),
        ),
    )
    assert (method.id, method.type) == (challenge.authentication_method_id, "passkey")
    assert method.key_id == credential["rawId"]
    listed = await my_account.list_authentication_methods(access_token=token, type_filter="passkey")
    assert [m.id for m in listed.authentication_methods] == [method.id]
    await my_account.delete_authentication_method(
        access_token=token, authentication_method_id=method.id
    )
