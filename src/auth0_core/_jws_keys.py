"""The client's own JWS keys: what DPoP proofs (RFC 9449, ``_dpop_key``) and ``private_key_jwt``
assertions (RFC 7523, ``_assertion_key``) share.

The algorithm table, base64url and compact JSON, the public JWK and its RFC 7638 thumbprint, a
signer for each algorithm, and the loading of a private key (PEM, JWK or ``cryptography``
object). Each feature keeps its own supported set and how it picks or checks the algorithm.

cryptography and joserfc are imported on first use, not with this module (issue 14: import
time). No error quotes the value, which may be the key itself: refusals are fixed sentences.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from .errors import ConfigurationError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

__all__ = [
    "ALGORITHMS",
    "ES_BY_CURVE",
    "MIN_RSA_BITS",
    "Algorithm",
    "KeyOption",
    "b64",
    "compact_json",
    "load_private_key",
    "public_jwk",
    "sign_compact",
    "signer",
    "thumbprint",
]

MIN_RSA_BITS = 2048


class Algorithm(NamedTuple):
    """What a JWS ``alg`` signs with (RFC 7518 §3)."""

    kty: str  # "RSA" or "EC"
    bits: int  # the SHA-2 hash
    curve: str = ""  # EC: cryptography's curve name
    crv: str = ""  # EC: the JWK crv
    size: int = 0  # EC: bytes per coordinate, and per r and s in a signature


# Every algorithm the client signs with: the assertion takes them all, DPoP a few.
ALGORITHMS: Mapping[str, Algorithm] = {
    "RS256": Algorithm("RSA", 256),
    "RS384": Algorithm("RSA", 384),
    "RS512": Algorithm("RSA", 512),
    "PS256": Algorithm("RSA", 256),
    "PS384": Algorithm("RSA", 384),
    "PS512": Algorithm("RSA", 512),
    "ES256": Algorithm("EC", 256, "secp256r1", "P-256", 32),
    "ES384": Algorithm("EC", 384, "secp384r1", "P-384", 48),
    "ES512": Algorithm("EC", 512, "secp521r1", "P-521", 66),
}
ES_BY_CURVE = {spec.curve: alg for alg, spec in ALGORITHMS.items() if spec.kty == "EC"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def compact_json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64_uint(value: int, size: int = 0) -> str:
    return b64(value.to_bytes(size or max(1, (value.bit_length() + 7) // 8), "big"))


def public_jwk(key: PrivateKey) -> dict[str, str]:
    """The public JWK with only its required members, in RFC 7638's lexicographic order. An EC
    key must be on a curve of :data:`ALGORITHMS`."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        spec = ALGORITHMS[ES_BY_CURVE[key.curve.name]]
        point = key.public_key().public_numbers()
        x, y = _b64_uint(point.x, spec.size), _b64_uint(point.y, spec.size)
        return {"crv": spec.crv, "kty": "EC", "x": x, "y": y}
    public = key.public_key().public_numbers()
    return {"e": _b64_uint(public.e), "kty": "RSA", "n": _b64_uint(public.n)}


def thumbprint(jwk: Mapping[str, str]) -> str:
    """The RFC 7638 thumbprint (SHA-256) of a JWK from :func:`public_jwk`."""
    return b64(hashlib.sha256(compact_json(jwk)).digest())


