"""Hypothesis, with an oracle: each token is accepted exactly when every rule holds.

Tokens are built from independently drawn perturbations of the checks, the header, the
signature and each claim; :mod:`.oracle` (written from the protocol doc, importing nothing of
auth0_core) says which rule breaks first, and the validator must raise exactly that error class
with exactly that ``claim``, or accept and return the claims unchanged when none breaks. The
fuzz properties (arbitrary text, headers, claim sets, payload bytes) are judged by the same
oracle wherever it can decide.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event
from joserfc.jwk import ECKey, RSAKey

from auth0_core._http import HttpResponse
from auth0_core._id_token import IdTokenChecks, validate_id_token
from auth0_core._jwks import JsonWebKeys
from auth0_core.endpoints.authentication.jwks import process_jwks_response
from auth0_core.errors import IdTokenError, InvalidResponse

from ..hypothesis_budget import examples
from .minting import (
    CLIENT_ID,
    CLIENT_SECRET,
    ISSUER,
    NONCE,
    NOW,
    Keys,
    b64,
    b64json,
    base_claims,
    mint,
    sign_raw,
)
from .oracle import (
    MAX_HEADER_SEGMENT,
    Expectation,
    Signer,
    Verdict,
    claims_verdict,
    claims_verdicts,
    header_verdict,
    key_and_signature_verdict,
    mistyped_registered_members,
)

SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
API = "https://api.example.com/"
OTHER_SECRET = "another-secret-of-reasonable-length!"
# Same kid as the JWKS's EC key, but not that key: a forged ES256 signature.
OTHER_EC = ECKey.generate_key("P-256", parameters={"kid": "e1"})


class Absent:
    """A claim or header member left out."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT = Absent()
Make = Callable[[Expectation], object]


def _const(value: object) -> Make:
    return lambda e: value


def _max_age(e: Expectation) -> int:
    return 300 if e.max_age is None else e.max_age


# --- the perturbations: per axis, variant name -> value; the first variant is the valid default

