"""The tenant's ``private_key_jwt`` verification with every algorithm it accepts (RS256..PS512,
ES256..ES512): registered credentials and their kids, key selection by ``kid``, ``alg`` against
the key type and the credential, signature, ``aud``, ``exp`` and ``jti`` replay; and the
configuration of ``client_assertion_credentials``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from auth0_core import FixedClock
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import AcceptedAssertion, Tenant, TenantConfig
from auth0_core.tenant.authentication.client_auth import ASSERTION_TYPE
from auth0_core.tenant.client_keys import ASSERTION_ALGORITHMS

from .tenant_helpers import BASE, CALLBACK, NOW, body, get, make_tenant, post_form

PROBE = {"grant_type": "urn:example:probe"}  # authenticated: 400; not: 401
CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}
RSA = RSAKey.generate_key(2048, private=True)
EC = {alg: ECKey.generate_key(crv, private=True) for alg, crv in CURVES.items()}


SMALL_RSA_PUBLIC = (
    rsa.generate_private_key(public_exponent=65537, key_size=1024)
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)


def key_for(alg: str) -> RSAKey | ECKey:
    return EC.get(alg, RSA)


def public(key: RSAKey | ECKey) -> str:
    return key.as_pem(private=False).decode()


def tenant_with(clock: FixedClock, *credentials: dict[str, Any], **client: Any) -> Tenant:
    config = TenantConfig.from_dict(
        {
            "clients": [
                {
                    "client_id": "jwt-app",
                    "token_endpoint_auth_method": "private_key_jwt",
                    "client_assertion_credentials": list(credentials),
                    "callbacks": [CALLBACK],
                    **client,
                }
            ]
        }
    )
    return make_tenant(clock, config)


def assertion(key: RSAKey | ECKey, header: dict[str, Any], **overrides: Any) -> str:
    claims: dict[str, Any] = {
        "iss": "jwt-app",
        "sub": "jwt-app",
        "aud": BASE + "/",
        "iat": NOW,
        "exp": NOW + 60,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    return jwt.encode(header, claims, key, algorithms=[header["alg"]])


def post(tenant: Tenant, token: str) -> tuple[int, str]:
    fields = {**PROBE, "client_assertion": token, "client_assertion_type": ASSERTION_TYPE}
    response = post_form(tenant, "/oauth/token", fields)
    payload = body(response)
    return response.status, f"{payload['error']}: {payload.get('error_description', '')}"


@pytest.mark.parametrize("alg", ASSERTION_ALGORITHMS)
def test_each_algorithm_verifies_and_is_recorded(clock: FixedClock, alg: str) -> None:
    key = key_for(alg)
    tenant = tenant_with(clock, {"public_key": public(key), "kid": "k1", "alg": alg})
    status, error = post(tenant, assertion(key, {"alg": alg, "kid": "k1"}))
    assert (status, error.split(":")[0]) == (400, "unsupported_grant_type")
    assert list(tenant.state.accepted_assertions) == [
        AcceptedAssertion(client_id="jwt-app", alg=alg, kid="k1", key_kid="k1")
    ]


@pytest.mark.parametrize("alg", ASSERTION_ALGORITHMS)
def test_each_algorithm_checks_aud_exp_and_replay(clock: FixedClock, alg: str) -> None:
    key = key_for(alg)
    tenant = tenant_with(clock, {"public_key": public(key), "alg": alg})
    header = {"alg": alg}
    assert post(tenant, assertion(key, header, aud="https://other.example/"))[0] == 401
    assert post(tenant, assertion(key, header, exp=NOW - 10))[0] == 401
    once = assertion(key, header)
    assert post(tenant, once)[0] == 400
    status, error = post(tenant, once)
    assert status == 401
    assert "already used" in error


def test_without_a_kid_every_fitting_key_is_tried(clock: FixedClock) -> None:
    tenant = tenant_with(
        clock,
        {"public_key": public(RSA), "kid": "rsa"},
        {"public_key": public(EC["ES384"]), "kid": "ec"},
    )
    assert post(tenant, assertion(EC["ES384"], {"alg": "ES384"}))[0] == 400
    assert post(tenant, assertion(RSA, {"alg": "PS512"}))[0] == 400
    assert [(seen.kid, seen.key_kid) for seen in tenant.state.accepted_assertions] == [
        (None, "ec"),
        (None, "rsa"),
    ]


def test_kids_default_to_the_jwk_kid_then_the_thumbprint(clock: FixedClock) -> None:
    jwk = {**EC["ES256"].as_dict(private=False), "kid": "from-jwk"}
    tenant = tenant_with(
        clock, {"public_key": json.dumps(jwk)}, client_assertion_public_key=public(RSA)
    )
    assert post(tenant, assertion(EC["ES256"], {"alg": "ES256", "kid": "from-jwk"}))[0] == 400
    thumbprint = RSA.thumbprint()
    assert post(tenant, assertion(RSA, {"alg": "RS256", "kid": thumbprint}))[0] == 400


@pytest.mark.parametrize(
    ("header", "signer", "fragment"),
    [
        ({"alg": "RS256", "kid": "nobody"}, RSA, "kid"),
        ({"alg": "PS256", "kid": "rsa"}, RSA, "does not sign PS256"),  # credential is RS256
        ({"alg": "ES256", "kid": "rsa"}, EC["ES256"], "does not sign ES256"),  # key type
        ({"alg": "ES384", "kid": "ec"}, EC["ES384"], "does not sign ES384"),  # curve
        ({"alg": "RS256", "kid": "rsa"}, RSAKey.generate_key(2048, private=True), "signature"),
        ({"alg": "ES256", "kid": "ec"}, ECKey.generate_key("P-256", private=True), "signature"),
    ],
)
def test_refused_assertions(
    clock: FixedClock, header: dict[str, Any], signer: RSAKey | ECKey, fragment: str
) -> None:
    tenant = tenant_with(
        clock,
        {"public_key": public(RSA), "kid": "rsa", "alg": "RS256"},
        {"public_key": public(EC["ES256"]), "kid": "ec"},
    )
    status, error = post(tenant, assertion(signer, header))
    assert status == 401
    assert error.startswith("invalid_client")
    assert fragment in error
    assert list(tenant.state.accepted_assertions) == []


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_alg_none_and_hmac_with_the_public_key_are_refused(clock: FixedClock) -> None:
    tenant = tenant_with(clock, {"public_key": public(RSA), "kid": "rsa"})
    claims = _b64(json.dumps({"iss": "jwt-app", "sub": "jwt-app", "aud": BASE + "/"}).encode())
    unsigned = f"{_b64(json.dumps({'alg': 'none', 'kid': 'rsa'}).encode())}.{claims}."
    status, error = post(tenant, unsigned)
    assert (status, "alg must be one of" in error) == (401, True)
    # alg confusion: HS256 keyed with the registered public key's PEM
    signing_input = f"{_b64(json.dumps({'alg': 'HS256', 'kid': 'rsa'}).encode())}.{claims}"
    mac = hmac.new(public(RSA).encode(), signing_input.encode(), hashlib.sha256).digest()
    status, error = post(tenant, f"{signing_input}.{_b64(mac)}")
    assert (status, "alg must be one of" in error) == (401, True)


@pytest.mark.parametrize(
    ("credential", "fragment"),
    [
        ({"public_key": "not a key"}, "neither an RSA nor an EC key"),
        ({"public_key": public(RSA), "alg": "HS256"}, "alg must be one of"),
        ({"public_key": public(RSA), "alg": "ES256"}, "does not fit its RSA key"),
        ({"public_key": public(EC["ES256"]), "alg": "ES384"}, "does not fit its EC key"),
        pytest.param(
            {"public_key": SMALL_RSA_PUBLIC},
            "2048 bits",
            marks=pytest.mark.filterwarnings("ignore::joserfc.errors.SecurityWarning"),
        ),
        ({"kid": "k"}, "public_key"),
        ({"public_key": public(RSA), "kid": "k", "use": "sig"}, "unknown key(s)"),
    ],
)
def test_bad_credentials_are_configuration_errors(
    credential: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        tenant_with(FixedClock(NOW), credential)
    assert fragment in str(info.value)


def test_two_keys_with_one_kid_are_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="share the kid"):
        tenant_with(
            FixedClock(NOW),
            {"public_key": public(RSA), "kid": "same"},
            {"public_key": public(EC["ES256"]), "kid": "same"},
        )


def test_discovery_lists_the_accepted_algorithms(clock: FixedClock) -> None:
    tenant = tenant_with(clock, {"public_key": public(RSA)})
    document = body(get(tenant, "/.well-known/openid-configuration"))
    assert document["token_endpoint_auth_signing_alg_values_supported"] == list(
        ASSERTION_ALGORITHMS
    )
