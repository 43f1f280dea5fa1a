"""Sealing: the official SDK's compact JWE for sessions and transactions (protocol doc §3.1).

A sealed value is ``<header>..<iv>.<ciphertext>.<tag>`` with the protected header
``{"alg":"dir","enc":"A256CBC-HS512"}`` and a 64-byte content key derived with
HKDF-SHA256(IKM = secret, salt = identifier, info = ``Auth0 Generated Encryption``). The
plaintext is ``json.dumps(payload)`` with Python's default separators, exactly as
auth0-server-python writes it, so values move between that SDK and this one in both directions.

On top of the compatible format, :func:`unseal` accepts several secrets (rotation: the first
secret seals, every secret is tried to unseal). Errors never carry the token, the secret or the
plaintext.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from .errors import InvalidArgumentError, UnsealError

ALG = "dir"
ENC = "A256CBC-HS512"
HEADER: dict[str, str] = {"alg": ALG, "enc": ENC}
KEY_INFO = b"Auth0 Generated Encryption"
KEY_LENGTH = 64
# Larger than any cookie session (20 chunks of ~4 KiB) and generous for server-side records,
# yet small enough that a hostile input is refused before base64 or JSON work starts.
MAX_SEALED_LENGTH = 256 * 1024
# Derived keys are cached: every request unseals the session, and transaction identifiers
# (one per login) are short-lived, so a bounded LRU is enough.
_KEY_CACHE_SIZE = 512

# Five base64url segments; the encrypted-key segment is empty for "dir".
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")


class _Registry(jwe.JWERegistry):
    """Only ``dir`` + ``A256CBC-HS512``, with joserfc's size caps raised to our own limit."""

    max_ciphertext_length = MAX_SEALED_LENGTH
    max_aad_length = MAX_SEALED_LENGTH


def _registry() -> jwe.JWERegistry:
    # Restricting the algorithms also refuses "zip" (no decompression bombs) and any other alg.
    return _Registry(algorithms=[ALG, ENC])


_REGISTRY = _registry()


def derive_key(secret: str, identifier: str) -> bytes:
    """The 64-byte content-encryption key for ``secret`` and ``identifier`` (cached).

    Args:
        secret: the application secret (UTF-8 encoded as the HKDF input key material).
        identifier: the store identifier (UTF-8 encoded as the HKDF salt).

    Returns:
        The raw key: HMAC-SHA-512 key (first 32 bytes) then AES-256 key (last 32 bytes).
    """
    return bytes(_oct_key(secret, identifier).raw_value)


@functools.lru_cache(maxsize=_KEY_CACHE_SIZE)
def _oct_key(secret: str, identifier: str) -> OctKey:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=KEY_LENGTH,
        salt=identifier.encode("utf-8"),
        info=KEY_INFO,
    )
    return OctKey.import_key(hkdf.derive(secret.encode("utf-8")))


def seal(payload: Mapping[str, Any], secret: str, identifier: str) -> str:
    """Encrypt ``payload`` into a compact JWE readable by auth0-server-python.

    Args:
        payload: a JSON-serializable mapping.
        secret: the secret that seals (the first of a rotation list).
        identifier: the store identifier, used as the key-derivation salt.

    Returns:
        The compact JWE string.

    Raises:
        InvalidArgumentError: the payload is not JSON-serializable, the secret or identifier
            cannot be UTF-8 encoded, or the payload seals to more than
            :data:`MAX_SEALED_LENGTH` characters (it could never be unsealed).
    """
    try:
        plaintext = json.dumps(dict(payload))
    except (TypeError, ValueError, RecursionError):
        # The message names the problem, never the value (it may hold tokens).
        raise InvalidArgumentError(
            "payload", "The value to seal is not JSON-serializable."
        ) from None
    try:
        key = _oct_key(secret, identifier)
    except UnicodeEncodeError:  # lone surrogates cannot be UTF-8 encoded
        raise InvalidArgumentError(
            "secret", "The secret or identifier is not valid text."
        ) from None
    token = _encrypt(plaintext.encode("utf-8"), key, _REGISTRY)
    if len(token) > MAX_SEALED_LENGTH:
        raise InvalidArgumentError("payload", "The value to seal is too large.")
    return token


def _encrypt(plaintext: bytes, key: OctKey, registry: jwe.JWERegistry) -> str:
    # A separate seam so a test can pass a registry with a pinned IV (the test vector).
    return jwe.encrypt_compact(dict(HEADER), plaintext, key, registry=registry)


def unseal(token: str, secrets: Sequence[str], identifier: str) -> dict[str, Any]:
    """Decrypt a compact JWE sealed by :func:`seal` (or by auth0-server-python).

    Every secret is tried in order, so a rotated-out secret still opens old values.

    Args:
        token: the compact JWE.
        secrets: the candidate secrets (the sealing secret first).
        identifier: the store identifier the value was sealed under.

    Returns:
        The payload, a JSON object.

    Raises:
        UnsealError: the token is malformed, too large, tampered, truncated, sealed with
            another secret or identifier, or does not hold a JSON object.
    """
    _check_format(token)
    plaintext = _decrypt(token, secrets, identifier)
    try:
        payload = json.loads(plaintext)
    except (ValueError, RecursionError):
        raise UnsealError("The sealed value does not hold JSON.") from None
    if not isinstance(payload, dict):
        raise UnsealError("The sealed value does not hold a JSON object.")
    return payload


def _check_format(token: object) -> None:
    """Refuse anything but a plausible compact ``dir`` JWE before any decoding work."""
    if not isinstance(token, str):
        raise UnsealError("The sealed value is not a string.")
    if len(token) > MAX_SEALED_LENGTH:
        raise UnsealError("The sealed value is too large.")
    if not _COMPACT.fullmatch(token):
        raise UnsealError("The sealed value is not a compact JWE.")


def _decrypt(token: str, secrets: Sequence[str], identifier: str) -> bytes:
    if isinstance(secrets, str):  # a lone string would otherwise be tried letter by letter
        secrets = [secrets]
    for secret in secrets:
        try:
            result = jwe.decrypt_compact(token, _oct_key(secret, identifier), registry=_REGISTRY)
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            # joserfc reports bad headers, sizes, padding and tags with these; the next
            # secret may still open the value, and the cause is never shown (it is opaque).
            continue
        if result.plaintext is not None:
            return result.plaintext
    raise UnsealError()


__all__ = ["MAX_SEALED_LENGTH", "derive_key", "seal", "unseal"]