LEEWAYS: dict[str, int] = {"60": 60, "0": 0, "1": 1, "300": 300}
ALGORITHM_SETS: dict[str, tuple[str, ...]] = {
    "RS256": ("RS256",),
    "RS256+ES256": ("RS256", "ES256"),
    "RS256+HS256": ("RS256", "HS256"),
}
NONCES: dict[str, str | None] = {"sent": NONCE, "not-sent": None}
MAX_AGES: dict[str, int | None] = {"not-sent": None, "300": 300, "0": 0}
ORGANIZATIONS: dict[str, str | None] = {
    "none": None,
    "org-id": "org_abc123",
    "org-name": "Acme Caf\u00e9",
}
CHECK_AXES: dict[str, tuple[str, ...]] = {
    "leeway": tuple(LEEWAYS),
    "algorithms": tuple(ALGORITHM_SETS),
    "expected_nonce": tuple(NONCES),
    "max_age": tuple(MAX_AGES),
    "organization": tuple(ORGANIZATIONS),
}
HEADER_AXES: dict[str, tuple[str, ...]] = {
    "alg": ("RS256", "ES256", "HS256", "RS512", "none"),
    "kid": ("own", "absent", "unknown", "other-key", "number"),
    "typ": ("JWT", "absent", "number"),
    "crit": ("absent", "present"),
    "signature": ("intact", "of-other-token", "wrong-key", "truncated"),
}
CLAIM_AXES: dict[str, dict[str, Make]] = {
    "iss": {
        "exact": _const(ISSUER),
        "missing": _const(ABSENT),
        "other-tenant": _const("https://evil.auth0.com/"),
        "no-trailing-slash": _const(ISSUER.rstrip("/")),
        "upper-case": _const(ISSUER.upper()),
        "list": _const([ISSUER]),
        "number": _const(42),
    },
    "sub": {
        "user": _const("auth0|user-1"),
        "missing": _const(ABSENT),
        "empty": _const(""),
        "number": _const(42),
    },
    "aud": {
        "client": _const(CLIENT_ID),
        "client-in-list": _const([CLIENT_ID]),
        "client-and-api": _const([CLIENT_ID, API]),
        "other": _const("other-client"),
        "list-without-client": _const([API, "other-client"]),
        "list-with-number": _const([CLIENT_ID, 1]),
        "missing": _const(ABSENT),
        "number": _const(7),
        "empty-list": _const([]),
    },
    "azp": {
        "absent": _const(ABSENT),
        "client": _const(CLIENT_ID),
        "other": _const("other-client"),
        "null": _const(None),
    },
    "exp": {
        "hour-ahead": _const(NOW + 3600),
        "last-second-in-leeway": lambda e: NOW - e.leeway + 1,
        "at-leeway-edge": lambda e: NOW - e.leeway,
        "hour-past-leeway": lambda e: NOW - e.leeway - 3600,
        "missing": _const(ABSENT),
        "string": _const(str(NOW + 3600)),
        "boolean": _const(True),
        "float": _const(NOW + 3600.5),
    },
    "iat": {
        "ten-seconds-ago": _const(NOW - 10),
        "future-at-leeway-edge": lambda e: NOW + e.leeway,
        "future-past-leeway": lambda e: NOW + e.leeway + 1,
        "missing": _const(ABSENT),
        "string": _const("yesterday"),
        "float": _const(NOW - 10.5),
    },
    "nbf": {
        "absent": _const(ABSENT),
        "past": _const(NOW - 60),
        "future-at-leeway-edge": lambda e: NOW + e.leeway,
        "future-past-leeway": lambda e: NOW + e.leeway + 1,
        "string": _const("soon"),
        "null": _const(None),
    },
    "nonce": {
        "expected": _const(NONCE),
        "missing": _const(ABSENT),
        "other": _const("n-other"),
        "prefix": _const(NONCE[:-1]),
        "number": _const(12345),
    },
    "auth_time": {
        "hour-ago": _const(NOW - 3600),
        "recent": _const(NOW - 20),
        "at-max-age-edge": lambda e: NOW - _max_age(e) - e.leeway,
        "past-max-age": lambda e: NOW - _max_age(e) - e.leeway - 1,
        "missing": _const(ABSENT),
        "string": _const("now"),
    },
    "org_id": {
        "absent": _const(ABSENT),
        "requested": _const("org_abc123"),
        "other": _const("org_other"),
        "other-case": _const("org_ABC123"),
    },
    "org_name": {
        "absent": _const(ABSENT),
        "requested": _const("Acme Caf\u00e9"),
        "decomposed-upper-case": _const("ACME CAFE\u0301"),
        "other": _const("Acme Inc"),
        "number": _const(5),
    },
}
EXTRA_CLAIMS = {"https://example.com/roles": ["admin"], "amr": ["pwd"], "sid": "session-1"}
AXES: dict[str, tuple[str, ...]] = {
    **CHECK_AXES,
    **HEADER_AXES,
    **{axis: tuple(variants) for axis, variants in CLAIM_AXES.items()},
    "extra": ("none", "unknown-claims"),
}
Scenario = Mapping[str, str]
DEFAULT: Scenario = {axis: variants[0] for axis, variants in AXES.items()}


@st.composite
def scenarios(draw: st.DrawFn, axes: tuple[str, ...] = tuple(AXES)) -> dict[str, str]:
    """Up to six of ``axes`` perturbed, each to a variant drawn independently of the others."""
    count = draw(st.integers(min_value=0, max_value=6))
    changed = draw(st.permutations(axes))[:count]
    return {
        axis: draw(st.sampled_from(variants[1:])) if axis in changed else variants[0]
        for axis, variants in AXES.items()
    }


