"""DPoP (RFC 9449): the client's proof-of-possession key and the proofs it signs.

Loaded or generated once per client (``dpop=True`` or ``dpop_key=...``, docs/dpop.md); its
public JWK, thumbprint and proof header are computed once. Time (``iat``) and randomness
(``jti``, a generated key) come from the configuration's :class:`~auth0_core.Env`. The private
key never appears in a repr, an error or a log line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

from . import _jws_keys as jws
from ._env import Env
from ._jws_keys import MIN_RSA_BITS
from .errors import ConfigurationError

# cryptography (and joserfc, for a JWK) is imported by the first client that configures DPoP,
# not with this module, which every client imports (issue 14: import time).
if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    from ._jws_keys import PrivateKey

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
_CURVE_ORDERS = {
    "ES256": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
    "ES384": int(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF"
        "581A0DB248B0A77AECEC196ACCC52973",
        16,
    ),
}
_NOT_A_KEY = "must be a private key, a PEM private key or a private JWK (dict)."
_OPTION = jws.KeyOption(
    "dpop_key",
    "DPoP",
    wording={
        "eddsa_public": _NOT_A_KEY,
        "type": _NOT_A_KEY,
        "encrypted_pem": "is not an unencrypted PEM private key.",
        "bad_pem": "is not an unencrypted PEM private key.",
        "pem_type": "must be an EC (P-256, P-384) or RSA private key.",
        "kty": "must be an EC or RSA JWK.",
        "jwk_type": "is not a valid private JWK.",
    },
)


def access_token_hash(access_token: str) -> str:
    """``ath``: base64url(SHA-256(the access token's ASCII))."""
    return jws.b64(hashlib.sha256(access_token.encode("ascii", "replace")).digest())


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
        jwk = jws.public_jwk(private_key)
        self.public_jwk: Mapping[str, str] = jwk
        self.thumbprint = jws.thumbprint(jwk)
        self._header = jws.b64(jws.compact_json({"typ": "dpop+jwt", "alg": alg, "jwk": jwk}))
        self._sign = jws.signer(private_key, alg)

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
        return jws.sign_compact(self._header, claims, self._sign)

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.alg!r}, thumbprint={self.thumbprint!r})"

    def __reduce__(self) -> Any:
        raise TypeError("a DPoP key cannot be pickled")

    def __copy__(self) -> DPoPKey:
        return self

    def __deepcopy__(self, memo: object) -> DPoPKey:
        return self


# --- configuration -------------------------------------------------------------------------


def _algorithm_for(key: PrivateKey, alg: str | None) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        by_curve = jws.ES_BY_CURVE.get(key.curve.name)
        if by_curve is None or by_curve not in SUPPORTED_ALGORITHMS:
            raise _OPTION.refuse("must be an EC key on P-256 or P-384, or an RSA key.")
        if alg is not None and alg != by_curve:
            crv = jws.ALGORITHMS[by_curve].crv
            raise _OPTION.refuse(f"is an EC {crv} key: its algorithm is {by_curve}.")
        return by_curve
    if key.key_size < MIN_RSA_BITS:
        raise _OPTION.refuse(f"is an RSA key shorter than {MIN_RSA_BITS} bits.")
    if alg is None:
        return "RS256"
    if alg not in ("RS256", "PS256"):
        raise _OPTION.refuse("is an RSA key: its algorithm is RS256 or PS256.")
    return alg


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
    private, jwk_alg, _ = jws.load_private_key(value, _OPTION)
    if alg is not None and jwk_alg is not None and alg != jwk_alg:
        raise _OPTION.refuse("names another algorithm in its 'alg' than 'dpop_alg'.")
    alg = alg or jwk_alg
    if alg is not None and alg not in SUPPORTED_ALGORITHMS:
        raise _OPTION.refuse(f"has an 'alg' that is not one of {', '.join(SUPPORTED_ALGORITHMS)}.")
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

    if alg in _CURVE_ORDERS:
        size = jws.ALGORITHMS[alg].size
        order = _CURVE_ORDERS[alg]
        scalar = int.from_bytes(env.token_bytes(size + 8), "big") % (order - 1) + 1
        curve = ec.SECP256R1() if alg == "ES256" else ec.SECP384R1()
        return DPoPKey(ec.derive_private_key(scalar, curve), alg)
    return DPoPKey(rsa.generate_private_key(public_exponent=65537, key_size=MIN_RSA_BITS), alg)


def is_dpop(token_type: str | None) -> bool:
    """Whether a ``token_type`` names a DPoP-bound token (compared case-insensitively)."""
    return token_type is not None and token_type.lower() == "dpop"
