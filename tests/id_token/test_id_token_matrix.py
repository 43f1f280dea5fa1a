"""The security matrix: each bad token must fail with one exact error class and ``claim``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pytest

from auth0_core._id_token import KeyNotFoundError, validate_id_token
from auth0_core.errors import (
    IdTokenError,
    IssuerValidationError,
    OrganizationTokenValidationError,
)

from .minting import (
    CLIENT_SECRET,
    NOW,
    Keys,
    b64,
    b64json,
    base_claims,
    checks,
    mint,
    mint_hmac,
    sign_raw,
)

Maker = Callable[[Keys], object]


@attrs.frozen
class Case:
    id: str
    make: Maker
    error: type[IdTokenError]
    claim: str
    checks: Mapping[str, Any] = attrs.field(factory=dict)


def claims(**changes: object) -> Maker:
    return lambda k: mint(k.rsa, base_claims(**changes))


def header(**fields: object) -> Maker:
    def make(k: Keys) -> str:
        return mint(k.rsa, base_claims(), header={"alg": "RS256", "kid": "k1", **fields})

    return make


def resign_header(new_header: Mapping[str, object]) -> Maker:
    """Keep a valid token's payload and signature, swap the header."""

    def make(k: Keys) -> str:
        _, payload, signature = mint(k.rsa).split(".")
        return f"{b64json(dict(new_header))}.{payload}.{signature}"

    return make


def replace_segment(index: int, value: str) -> Maker:
    def make(k: Keys) -> str:
        parts = mint(k.rsa).split(".")
        parts[index] = value
        return ".".join(parts)

    return make


def tampered_payload(k: Keys) -> str:
    head, _, signature = mint(k.rsa).split(".")
    return f"{head}.{b64json(base_claims(sub='auth0|admin'))}.{signature}"


def signature_of_other_token(k: Keys) -> str:
    head, payload, _ = mint(k.rsa).split(".")
    return f"{head}.{payload}.{mint(k.rsa, base_claims(sub='x')).split('.')[2]}"


def pem_as_hmac_secret(k: Keys) -> str:
    return mint_hmac(k.rsa_public_pem, base_claims(), kid="k1")


HS = {"algorithms": ("RS256", "HS256"), "client_secret": CLIENT_SECRET}
ORG_ID = {"organization": "org_abc123"}
ORG_NAME = {"organization": "Acme Café"}
NO_NONCE = {"nonce": None, "require_nonce": False}

