"""The tenant's native passkeys on the wire: ``/passkey/register`` and ``/passkey/challenge``
(shapes, client authentication, refusals), the WebAuthn grant (ceremonies bound to their
client, single use, the organization, the origin policy, the ID token's user), and
``packed`` attestation with an ``x5c`` certificate chain (the SDK's side and the negative
matrix are tests/e2e/test_passkeys.py)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from auth0_core import FixedClock, HttpRequest
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.testing.passkeys import SoftwareAuthenticator, b64url, cbor_encode, unb64url

from .tenant_helpers import BASE, CALLBACK, CLIENT_ID, NOW, SECRET, claims_of, make_tenant

GRANT = "urn:okta:params:oauth:grant-type:webauthn"
OTHER = "other-client"
OTHER_SECRET = "other-client-secret-0123456789-abcdef"
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": SECRET}


def tenant() -> Tenant:
    config = TenantConfig.from_dict(
        {
            "clients": [
                {"client_id": CLIENT_ID, "client_secret": SECRET, "callbacks": [CALLBACK]},
                {"client_id": OTHER, "client_secret": OTHER_SECRET, "callbacks": [CALLBACK]},
            ],
            "organizations": [{"id": "org_abc", "name": "abc", "members": ["auth0|alice"]}],
        }
    )
    return make_tenant(FixedClock(NOW), config)


def post(t: Tenant, path: str, value: object) -> tuple[int, Any]:
    request = HttpRequest(
        method="POST",
        url=BASE + path,
        headers=(("Content-Type", "application/json"),),
        body=value if isinstance(value, bytes) else json.dumps(value).encode(),
    )
    answer = t.handle(request)
    return answer.status, json.loads(answer.body)


def sign_up(t: Tenant, device: SoftwareAuthenticator, **extra: Any) -> dict[str, Any]:
    status, challenge = post(
        t, "/passkey/register", {**CREDENTIALS, "user_profile": {"email": "pk@example.org"}}
    )
    assert status == 200, challenge
    credential = device.create(challenge["authn_params_public_key"], **extra)
    status, tokens = grant(t, challenge["auth_session"], credential)
    assert status == 200, tokens
    return tokens


def grant(
    t: Tenant, auth_session: str, credential: object, **extra: Any
) -> tuple[int, dict[str, Any]]:
    fields = {"grant_type": GRANT, **CREDENTIALS, "auth_session": auth_session}
    return post(t, "/oauth/token", {**fields, "authn_response": credential, **extra})


def test_the_challenges_answer_the_webauthn_options() -> None:
    t = tenant()
    status, signup = post(
        t,
        "/passkey/register",
        {**CREDENTIALS, "user_profile": {"email": "pk@example.org", "name": "P K"},
         "user_metadata": {"plan": "gold"}},
    )  # fmt: skip
    assert status == 200
    options = signup["authn_params_public_key"]
    assert options["rp"] == {"id": "tenant.example", "name": "auth0-core emulated tenant"}
    assert options["user"]["name"] == "pk@example.org"
    assert options["user"]["displayName"] == "P K"
    assert unb64url(options["user"]["id"]).startswith(b"auth0|")
    assert len(unb64url(options["challenge"])) == 32
    assert [p["alg"] for p in options["pubKeyCredParams"]] == [-7, -8, -257]
    assert options["authenticatorSelection"] == {
        "residentKey": "required",
        "userVerification": "required",
    }
    assert options["timeout"] == 300_000
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    assert status == 200
    assert login["authn_params_public_key"]["rpId"] == "tenant.example"
    assert login["authn_params_public_key"]["userVerification"] == "required"
    assert login["auth_session"] != signup["auth_session"]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("/passkey/register", {"client_id": CLIENT_ID, "client_secret": "wrong"}, 401),
        ("/passkey/challenge", {"client_id": "nobody", "client_secret": "x"}, 401),
        ("/passkey/register", b"not json", 400),
        ("/passkey/register", [1, 2], 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"name": "no id"}}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"email": "not-an-email"}}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"phone_number": "555"}}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"email": 7}}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": "pk@example.org"}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"email": "alice@example.com"}},
         400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"email": "a@b.example"},
         "realm": "google-oauth2"}, 400),
        ("/passkey/register", {**CREDENTIALS, "user_profile": {"email": "a@b.example"},
         "organization": "org_abc"}, 400),
        ("/passkey/challenge", {**CREDENTIALS, "username": "alice@example.com"}, 400),
        ("/passkey/challenge", {**CREDENTIALS, "organization": "org_nope"}, 400),
    ],
)  # fmt: skip
def test_challenge_refusals(path: str, value: object, expected: int) -> None:
    t = tenant()
    status, answer = post(t, path, value)
    assert status == expected, answer
    assert answer["error"]
    assert t.state.passkeys.ceremonies == {}


def test_a_ceremony_belongs_to_its_client_and_is_used_once() -> None:
    t = tenant()
    device = SoftwareAuthenticator()
    sign_up(t, device)
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    assertion = device.get(login["authn_params_public_key"])
    other = {"grant_type": GRANT, "client_id": OTHER, "client_secret": OTHER_SECRET}
    fields = {**other, "auth_session": login["auth_session"], "authn_response": assertion}
    status, answer = post(t, "/oauth/token", fields)
    assert (status, answer["error"]) == (403, "invalid_grant")
    # The other client's attempt used the ceremony up: the right client is refused too.
    assert grant(t, login["auth_session"], assertion)[0] == 403
    assert grant(t, "no-such-session", assertion)[0] == 403
    status, answer = post(t, "/oauth/token", {"grant_type": GRANT, **CREDENTIALS})
    assert (status, answer["error"]) == (400, "invalid_request")
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    status, answer = grant(t, login["auth_session"], "a string, not an object")
    assert (status, answer["error"]) == (400, "invalid_request")


def test_the_tokens_name_the_credentials_user() -> None:
    t = tenant()
    device = SoftwareAuthenticator()
    tokens = sign_up(t, device, attestation="packed")
    user_id = claims_of(tokens["id_token"])["sub"]
    (registered,) = t.state.passkeys.credentials.values()
    assert registered.user_id == user_id
    assert registered.attestation_format == "packed"
    assert claims_of(tokens["id_token"])["email"] == "pk@example.org"
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    status, answer = grant(
        t, login["auth_session"], device.get(login["authn_params_public_key"]),
        scope="openid offline_access",
    )  # fmt: skip
    assert status == 200, answer
    assert claims_of(answer["id_token"])["sub"] == user_id
    assert answer["refresh_token"]
    assert registered.sign_count == 1


def test_an_organization_needs_a_member() -> None:
    t = tenant()
    device = SoftwareAuthenticator()
    sign_up(t, device)
    status, login = post(t, "/passkey/challenge", {**CREDENTIALS, "organization": "abc"})
    assert status == 200
    status, answer = grant(t, login["auth_session"], device.get(login["authn_params_public_key"]))
    assert (status, answer["error"]) == (403, "access_denied")
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    status, answer = grant(
        t, login["auth_session"], device.get(login["authn_params_public_key"]),
        organization="org_abc",
    )  # fmt: skip
    assert (status, answer["error"]) == (403, "access_denied")


@pytest.mark.parametrize(
    ("origin", "accepted"),
    [
        ("https://tenant.example", True),
        ("https://login.tenant.example:8443", True),
        ("https://eviltenant.example", False),
        ("http://login.tenant.example", False),
        ("https://tenant.example/path", False),
        ("https://tenant.example:notaport", False),
    ],
)
def test_the_origin_policy(origin: str, accepted: bool) -> None:
    t = tenant()
    device = SoftwareAuthenticator()
    sign_up(t, device)
    status, login = post(t, "/passkey/challenge", CREDENTIALS)
    assertion = device.get(login["authn_params_public_key"], origin=origin)
    status, answer = grant(t, login["auth_session"], assertion)
    assert (status == 200) is accepted, answer


def test_configured_origins_and_rp_id() -> None:
    t = tenant()
    t.state.passkeys.settings.rp_id = "example.com"
    t.state.passkeys.settings.origins = ("https://app.example.com",)
    device = SoftwareAuthenticator(origin="https://app.example.com")
    sign_up(t, device)
    _, login = post(t, "/passkey/challenge", CREDENTIALS)
    assert login["authn_params_public_key"]["rpId"] == "example.com"
    assert grant(t, login["auth_session"], device.get(login["authn_params_public_key"]))[0] == 200
    _, login = post(t, "/passkey/challenge", CREDENTIALS)
    other_origin = device.get(login["authn_params_public_key"], origin="https://example.com")
    assert grant(t, login["auth_session"], other_origin)[0] == 403


def _certificate(key: ec.EllipticCurvePrivateKey) -> bytes:
    """A self-signed attestation certificate as the FIDO packed format asks (C, O, OU
    "Authenticator Attestation", CN; not a CA)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "auth0-core tests"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Authenticator Attestation"),
            x509.NameAttribute(NameOID.COMMON_NAME, "software authenticator"),
        ]
    )
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=36500))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    return certificate.public_bytes(Encoding.DER)


