"""Tokens that must validate, the claims object, and the checks' own validation."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core._id_token import (
    IdTokenChecks,
    IdTokenClaims,
    decode_unverified_header,
    validate_id_token,
)
from auth0_core._jwks import JsonWebKeys
from auth0_core.errors import ConfigurationError, IdTokenError

from .minting import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    NONCE,
    NOW,
    Keys,
    base_claims,
    checks,
    mint,
    mint_hmac,
)

VALID: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("baseline", {}, {}),
    ("expired-within-leeway", {"exp": NOW - 59}, {}),
    ("iat-future-within-leeway", {"iat": NOW + 60}, {}),
    ("nbf-future-within-leeway", {"nbf": NOW + 60}, {}),
    ("nbf-past", {"nbf": NOW - 60}, {}),
    ("zero-leeway-exp-one-second-left", {"exp": NOW + 1}, {"leeway": 0}),
    ("aud-list-with-azp", {"aud": [CLIENT_ID, "https://api/"], "azp": CLIENT_ID}, {}),
    ("aud-list-single", {"aud": [CLIENT_ID]}, {}),
    ("aud-list-duplicate-client", {"aud": [CLIENT_ID, CLIENT_ID]}, {}),
    ("azp-equal-single-aud", {"azp": CLIENT_ID}, {}),
    ("max-age-satisfied", {"auth_time": NOW - 300}, {"max_age": 300}),
    ("max-age-within-leeway", {"auth_time": NOW - 360}, {"max_age": 300}),
    ("org-id-exact", {"org_id": "org_abc123"}, {"organization": "org_abc123"}),
    (
        "org-name-nfc-and-case",
        {"org_name": "ACME CAFE\u0301"},  # decomposed e + combining acute, upper case
        {"organization": "acme caf\u00e9"},  # composed
    ),
    ("nonce-not-expected-but-present", {}, {"nonce": None, "require_nonce": False}),
    ("nonce-not-expected-absent", {"nonce": ...}, {"nonce": None, "require_nonce": False}),
    ("unknown-extra-claims", {"https://example.com/roles": ["admin"], "amr": ["pwd"]}, {}),
    ("unicode-nonce", {"nonce": "n\u00f6nce-\U0001f600"}, {"nonce": "n\u00f6nce-\U0001f600"}),
]


@pytest.mark.parametrize(
    ("claim_changes", "check_changes"), [v[1:] for v in VALID], ids=[v[0] for v in VALID]
)
def test_valid_token(
    keys: Keys, claim_changes: dict[str, Any], check_changes: dict[str, Any]
) -> None:
    expected = base_claims(**claim_changes)
    token = mint(keys.rsa, expected)
    result = validate_id_token(token, keys=keys.jwks, checks=checks(**check_changes), now=NOW)
    assert dict(result.claims) == expected


def test_es256_when_allowed(keys: Keys) -> None:
    token = mint(keys.ec, alg="ES256")
    result = validate_id_token(
        token, keys=keys.jwks, checks=checks(algorithms=("RS256", "ES256")), now=NOW
    )
    assert result.sub == "auth0|user-1"


def test_hs256_with_client_secret(keys: Keys) -> None:
    token = mint_hmac(CLIENT_SECRET.encode(), base_claims())
    hs = checks(algorithms=("HS256",), client_secret=CLIENT_SECRET)
    assert validate_id_token(token, keys=JsonWebKeys(()), checks=hs, now=NOW).sub == "auth0|user-1"


def test_rs256_still_accepted_when_hs256_also_allowed(keys: Keys) -> None:
    hs = checks(algorithms=("RS256", "HS256"), client_secret=CLIENT_SECRET)
    result = validate_id_token(mint(keys.rsa), keys=keys.jwks, checks=hs, now=NOW)
    assert dict(result.claims) == base_claims()


def test_no_kid_with_a_single_candidate_key(keys: Keys) -> None:
    token = mint(keys.rsa, header={"alg": "RS256"})
    single = JsonWebKeys([keys.jwks.keys[0]])
    result = validate_id_token(token, keys=single, checks=checks(), now=NOW)
    assert dict(result.claims) == base_claims()


def test_unregistered_header_members_are_tolerated(keys: Keys) -> None:
    token = mint(keys.rsa, header={"alg": "RS256", "kid": "k1", "typ": "JWT", "x-tenant": "t"})
    result = validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert dict(result.claims) == base_claims()


def test_claims_object(keys: Keys) -> None:
    token = mint(keys.rsa, base_claims(session_expiry=NOW + 86_400))
    result = validate_id_token(token, keys=keys.jwks, checks=checks(), now=NOW)
    assert (result.sub, result.sid, result.iat, result.exp) == (
        "auth0|user-1",
        "session-1",
        NOW - 10,
        NOW + 3600,
    )
    assert result.auth_time == NOW - 20
    assert result.session_expiry == NOW + 86_400
    assert result.get("missing") is None
    with pytest.raises(TypeError):
        result.claims["sub"] = "someone-else"  # type: ignore[index]
    text = repr(result)
    assert token not in text
    assert token.split(".")[2] not in text
    assert "auth0|user-1" in text
    assert NONCE not in text


@pytest.mark.parametrize("value", [0, -5, 10_000_000_000, "1700000000", True, 1.5])
def test_session_expiry_fails_open(value: object) -> None:
    assert IdTokenClaims({"sub": "s", "session_expiry": value}).session_expiry is None


def test_claims_properties_never_raise() -> None:
    empty = IdTokenClaims({})
    assert (empty.sub, empty.sid, empty.iat, empty.exp, empty.auth_time) == ("", None, 0, 0, None)


def test_algorithms_accept_any_sequence() -> None:
    assert checks(algorithms=["RS256", "ES256"]).algorithms == ("RS256", "ES256")


def test_claims_are_a_copy() -> None:
    source: dict[str, object] = {"sub": "s"}
    result = IdTokenClaims(source)
    source["sub"] = "changed"
    assert result.sub == "s"


def test_decode_unverified_header(keys: Keys) -> None:
    assert dict(decode_unverified_header(mint(keys.rsa))) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": "k1",
    }
    with pytest.raises(IdTokenError) as caught:
        decode_unverified_header("a.b")
    assert caught.value.claim == "token"


BAD_CHECKS: list[dict[str, Any]] = [
    {"nonce": None},  # require_nonce defaults to True
    {"nonce": ""},
    {"issuer": ""},
    {"client_id": ""},
    {"algorithms": ()},
    {"algorithms": ("none",)},
    {"algorithms": ("RS256", "none")},
    {"algorithms": "RS256"},
    {"algorithms": ("HS256",)},  # no client secret
    {"algorithms": ("EdDSA",)},
    {"leeway": -1},
    {"leeway": True},
    {"max_age": -1},
    {"max_age": "300"},
    {"organization": ""},
    {"organization": 5},
    {"issuer": None},
    {"algorithms": (["RS256"],)},
    {"algorithms": ("RS256",), "client_secret": ""},
]


@pytest.mark.parametrize("changes", BAD_CHECKS, ids=[repr(c) for c in BAD_CHECKS])
def test_bad_checks_are_a_configuration_error(changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        checks(**changes)


def test_checks_repr_hides_the_client_secret() -> None:
    value = IdTokenChecks(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        nonce=NONCE,
        algorithms=("HS256",),
        client_secret=CLIENT_SECRET,
    )
    assert CLIENT_SECRET not in repr(value)
