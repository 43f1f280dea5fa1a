"""DPoP (RFC 9449): the client's proof-of-possession key and the proofs it signs.

Loaded or generated once per client (``dpop=True`` or ``dpop_key=...``, docs/dpop.md); its
public JWK, thumbprint and proof header are computed once. Time (``iat``) and randomness
(``jti``, a generated key) come from the configuration's :class:`~auth0_core.Env`. The private
key never appears in a repr, an error or a log line.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

from ._env import Env
from .errors import ConfigurationError

# cryptography (and joserfc, for a JWK) is imported by the first client that configures DPoP,
# not with this module, which every client imports (issue 14: import time).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    PrivateKey: TypeAlias = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    # What ``dpop_key`` accepts: a cryptography private key, a PEM (str or bytes), a private JWK.
    DPoPKeyInput: TypeAlias = (
        ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | str | bytes | Mapping[str, Any]
    )
else:
    # At run time only for typing.get_type_hints(ClientOptions), which must not import
    # cryptography: ``dpop_key`` is checked by load_dpop_key.
    DPoPKeyInput = Any

__all__ = [
    "DEFAULT_ALGORITHM",
    "SUPPORTED_ALGORITHMS",
    "DPoPKey",
    "DPoPKeyInput",
    "access_token_hash",
    "generate_dpop_key",
    "is_dpop",
    "load_dpop_key",
    "proof_target",
]

DEFAULT_ALGORITHM = "ES256"
SUPPORTED_ALGORITHMS = ("ES256", "ES384", "RS256", "PS256")
MIN_RSA_BITS = 2048

_CURVES: dict[str, tuple[str, int]] = {
    # alg: (JWK crv, coordinate size in bytes)
    "ES256": ("P-256", 32),
    "ES384": ("P-384", 48),
}
_CURVE_ORDERS = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _b64_int(value: int, size: int) -> str:
    return _b64(value.to_bytes(size, "big"))


def _public_jwk(key: PrivateKey, alg: str) -> dict[str, str]:
    """The public JWK with only its required members, in RFC 7638's lexicographic order."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        crv, size = _CURVES[alg]
        numbers = key.public_key().public_numbers()
        return {
            "crv": crv,
            "kty": "EC",
            "x": _b64_int(numbers.x, size),
            "y": _b64_int(numbers.y, size),
        }
    public = key.public_key().public_numbers()
    return {
        "e": _b64_int(public.e, (public.e.bit_length() + 7) // 8),
        "kty": "RSA",
        "n": _b64_int(public.n, (public.n.bit_length() + 7) // 8),
    }


def _signer(key: PrivateKey, alg: str) -> Callable[[bytes], bytes]:
    """How ``alg`` signs with ``key``: a JWS signature (raw r||s for ECDSA)."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if isinstance(key, ec.EllipticCurvePrivateKey):
        size = _CURVES[alg][1]
        digest: hashes.HashAlgorithm = hashes.SHA256() if alg == "ES256" else hashes.SHA384()
        scheme = ec.ECDSA(digest)
        try:  # RFC 6979 where OpenSSL has it: a proof is then a function of the Env alone
            deterministic = ec.ECDSA(digest, deterministic_signing=True)
            key.sign(b"", deterministic)
            scheme = deterministic
        except (UnsupportedAlgorithm, TypeError):  # older OpenSSL or cryptography
            pass

        def sign_ec(data: bytes) -> bytes:
            r, s = decode_dss_signature(key.sign(data, scheme))
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")

        return sign_ec
    if alg == "PS256":
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        return lambda data: key.sign(data, pss, hashes.SHA256())
    return lambda data: key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def access_token_hash(access_token: str) -> str:
    """``ath``: base64url(SHA-256(the access token's ASCII))."""
    return _b64(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


def proof_target(url: str) -> str:
    """``htu``: ``url`` without its query and fragment (RFC 9449 §4.2)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class DPoPKey:
    """The client's DPoP private key, with everything about it that never changes (the
    public JWK, its RFC 7638 thumbprint, the proofs' encoded header) computed once.

    Its repr shows the algorithm and the thumbprint (a digest of the public key), never the
    key; it cannot be pickled or serialised.
    """

    __slots__ = ("_header", "_sign", "alg", "public_jwk", "thumbprint")

    def __init__(self, private_key: PrivateKey, alg: str) -> None:
        self.alg = alg
        jwk = _public_jwk(private_key, alg)
        self.public_jwk: Mapping[str, str] = jwk
        self.thumbprint = _b64(hashlib.sha256(_json(jwk)).digest())
        self._header = _b64(_json({"typ": "dpop+jwt", "alg": alg, "jwk": jwk}))
        self._sign = _signer(private_key, alg)

    def proof(
        self,
        method: str,
        url: str,
        *,
        iat: int,
        jti: str,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        """A signed proof JWT for ``method`` ``url`` (claims ``jti``, ``htm``, ``htu``, ``iat``;
        ``nonce`` when given; ``ath`` for a request that carries ``access_token``)."""
        claims: dict[str, object] = {
            "jti": jti,
            "htm": method,
            "htu": proof_target(url),
            "iat": iat,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        signing_input = f"{self._header}.{_b64(_json(claims))}"
        return f"{signing_input}.{_b64(self._sign(signing_input.encode('ascii')))}"

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.alg!r}, thumbprint={self.thumbprint!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a DPoP key cannot be pickled")

    def __copy__(self) -> DPoPKey:
        return self

    def __deepcopy__(self, memo: object) -> DPoPKey:
        return self


# --- configuration -------------------------------------------------------------------------


def _refuse(message: str) -> ConfigurationError:
    # Messages are fixed sentences: never the value, which may be the key itself.
    return ConfigurationError(f"'dpop_key' {message}")


def _algorithm_for(key: PrivateKey, alg: str | None) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = {"secp256r1": "ES256", "secp384r1": "ES384"}.get(key.curve.name)
        if by_curve is None:
            raise _refuse("must be an EC key on P-256 or P-384, or an RSA key.")
        if alg is not None and alg != by_curve:
            raise _refuse(f"is an EC {_CURVES[by_curve][0]} key: its algorithm is {by_curve}.")
        return by_curve
    if key.key_size < MIN_RSA_BITS:
        raise _refuse(f"is an RSA key shorter than {MIN_RSA_BITS} bits.")
    if alg is None:
        return "RS256"
    if alg not in ("RS256", "PS256"):
        raise _refuse("is an RSA key: its algorithm is RS256 or PS256.")
    return alg


def _from_jwk(value: Mapping[str, Any]) -> tuple[PrivateKey, str | None]:
    kty = value.get("kty")
    if kty == "oct":
        raise _refuse("is a symmetric key; DPoP needs an asymmetric private key.")
    if kty not in ("EC", "RSA"):
        raise _refuse("must be an EC or RSA JWK.")
    if "d" not in value:
        raise _refuse("is a public JWK; DPoP needs the private key.")
    alg = value.get("alg")
    if alg is not None and not isinstance(alg, str):
        raise _refuse("has an 'alg' that is not a string.")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, RSAKey

    try:
        imported = (ECKey if kty == "EC" else RSAKey).import_key(dict(value))
        private = imported.private_key
    except (JoseError, ValueError, TypeError, KeyError, UnsupportedAlgorithm):
        raise _refuse("is not a valid private JWK.") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise _refuse("is not a valid private JWK.")
    return private, alg


def _from_pem(value: str | bytes) -> PrivateKey:
    data = value.encode("utf-8") if isinstance(value, str) else value
    if b"PUBLIC KEY-----" in data or b"CERTIFICATE-----" in data:
        raise _refuse("is a public key or a certificate; DPoP needs the private key.")
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise _refuse("is not an unencrypted PEM private key.") from None
    if not isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise _refuse("must be an EC (P-256, P-384) or RSA private key.")
    return private


def load_dpop_key(value: object, alg: str | None = None) -> DPoPKey:
    """The :class:`DPoPKey` for ``value``: a ``cryptography`` EC (P-256, P-384) or RSA
    (2048 bits or more) private key, the same as an unencrypted PEM (str or bytes), or a
    private JWK (a dict; its ``alg`` is used when ``alg`` is None).

    Raises:
        ConfigurationError: a symmetric or public-only key, another key type or curve, an
            algorithm that does not fit the key. The message never contains the value.
    """
    if alg is not None and alg not in SUPPORTED_ALGORITHMS:
        raise ConfigurationError(f"'dpop_alg' must be one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private: object
    if isinstance(value, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        private = value
    elif isinstance(value, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        raise _refuse("is a public key; DPoP needs the private key.")
    elif isinstance(value, str | bytes):
        private = _from_pem(value)
    elif isinstance(value, Mapping):
        private, jwk_alg = _from_jwk(value)
        if alg is not None and jwk_alg is not None and alg != jwk_alg:
            raise _refuse("names another algorithm in its 'alg' than 'dpop_alg'.")
        alg = alg or jwk_alg
        if alg is not None and alg not in SUPPORTED_ALGORITHMS:
            raise _refuse(f"has an 'alg' that is not one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    else:
        raise _refuse("must be a private key, a PEM private key or a private JWK (dict).")
    assert isinstance(private, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey)
    return DPoPKey(private, _algorithm_for(private, alg))


def generate_dpop_key(env: Env, alg: str = DEFAULT_ALGORITHM) -> DPoPKey:
    """A new key for ``alg``. EC keys are drawn from ``env.token_bytes`` (the private scalar,
    with 64 extra bits against modulo bias), so a test's Env fixes the key; RSA keys come
    from OpenSSL's generator, which takes no injected randomness.

    Raises:
        ConfigurationError: ``alg`` is not supported.
    """
    if alg not in SUPPORTED_ALGORITHMS:
        raise ConfigurationError(f"'dpop_alg' must be one of {', '.join(SUPPORTED_ALGORITHMS)}.")
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if alg in _CURVES:
        _, size = _CURVES[alg]
        order = _CURVE_ORDERS[alg]
        scalar = int.from_bytes(env.token_bytes(size + 8), "big") % (order - 1) + 1
        curve = ec.SECP256R1() if alg == "ES256" else ec.SECP384R1()
        return DPoPKey(ec.derive_private_key(scalar, curve), alg)
    return DPoPKey(rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS), alg)


def is_dpop(token_type: str | None) -> bool:
    """Whether a ``token_type`` names a DPoP-bound token (compared case-insensitively)."""
    return token_type is not None and token_type.lower() == "dpop"
