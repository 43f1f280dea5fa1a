"""Hypothesis: whatever comes in, the result is a value or an Auth0Error, never anything else."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from auth0_core._http import HttpResponse
from auth0_core._id_token import validate_id_token
from auth0_core._jwks import JsonWebKeys, process_jwks_response
from auth0_core.errors import Auth0Error

from .minting import NOW, Keys, b64, b64json, base_claims, checks, mint, sign_raw

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
claim_names = st.sampled_from(
    [
        "iss",
        "sub",
        "aud",
        "azp",
        "exp",
        "iat",
        "nbf",
        "nonce",
        "auth_time",
        "org_id",
        "org_name",
        "sid",
    ]
) | st.text(max_size=8)
# Claims near the valid set: timestamps around NOW, strings near the expected ones.
near_values = (
    json_values
    | st.integers(min_value=NOW - 4000, max_value=NOW + 4000)
    | st.sampled_from(["client-abc", "n-0S6_WzA2Mj", "org_abc123", "https://tenant.eu.auth0.com/"])
    | st.lists(st.sampled_from(["client-abc", "api", ""]), max_size=3)
)
claim_sets = st.dictionaries(claim_names, near_values, max_size=12)
check_variants = st.fixed_dictionaries(
    {},
    optional={
        "max_age": st.integers(min_value=0, max_value=1000),
        "organization": st.sampled_from(["org_abc123", "Acme", "ACME"]),
        "leeway": st.integers(min_value=0, max_value=120),
    },
)
now_values = st.integers(min_value=NOW - 5000, max_value=NOW + 5000)


def _validate(token: Any, keys: Keys, extra: dict[str, Any] | None = None, now: int = NOW) -> None:
    try:
        result = validate_id_token(token, keys=keys.jwks, checks=checks(**(extra or {})), now=now)
    except Auth0Error as error:
        event(f"{type(error).__name__}({getattr(error, 'claim', '')})")
        return
    event("valid")
    assert result.sub


token_like = st.one_of(
    st.text(),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", max_size=200
    ),
    st.tuples(json_values, json_values, st.binary(max_size=300)).map(
        lambda parts: f"{b64json(parts[0])}.{b64json(parts[1])}.{b64(parts[2])}"
    ),
    st.tuples(st.binary(max_size=80), st.binary(max_size=80), st.binary(max_size=80)).map(
        lambda parts: ".".join(b64(part) for part in parts)
    ),
)


@SETTINGS
@given(token=token_like)
def test_any_text_is_claims_or_auth0_error(keys: Keys, token: str) -> None:
    _validate(token, keys)


@SETTINGS
@given(
    header=st.dictionaries(
        st.sampled_from(["alg", "kid", "typ", "crit", "b64", "jku", "x5c"]) | st.text(max_size=5),
        json_values,
        max_size=6,
    )
)
def test_any_header_is_claims_or_auth0_error(keys: Keys, header: dict[str, Any]) -> None:
    header.setdefault("alg", "RS256")
    token = sign_raw(b64json(header), b64json(base_claims()), keys.rsa, "RS256")
    _validate(token, keys)


@SETTINGS
@given(claims=claim_sets, extra=check_variants, now=now_values)
def test_signed_arbitrary_claims_are_claims_or_auth0_error(
    keys: Keys, claims: dict[str, Any], extra: dict[str, Any], now: int
) -> None:
    _validate(mint(keys.rsa, claims), keys, extra, now)


@SETTINGS
@given(changes=claim_sets, extra=check_variants, now=now_values)
def test_valid_claims_with_arbitrary_changes(
    keys: Keys, changes: dict[str, Any], extra: dict[str, Any], now: int
) -> None:
    # Starting from a valid token reaches the later checks much more often.
    _validate(mint(keys.rsa, base_claims(**changes)), keys, extra, now)


@SETTINGS
@given(payload=st.binary(max_size=200))
def test_signed_arbitrary_payload_bytes(keys: Keys, payload: bytes) -> None:
    _validate(mint(keys.rsa, payload=payload), keys)


jwk_members = st.fixed_dictionaries(
    {"kty": st.sampled_from(["RSA", "EC", "oct", "OKP", "rsa"]) | json_values},
    optional={
        "kid": st.text(max_size=5) | json_values,
        "use": st.sampled_from(["sig", "enc"]) | json_values,
        "alg": st.sampled_from(["RS256", "ES256", "HS256", "none"]) | json_values,
        "key_ops": st.lists(st.sampled_from(["verify", "sign", "encrypt"])) | json_values,
        "n": st.binary(max_size=300).map(b64) | json_values,
        "e": st.sampled_from(["AQAB", "Aw", "", "AA"]) | json_values,
        "crv": st.sampled_from(["P-256", "P-384", "P-521", "X25519"]) | json_values,
        "x": st.binary(max_size=70).map(b64) | json_values,
        "y": st.binary(max_size=70).map(b64) | json_values,
        "k": st.binary(max_size=40).map(b64),
    },
)
jwks_documents = st.one_of(
    json_values,
    st.fixed_dictionaries({"keys": st.lists(jwk_members | json_values, max_size=5)}),
)


def _process(
    document: Any, *, valid_keys: list[dict[str, Any]] | None = None
) -> JsonWebKeys | None:
    if (
        valid_keys is not None
        and isinstance(document, dict)
        and isinstance(document.get("keys"), list)
    ):
        document["keys"] = [*document["keys"], *valid_keys]
    body = json.dumps(document).encode()
    try:
        return process_jwks_response(HttpResponse(status=200, body=body))
    except Auth0Error:
        return None


@SETTINGS
@given(document=jwks_documents)
def test_any_jwks_document_is_keys_or_auth0_error(document: Any) -> None:
    result = _process(document)
    if result is not None:
        assert len(result) >= 1


@SETTINGS
@given(document=st.fixed_dictionaries({"keys": st.lists(jwk_members | json_values, max_size=5)}))
def test_garbage_keys_never_hide_a_good_one(keys: Keys, document: dict[str, Any]) -> None:
    result = _process(document, valid_keys=[keys.rsa.as_dict(private=False)])
    assert result is not None
    assert any(key.kid == "k1" for key in result.keys)


@SETTINGS
@given(body=st.binary(max_size=200), status=st.integers(min_value=100, max_value=599))
def test_any_jwks_body_is_keys_or_auth0_error(body: bytes, status: int) -> None:
    with contextlib.suppress(Auth0Error):
        process_jwks_response(HttpResponse(status=status, body=body))
