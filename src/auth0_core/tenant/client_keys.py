"""Clients' registered public keys for ``private_key_jwt`` (RFC 7523 §3, protocol doc §8.6).

A client registers keys as ``client_assertion_public_key`` (one key) and
``client_assertion_credentials`` (several, each with an optional ``kid`` and ``alg``, like
Auth0's client credentials). Each key is RSA (RS256, RS384, RS512, PS256, PS384, PS512) or EC
on P-256, P-384 or P-521 (ES256, ES384, ES512); a credential's ``alg`` narrows that to one. A
key's ``kid`` is the configured one, else the JWK's, else its RFC 7638 thumbprint (what the SDK
sends when it is given no ``kid``). Auth0 itself registers RS256, RS384 and PS256 credentials
only; the tenant accepts the wider set a standard server does.
"""

from __future__ import annotations

import json
from functools import lru_cache

import attrs
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

from .._jws_keys import ALGORITHMS, MIN_RSA_BITS
from ..errors import ConfigurationError
from .config_types import AssertionCredential, TenantClient

ASSERTION_ALGORITHMS = tuple(ALGORITHMS)  # RS256-512, PS256-512, ES256-512
_CURVES = {spec.crv for spec in ALGORITHMS.values() if spec.kty == "EC"}

ClientKey = RSAKey | ECKey


@attrs.frozen(kw_only=True)
class RegisteredKey:
    """One public key a client's assertions may be verified with."""

    kid: str
    alg: str | None
    key: ClientKey = attrs.field(repr=False)

    def fits(self, alg: str) -> bool:
        """Whether an assertion signed with ``alg`` may be verified with this key."""
        if self.alg is not None and alg != self.alg:
            return False
        return key_fits(self.key, alg)


def key_fits(key: ClientKey, alg: str) -> bool:
    """Whether ``key``'s type (and curve) is the one ``alg`` signs with."""
    spec = ALGORITHMS.get(alg)
    if spec is None:
        return False
    if spec.kty == "EC":
        return isinstance(key, ECKey) and key.curve_name == spec.crv
    return isinstance(key, RSAKey)


@lru_cache(maxsize=256)
def import_client_key(text: str) -> ClientKey:
    """A client's public key given as PEM or as a JWK's JSON (RSA of 2048 bits or more, or EC
    on P-256, P-384 or P-521).

    Raises:
        ConfigurationError: the text is neither such a PEM key nor such a JWK.
    """
    try:
        value: str | dict[str, object] = text
        if text.lstrip().startswith("{"):
            value = json.loads(text)
            kty = value.get("kty") if isinstance(value, dict) else None
            kinds: tuple[type[ClientKey], ...] = (ECKey,) if kty == "EC" else (RSAKey,)
        else:
            kinds = (RSAKey, ECKey)
        for kind in kinds:
            try:
                key: ClientKey = kind.import_key(value)  # type: ignore[arg-type]
                break
            except (JoseError, ValueError, TypeError, KeyError):
                if kind is kinds[-1]:
                    raise
    except (JoseError, ValueError, TypeError, KeyError):
        raise ConfigurationError(
            "client assertion public key is neither an RSA nor an EC key (PEM or JWK)"
        ) from None
    if isinstance(key, RSAKey) and key.public_key.key_size < MIN_RSA_BITS:
        raise ConfigurationError(f"client assertion RSA keys need {MIN_RSA_BITS} bits or more")
    if isinstance(key, ECKey) and key.curve_name not in _CURVES:
        raise ConfigurationError("client assertion EC keys must be on P-256, P-384 or P-521")
    return key


def _kid(key: ClientKey, text: str) -> str:
    if text.lstrip().startswith("{"):
        kid = json.loads(text).get("kid")
        if isinstance(kid, str) and kid:
            return kid
    return key.thumbprint()


def registered_keys(client: TenantClient) -> tuple[RegisteredKey, ...]:
    """Every key ``client`` registered for its assertions.

    Raises:
        ConfigurationError: a key does not import, a credential's ``alg`` does not fit its
            key, or two keys share a ``kid``.
    """
    credentials = list(client.client_assertion_credentials)
    if client.client_assertion_public_key is not None:
        credentials.insert(0, AssertionCredential(public_key=client.client_assertion_public_key))
    return _registered(tuple(credentials))


@lru_cache(maxsize=256)
def _registered(credentials: tuple[AssertionCredential, ...]) -> tuple[RegisteredKey, ...]:
    keys: list[RegisteredKey] = []
    for credential in credentials:
        key = import_client_key(credential.public_key)
        alg = credential.alg
        if alg is not None and (alg not in ASSERTION_ALGORITHMS or not key_fits(key, alg)):
            raise ConfigurationError(
                f"client assertion credential alg {alg!r} does not fit its "
                f"{'EC' if isinstance(key, ECKey) else 'RSA'} key"
            )
        kid = credential.kid if credential.kid is not None else _kid(key, credential.public_key)
        if any(other.kid == kid for other in keys):
            raise ConfigurationError(f"two client assertion keys share the kid {kid!r}")
        keys.append(RegisteredKey(kid=kid, alg=alg, key=key))
    return tuple(keys)


__all__ = [
    "ASSERTION_ALGORITHMS",
    "RegisteredKey",
    "import_client_key",
    "key_fits",
    "registered_keys",
]
