"""``private_key_jwt`` signing keys: accepted forms and algorithms, the assertion's header and
claims, and the configuration errors raised when the client is built (never at the first token
request), none of which may quote the key."""

from __future__ import annotations

import base64
import copy
import json
import pickle
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from auth0_core import Env, FixedClock
from auth0_core._assertion_key import SUPPORTED_ALGORITHMS, load_assertion_key
from auth0_core._client_auth import ASSERTION_TYPE, authenticate, client_assertion
from auth0_core._config import make_config
from auth0_core.errors import ConfigurationError

SECRET = "s" * 32
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEYS = {
    "ES256": ec.generate_private_key(ec.SECP256R1()),
    "ES384": ec.generate_private_key(ec.SECP384R1()),
    "ES512": ec.generate_private_key(ec.SECP521R1()),
}
ISSUER = "https://tenant.example/"
NOW = 1_800_000_000


def key_for(alg: str) -> Any:
    return EC_KEYS.get(alg, RSA_KEY)


def pkcs8(key: Any) -> str:
    return str(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
    )


def traditional(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )


def public_pem(key: Any) -> str:
    return str(
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_jwk(key: Any, **extra: str) -> dict[str, Any]:
    kind = ECKey if isinstance(key, ec.EllipticCurvePrivateKey) else RSAKey
    return {**kind.import_key(pkcs8(key)).as_dict(private=True), **extra}


def counter_bytes() -> Any:
    count = 0

    def token_bytes(n: int) -> bytes:
        nonlocal count
        count += 1
        return count.to_bytes(n, "big")

    return token_bytes


def config(**options: Any) -> Any:
    values: dict[str, Any] = {
        "domain": "tenant.example",
        "client_id": "cid",
        "secret": SECRET,
        "env": Env(clock=FixedClock(NOW), token_bytes=counter_bytes()),
    }
    values.update(options)
    return make_config(**values)


def decode_part(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def verify(token: str, key: Any, alg: str) -> dict[str, Any]:
    kind = ECKey if isinstance(key, ec.EllipticCurvePrivateKey) else RSAKey
    public = kind.import_key(public_pem(key))
    return dict(jwt.decode(token, public, algorithms=[alg]).claims)


# --- what is accepted ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", SUPPORTED_ALGORITHMS)
def test_each_algorithm_signs_a_verifiable_assertion(alg: str) -> None:
    key = key_for(alg)
    cfg = config(client_assertion_signing_key=pkcs8(key), client_assertion_signing_alg=alg)
    assertion = client_assertion(cfg, ISSUER)
    kind = ECKey if alg.startswith("ES") else RSAKey
    thumbprint = kind.import_key(public_pem(key)).thumbprint()
    assert decode_part(assertion, 0) == {"alg": alg, "typ": "JWT"}  # Auth0: no kid unless given
    standard = config(
        client_assertion_signing_key=pkcs8(key),
        client_assertion_signing_alg=alg,
        dialect="standard",
    )
    header = decode_part(client_assertion(standard, ISSUER), 0)
    assert header == {"alg": alg, "kid": thumbprint, "typ": "JWT"}
    claims = verify(assertion, key, alg)
    jti = base64.urlsafe_b64encode((1).to_bytes(24, "big")).rstrip(b"=").decode()
    assert claims == {
        "iss": "cid",
        "sub": "cid",
        "aud": ISSUER,
        "iat": NOW,
        "nbf": NOW,
        "exp": NOW + 60,
        "jti": jti,
    }


@pytest.mark.parametrize(
    "form",
    ["pkcs8 str", "pkcs8 bytes", "traditional bytes", "key object", "jwk dict", "jwk json"],
)
@pytest.mark.parametrize("alg", ["PS384", "ES512"])
def test_every_key_form_loads(form: str, alg: str) -> None:
    key = key_for(alg)
    forms: dict[str, Any] = {
        "pkcs8 str": pkcs8(key),
        "pkcs8 bytes": pkcs8(key).encode(),
        "traditional bytes": traditional(key),
        "key object": key,
        "jwk dict": private_jwk(key),
        "jwk json": json.dumps(private_jwk(key)),
    }
    value = forms[form]
    cfg = config(client_assertion_signing_key=value, client_assertion_signing_alg=alg)
    assert cfg.client_auth_method == "private_key_jwt"
    verify(client_assertion(cfg, ISSUER), key, alg)


def test_default_algorithm_is_rs256_and_none_means_the_default() -> None:
    # As in the official SDK: the algorithm is never inferred from the key.
    for options in ({}, {"client_assertion_signing_alg": None}):
        cfg = config(client_assertion_signing_key=pkcs8(RSA_KEY), **options)
        assert cfg.client_assertion_signing_alg == "RS256"
        assert decode_part(client_assertion(cfg, ISSUER), 0)["alg"] == "RS256"


def test_kid_from_the_jwk_then_the_option_then_the_thumbprint_in_the_standard_dialect() -> None:
    jwk = private_jwk(EC_KEYS["ES256"], kid="from-jwk")
    common = {"client_assertion_signing_alg": "ES256"}
    cfg = config(client_assertion_signing_key=jwk, **common)
    assert decode_part(client_assertion(cfg, ISSUER), 0)["kid"] == "from-jwk"
    cfg = config(client_assertion_signing_key=jwk, client_assertion_kid="from-jwk", **common)
    assert decode_part(client_assertion(cfg, ISSUER), 0)["kid"] == "from-jwk"
    key = EC_KEYS["ES256"]
    cfg = config(client_assertion_signing_key=key, client_assertion_kid="cred_1", **common)
    assert decode_part(client_assertion(cfg, ISSUER), 0)["kid"] == "cred_1"
    cfg = config(client_assertion_signing_key=key, dialect="standard", **common)
    thumbprint = ECKey.import_key(public_pem(key)).thumbprint()
    assert decode_part(client_assertion(cfg, ISSUER), 0)["kid"] == thumbprint
    assert cfg.client_assertion_key.kid == thumbprint
    # Auth0 knows a credential by the kid it generated: none of our making is sent there.
    cfg = config(client_assertion_signing_key=key, **common)
    assert "kid" not in decode_part(client_assertion(cfg, ISSUER), 0)
    assert cfg.client_assertion_key.kid is None


def test_a_jwk_naming_the_configured_alg_loads() -> None:
    jwk = private_jwk(RSA_KEY, alg="PS256")
    cfg = config(client_assertion_signing_key=jwk, client_assertion_signing_alg="PS256")
    verify(client_assertion(cfg, ISSUER), RSA_KEY, "PS256")


def test_each_assertion_is_fresh() -> None:
    clock = FixedClock(NOW)
    cfg = config(client_assertion_signing_key=RSA_KEY, env=Env(clock=clock))
    first = decode_part(client_assertion(cfg, ISSUER), 1)
    clock.advance(5)
    second = decode_part(client_assertion(cfg, ISSUER), 1)
    assert first["jti"] != second["jti"]
    assert second["iat"] == first["iat"] + 5
    assert second["exp"] == second["iat"] + 60


def test_authenticate_sends_the_assertion_and_drops_smuggled_credentials() -> None:
    cfg = config(client_assertion_signing_key=RSA_KEY, client_secret="also-set-but-unused")
    fields, headers = authenticate(
        cfg,
        {"grant_type": "client_credentials", "client_secret": "x", "client_assertion": "y"},
        ISSUER,
    )
    assert headers == ()
    assert fields["client_assertion_type"] == ASSERTION_TYPE
    assert "client_secret" not in fields
    assert verify(str(fields["client_assertion"]), RSA_KEY, "RS256")["aud"] == ISSUER


def test_the_key_is_loaded_once_and_shows_no_material() -> None:
    pem = pkcs8(RSA_KEY)
    cfg = config(client_assertion_signing_key=pem, client_secret=None)
    key = cfg.client_assertion_key
    assert key is not None
    assert copy.deepcopy(key) is key
    with pytest.raises(TypeError):
        pickle.dumps(key)
    text = repr(cfg) + repr(key) + str(cfg)
    body = "".join(pem.splitlines()[1:-1])
    assert all(body[i : i + 16] not in text for i in range(0, len(body) - 16, 16))
    assert repr(key) == "AssertionKey(alg='RS256', kid=None)"


# --- what is refused, at construction --------------------------------------------------------

SMALL_RSA = rsa.generate_private_key(public_exponent=65537, key_size=1024)
ENCRYPTED = RSA_KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.BestAvailableEncryption(b"passphrase"),
).decode()
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("garbage", {"client_assertion_signing_key": "not a key"}, "not a PEM private key"),
    (
        "garbage bytes",
        {"client_assertion_signing_key": b"\x00\x01 not a key"},
        "not a PEM private key",
    ),
    ("broken JSON", {"client_assertion_signing_key": "{not json"}, "neither a PEM"),
    ("encrypted PEM", {"client_assertion_signing_key": ENCRYPTED}, "encrypted"),
    ("public PEM", {"client_assertion_signing_key": public_pem(RSA_KEY)}, "public key"),
    ("public key object", {"client_assertion_signing_key": RSA_KEY.public_key()}, "public key"),
    (
        "public JWK",
        {
            "client_assertion_signing_key": {
                k: v for k, v in private_jwk(RSA_KEY).items() if k in ("kty", "n", "e")
            }
        },
        "public JWK",
    ),
    (
        "symmetric JWK",
        {"client_assertion_signing_key": {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}},
        "symmetric",
    ),
    (
        "broken JWK",
        {"client_assertion_signing_key": {"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "AQAB"}},
        "not a valid private JWK",
    ),
    ("small RSA", {"client_assertion_signing_key": pkcs8(SMALL_RSA)}, "1024 bits"),
    (
        "EC key for RS256",
        {"client_assertion_signing_key": pkcs8(EC_KEYS["ES256"])},
        "EC P-256 key, which cannot sign RS256",
    ),
    (
        "RSA key for ES256",
        {"client_assertion_signing_key": RSA_KEY, "client_assertion_signing_alg": "ES256"},
        "RSA key, which cannot sign ES256",
    ),
    (
        "P-384 key for ES256",
        {
            "client_assertion_signing_key": EC_KEYS["ES384"],
            "client_assertion_signing_alg": "ES256",
        },
        "EC P-384 key, which cannot sign ES256",
    ),
    (
        "secp256k1 key for ES256",
        {
            "client_assertion_signing_key": ec.generate_private_key(ec.SECP256K1()),
            "client_assertion_signing_alg": "ES256",
        },
        "EC secp256k1 key, which cannot sign ES256",
    ),
    (
        "Ed25519 key",
        {"client_assertion_signing_key": ed25519.Ed25519PrivateKey.generate()},
        "must be an RSA or EC private key",
    ),
    (
        "HS256",
        {"client_assertion_signing_key": RSA_KEY, "client_assertion_signing_alg": "HS256"},
        "'client_assertion_signing_alg' must be one of",
    ),
    (
        "none",
        {"client_assertion_signing_key": RSA_KEY, "client_assertion_signing_alg": "none"},
        "'client_assertion_signing_alg' must be one of",
    ),
    (
        "EdDSA",
        {"client_assertion_signing_key": RSA_KEY, "client_assertion_signing_alg": "EdDSA"},
        "'client_assertion_signing_alg' must be one of",
    ),
    (
        "JWK for another alg",
        {
            "client_assertion_signing_key": private_jwk(RSA_KEY, alg="RS384"),
            "client_assertion_signing_alg": "RS256",
        },
        "JWK for RS384",
    ),
    (
        "two kids",
        {
            "client_assertion_signing_key": private_jwk(RSA_KEY, kid="a"),
            "client_assertion_kid": "b",
        },
        "differs from the 'kid' of the JWK",
    ),
    (
        "empty kid",
        {"client_assertion_signing_key": RSA_KEY, "client_assertion_kid": " "},
        "'client_assertion_kid' must be a non-empty string",
    ),
    (
        "kid without key",
        {"client_secret": "a-secret", "client_assertion_kid": "k"},
        "'client_assertion_kid' needs",
    ),
    ("a number", {"client_assertion_signing_key": 42}, "must be an RSA or EC private key"),
    (
        "alg without key",
        {"client_secret": "a-secret", "client_assertion_signing_alg": "HS256"},
        "must be one of",
    ),
]


@pytest.mark.parametrize(
    ("options", "fragment"),
    [pytest.param(options, fragment, id=name) for name, options, fragment in REFUSED],
)
def test_refused_at_construction_without_quoting_the_key(
    options: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        config(**options)
    message = str(info.value)
    assert fragment in message
    value = options.get("client_assertion_signing_key")
    if isinstance(value, str | bytes) and value:
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        lines = [line for line in text.splitlines() if len(line) > 8 and "-----" not in line]
        assert not any(line in message for line in lines)
        assert "not a key" not in message
    if isinstance(value, dict):
        assert not any(str(v) in message for k, v in value.items() if k in ("d", "k", "n"))
    assert info.value.__cause__ is None


def test_load_assertion_key_directly_refuses_a_wrong_type_alg() -> None:
    with pytest.raises(ConfigurationError, match="must be one of"):
        load_assertion_key(RSA_KEY, 256)
