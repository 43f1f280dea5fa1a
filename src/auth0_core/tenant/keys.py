"""RSA keys: the tenant's RS256 signing keys (signing, the published JWKS, rotation and
verification). The clients' public keys for ``private_key_jwt`` are in :mod:`.client_keys`.

RSA key generation takes tens of milliseconds, which adds up over hundreds of tests, so keys come
from a process-wide pool: the n-th key a tenant uses is the n-th pooled key. Two tenants in one
process therefore share keys unless one is given its own with ``signing_key=`` (use
:func:`generate_signing_key`), which matters only for tests of cross-tenant token confusion.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import Key, KeySet, RSAKey

_POOL: list[RSAKey] = []
_POOL_LOCK = threading.Lock()


def generate_signing_key() -> RSAKey:
    """A fresh 2048-bit RSA key whose ``kid`` is its RFC 7638 thumbprint."""
    return RSAKey.generate_key(2048, auto_kid=True)


def sign_jwt(header: Mapping[str, Any], claims: Mapping[str, Any], key: Key | None) -> str:
    """A JWS of ``claims`` with ``header`` (whose ``alg`` must suit ``key``).

    ``alg: none`` gives an unsigned token (empty signature) and needs no key: joserfc would warn.
    """
    if header.get("alg") == "none":
        parts = (json.dumps(dict(header)), json.dumps(dict(claims)))
        encoded = (base64.urlsafe_b64encode(p.encode()).rstrip(b"=").decode() for p in parts)
        return ".".join(encoded) + "."
    if key is None:
        raise ValueError(f"alg {header.get('alg')!r} needs a key")
    # joserfc refuses algorithms not listed; the caller chose this one deliberately.
    return jwt.encode(
        dict(header), dict(claims), key, algorithms=[str(header["alg"])], default_type=None
    )


def pooled_signing_key(index: int) -> RSAKey:
    """The ``index``-th key of the process-wide pool, generating it on first use."""
    with _POOL_LOCK:
        while len(_POOL) <= index:
            _POOL.append(generate_signing_key())
        return _POOL[index]


class SigningKeys:
    """The keys a tenant publishes; the newest one signs.

    Like Auth0, rotation publishes the new key next to the old ones, so tokens signed before the
    rotation still verify until the old keys are revoked.
    """

    def __init__(self, first: RSAKey | None = None) -> None:
        self._keys: list[RSAKey] = [first if first is not None else pooled_signing_key(0)]
        self._next_pool_index = 1

    @property
    def current(self) -> RSAKey:
        """The key that signs new tokens."""
        return self._keys[-1]

    @property
    def kids(self) -> tuple[str, ...]:
        """The ``kid`` of every published key, oldest first."""
        return tuple(str(key.kid) for key in self._keys)

    def rotate(self, new_key: RSAKey | None = None) -> RSAKey:
        """Make ``new_key`` (default: the next pooled key not yet used here) the signing key."""
        if new_key is None:
            used = set(self.kids)
            new_key = pooled_signing_key(self._next_pool_index)
            self._next_pool_index += 1
            while new_key.kid in used:  # a caller-supplied first key may be a pooled one
                new_key = pooled_signing_key(self._next_pool_index)
                self._next_pool_index += 1
        self._keys.append(new_key)
        return new_key

    def revoke_previous(self) -> None:
        """Stop publishing every key but the current one."""
        self._keys = [self.current]

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public JWK set as Auth0 publishes it (``use: sig``, ``alg: RS256``)."""
        keys = []
        for key in self._keys:
            public = dict(key.as_dict(private=False))
            public.update({"use": "sig", "alg": "RS256", "kid": str(key.kid)})
            keys.append(public)
        return {"keys": keys}

    def sign(self, claims: Mapping[str, Any], header: Mapping[str, Any] | None = None) -> str:
        """Sign ``claims`` with the current key. ``header`` entries override the defaults."""
        full_header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": str(self.current.kid)}
        full_header.update(header or {})
        return sign_jwt(full_header, claims, self.current)

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of ``token`` if a published key signed it with RS256, else None."""
        try:
            decoded = jwt.decode(token, KeySet(list(self._keys)), algorithms=["RS256"])
        except (JoseError, ValueError, TypeError, KeyError):
            return None
        return dict(decoded.claims)