def expectation(s: Scenario) -> Expectation:
    algorithms = ALGORITHM_SETS[s["algorithms"]]
    return Expectation(
        issuer=ISSUER,
        client_id=CLIENT_ID,
        nonce=NONCES[s["expected_nonce"]],
        max_age=MAX_AGES[s["max_age"]],
        organization=ORGANIZATIONS[s["organization"]],
        leeway=LEEWAYS[s["leeway"]],
        algorithms=algorithms,
        client_secret=CLIENT_SECRET if "HS256" in algorithms else None,
    )


def checks_for(e: Expectation) -> IdTokenChecks:
    return IdTokenChecks(
        issuer=e.issuer,
        client_id=e.client_id,
        nonce=e.nonce,
        require_nonce=e.nonce is not None,
        max_age=e.max_age,
        organization=e.organization,
        leeway=e.leeway,
        algorithms=e.algorithms,
        client_secret=e.client_secret,
    )


def claims_of(s: Scenario, e: Expectation) -> dict[str, Any]:
    claims = {axis: CLAIM_AXES[axis][s[axis]](e) for axis in CLAIM_AXES}
    if s["extra"] == "unknown-claims":
        claims.update(EXTRA_CLAIMS)
    return {name: value for name, value in claims.items() if value is not ABSENT}


def header_of(s: Scenario) -> dict[str, Any]:
    alg = s["alg"]
    own_kid = {"RS256": "k1", "RS512": "k1", "ES256": "e1"}.get(alg)
    kid = {
        "own": own_kid,
        "absent": None,
        "unknown": "rotated-away",
        "other-key": "k2",
        "number": 7,
    }[s["kid"]]
    header: dict[str, Any] = {"alg": alg}
    if kid is not None:
        header["kid"] = kid
    if s["typ"] != "absent":
        header["typ"] = "JWT" if s["typ"] == "JWT" else 3
    if s["crit"] == "present":
        header["crit"] = ["exp"]
    return header


