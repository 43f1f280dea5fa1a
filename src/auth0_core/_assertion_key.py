"""The ``private_key_jwt`` signing key (RFC 7523, protocol doc §8.6), loaded once per client.

``client_assertion_signing_key`` is loaded and checked against ``client_assertion_signing_alg``
when the client is built: the key type (RSA for RS*/PS*, EC on the algorithm's curve for ES*),
its size (RSA: 2048 bits or more) and that it is a private key. The
``kid`` header, the encoded protected header and the signing function are prepared then, so an
assertion costs one JSON dump and one signature. Time and randomness come from the caller (the
configuration's :class:`~auth0_core.Env`).

EdDSA is not offered: RFC 9864 deprecates the polymorphic ``EdDSA`` identifier (for ``Ed25519``
and ``Ed448``), and Auth0 itself accepts RSA credentials only.

The private key never appears in a repr, an error message or a log line: errors are fixed
sentences that name the option, the algorithm and the key's type, never the value.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from .errors import ConfigurationError

# cryptography is imported by the first private_key_jwt client, not with this module, which
# every client imports (issue 14: import time).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    PrivateKey: TypeAlias = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    # What ``client_assertion_signing_key`` accepts: an unencrypted PEM private key (str or
    # bytes), a cryptography private key, or a private JWK (dict, or its JSON text).
    AssertionKeyInput: TypeAlias = PrivateKey | str | bytes | Mapping[str, Any]
else:
    # At run time only for typing.get_type_hints(ClientOptions), which must not import
    # cryptography: the value is checked by load_assertion_key.
    AssertionKeyInput = Any

__all__ = [
    "DEFAULT_ALGORITHM",
    "MIN_RSA_BITS",
    "SUPPORTED_ALGORITHMS",
    "AssertionKey",
    "AssertionKeyInput",
    "load_assertion_key",
]

DEFAULT_ALGORITHM = "RS256"
SUPPORTED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
)
MIN_RSA_BITS = 2048

# ES*: (cryptography curve name, JWK crv, coordinate size in bytes)
_CURVES: dict[str, tuple[str, str, int]] = {
    "ES256": ("secp256r1", "P-256", 32),
    "ES384": ("secp384r1", "P-384", 48),
    "ES512": ("secp521r1", "P-521", 66),
}
_ES_BY_CURVE = {curve: alg for alg, (curve, _, _) in _CURVES.items()}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64_uint(value: int, size: int | None = None) -> str:
    length = size if size is not None else max(1, (value.bit_length() + 7) // 8)
    return _b64(value.to_bytes(length, "big"))


def _refuse(message: str) -> ConfigurationError:
    # Fixed sentences: never the value, which may be the key itself.
    return ConfigurationError(f"'client_assertion_signing_key' {message}")


def _key_kind(key: PrivateKey) -> str:
    """The key's type in words, for errors (never its material)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        crv = {curve: crv for curve, crv, _ in _CURVES.values()}.get(key.curve.name)
        return f"an EC {crv or key.curve.name} key"
    return "an RSA key"


def _algorithms_for(key: PrivateKey) -> str:
    """The algorithms ``key`` can sign with, in words, for errors."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = _ES_BY_CURVE.get(key.curve.name)
        return alg or "none of ES256 (P-256), ES384 (P-384) or ES512 (P-521)"
    return "RS256, RS384, RS512, PS256, PS384 or PS512"


def _check_fit(key: PrivateKey, alg: str) -> None:
    """Refuse a key that cannot sign ``alg``: wrong type, curve or size."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if alg in _CURVES:
        curve = _CURVES[alg][0]
        fits = isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == curve
    else:  # RS*, PS*
        fits = isinstance(key, rsa.RSAPrivateKey)
    if not fits:
        raise _refuse(
            f"is {_key_kind(key)}, which cannot sign {alg} "
            f"(client_assertion_signing_alg); it signs {_algorithms_for(key)}."
        )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise _refuse(
            f"is an RSA key of {key.key_size} bits; at least {MIN_RSA_BITS} are required."
        )


