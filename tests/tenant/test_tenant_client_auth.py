"""Client authentication at /oauth/token: secret_basic, secret_post, private_key_jwt."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from auth0_core import FixedClock
from auth0_core.tenant import Tenant, TenantConfig, generate_signing_key
from auth0_core.tenant.authentication.client_auth import ASSERTION_TYPE

from .tenant_helpers import (
    BASE,
    CALLBACK,
    NOW,
    SECRET,
    basic,
    body,
    login,
    make_tenant,
    pkce,
    post_form,
)

# A grant_type the tenant does not support: authentication must pass first, so a well
# authenticated request answers 400 unsupported_grant_type and a badly authenticated one 401.
PROBE = {"grant_type": "urn:example:probe"}


def _status(response: Any) -> tuple[int, str]:
    return response.status, body(response)["error"]


def test_secret_basic_and_post(tenant: Tenant) -> None:
    assert _status(post_form(tenant, "/oauth/token", PROBE, basic())) == (
        400,
        "unsupported_grant_type",
    )
    fields = {**PROBE, "client_id": "demo-client", "client_secret": SECRET}
    assert _status(post_form(tenant, "/oauth/token", fields)) == (400, "unsupported_grant_type")


def test_basic_accepts_form_urlencoded_credentials(clock: FixedClock) -> None:
    secret = "a secret:with+reserved%chars"
    config = TenantConfig.from_dict(
        {"clients": [{"client_id": "app", "client_secret": secret, "callbacks": [CALLBACK]}]}
    )
    tenant = make_tenant(clock, config)
    raw = base64.b64encode(f"app:{secret}".encode()).decode()
    encoded = base64.b64encode(f"app:{quote(secret, safe='')}".encode()).decode()
    for credentials in (raw, encoded):
        headers = (("Authorization", f"Basic {credentials}"),)
        assert post_form(tenant, "/oauth/token", PROBE, headers).status == 400


@pytest.mark.parametrize(
    ("fields", "headers"),
    [
        ({}, basic(secret="wrong")),
        ({}, basic(client_id="nobody")),
        ({}, (("Authorization", "Basic !!!not-base64"),)),
        ({}, (("Authorization", "Basic " + base64.b64encode(b"no-colon").decode()),)),
        ({"client_id": "demo-client", "client_secret": "wrong"}, ()),
        ({"client_id": "demo-client"}, ()),
        ({}, ()),
        ({"client_id": "someone-else"}, basic()),
    ],
)
def test_bad_credentials_are_invalid_client(
    tenant: Tenant, fields: dict[str, str], headers: tuple[tuple[str, str], ...]
) -> None:
    response = post_form(tenant, "/oauth/token", {**PROBE, **fields}, headers)
    assert _status(response) == (401, "invalid_client")
    assert response.header("cache-control") == "no-store"


def test_two_methods_at_once_is_invalid_request(tenant: Tenant) -> None:
    response = post_form(tenant, "/oauth/token", {**PROBE, "client_secret": SECRET}, basic())
    assert _status(response) == (400, "invalid_request")


@pytest.fixture(scope="module")
def client_key() -> RSAKey:
    return generate_signing_key()


@pytest.fixture
def jwt_tenant(clock: FixedClock, client_key: RSAKey) -> Tenant:
    pem = client_key.as_pem(private=False).decode()
    config = TenantConfig.from_dict(
        {
            "clients": [
                {
                    "client_id": "jwt-app",
                    "token_endpoint_auth_method": "private_key_jwt",
                    "client_assertion_public_key": pem,
                    "callbacks": [CALLBACK],
                }
            ]
        }
    )
    return make_tenant(clock, config)


def _assertion(key: RSAKey, **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "iss": "jwt-app",
        "sub": "jwt-app",
        "aud": BASE + "/",
        "iat": NOW,
        "exp": NOW + 60,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return jwt.encode({"alg": "RS256"}, {k: v for k, v in claims.items() if v is not None}, key)


def _with_assertion(assertion: str, **extra: str) -> dict[str, str]:
    return {
        **PROBE,
        "client_assertion": assertion,
        "client_assertion_type": ASSERTION_TYPE,
        **extra,
    }


def test_private_key_jwt_full_code_flow(jwt_tenant: Tenant, client_key: RSAKey) -> None:
    verifier, challenge = pkce()
    code = login(jwt_tenant, challenge, client_id="jwt-app")["code"]
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
        "client_id": "jwt-app",
        "client_assertion": _assertion(client_key),
        "client_assertion_type": ASSERTION_TYPE,
    }
    response = post_form(jwt_tenant, "/oauth/token", fields)
    assert response.status == 200
    assert body(response)["id_token"]


def test_private_key_jwt_accepts_jwk_json_key(clock: FixedClock, client_key: RSAKey) -> None:
    jwk = json.dumps(client_key.as_dict(private=False))
    config = TenantConfig.from_dict(
        {
            "clients": [
                {
                    "client_id": "jwt-app",
                    "client_secret": "s" * 20,
                    "client_assertion_public_key": jwk,
                }
            ]
        }
    )
    tenant = make_tenant(clock, config)
    response = post_form(tenant, "/oauth/token", _with_assertion(_assertion(client_key)))
    assert _status(response) == (400, "unsupported_grant_type")


def test_assertion_jti_is_single_use(jwt_tenant: Tenant, client_key: RSAKey) -> None:
    assertion = _assertion(client_key)
    first = post_form(jwt_tenant, "/oauth/token", _with_assertion(assertion))
    assert _status(first) == (400, "unsupported_grant_type")
    second = post_form(jwt_tenant, "/oauth/token", _with_assertion(assertion))
    assert _status(second) == (401, "invalid_client")


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": BASE + "/oauth/token"},
        {"aud": "https://other.example/"},
        {"exp": None},
        {"exp": NOW - 10},
        {"exp": NOW + 3600},
        {"jti": None},
        {"iss": "demo-client"},
        {"sub": "someone"},
        {"iat": NOW + 600},
    ],
)
def test_bad_assertion_claims(
    jwt_tenant: Tenant, client_key: RSAKey, overrides: dict[str, Any]
) -> None:
    response = post_form(
        jwt_tenant, "/oauth/token", _with_assertion(_assertion(client_key, **overrides))
    )
    assert _status(response) == (401, "invalid_client")


def test_assertion_signed_by_another_key(jwt_tenant: Tenant) -> None:
    other = generate_signing_key()
    response = post_form(jwt_tenant, "/oauth/token", _with_assertion(_assertion(other)))
    assert _status(response) == (401, "invalid_client")


def test_assertion_wrong_type_or_garbage(jwt_tenant: Tenant, client_key: RSAKey) -> None:
    bad_type = {**_with_assertion(_assertion(client_key)), "client_assertion_type": "x"}
    assert _status(post_form(jwt_tenant, "/oauth/token", bad_type)) == (401, "invalid_client")
    garbage = _with_assertion("not.a.jwt")
    assert _status(post_form(jwt_tenant, "/oauth/token", garbage)) == (401, "invalid_client")


def test_private_key_jwt_client_cannot_use_a_secret(jwt_tenant: Tenant) -> None:
    fields = {**PROBE, "client_id": "jwt-app", "client_secret": "anything"}
    assert _status(post_form(jwt_tenant, "/oauth/token", fields)) == (401, "invalid_client")


def test_secret_client_without_key_rejects_assertions(tenant: Tenant, client_key: RSAKey) -> None:
    assertion = _assertion(client_key, iss="demo-client", sub="demo-client")
    response = post_form(tenant, "/oauth/token", _with_assertion(assertion))
    assert _status(response) == (401, "invalid_client")