CASES = [
    # -- shape, before anything is parsed
    Case("not-a-string", lambda k: mint(k.rsa).encode(), IdTokenError, "token"),
    Case("empty", lambda k: "", IdTokenError, "token"),
    Case("two-segments", lambda k: ".".join(mint(k.rsa).split(".")[:2]), IdTokenError, "token"),
    Case("four-segments", lambda k: mint(k.rsa) + ".e30", IdTokenError, "token"),
    Case("truncated-to-header", lambda k: mint(k.rsa)[:30], IdTokenError, "token"),
    Case("non-base64-chars", replace_segment(0, "eyJ!bGci"), IdTokenError, "token"),
    Case("padded-base64", replace_segment(1, "e30="), IdTokenError, "token"),
    Case("empty-payload", replace_segment(1, ""), IdTokenError, "token"),
    Case("oversized", lambda k: mint(k.rsa, base_claims(pad="x" * 17_000)), IdTokenError, "token"),
    Case("whitespace", lambda k: " " + mint(k.rsa), IdTokenError, "token"),
    # -- header
    Case("header-bad-base64-length", replace_segment(0, "eyJhb"), IdTokenError, "header"),
    Case("header-not-json", replace_segment(0, b64(b"not json")), IdTokenError, "header"),
    Case("header-not-object", replace_segment(0, b64json(["RS256"])), IdTokenError, "header"),
    Case("header-not-utf8", replace_segment(0, b64(b"\xff\xfe{}")), IdTokenError, "header"),
    Case(
        "header-duplicate-alg",
        replace_segment(0, b64(b'{"alg":"none","alg":"RS256","kid":"k1"}')),
        IdTokenError,
        "header",
    ),
    Case("header-too-large", header(x5u="https://e/" + "a" * 600), IdTokenError, "header"),
    Case("crit-header", header(crit=["exp"], exp=1), IdTokenError, "crit"),
    Case("b64-header", header(b64=False), IdTokenError, "b64"),
    Case("kid-not-string", header(kid=1), IdTokenError, "kid"),
    Case("typ-not-string", header(typ=3), IdTokenError, "header"),
    Case("jku-not-url-and-unknown-kid", header(jku=5, kid="nope"), IdTokenError, "header"),
    # -- alg allow-list
    Case(
        "alg-none-no-signature", replace_segment(0, b64json({"alg": "none"})), IdTokenError, "alg"
    ),
    Case(
        "alg-none-with-signature",
        resign_header({"alg": "none", "kid": "k1"}),
        IdTokenError,
        "alg",
    ),
    Case("alg-None-capitalised", resign_header({"alg": "None"}), IdTokenError, "alg"),
    Case("alg-missing", resign_header({"kid": "k1"}), IdTokenError, "alg"),
    Case("alg-not-string", resign_header({"alg": ["RS256"], "kid": "k1"}), IdTokenError, "alg"),
    Case("hs256-pem-secret-not-allowed", pem_as_hmac_secret, IdTokenError, "alg"),
    Case("hs256-pem-secret-allowed", pem_as_hmac_secret, IdTokenError, "signature", HS),
    Case("es256-not-allowed", lambda k: mint(k.ec, alg="ES256"), IdTokenError, "alg"),
    Case("rs512-not-allowed", lambda k: mint(k.rsa, alg="RS512"), IdTokenError, "alg"),
    # -- key selection
    Case("unknown-kid", header(kid="rotated-away"), KeyNotFoundError, "kid"),
    Case("no-kid-several-keys", resign_header({"alg": "RS256"}), KeyNotFoundError, "kid"),
    Case(
        "es256-kid-of-rsa-key",
        lambda k: sign_raw(
            b64json({"alg": "ES256", "kid": "k1"}), b64json(base_claims()), k.ec, "ES256"
        ),
        KeyNotFoundError,
        "kid",
        {"algorithms": ("RS256", "ES256")},
    ),
    Case(
        "rs384-but-key-pinned-to-rs256",
        lambda k: mint(k.rsa, alg="RS384"),
        KeyNotFoundError,
        "kid",
        {"algorithms": ("RS256", "RS384")},
    ),
    # -- signature
    Case("wrong-key-same-kid", lambda k: mint(k.impostor), IdTokenError, "signature"),
    Case("tampered-payload", tampered_payload, IdTokenError, "signature"),
    Case(
        "tampered-header", resign_header({"alg": "RS256", "kid": "k1"}), IdTokenError, "signature"
    ),
    Case("signature-of-other-token", signature_of_other_token, IdTokenError, "signature"),
    Case("empty-signature", replace_segment(2, ""), IdTokenError, "signature"),
    Case("truncated-signature", lambda k: mint(k.rsa)[:-8], IdTokenError, "signature"),
    Case(
        "ps256-header-rs256-signature",
        lambda k: sign_raw(
            b64json({"alg": "PS256", "kid": "k2"}), b64json(base_claims()), k.rsa2, "RS256"
        ),
        IdTokenError,
        "signature",
        {"algorithms": ("PS256",)},
    ),
    # -- payload
    Case("payload-not-json", lambda k: mint(k.rsa, payload=b"hello"), IdTokenError, "payload"),
    Case("payload-array", lambda k: mint(k.rsa, payload=b"[1,2]"), IdTokenError, "payload"),
    Case(
        "payload-not-utf8", lambda k: mint(k.rsa, payload=b'{"a":"\xff"}'), IdTokenError, "payload"
    ),
    Case(
        "payload-duplicate-sub",
        lambda k: mint(k.rsa, payload=b'{"sub":"a","sub":"b"}'),
        IdTokenError,
        "payload",
    ),
    Case("payload-bad-base64-length", replace_segment(1, "eyJhb"), IdTokenError, "payload"),
    # -- iss
    Case("iss-wrong", claims(iss="https://evil.auth0.com/"), IssuerValidationError, "iss"),
    Case(
        "iss-no-trailing-slash",
        claims(iss="https://tenant.eu.auth0.com"),
        IssuerValidationError,
        "iss",
    ),
    Case(
        "iss-other-case", claims(iss="https://TENANT.eu.auth0.com/"), IssuerValidationError, "iss"
    ),
    Case("iss-missing", claims(iss=...), IssuerValidationError, "iss"),
    Case("iss-list", claims(iss=["https://tenant.eu.auth0.com/"]), IssuerValidationError, "iss"),
    # -- sub
    Case("sub-missing", claims(sub=...), IdTokenError, "sub"),
    Case("sub-empty", claims(sub=""), IdTokenError, "sub"),
    Case("sub-number", claims(sub=42), IdTokenError, "sub"),
    # -- aud / azp
    Case("aud-wrong", claims(aud="other-client"), IdTokenError, "aud"),
    Case("aud-missing", claims(aud=...), IdTokenError, "aud"),
    Case("aud-number", claims(aud=7), IdTokenError, "aud"),
    Case("aud-list-without-client", claims(aud=["a", "b"]), IdTokenError, "aud"),
    Case("aud-list-with-non-string", claims(aud=["client-abc", 1]), IdTokenError, "aud"),
    Case("aud-list-azp-missing", claims(aud=["client-abc", "api"]), IdTokenError, "azp"),
    Case("aud-list-azp-wrong", claims(aud=["client-abc", "api"], azp="api"), IdTokenError, "azp"),
    Case("azp-wrong-single-aud", claims(azp="other-client"), IdTokenError, "azp"),
    # -- exp / iat / nbf
    Case("expired", claims(exp=NOW - 3600), IdTokenError, "exp"),
    Case("expired-at-leeway-edge", claims(exp=NOW - 60), IdTokenError, "exp"),
    Case("exp-missing", claims(exp=...), IdTokenError, "exp"),
    Case("exp-string", claims(exp=str(NOW + 3600)), IdTokenError, "exp"),
    Case("exp-bool", claims(exp=True), IdTokenError, "exp"),
    Case("exp-float", claims(exp=NOW + 3600.5), IdTokenError, "exp"),
    Case("exp-null", claims(exp=None), IdTokenError, "exp"),
    Case("iat-future", claims(iat=NOW + 61), IdTokenError, "iat"),
    Case("iat-missing", claims(iat=...), IdTokenError, "iat"),
    Case("iat-string", claims(iat="yesterday"), IdTokenError, "iat"),
    Case("nbf-future", claims(nbf=NOW + 120), IdTokenError, "nbf"),
    Case("nbf-object", claims(nbf={"t": 1}), IdTokenError, "nbf"),
    # -- nonce
    Case("nonce-missing", claims(nonce=...), IdTokenError, "nonce"),
    Case("nonce-wrong", claims(nonce="n-other"), IdTokenError, "nonce"),
    Case("nonce-number", claims(nonce=12345), IdTokenError, "nonce"),
    Case("nonce-prefix", claims(nonce="n-0S6_WzA2M"), IdTokenError, "nonce"),
    Case("nonce-lone-surrogate", claims(nonce="\ud800"), IdTokenError, "nonce"),
    # -- auth_time / max_age
    Case(
        "max-age-exceeded", claims(auth_time=NOW - 400), IdTokenError, "auth_time", {"max_age": 300}
    ),
    Case("auth-time-missing", claims(auth_time=...), IdTokenError, "auth_time", {"max_age": 300}),
    Case("auth-time-string", claims(auth_time="now"), IdTokenError, "auth_time", {"max_age": 300}),
    # -- organization
    Case(
        "org-id-mismatch",
        claims(org_id="org_other"),
        OrganizationTokenValidationError,
        "org_id",
        ORG_ID,
    ),
    Case("org-id-missing", claims(), OrganizationTokenValidationError, "org_id", ORG_ID),
    Case(
        "org-id-case",
        claims(org_id="org_ABC123"),
        OrganizationTokenValidationError,
        "org_id",
        ORG_ID,
    ),
    Case(
        "org-id-only-name",
        claims(org_name="org_abc123"),
        OrganizationTokenValidationError,
        "org_id",
        ORG_ID,
    ),
    Case(
        "org-name-mismatch",
        claims(org_name="acme"),
        OrganizationTokenValidationError,
        "org_name",
        ORG_NAME,
    ),
    Case(
        "org-name-missing",
        claims(org_id="org_1"),
        OrganizationTokenValidationError,
        "org_name",
        ORG_NAME,
    ),
    Case(
        "org-name-number",
        claims(org_name=5),
        OrganizationTokenValidationError,
        "org_name",
        ORG_NAME,
    ),
    # -- HS256 with the client secret
    Case(
        "hs256-wrong-secret",
        lambda k: mint_hmac(b"another-secret-of-some-length!", base_claims()),
        IdTokenError,
        "signature",
        HS,
    ),
    Case(
        "hs256-expired",
        lambda k: mint_hmac(CLIENT_SECRET.encode(), base_claims(exp=NOW - 100)),
        IdTokenError,
        "exp",
        HS,
    ),
]