def signer(key: PrivateKey, alg: str) -> Callable[[bytes], bytes]:
    """How ``alg`` signs with ``key`` (which fits it): a JWS signature (RFC 7518 §3; raw r||s
    for ECDSA)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    spec = ALGORITHMS[alg]
    digest: hashes.HashAlgorithm = {256: hashes.SHA256, 384: hashes.SHA384}.get(
        spec.bits, hashes.SHA512
    )()
    if isinstance(key, ec.EllipticCurvePrivateKey):
        scheme = ec.ECDSA(digest)
        try:  # RFC 6979 where OpenSSL has it: a signature is then a function of the Env alone
            deterministic = ec.ECDSA(digest, deterministic_signing=True)
            key.sign(b"", deterministic)
            scheme = deterministic
        except (UnsupportedAlgorithm, TypeError):  # older OpenSSL or cryptography
            pass

        def sign_ec(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, scheme))
            return r.to_bytes(spec.size, "big") + s.to_bytes(spec.size, "big")

        return sign_ec
    rsa_key = key
    if alg.startswith("PS"):
        # RFC 7518 §3.5: MGF1 with the same hash, a salt as long as the hash.
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        return lambda data: rsa_key.sign(data, pss, digest)
    pkcs1 = padding.PKCS1v15()
    return lambda data: rsa_key.sign(data, pkcs1, digest)


def sign_compact(header: str, claims: Mapping[str, object], sign: Callable[[bytes], bytes]) -> str:
    """The compact JWS of ``claims`` under an encoded protected ``header``."""
    signing_input = f"{header}.{b64(compact_json(dict(claims)))}"
    return f"{signing_input}.{b64(sign(signing_input.encode('ascii')))}"


# --- loading -------------------------------------------------------------------------------

_PUBLIC = "is a public key; {feature} needs the private key."
_NOT_RSA_OR_EC = "must be an RSA or EC private key."
# Each refusal of load_private_key, by what was wrong; ``{feature}`` is KeyOption.feature.
_REFUSALS = {
    "json": "is neither a PEM private key nor a JWK's JSON.",
    "public": _PUBLIC,
    "eddsa_public": _PUBLIC,
    "public_pem": "is a public key or a certificate; {feature} needs the private key.",
    "encrypted_pem": "is an encrypted PEM; give the unencrypted private key.",
    "bad_pem": "is not a PEM private key (PKCS#8 or traditional).",
    "pem_type": _NOT_RSA_OR_EC,
    "symmetric": "is a symmetric key; {feature} needs an asymmetric private key.",
    "kty": "must be an RSA or EC JWK.",
    "public_jwk": "is a public JWK; {feature} needs the private key.",
    "alg": "has an 'alg' that is not a string.",
    "kid": "has a 'kid' that is not a non-empty string.",
    "bad_jwk": "is not a valid private JWK.",
    "jwk_type": _NOT_RSA_OR_EC,  # a safeguard: a JWK with "d" imports as a private key
    "type": _NOT_RSA_OR_EC,
}


class KeyOption(NamedTuple):
    """An option that takes a private key: what load_private_key accepts for it, and how its
    refusals read."""

    name: str  # as errors quote it: 'dpop_key'
    feature: str  # what needs the private key: 'DPoP'
    json_text: bool = False  # a str that starts with '{' is a JWK's JSON
    kid: bool = False  # a JWK's 'kid' is checked and returned
    wording: Mapping[str, str] = {}  # the refusals (keys of _REFUSALS) it words its own way

    def refuse(self, sentence: str) -> ConfigurationError:
        """``'name' sentence`` as a ConfigurationError; the sentence never quotes the value."""
        return ConfigurationError(f"'{self.name}' {sentence}")

    def refusal(self, what: str) -> ConfigurationError:
        """The error of load_private_key for ``what`` (a key of _REFUSALS)."""
        return self.refuse(self.wording.get(what) or _REFUSALS[what].format(feature=self.feature))


def load_private_key(value: object, option: KeyOption) -> tuple[PrivateKey, str | None, str | None]:
    """The RSA or EC private key ``value`` is (an unencrypted PEM, str or bytes, PKCS#8 or
    traditional; a private JWK, a dict or with ``option.json_text`` its JSON text; or a
    ``cryptography`` key), with the JWK's ``alg`` and (with ``option.kid``) ``kid``, each None
    when absent. The key's size and curve are the caller's to check.

    Raises:
        ConfigurationError: anything else, in ``option``'s words, never quoting the value.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if option.json_text and isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise option.refusal("json") from None
    if isinstance(value, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return value, None, None
    if isinstance(value, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
        raise option.refusal("public")
    if isinstance(value, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
        raise option.refusal("eddsa_public")
    if isinstance(value, str | bytes):
        return _from_pem(value, option), None, None
    if isinstance(value, Mapping):
        return _from_jwk(value, option)
    raise option.refusal("type")


def _from_pem(value: str | bytes, option: KeyOption) -> PrivateKey:
    try:
        data = value.encode("utf-8") if isinstance(value, str) else value
    except UnicodeEncodeError:  # a lone surrogate: no PEM (PEM is ASCII)
        raise option.refusal("bad_pem") from None
    if b"PUBLIC KEY-----" in data or b"CERTIFICATE-----" in data:
        raise option.refusal("public_pem")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        private = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise option.refusal("encrypted_pem") from None
    except (ValueError, UnsupportedAlgorithm):
        raise option.refusal("bad_pem") from None
    if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise option.refusal("pem_type")
    return private


def _from_jwk(
    value: Mapping[str, Any], option: KeyOption
) -> tuple[PrivateKey, str | None, str | None]:
    kty = value.get("kty")
    if kty == "oct":
        raise option.refusal("symmetric")
    if kty not in ("RSA", "EC"):
        raise option.refusal("kty")
    if "d" not in value:
        raise option.refusal("public_jwk")
    alg, kid = value.get("alg"), value.get("kid") if option.kid else None
    if alg is not None and not isinstance(alg, str):
        raise option.refusal("alg")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise option.refusal("kid")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, RSAKey

    try:
        private = (ECKey if kty == "EC" else RSAKey).import_key(dict(value)).private_key
    except (JoseError, ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        raise option.refusal("bad_jwk") from None
    if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise option.refusal("jwk_type")
    return private, alg, kid
