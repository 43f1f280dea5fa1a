"""Sealing: the official SDK's compact JWE for sessions and transactions (protocol doc §3.1).

A sealed value is ``<header>..<iv>.<ciphertext>.<tag>`` with the protected header
``{"alg":"dir","enc":"A256CBC-HS512"}`` and a 64-byte content key derived with
HKDF-SHA256(IKM = secret, salt = identifier, info = ``Auth0 Generated Encryption``). The
plaintext is JSON: auth0-server-python writes ``json.dumps(payload)`` (default separators,
``", "`` and ``": "``), this SDK the same JSON with compact separators (``","`` and ``":"``;
ASCII-only as well), 2-3 % fewer bytes in a cookie. Both SDKs read either with ``json.loads``,
so values move between that SDK and this one in both directions.

On top of the compatible format, :func:`unseal` accepts several secrets (rotation: the first
secret seals, every secret is tried to unseal). Errors never carry the token, the secret or the
plaintext.

Sealing goes through joserfc. Unsealing, which every request of a web app does, is
``dir`` + ``A256CBC-HS512`` (RFC 7516 compact form, RFC 7518 §5.2.2.2) done directly with
``hmac`` and ``cryptography``, and stricter than a generic JOSE library:

- the compact form: ASCII, five ``.``-separated base64url parts (no padding, only ``A-Z a-z
  0-9 - _``, canonical: the unused low bits of the last character are zero), the encrypted-key
  part empty;
- the protected header is exactly ``{"alg":"dir","enc":"A256CBC-HS512"}`` (what this SDK and
  the official one write; other key orders or spacing of the same two members are accepted,
  any other member is refused: ``zip``, ``crit``, ``kid``, ``typ``...);
- a 16-byte IV and a 32-byte tag; the tag (HMAC-SHA-512 over AAD || IV || ciphertext || AL,
  truncated to 32 bytes) is compared in constant time before anything is decrypted; then
  AES-256-CBC and strict PKCS#7 unpadding.
"""

from __future__ import annotations

import binascii
import functools
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe
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

# What may appear in a compact JWE: the base64url alphabet and the separator.
_COMPACT_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
# The protected header both SDKs write, base64url: {"alg":"dir","enc":"A256CBC-HS512"}.
_HEADER_SEGMENT = b"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"
# A header spelled otherwise is decoded and compared; none longer (joserfc's cap as well).
_MAX_HEADER_SEGMENT = 1024
_IV_BYTES = 16
_TAG_BYTES = 32  # HMAC-SHA-512 truncated to the MAC key's length
_HALF = KEY_LENGTH // 2  # first half: HMAC key; second half: AES-256 key
_BLOCK = 16
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"", b"==", b"=")
# With 2 or 3 characters in the last quantum, the last one carries 4 or 2 unused low bits, which
# must be zero: one spelling per value, as joserfc and RFC 4648 §3.5 require.
_CANONICAL_LAST = (b"", b"", b"AQgw", b"AEIMQUYcgkosw048")
_PKCS7 = tuple(bytes((n,)) * n for n in range(_BLOCK + 1))
_NOT_COMPACT = "The sealed value is not a compact JWE."
# No space after "," and ":" (the official SDK's json.loads reads it as well as its own).
_SEPARATORS = (",", ":")


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
        plaintext = json.dumps(dict(payload), separators=_SEPARATORS)
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
    return load_payload(unseal_plaintext(token, secrets, identifier))