def _public_jwk(key: PrivateKey) -> dict[str, str]:
    """The public JWK with only its required members, in RFC 7638's lexicographic order."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        _, crv, size = _CURVES[_ES_BY_CURVE[key.curve.name]]
        point = key.public_key().public_numbers()
        return {
            "crv": crv,
            "kty": "EC",
            "x": _b64_uint(point.x, size),
            "y": _b64_uint(point.y, size),
        }
    public = key.public_key().public_numbers()
    return {"e": _b64_uint(public.e), "kty": "RSA", "n": _b64_uint(public.n)}


def _signer(key: PrivateKey, alg: str) -> Callable[[bytes], bytes]:
    """How ``alg`` signs with ``key``: a JWS signature (RFC 7518 §3; raw r||s for ECDSA)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    digest: hashes.HashAlgorithm = {"256": hashes.SHA256(), "384": hashes.SHA384()}.get(
        alg[-3:], hashes.SHA512()
    )
    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = _CURVES[alg][2]
        scheme = ec.ECDSA(digest)
        try:  # RFC 6979 where OpenSSL has it: an assertion is then a function of the Env
            deterministic = ec.ECDSA(digest, deterministic_signing=True)
            key.sign(b"", deterministic)
            scheme = deterministic
        except (UnsupportedAlgorithm, TypeError):  # older OpenSSL or cryptography
            pass

        def sign_ec(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, scheme))
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")

        return sign_ec
    rsa_key = key
    if alg.startswith("PS"):
        # RFC 7518 §3.5: MGF1 with the same hash, a salt as long as the hash.
        pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
        return lambda data: rsa_key.sign(data, pss, digest)
    pkcs1 = padding.PKCS1v15()
    return lambda data: rsa_key.sign(data, pkcs1, digest)


class AssertionKey:
    """The client's assertion signing key, with everything about it that never changes (the
    public JWK, its RFC 7638 thumbprint, the ``kid``, the encoded protected header) computed
    once.

    Its repr shows the algorithm and the ``kid``, never the key; it cannot be pickled.
    """

    __slots__ = ("_header", "_sign", "alg", "kid", "public_jwk", "thumbprint")

    def __init__(self, private_key: PrivateKey, alg: str, kid: str | None = None) -> None:
        _check_fit(private_key, alg)
        self.alg = alg
        jwk = _public_jwk(private_key)
        self.public_jwk: Mapping[str, str] = jwk
        self.thumbprint = _b64(hashlib.sha256(_json(jwk)).digest())
        self.kid = kid if kid is not None else self.thumbprint
        self._header = _b64(_json({"alg": alg, "kid": self.kid, "typ": "JWT"}))
        self._sign = _signer(private_key, alg)

    def sign(self, claims: Mapping[str, object]) -> str:
        """The compact JWS of ``claims`` under this key's header."""
        signing_input = f"{self._header}.{_b64(_json(dict(claims)))}"
        return f"{signing_input}.{_b64(self._sign(signing_input.encode('ascii')))}"

    def __repr__(self) -> str:
        return f"AssertionKey(alg={self.alg!r}, kid={self.kid!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AssertionKey):
            return NotImplemented
        return (self.alg, self.kid, self.thumbprint) == (other.alg, other.kid, other.thumbprint)

    def __hash__(self) -> int:
        return hash((self.alg, self.kid, self.thumbprint))

    def __reduce__(self) -> Any:
        raise TypeError("a client assertion signing key cannot be pickled")

    def __copy__(self) -> AssertionKey:
        return self

    def __deepcopy__(self, memo: object) -> AssertionKey:
        return self


# --- loading -------------------------------------------------------------------------------