def _signature(alg: str, signing_input: str, key: RSAKey | ECKey | str | None) -> str:
    if key is None:  # alg "none"
        return ""
    if isinstance(key, str):
        digest = hmac.new(key.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
        return b64(digest)
    head, body = signing_input.split(".")
    return sign_raw(head, body, key, alg).split(".")[2]


def sign(
    s: Scenario, keys: Keys, header: Mapping[str, Any], claims: Mapping[str, Any]
) -> tuple[str, Signer]:
    """The compact token, and who (truthfully) signed it."""
    alg, how = s["alg"], s["signature"]
    key: RSAKey | ECKey | str | None
    if alg == "none":
        key = None
    elif alg == "HS256":
        key = OTHER_SECRET if how == "wrong-key" else CLIENT_SECRET
    elif alg == "ES256":
        key = OTHER_EC if how == "wrong-key" else keys.ec
    else:
        key = keys.impostor if how == "wrong-key" else keys.rsa
    head = b64json(dict(header))
    signing_input = f"{head}.{b64json(dict(claims))}"
    signature = _signature(alg, signing_input, key)
    if how == "of-other-token":
        other = f"{head}.{b64json({**claims, 'jti': 'another-token'})}"
        signature = _signature(alg, other, key)
    elif how == "truncated":
        signature = signature[:-8]
    signer = Signer(
        public_jwk=key.as_dict(private=False) if isinstance(key, RSAKey | ECKey) else None,
        secret=key if isinstance(key, str) else None,
        intact=how in ("intact", "wrong-key"),
    )
    return f"{signing_input}.{signature}", signer


def oracle(
    header: Mapping[str, Any],
    claims: Mapping[str, Any],
    e: Expectation,
    keys: Keys,
    signer: Signer,
    now: int = NOW,
) -> Verdict | None:
    """The first rule broken, in the documented order: header, key, signature, claims."""
    verdict = header_verdict(header, e)
    if verdict is None and mistyped_registered_members(header):
        verdict = ("IdTokenError", "header")
    if verdict is None:
        verdict = key_and_signature_verdict(header, e, keys.jwks_document, signer)
    return verdict if verdict is not None else claims_verdict(claims, e, now)


def outcome(token: object, keys: Keys, checks: IdTokenChecks, now: int = NOW) -> Any:
    """The claims when accepted, else (error class name, claim)."""
    try:
        result = validate_id_token(token, keys=keys.jwks, checks=checks, now=now)  # type: ignore[arg-type]
    except IdTokenError as error:
        _event(f"{type(error).__name__}({error.claim})")
        return (type(error).__name__, error.claim)
    _event("accepted")
    return dict(result.claims)


def _event(name: str) -> None:
    """Tally outcomes (pytest --hypothesis-show-statistics) when hypothesis runs the test."""
    if currently_in_test_context():
        event(name)


def run_scenario(s: Scenario, keys: Keys) -> tuple[Verdict | None, Any]:
    e = expectation(s)
    claims, header = claims_of(s, e), header_of(s)
    token, signer = sign(s, keys, header, claims)
    expected = oracle(header, claims, e, keys, signer)
    got = outcome(token, keys, checks_for(e))
    assert got == (claims if expected is None else expected), s
    return expected, got


@SETTINGS
@given(s=scenarios())
def test_accepted_exactly_when_every_rule_holds(keys: Keys, s: dict[str, str]) -> None:
    run_scenario(s, keys)


@SETTINGS
@given(s=scenarios(axes=(*CHECK_AXES, *CLAIM_AXES, "extra")))
def test_claim_rules_fail_in_the_documented_order(keys: Keys, s: dict[str, str]) -> None:
    # A well-formed, well-signed token: every failure is a claim rule, so several broken
    # claims at once show the precedence iss, sub, aud, azp, exp, iat, nbf, nonce, auth_time,
    # organization.
    run_scenario(s, keys)


SINGLE_PERTURBATIONS = [
    (axis, variant) for axis, variants in AXES.items() for variant in variants[1:]
]


@pytest.mark.parametrize(
    ("axis", "variant"), SINGLE_PERTURBATIONS, ids=[f"{a}={v}" for a, v in SINGLE_PERTURBATIONS]
)
def test_each_perturbation_alone(keys: Keys, axis: str, variant: str) -> None:
    run_scenario({**DEFAULT, axis: variant}, keys)


def test_the_default_scenario_is_accepted(keys: Keys) -> None:
    expected, got = run_scenario(DEFAULT, keys)
    assert expected is None
    assert got["sub"] == "auth0|user-1"


def test_single_perturbations_reach_every_rule_and_acceptance(keys: Keys) -> None:
    """The oracle's own coverage: alone, the variants exercise every rule, and some of them
    (within leeway, at an edge, a list with azp, a folded org_name) are still accepted."""
    verdicts = set()
    for axis, variant in SINGLE_PERTURBATIONS:
        s = {**DEFAULT, axis: variant}
        e = expectation(s)
        claims, header = claims_of(s, e), header_of(s)
        verdicts.add(oracle(header, claims, e, keys, sign(s, keys, header, claims)[1]))
    assert verdicts == {
        None,
        ("IdTokenError", "alg"),
        ("IdTokenError", "crit"),
        ("IdTokenError", "kid"),
        ("IdTokenError", "header"),
        ("KeyNotFoundError", "kid"),
        ("IdTokenError", "signature"),
        ("IssuerValidationError", "iss"),
        ("IdTokenError", "sub"),
        ("IdTokenError", "aud"),
        ("IdTokenError", "azp"),
        ("IdTokenError", "exp"),
        ("IdTokenError", "iat"),
        ("IdTokenError", "nbf"),
        ("IdTokenError", "nonce"),
        ("IdTokenError", "auth_time"),
        ("OrganizationTokenValidationError", "org_id"),
        ("OrganizationTokenValidationError", "org_name"),
    }


def test_oracle_lists_every_broken_claim_rule_in_order() -> None:
    e = Expectation(issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE, max_age=0, leeway=0)
    claims = {"iss": ISSUER, "sub": "", "aud": "x", "exp": NOW, "iat": NOW + 1, "nonce": "n"}
    assert [claim for _, claim in claims_verdicts(claims, e, NOW)] == [
        "sub",
        "aud",
        "exp",
        "iat",
        "nonce",
        "auth_time",
    ]


# --- fuzz properties, judged by the oracle ----------------------------------------------------

DEFAULT_EXPECTATION = Expectation(issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE)
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
    | st.sampled_from([CLIENT_ID, NONCE, "org_abc123", "Acme", ISSUER])
    | st.lists(st.sampled_from([CLIENT_ID, "api", ""]), max_size=3)
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
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


def well_shaped(token: str) -> bool:
    """Three base64url segments, header and payload non-empty, within the length bound."""
    parts = token.split(".")
    return (
        len(token) <= 16 * 1024
        and len(parts) == 3
        and bool(parts[0] and parts[1])
        and all(_SEGMENT.fullmatch(part) for part in parts)
    )


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
def test_a_token_we_did_not_sign_is_never_accepted(keys: Keys, token: str) -> None:
    got = outcome(token, keys, checks_for(DEFAULT_EXPECTATION))
    assert isinstance(got, tuple), "an unsigned token was accepted"
    # Shape is checked first and reported as "token"; nothing else is.
    assert (got[1] == "token") == (not well_shaped(token))


def _expectation(extra: Mapping[str, Any]) -> Expectation:
    return Expectation(issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE, **extra)


def _signed_by_k1(keys: Keys) -> Signer:
    return Signer(public_jwk=keys.rsa.as_dict(private=False))


# Registered members whose content (not only their JSON type) the JOSE library judges.
CONTENT_CHECKED = ("jku", "x5u", "x5c", "jwk", "x5t", "x5t#S256")


@SETTINGS
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={
            "alg": st.just("RS256") | st.sampled_from(["RS384", "ES256", "none"]) | json_values,
            "kid": st.sampled_from(["k1", "k2", "e1"]) | json_values,
            "typ": st.just("JWT") | json_values,
            "crit": json_values,
            "b64": json_values,
            "jku": json_values,
            "x5c": json_values,
        },
    ),
    others=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
)
def test_any_header_is_judged_by_the_rules(
    keys: Keys, fields: dict[str, Any], others: dict[str, Any]
) -> None:
    header = {**others, **fields}
    token = sign_raw(b64json(header), b64json(base_claims()), keys.rsa, "RS256")
    e = DEFAULT_EXPECTATION
    allowed: set[Verdict | None]
    if len(b64json(header)) > MAX_HEADER_SEGMENT:
        allowed = {("IdTokenError", "header")}
    elif (verdict := header_verdict(header, e)) is not None:
        allowed = {verdict}
    elif mistyped_registered_members(header):
        allowed = {("IdTokenError", "header")}
    else:
        later = key_and_signature_verdict(header, e, keys.jwks_document, _signed_by_k1(keys))
        allowed = {later}
        if any(name in header for name in CONTENT_CHECKED):
            allowed.add(("IdTokenError", "header"))
    got = outcome(token, keys, checks_for(e))
    assert (None if isinstance(got, dict) else got) in allowed
    if isinstance(got, dict):
        assert got == base_claims()