def unseal_plaintext(token: str, secrets: Sequence[str], identifier: str) -> bytes:
    """The authenticated plaintext of ``token`` (not yet parsed: see :func:`load_payload`).

    Raises:
        UnsealError: as :func:`unseal`, except for what the plaintext holds.
    """
    header, iv, ciphertext, tag = _checked_fields(token)
    # AAD is the ASCII header segment; AL its length in bits, 64-bit big-endian.
    signed = b"".join((header, iv, ciphertext, (len(header) * 8).to_bytes(8, "big")))
    if isinstance(secrets, str):  # a lone string would otherwise be tried letter by letter
        secrets = [secrets]
    for secret in secrets:
        try:
            key: bytes = _oct_key(secret, identifier).raw_value
        except (ValueError, TypeError, AttributeError):  # not text, or lone surrogates
            continue
        expected = hmac.digest(key[:_HALF], signed, "sha512")[:_TAG_BYTES]
        if not hmac.compare_digest(expected, tag):
            continue  # another secret may have sealed it; nothing is decrypted unauthenticated
        decryptor = Cipher(algorithms.AES(key[_HALF:]), modes.CBC(iv)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        pad = padded[-1]
        if 0 < pad <= _BLOCK and padded.endswith(_PKCS7[pad]):
            return padded[:-pad]
        # Authentic but badly padded: only the holder of the key can write that.
    raise UnsealError()


def load_payload(plaintext: bytes) -> dict[str, Any]:
    """Parse an unsealed plaintext: a JSON object (decoded as ``json.loads`` decodes bytes).

    Raises:
        UnsealError: it is not JSON, or not a JSON object.
    """
    try:
        payload = json.loads(plaintext)
    except (ValueError, RecursionError):
        raise UnsealError("The sealed value does not hold JSON.") from None
    if not isinstance(payload, dict):
        raise UnsealError("The sealed value does not hold a JSON object.")
    return payload


def _checked_fields(token: object) -> tuple[bytes, bytes, bytes, bytes]:
    """Header, IV, ciphertext and tag, after every check (the messages as before).

    Raises:
        UnsealError: not a string, too large, not in the compact form (five base64url parts,
            the second empty, the first, third and fifth non-empty), or (without a message)
            an unexpected header, undecodable parts or wrong IV, tag or ciphertext lengths.
    """
    header, _, iv_segment, ciphertext_segment, tag_segment = _split(token)
    if header != _HEADER_SEGMENT and not _is_expected_header(header):
        raise UnsealError()
    iv = _b64decode(iv_segment)
    tag = _b64decode(tag_segment)
    ciphertext = _b64decode(ciphertext_segment)
    if (
        iv is None
        or tag is None
        or ciphertext is None
        or len(iv) != _IV_BYTES
        or len(tag) != _TAG_BYTES
        or not ciphertext
        or len(ciphertext) % _BLOCK
    ):
        raise UnsealError()
    return header, iv, ciphertext, tag


def _split(token: object) -> list[bytes]:
    """The five ASCII parts of a plausible compact ``dir`` JWE, checked before any decoding.

    Raises:
        UnsealError: not a string, too large, or not in the compact form (five base64url
            parts, the second empty, the first, third and fifth non-empty).
    """
    if not isinstance(token, str):
        raise UnsealError("The sealed value is not a string.")
    if len(token) > MAX_SEALED_LENGTH:
        raise UnsealError("The sealed value is too large.")
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise UnsealError(_NOT_COMPACT) from None
    if raw.translate(None, _COMPACT_BYTES):  # anything left is outside the alphabet
        raise UnsealError(_NOT_COMPACT)
    parts = raw.split(b".")
    if len(parts) != 5 or parts[1] or not parts[0] or not parts[2] or not parts[4]:
        raise UnsealError(_NOT_COMPACT)
    return parts


def _b64decode(segment: bytes) -> bytes | None:
    """Unpadded, canonical base64url (the alphabet is already checked); None when invalid."""
    rest = len(segment) % 4
    if rest == 1 or (rest and segment[-1] not in _CANONICAL_LAST[rest]):
        return None
    try:
        return binascii.a2b_base64(
            segment.translate(_TO_STANDARD) + _PADDING[rest], strict_mode=True
        )
    except binascii.Error:
        return None


def _is_expected_header(segment: bytes) -> bool:
    """Whether a header spelled unlike ours says exactly ``alg: dir``, ``enc: A256CBC-HS512``."""
    if len(segment) > _MAX_HEADER_SEGMENT:
        return False
    decoded = _b64decode(segment)
    if decoded is None:
        return False
    try:
        header = json.loads(decoded)
    except (ValueError, RecursionError):
        return False
    return isinstance(header, dict) and header == HEADER


__all__ = [
    "MAX_SEALED_LENGTH",
    "derive_key",
    "load_payload",
    "seal",
    "unseal",
    "unseal_plaintext",
]