def _packed_x5c(
    options: dict[str, Any], attestation_key: ec.EllipticCurvePrivateKey, *, honest: bool
) -> dict[str, Any]:
    """A new credential for ``options`` whose ``packed`` statement carries a certificate of
    ``attestation_key`` and is signed by it (``honest``) or by the credential's own key."""
    device = SoftwareAuthenticator()
    credential = device.create(options)  # "none" at first: its statement is rebuilt here
    (created,) = device.credentials.values()
    client_data = unb64url(credential["response"]["clientDataJSON"])
    auth_data = (
        hashlib.sha256(b"tenant.example").digest()
        + bytes([0x45])  # UP, UV, AT
        + (0).to_bytes(4, "big")
        + device.aaguid
        + len(created.credential_id).to_bytes(2, "big")
        + created.credential_id
        + cbor_encode(created.cose_key())
    )
    signer = attestation_key if honest else created.private_key
    signed = auth_data + hashlib.sha256(client_data).digest()
    statement = {
        "alg": -7,
        "sig": signer.sign(signed, ec.ECDSA(hashes.SHA256())),
        "x5c": [_certificate(attestation_key)],
    }
    attestation = cbor_encode({"fmt": "packed", "attStmt": statement, "authData": auth_data})
    return {**credential, "response": {**credential["response"],
            "attestationObject": b64url(attestation)}}  # fmt: skip


