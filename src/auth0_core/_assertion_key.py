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

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from . import _jws_keys as jws
from ._jws_keys import MIN_RSA_BITS
from .errors import ConfigurationError

# cryptography is imported by the first private_key_jwt client, not with this module, which
# every client imports (issue 14: import time).
if TYPE_CHECKING:
    from ._jws_keys import PrivateKey

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
SUPPORTED_ALGORITHMS = tuple(jws.ALGORITHMS)  # RS256-512, PS256-512, ES256-512
_OPTION = jws.KeyOption("client_assertion_signing_key", "private_key_jwt", json_text=True, kid=True)


def _key_kind(key: PrivateKey) -> str:
    """The key's type in words, for errors (never its material)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = jws.ES_BY_CURVE.get(key.curve.name)
        return f"an EC {jws.ALGORITHMS[alg].crv if alg else key.curve.name} key"
    return "an RSA key"


def _algorithms_for(key: PrivateKey) -> str:
    """The algorithms ``key`` can sign with, in words, for errors."""
    from cryptography.hazmat.primitives.asymmetric import ec

    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = jws.ES_BY_CURVE.get(key.curve.name)
        return alg or "none of ES256 (P-256), ES384 (P-384) or ES512 (P-521)"
    return "RS256, RS384, RS512, PS256, PS384 or PS512"


def _check_fit(key: PrivateKey, alg: str) -> None:
    """Refuse a key that cannot sign ``alg``: wrong type, curve or size."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    spec = jws.ALGORITHMS[alg]
    if spec.kty == "EC":
        fits = isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == spec.curve
    else:  # RS*, PS*
        fits = isinstance(key, rsa.RSAPrivateKey)
    if not fits:
        raise _OPTION.refuse(
            f"is {_key_kind(key)}, which cannot sign {alg} "
            f"(client_assertion_signing_alg); it signs {_algorithms_for(key)}."
        )
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size < MIN_RSA_BITS:
        raise _OPTION.refuse(
            f"is an RSA key of {key.key_size} bits; at least {MIN_RSA_BITS} are required."
        )


class AssertionKey:
    """The client's assertion signing key, with everything about it that never changes (the
    public JWK, its RFC 7638 thumbprint, the ``kid``, the encoded protected header) computed
    once.

    Its repr shows the algorithm and the ``kid``, never the key; it cannot be pickled.
    """

    __slots__ = ("_header", "_sign", "alg", "kid", "public_jwk", "thumbprint")

    def __init__(
        self,
        private_key: PrivateKey,
        alg: str,
        kid: str | None = None,
        *,
        thumbprint_kid: bool = True,
    ) -> None:
        _check_fit(private_key, alg)
        self.alg = alg
        jwk = jws.public_jwk(private_key)
        self.public_jwk: Mapping[str, str] = jwk
        self.thumbprint = jws.thumbprint(jwk)
        self.kid = kid if kid is not None or not thumbprint_kid else self.thumbprint
        header = {"alg": alg, "kid": self.kid, "typ": "JWT"}
        if self.kid is None:
            del header["kid"]
        self._header = jws.b64(jws.compact_json(header))
        self._sign = jws.signer(private_key, alg)

    def sign(self, claims: Mapping[str, object]) -> str:
        """The compact JWS of ``claims`` under this key's header."""
        return jws.sign_compact(self._header, claims, self._sign)

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


def load_assertion_key(
    value: object,
    alg: object = DEFAULT_ALGORITHM,
    kid: object = None,
    *,
    thumbprint_kid: bool = True,
) -> AssertionKey:
    """The :class:`AssertionKey` for ``value``: an unencrypted PEM private key (str or bytes,
    PKCS#8 or traditional), a ``cryptography`` private key, or a private JWK (a dict or its
    JSON text), checked against ``alg``.

    The ``kid`` header is the JWK's ``kid``, else ``kid`` (``client_assertion_kid``), else,
    with ``thumbprint_kid`` (the standard dialect), the RFC 7638 thumbprint of the public key;
    otherwise the assertion has no ``kid`` (Auth0 names a credential by a kid it generated,
    which only the user can give). The algorithm is never inferred from the key:
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
    private, jwk_alg, jwk_kid = jws.load_private_key(value, _OPTION)
    if jwk_alg is not None and jwk_alg != alg:
        raise _OPTION.refuse(
            f"is a JWK for {jwk_alg}, but 'client_assertion_signing_alg' is {alg}."
        )
    if jwk_kid is not None and kid is not None and jwk_kid != kid:
        raise ConfigurationError(
            "'client_assertion_kid' differs from the 'kid' of the JWK given as "
            "'client_assertion_signing_key'; give one."
        )
    kid = jwk_kid if jwk_kid is not None else kid
    assert kid is None or isinstance(kid, str)
    return AssertionKey(private, alg, kid, thumbprint_kid=thumbprint_kid)