def test_matrix_is_large_and_ids_are_unique() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_token_is_rejected(case: Case, keys: Keys) -> None:
    token = case.make(keys)
    with pytest.raises(IdTokenError) as caught:
        validate_id_token(token, keys=keys.jwks, checks=checks(**case.checks), now=NOW)  # type: ignore[arg-type]
    assert type(caught.value) is case.error
    assert caught.value.claim == case.claim
    if isinstance(token, str) and token:
        assert token not in str(caught.value)
        assert token not in repr(caught.value)


def test_unknown_kid_error_carries_the_kid(keys: Keys) -> None:
    token = mint(keys.rsa, header={"alg": "RS256", "kid": "rotated-away"})
    with pytest.raises(KeyNotFoundError) as caught:
        validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert caught.value.kid == "rotated-away"
    assert caught.value.code == "jwks_key_not_found"


def test_nonce_not_expected_is_not_checked(keys: Keys) -> None:
    token = mint(keys.rsa, base_claims(nonce=12345))
    result = validate_id_token(token, keys=keys.jwks, checks=checks(**NO_NONCE), now=NOW)
    assert result.get("nonce") == 12345


def test_null_kid_is_reported_as_kid(keys: Keys) -> None:
    token = mint(keys.rsa, base_claims(), header={"alg": "RS256", "kid": None})
    with pytest.raises(IdTokenError) as caught:
        validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert caught.value.claim == "kid"
