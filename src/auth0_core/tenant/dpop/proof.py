"""Verifying a DPoP proof JWT against the request it came with (RFC 9449 §4.2, §4.3).

Pure: the caller supplies the expected method and URL, the time and, at a resource server, the
access token. What needs memory (``jti`` replay, nonces) is the caller's (:mod:`.checks`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

import attrs
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import JWKRegistry, Key
from joserfc.jws import JWSRegistry

from ..params import load_json

# Asymmetric algorithms only (RFC 9449 §4.3 item 6): never "none", never an HMAC.
ALGORITHMS = (
    "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "Ed25519",
)  # fmt: skip
# Members that only a private (or a symmetric) key has; a proof's key must be public.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_MAX_PROOF_CHARS = 8192
_MAX_JTI_CHARS = 256
_MIN_RSA_BITS = 2048
_DEFAULT_PORTS = {"https": 443, "http": 80}


class InvalidProof(Exception):
    """The proof fails a check; ``description`` says which, for the ``error_description``."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class _ProofRegistry(JWSRegistry):
    # The header carries the whole public key: an RSA 4096 JWK does not fit the 512-byte default.
    max_header_length = 4096


_REGISTRY = _ProofRegistry(algorithms=ALGORITHMS, strict_check_header=False)


@attrs.frozen(kw_only=True)
class Proof:
    """A proof that passed every stateless check."""

    jkt: str  # RFC 7638 SHA-256 thumbprint of the proof's key, base64url
    jti: str
    iat: int
    nonce: str | None


def thumbprint(jwk: dict[str, Any]) -> str:
    """The RFC 7638 SHA-256 thumbprint of a public JWK, base64url without padding.

    Raises:
        InvalidProof: not a usable public key.
    """
    return _public_key(jwk).thumbprint()


def access_token_hash(token: str) -> str:
    """``ath``: base64url(SHA-256(ASCII(access token))) (RFC 9449 §4.2)."""
    digest = hashlib.sha256(token.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def normalized_htu(url: str) -> str | None:
    """``scheme://host[:port]/path`` lower-cased where case does not matter, default port and
    query and fragment dropped (RFC 9449 §4.3 item 9, RFC 3986 §6.2.2-6.2.3); None if no URL."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


def verify_proof(
    proof: str,
    *,
    method: str,
    url: str,
    now: int,
    max_age: int,
    access_token: str | None = None,
) -> Proof:
    """Check a proof for a request of ``method`` to ``url`` (RFC 9449 §4.3 items 2-12).

    Args:
        proof: the ``DPoP`` header's value.
        method: the request's method; ``htm`` must equal it.
        url: the request's URL; ``htu`` must equal it once both are normalized.
        now: the tenant's time; ``iat`` must be within ``max_age`` seconds of it, either way.
        access_token: at a resource server, the token the proof must carry the hash of (``ath``).

    Raises:
        InvalidProof: malformed, wrong ``typ``, a symmetric or ``none`` algorithm, a missing or
            private ``jwk``, a bad signature, or a claim that does not fit the request.
    """
    if len(proof) > _MAX_PROOF_CHARS or proof.count(".") != 2:
        raise InvalidProof("The DPoP proof is not a JWS in compact form.")
    header = _json_segment(proof.split(".", 1)[0], "header")
    if header.get("typ") != "dpop+jwt":
        raise InvalidProof('The DPoP proof typ must be "dpop+jwt".')
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise InvalidProof(f"The DPoP proof alg must be one of {', '.join(ALGORITHMS)}.")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict):
        raise InvalidProof("The DPoP proof header must carry the public key as jwk.")
    key = _public_key(jwk)
    try:
        payload = jws.deserialize_compact(proof, key, algorithms=[alg], registry=_REGISTRY).payload
        claims = load_json(payload)
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidProof("The DPoP proof signature does not verify with its jwk.") from None
    if not isinstance(claims, dict):
        raise InvalidProof("The DPoP proof claims must be a JSON object.")
    _check_claims(claims, method=method, url=url, now=now, max_age=max_age)
    if access_token is not None:
        ath = claims.get("ath")
        expected = access_token_hash(access_token)
        if not isinstance(ath, str) or not hmac.compare_digest(ath.encode(), expected.encode()):
            raise InvalidProof("The DPoP proof ath does not match the access token.")
    nonce = claims.get("nonce")
    if nonce is not None and not isinstance(nonce, str):
        raise InvalidProof("The DPoP proof nonce must be a string.")
    return Proof(jkt=key.thumbprint(), jti=claims["jti"], iat=claims["iat"], nonce=nonce)


def _json_segment(segment: str, what: str) -> dict[str, Any]:
    try:
        value = load_json(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        raise InvalidProof(f"The DPoP proof {what} is not base64url JSON.") from None
    if not isinstance(value, dict):
        raise InvalidProof(f"The DPoP proof {what} must be a JSON object.")
    return value


def _public_key(jwk: dict[str, Any]) -> Key:
    """The key a ``jwk`` header describes, refused when it holds private or symmetric material
    (a proof publishes it: RFC 9449 §4.3 item 7), or is an RSA key too short to trust."""
    if _PRIVATE_MEMBERS & set(jwk) or jwk.get("kty") == "oct":
        raise InvalidProof("The DPoP proof jwk must be a public key (no private members).")
    modulus = jwk.get("n")
    if jwk.get("kty") == "RSA" and (
        not isinstance(modulus, str) or len(modulus) * 6 < _MIN_RSA_BITS - 6
    ):
        raise InvalidProof(
            f"The DPoP proof jwk must be an RSA key of {_MIN_RSA_BITS} bits or more."
        )
    try:
        return JWKRegistry.import_key(jwk)
    except (JoseError, ValueError, TypeError, KeyError):
        raise InvalidProof("The DPoP proof jwk is not a usable public key.") from None


def _check_claims(claims: dict[str, Any], *, method: str, url: str, now: int, max_age: int) -> None:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 1 <= len(jti) <= _MAX_JTI_CHARS:
        raise InvalidProof("The DPoP proof must carry a jti.")
    if claims.get("htm") != method:
        raise InvalidProof(f"The DPoP proof htm must be {method}.")
    htu = claims.get("htu")
    expected = normalized_htu(url)
    if not isinstance(htu, str) or expected is None or normalized_htu(htu) != expected:
        raise InvalidProof(f"The DPoP proof htu must be {expected}.")
    iat = claims.get("iat")
    if not isinstance(iat, int) or isinstance(iat, bool):
        raise InvalidProof("The DPoP proof must carry iat, in whole seconds.")
    if abs(iat - now) > max_age:
        raise InvalidProof("The DPoP proof iat is too far from the current time.")