@pytest.mark.parametrize("honest", [True, False])
def test_packed_attestation_with_a_certificate(honest: bool) -> None:
    """``packed`` with ``x5c``: the statement is signed by the certificate's key, not the
    credential's; the tenant checks it against the certificate."""
    t = tenant()
    status, challenge = post(
        t, "/passkey/register", {**CREDENTIALS, "user_profile": {"email": "x5c@example.org"}}
    )
    attestation_key = ec.generate_private_key(ec.SECP256R1())
    credential = _packed_x5c(challenge["authn_params_public_key"], attestation_key, honest=honest)
    status, answer = grant(t, challenge["auth_session"], credential)
    if honest:
        assert status == 200, answer
        (registered,) = t.state.passkeys.credentials.values()
        assert registered.attestation_format == "packed"
    else:
        assert (status, answer["error"]) == (403, "invalid_grant"), answer
        assert t.state.passkeys.credentials == {}


def test_the_passkeys_table_configures_the_relying_party() -> None:
    config = TenantConfig.from_dict(
        {
            "clients": [{"client_id": CLIENT_ID, "client_secret": SECRET}],
            "passkeys": {
                "rp_id": "example.com",
                "rp_name": "Example",
                "origins": ["https://app.example.com"],
                "timeout": 60,
            },
        }
    )
    t = make_tenant(FixedClock(NOW), config)
    status, signup = post(
        t, "/passkey/register", {**CREDENTIALS, "user_profile": {"email": "pk@example.org"}}
    )
    assert status == 200
    options = signup["authn_params_public_key"]
    assert options["rp"] == {"id": "example.com", "name": "Example"}
    assert options["timeout"] == 60_000
    device = SoftwareAuthenticator(origin="https://app.example.com")
    assert grant(t, signup["auth_session"], device.create(options))[0] == 200
    t.state.passkeys.settings.timeout = 1
    t.state.passkeys.reset()  # back to the configured settings
    assert t.state.passkeys.settings.timeout == 60
    assert t.state.passkeys.settings.origins == ("https://app.example.com",)


@pytest.mark.parametrize(
    "table",
    [
        {"rp_id": ""},
        {"rp_id": "https://example.com"},
        {"rp_id": 7},
        {"origins": ["example.com"]},
        {"origins": ["https://example.com/path"]},
        {"origins": "https://example.com"},
        {"timeout": 0},
        {"verify_email": "yes"},
        {"max_code_attempts": 0},
        {"unknown": 1},
    ],
)
def test_a_bad_passkeys_table_is_refused(table: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        TenantConfig.from_dict({"passkeys": table})