def _from_jwk(value: Mapping[str, Any]) -> tuple[PrivateKey, str | None, str | None]:
    """A private JWK: the key, its ``alg`` and its ``kid`` (each None when absent)."""
    kty = value.get("kty")
    if kty == "oct":
        raise _refuse("is a symmetric key; private_key_jwt needs an asymmetric private key.")
    if kty not in ("RSA", "EC"):
        raise _refuse("must be an RSA or EC JWK.")
    if "d" not in value:
        raise _refuse("is a public JWK; private_key_jwt needs the private key.")
    alg, kid = value.get("alg"), value.get("kid")
    if alg is not None and not isinstance(alg, str):
        raise _refuse("has an 'alg' that is not a string.")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise _refuse("has a 'kid' that is not a non-empty string.")
    from cryptography.exceptions import UnsupportedAlgorithm
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, RSAKey

    try:
        private = (ECKey if kty == "EC" else RSAKey).import_key(dict(value)).private_key
    except (JoseError, ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        raise _refuse("is not a valid private JWK.") from None
    return _checked_private(private), alg, kid


def _from_pem(value: str | bytes) -> PrivateKey:
    data = value.encode("utf-8") if isinstance(value, str) else value
    if b"PUBLIC KEY-----" in data or b"CERTIFICATE-----" in data:
        raise _refuse("is a public key or a certificate; private_key_jwt needs the private key.")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    try:
        private = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise _refuse("is an encrypted PEM; give the unencrypted private key.") from None
    except (ValueError, UnsupportedAlgorithm):
        raise _refuse("is not a PEM private key (PKCS#8 or traditional).") from None
    return _checked_private(private)


def _checked_private(private: object) -> PrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise _refuse("must be an RSA or EC private key.")
    return private


def load_assertion_key(
    value: object, alg: object = DEFAULT_ALGORITHM, kid: object = None
) -> AssertionKey:
    """The :class:`AssertionKey` for ``value``: an unencrypted PEM private key (str or bytes,
    PKCS#8 or traditional), a ``cryptography`` private key, or a private JWK (a dict or its
    JSON text), checked against ``alg``.

    The ``kid`` header is the JWK's ``kid``, else ``kid`` (``client_assertion_kid``), else
    the RFC 7638 thumbprint of the public key. The algorithm is never inferred from the key:
    it is ``alg`` (RS256 unless configured), and a JWK whose ``alg`` differs is refused.

    Raises:
        ConfigurationError: an unsupported algorithm; a key that is unparsable, encrypted,
            symmetric or public-only, of another type or curve than ``alg`` needs, or an RSA
            key under 2048 bits. The message never contains the value.
    """
    if not isinstance(alg, str) or alg not in SUPPORTED_ALGORITHMS:
        raise ConfigurationError(
            f"'client_assertion_signing_alg' must be one of {', '.join(SUPPORTED_ALGORITHMS)}."
        )
    if kid is not None and (not isinstance(kid, str) or not kid.strip()):
        raise ConfigurationError("'client_assertion_kid' must be a non-empty string.")
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    publics = (
        rsa.RSAPublicKey,
        ec.EllipticCurvePublicKey,
        ed25519.Ed25519PublicKey,
        ed448.Ed448PublicKey,
    )
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            raise _refuse("is neither a PEM private key nor a JWK's JSON.") from None
    if isinstance(value, publics):
        raise _refuse("is a public key; private_key_jwt needs the private key.")
    if isinstance(value, str | bytes):
        private = _from_pem(value)
    elif isinstance(value, Mapping):
        private, jwk_alg, jwk_kid = _from_jwk(value)
        if jwk_alg is not None and jwk_alg != alg:
            raise _refuse(f"is a JWK for {jwk_alg}, but 'client_assertion_signing_alg' is {alg}.")
        if jwk_kid is not None and kid is not None and jwk_kid != kid:
            raise ConfigurationError(
                "'client_assertion_kid' differs from the 'kid' of the JWK given as "
                "'client_assertion_signing_key'; give one."
            )
        kid = jwk_kid if jwk_kid is not None else kid
    else:
        private = _checked_private(value)
    assert kid is None or isinstance(kid, str)
    return AssertionKey(private, alg, kid)