@SETTINGS
@given(claims=claim_sets, extra=check_variants, now=now_values)
def test_signed_arbitrary_claims_are_judged_by_the_rules(
    keys: Keys, claims: dict[str, Any], extra: dict[str, Any], now: int
) -> None:
    e = _expectation(extra)
    expected = claims_verdict(claims, e, now)
    got = outcome(mint(keys.rsa, claims), keys, checks_for(e), now)
    assert got == (claims if expected is None else expected)


@SETTINGS
@given(changes=claim_sets, extra=check_variants, now=now_values)
def test_valid_claims_with_arbitrary_changes_are_judged_by_the_rules(
    keys: Keys, changes: dict[str, Any], extra: dict[str, Any], now: int
) -> None:
    # Starting from a valid token reaches the later checks much more often.
    claims = base_claims(**changes)
    e = _expectation(extra)
    expected = claims_verdict(claims, e, now)
    assert outcome(mint(keys.rsa, claims), keys, checks_for(e), now) == (
        claims if expected is None else expected
    )


def _json_object(data: bytes) -> dict[str, Any] | None:
    """RFC 7519 §7.2 (10): the payload is a UTF-8 JSON object; §4: no duplicate names."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({name for name, _ in pairs}) != len(pairs):
            raise ValueError("duplicate")
        return dict(pairs)

    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=unique)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@SETTINGS
@given(
    payload=st.binary(max_size=200)
    | claim_sets.map(lambda claims: json.dumps(base_claims(**claims)).encode())
)
def test_signed_arbitrary_payload_bytes(keys: Keys, payload: bytes) -> None:
    token = sign_raw(b64json({"alg": "RS256", "kid": "k1"}), b64(payload), keys.rsa, "RS256")
    claims = _json_object(payload)
    expected: Any
    if not payload:
        expected = ("IdTokenError", "token")  # an empty payload segment is a shape error
    elif claims is None:
        expected = ("IdTokenError", "payload")
    else:
        expected = claims_verdict(claims, DEFAULT_EXPECTATION, NOW) or claims
    assert outcome(token, keys, checks_for(DEFAULT_EXPECTATION)) == expected


# --- JWKS documents ---------------------------------------------------------------------------

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


def _process(document: Any) -> JsonWebKeys | InvalidResponse:
    body = json.dumps(document).encode()
    try:
        return process_jwks_response(HttpResponse(status=200, body=body))
    except InvalidResponse as error:
        return error


def _usable_entry(entry: object) -> bool:
    """Could this entry be a public signing key at all (RFC 7517 §4, RFC 7518 §6)?"""
    return (
        isinstance(entry, dict)
        and entry.get("kty") in ("RSA", "EC")
        and entry.get("use", "sig") == "sig"
        and entry.get("alg", "RS256") not in ("HS256", "none")
    )


@SETTINGS
@given(document=jwks_documents)
def test_any_jwks_document_keeps_only_its_own_signing_keys(document: Any) -> None:
    result = _process(document)
    entries = document.get("keys") if isinstance(document, dict) else None
    usable = [e for e in entries if _usable_entry(e)] if isinstance(entries, list) else []
    if not usable:
        # Not an object, no keys array, or nothing that could be a signing key.
        assert isinstance(result, InvalidResponse)
        return
    if isinstance(result, JsonWebKeys):
        assert 1 <= len(result) <= len(usable)
        kids = {e.get("kid") for e in usable}
        assert all(key.kid in kids for key in result.keys)
        assert all(key.key_type in ("RSA", "EC") for key in result.keys)


@SETTINGS
@given(document=st.fixed_dictionaries({"keys": st.lists(jwk_members | json_values, max_size=5)}))
def test_garbage_keys_never_hide_a_good_one(keys: Keys, document: dict[str, Any]) -> None:
    document["keys"] = [*document["keys"], keys.rsa.as_dict(private=False)]
    result = _process(document)
    assert isinstance(result, JsonWebKeys)
    assert any(key.kid == "k1" for key in result.keys)


@SETTINGS
@given(
    body=st.binary(max_size=200) | st.none(),
    status=st.sampled_from([200, 304, 404, 500]) | st.integers(min_value=100, max_value=599),
)
def test_a_jwks_response_gives_keys_only_with_status_200(
    keys: Keys, body: bytes | None, status: int
) -> None:
    # None stands for a genuine JWKS document: then only the status decides.
    content = json.dumps(keys.jwks_document).encode() if body is None else body
    try:
        result: JsonWebKeys | None = process_jwks_response(
            HttpResponse(status=status, body=content)
        )
    except InvalidResponse:
        result = None
    if status != 200:
        assert result is None
    elif body is None:
        assert result is not None
        assert [key.kid for key in result.keys] == ["k1", "k2", "e1"]
    elif _json_object(body) is None:
        assert result is None  # not a JSON object
