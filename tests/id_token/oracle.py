"""An independent oracle for ID-token validation, written from the protocol doc.

Sources: protocol doc §2.6 (the [Do] column), §1.2 (allow-listed algorithms, ``kid`` lookup),
§1.3 (exact issuer); OIDC Core §3.1.3.7 and §10.1 (a JWKS with several keys needs a ``kid``);
and the order ``auth0_core._id_token`` documents in its module docstring (shape, header, key,
signature, then the claims ``iss, sub, aud, azp, exp, iat, nbf, nonce, auth_time, organization``,
stopping at the first failure).

Nothing here imports ``auth0_core``: the verdicts name the expected error class as a string, so
the oracle cannot borrow a rule from the code it judges.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeGuard

import attrs

# (error class name, claim): what validation must raise; None means "accept".
Verdict = tuple[str, str]

ID_TOKEN_ERROR = "IdTokenError"
ISSUER_ERROR = "IssuerValidationError"
ORGANIZATION_ERROR = "OrganizationTokenValidationError"
KEY_NOT_FOUND = "KeyNotFoundError"

# JWS algorithms and the JWK key type (and EC curve) each one needs (RFC 7518 §3.1, §3.4).
KEY_TYPES = {"RS256": "RSA", "RS384": "RSA", "RS512": "RSA", "PS256": "RSA", "ES256": "EC"}
CURVES = {"ES256": "P-256"}
HMAC = frozenset({"HS256", "HS384", "HS512"})
# RFC 7515 §4.1: the registered header members whose JSON type is fixed.
REGISTERED_HEADER_TYPES: Mapping[str, type] = {
    "typ": str,
    "cty": str,
    "jku": str,
    "x5u": str,
    "x5t": str,
    "x5t#S256": str,
    "jwk": dict,
    "x5c": list,
}
# joserfc's bound on the encoded header (the code documents adopting it).
MAX_HEADER_SEGMENT = 512


@attrs.frozen(kw_only=True)
class Expectation:
    """What the relying party expects: the inputs of the [Do] rules of §2.6."""

    issuer: str
    client_id: str
    nonce: str | None
    max_age: int | None = None
    organization: str | None = None
    leeway: int = 60
    algorithms: tuple[str, ...] = ("RS256",)
    client_secret: str | None = None


def _is_timestamp(value: object) -> TypeGuard[int]:
    # JSON integers only: not booleans (a Python int subclass), not floats, not strings.
    return type(value) is int


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", value).lower()


def _iss(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # §1.3/§2.6: exact string equality with the discovery issuer, no normalisation.
    iss = claims.get("iss")
    return None if isinstance(iss, str) and iss == e.issuer else (ISSUER_ERROR, "iss")


def _sub(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    sub = claims.get("sub")
    return None if isinstance(sub, str) and sub else (ID_TOKEN_ERROR, "sub")


def _audiences(claims: Mapping[str, Any]) -> list[str] | None:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return aud
    return None


def _aud(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "must contain client_id (string or list)".
    audiences = _audiences(claims)
    return None if audiences is not None and e.client_id in audiences else (ID_TOKEN_ERROR, "aud")


def _azp(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "if aud has more than one value, azp must be present and equal client_id"; and OIDC Core
    # §3.1.3.7 (5): an azp that is present must be this client. A JSON null azp is no azp
    # (OIDC Core §5.3.2: a claim without a value is omitted). Values are counted distinct.
    azp = claims.get("azp")
    several = len(set(_audiences(claims) or ())) > 1
    if (several and azp is None) or (azp is not None and azp != e.client_id):
        return (ID_TOKEN_ERROR, "azp")
    return None


def _exp(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "required; reject when now >= exp + leeway".
    exp = claims.get("exp")
    if not _is_timestamp(exp) or now >= exp + e.leeway:
        return (ID_TOKEN_ERROR, "exp")
    return None


def _iat(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "required; reject when iat > now + leeway".
    iat = claims.get("iat")
    if not _is_timestamp(iat) or iat > now + e.leeway:
        return (ID_TOKEN_ERROR, "iat")
    return None


def _nbf(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "checked if present, with leeway": a present nbf (even null) must be a timestamp.
    if "nbf" not in claims:
        return None
    nbf = claims["nbf"]
    if not _is_timestamp(nbf) or nbf > now + e.leeway:
        return (ID_TOKEN_ERROR, "nbf")
    return None


def _nonce(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "required and equal to the transaction's nonce" (when one was sent).
    if e.nonce is None:
        return None
    nonce = claims.get("nonce")
    return None if isinstance(nonce, str) and nonce == e.nonce else (ID_TOKEN_ERROR, "nonce")


def _auth_time(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "when max_age was sent: auth_time required and now <= auth_time + max_age + leeway".
    if e.max_age is None:
        return None
    auth_time = claims.get("auth_time")
    if not _is_timestamp(auth_time) or now > auth_time + e.max_age + e.leeway:
        return (ID_TOKEN_ERROR, "auth_time")
    return None


def _organization(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    # "org_...: org_id must be a string equal to it (case-sensitive); otherwise org_name must
    # be a string equal to it after NFC normalisation and lower-casing both sides".
    org = e.organization
    if org is None:
        return None
    if org.startswith("org_"):
        org_id = claims.get("org_id")
        ok = isinstance(org_id, str) and org_id == org
        return None if ok else (ORGANIZATION_ERROR, "org_id")
    org_name = claims.get("org_name")
    ok = isinstance(org_name, str) and _fold(org_name) == _fold(org)
    return None if ok else (ORGANIZATION_ERROR, "org_name")


Rule = Callable[[Mapping[str, Any], Expectation, int], "Verdict | None"]
# The documented order; validation stops at the first rule that fails.
CLAIM_RULES: Sequence[tuple[str, Rule]] = (
    ("iss", _iss),
    ("sub", _sub),
    ("aud", _aud),
    ("azp", _azp),
    ("exp", _exp),
    ("iat", _iat),
    ("nbf", _nbf),
    ("nonce", _nonce),
    ("auth_time", _auth_time),
    ("organization", _organization),
)


def claims_verdicts(claims: Mapping[str, Any], e: Expectation, now: int) -> list[Verdict]:
    """Every claim rule ``claims`` breaks, in the documented order (empty: all hold)."""
    found = (rule(claims, e, now) for _, rule in CLAIM_RULES)
    return [verdict for verdict in found if verdict is not None]


def claims_verdict(claims: Mapping[str, Any], e: Expectation, now: int) -> Verdict | None:
    """The first claim rule ``claims`` breaks, or None when the claims are acceptable."""
    verdicts = claims_verdicts(claims, e, now)
    return verdicts[0] if verdicts else None


def header_verdict(header: Mapping[str, Any], e: Expectation) -> Verdict | None:
    """The first header rule broken, before any key is looked up (ambiguous members aside).

    §1.2: ``alg`` allow-listed, never ``none``; RFC 7515 §4.1.11: we understand no ``crit``
    extension (and RFC 7797's ``b64`` only exists with ``crit``); ``kid`` is a string.
    """
    alg = header.get("alg")
    if not isinstance(alg, str) or alg == "none" or alg not in e.algorithms:
        return (ID_TOKEN_ERROR, "alg")
    for name in ("crit", "b64"):
        if name in header:
            return (ID_TOKEN_ERROR, name)
    if "kid" in header and not isinstance(header["kid"], str):
        return (ID_TOKEN_ERROR, "kid")
    return None


def mistyped_registered_members(header: Mapping[str, Any]) -> list[str]:
    """Registered header members present with the wrong JSON type (RFC 7515 §4.1)."""
    return [
        name
        for name, kind in REGISTERED_HEADER_TYPES.items()
        if name in header and not isinstance(header[name], kind)
    ]


def _serves(entry: Mapping[str, Any], alg: str) -> bool:
    # RFC 7517 §4: a signing key ("use" absent or "sig") of the type alg needs, whose own "alg"
    # (when it has one) is this alg, on the curve alg needs.
    if entry.get("use", "sig") != "sig" or entry.get("kty") != KEY_TYPES.get(alg):
        return False
    if entry.get("alg", alg) != alg:
        return False
    return alg not in CURVES or entry.get("crv") == CURVES[alg]


def candidate_entries(
    document: Mapping[str, Any], kid: str | None, alg: str
) -> list[Mapping[str, Any]]:
    """The JWKS entries that may verify a token with this ``kid`` and ``alg``.

    With a ``kid``: the entries with that ``kid`` that serve ``alg``. Without one: the single
    entry serving ``alg``, and none when there are several (OIDC Core §10.1).
    """
    serving = [entry for entry in document["keys"] if _serves(entry, alg)]
    if kid is None:
        return serving if len(serving) == 1 else []
    return [entry for entry in serving if entry.get("kid") == kid]


def same_public_key(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    members = ("kty", "n", "e") if a.get("kty") == "RSA" else ("kty", "crv", "x", "y")
    return all(a.get(m) == b.get(m) for m in members)


@attrs.frozen(kw_only=True)
class Signer:
    """Who signed the token: a public JWK, or an HMAC secret, or nobody (``alg: none``)."""

    public_jwk: Mapping[str, Any] | None = None
    secret: str | None = None
    intact: bool = True  # False: the signature segment was altered after signing


def key_and_signature_verdict(
    header: Mapping[str, Any], e: Expectation, document: Mapping[str, Any], signer: Signer
) -> Verdict | None:
    """Key lookup then signature, for a header that passed :func:`header_verdict`.

    §1.2: ``HS*`` is verified with the client secret and nothing else (its ``kid`` is not
    looked up); other algorithms with the JWKS key(s) for ``kid`` (a miss is
    ``KeyNotFoundError``, the re-fetch signal). The signature holds only when unaltered and
    made by one of those keys.
    """
    alg = str(header["alg"])
    if alg in HMAC:
        genuine = signer.secret is not None and signer.secret == e.client_secret
    else:
        kid = header.get("kid")
        candidates = candidate_entries(document, kid if isinstance(kid, str) else None, alg)
        if not candidates:
            return (KEY_NOT_FOUND, "kid")
        genuine = signer.public_jwk is not None and any(
            same_public_key(signer.public_jwk, entry) for entry in candidates
        )
    return None if genuine and signer.intact else (ID_TOKEN_ERROR, "signature")
