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
  the official one write), or that with ``"zip":"DEF"`` (what this SDK writes for a store
  with ``compress=True``); other key orders or spacing of the same members are accepted, any
  other member is refused (``crit``, ``kid``, ``typ``...);
- a 16-byte IV and a 32-byte tag; the tag (HMAC-SHA-512 over AAD || IV || ciphertext || AL,
  truncated to 32 bytes) is compared in constant time before anything is decrypted; then
  AES-256-CBC and strict PKCS#7 unpadding; a compressed plaintext is inflated (raw DEFLATE)
  to at most :data:`MAX_INFLATED_LENGTH` bytes, so no authentic value can be a zip bomb.

Base64url and JSON go through :mod:`._codecs` (C decoders where installed).
"""

from __future__ import annotations

import functools
import hmac
import json
import threading
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwe
from joserfc.jwk import OctKey

from ._codecs import b64url_decode, json_loads
from .errors import InvalidArgumentError, UnsealError

try:  # OpenSSL's HMAC object itself: copy, update and digest without hmac.py's wrappers
    from _hashlib import hmac_new as _keyed_hmac
except ImportError:  # pragma: no cover - a CPython built without OpenSSL
    _keyed_hmac = hmac.new  # type: ignore[assignment]

ALG = "dir"
ENC = "A256CBC-HS512"
HEADER: dict[str, str] = {"alg": ALG, "enc": ENC}
# With compression (a store's compress=True): the plaintext is raw DEFLATE (RFC 7516 §4.1.3).
ZIP_HEADER: dict[str, str] = {"alg": ALG, "enc": ENC, "zip": "DEF"}
KEY_INFO = b"Auth0 Generated Encryption"
KEY_LENGTH = 64
# Larger than any cookie session (20 chunks of ~4 KiB) and generous for server-side records,
# yet small enough that a hostile input is refused before base64 or JSON work starts.
MAX_SEALED_LENGTH = 256 * 1024
# What a compressed value may inflate to: a refused value costs at most this much work.
MAX_INFLATED_LENGTH = 4 * MAX_SEALED_LENGTH
# Derived keys are cached: every request unseals the session, and transaction identifiers
# (one per login) are short-lived, so a bounded LRU is enough.
_KEY_CACHE_SIZE = 512

# What may appear in a compact JWE: the base64url alphabet and the separator.
_COMPACT_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
# The protected header both SDKs write, base64url: {"alg":"dir","enc":"A256CBC-HS512"}.
_HEADER_SEGMENT = b"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"
# And the one this SDK writes when it compresses: {"alg":"dir","enc":"A256CBC-HS512","zip":"DEF"}.
_ZIP_HEADER_SEGMENT = b"eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwiemlwIjoiREVGIn0"
# A header spelled otherwise is decoded and compared; none longer (joserfc's cap as well).
_MAX_HEADER_SEGMENT = 1024
_IV_CHARS = 22  # base64url of a 16-byte IV, unpadded
_TAG_BYTES = 32  # HMAC-SHA-512 truncated to the MAC key's length
_TAG_CHARS = 43  # base64url of 32 bytes, unpadded
_AL_BYTES = 8  # the AAD's length in bits, the last member of what the tag covers
_HALF = KEY_LENGTH // 2  # first half: HMAC key; second half: AES-256 key
_BLOCK = 16
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


def _registry(*, compress: bool = False) -> jwe.JWERegistry:
    # Only what we write (sealing is the only use of joserfc here: unsealing is ours).
    return _Registry(algorithms=[ALG, ENC, "DEF"] if compress else [ALG, ENC])


_REGISTRY = _registry()
_ZIP_REGISTRY = _registry(compress=True)


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


@functools.lru_cache(maxsize=_KEY_CACHE_SIZE)
def _unseal_keys(secret: str, identifier: str) -> tuple[Any, _CbcDecryptor]:
    """HMAC-SHA-512 keyed with the MAC key (copied per use: keying it again, and looking the
    hash up by name, would cost more than a 1 KiB message) and the AES-256-CBC decryptor for
    ``secret`` and ``identifier``."""
    key: bytes = _oct_key(secret, identifier).raw_value
    return _keyed_hmac(key[:_HALF], digestmod="sha512"), _CbcDecryptor(algorithms.AES(key[_HALF:]))


class _CbcDecryptor(threading.local):
    """AES-CBC decryption with one long-lived context per key and thread.

    ``Cipher(key, CBC(iv)).decryptor()`` per value costs more than decrypting a 4 KiB session
    (its argument checks). A CBC context carries its chaining block from one ``update`` to the
    next, so each value is fed as ``IV || ciphertext`` and the first output block dropped: block
    *i* of the output is D(C_i) XOR the input block before it, so what follows the dropped
    block is exactly the CBC decryption of the ciphertext under the IV, whatever the context
    decrypted before. Padding is off (PKCS#7 is checked by the caller) and the input is whole
    blocks, so every ``update`` returns all of its input. Per thread: a context is not shared
    between threads that could reach it at once.
    """

    def __init__(self, key: algorithms.AES) -> None:  # runs once in each thread that decrypts
        self._context = Cipher(key, modes.CBC(bytes(_BLOCK))).decryptor()

    def decrypt(self, iv_and_ciphertext: memoryview) -> bytes:
        """A block to drop, then the CBC decryption of the ciphertext (still padded)."""
        decrypted: bytes = self._context.update(iv_and_ciphertext)
        if len(decrypted) != len(iv_and_ciphertext):  # cannot happen with padding off
            raise UnsealError()
        return decrypted


def seal(
    payload: Mapping[str, Any], secret: str, identifier: str, *, compress: bool = False
) -> str:
    """Encrypt ``payload`` into a compact JWE readable by auth0-server-python.

    Args:
        payload: a JSON-serializable mapping.
        secret: the secret that seals (the first of a rotation list).
        identifier: the store identifier, used as the key-derivation salt.
        compress: DEFLATE the plaintext first (``"zip": "DEF"`` in the header): a session
            full of access tokens seals to about a third of the size. This SDK reads it, and
            so does auth0-server-python (its JOSE library inflates ``DEF``).

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
    if compress:
        token = jwe.encrypt_compact(
            dict(ZIP_HEADER), plaintext.encode("utf-8"), key, registry=_ZIP_REGISTRY
        )
    else:
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
    fields = _fields_or_none(token)
    if fields is None:
        _split(token)  # raises with the message that says what is wrong with the form
        raise UnsealError()  # well-formed, but a part does not decode or has the wrong size
    header, iv, ciphertext, tag, compressed = fields
    # AAD is the ASCII header segment; AL its length in bits, 64-bit big-endian.
    signed = b"".join((header, iv, ciphertext, (len(header) * 8).to_bytes(_AL_BYTES, "big")))
    if isinstance(secrets, str):  # a lone string would otherwise be tried letter by letter
        secrets = [secrets]
    for secret in secrets:
        try:
            keyed_mac, decryptor = _unseal_keys(secret, identifier)
        except (ValueError, TypeError, AttributeError):  # not text, or lone surrogates
            continue
        mac = keyed_mac.copy()
        mac.update(signed)
        expected = mac.digest()[:_TAG_BYTES]
        if not hmac.compare_digest(expected, tag):
            continue  # another secret may have sealed it; nothing is decrypted unauthenticated
        # The IV's block is dropped from what comes back (see _CbcDecryptor).
        padded = decryptor.decrypt(memoryview(signed)[len(header) : -_AL_BYTES])
        pad = padded[-1]
        if 0 < pad <= _BLOCK and padded.endswith(_PKCS7[pad]):
            plaintext = padded[_BLOCK:-pad]
            return _inflated(plaintext) if compressed else plaintext
        # Authentic but badly padded: only the holder of the key can write that.
    raise UnsealError()


def _inflated(deflated: bytes) -> bytes:
    """Raw DEFLATE, inflated to at most :data:`MAX_INFLATED_LENGTH` bytes.

    Raises:
        UnsealError: it inflates to more than that, or is not complete DEFLATE data.
    """
    inflater = zlib.decompressobj(wbits=-15)
    try:
        plaintext = inflater.decompress(deflated, MAX_INFLATED_LENGTH)
    except zlib.error:
        raise UnsealError("The sealed value does not inflate.") from None
    if inflater.unconsumed_tail:
        raise UnsealError("The sealed value inflates to too much.")
    if not inflater.eof or inflater.unused_data:
        raise UnsealError("The sealed value does not inflate.")
    return plaintext


def load_payload(plaintext: bytes) -> dict[str, Any]:
    """Parse an unsealed plaintext: a JSON object (decoded as ``json.loads`` decodes bytes).

    Raises:
        UnsealError: it is not JSON, or not a JSON object.
    """
    try:
        payload = json_loads(plaintext)
    except (ValueError, RecursionError):
        raise UnsealError("The sealed value does not hold JSON.") from None
    if not isinstance(payload, dict):
        raise UnsealError("The sealed value does not hold a JSON object.")
    return payload


def _fields_or_none(token: object) -> tuple[bytes, bytes, bytes, bytes, bool] | None:
    """Header, IV, ciphertext, tag and whether the plaintext is compressed, for a token that
    passes every check, else None (:func:`_split` then words what is wrong with the form).

    The checks: a string of at most :data:`MAX_SEALED_LENGTH` characters in the compact form
    (five base64url parts, the second empty, the first, third and fifth non-empty), our
    header (or one saying exactly the same), canonical base64url parts, a 16-byte IV, a
    32-byte tag, and whole blocks of ciphertext. They are done with a few scans of the token
    at C speed: the separators found with ``find``, the three characters outside base64url
    that base64 knows (``+``, ``/``, ``=``) looked for, and every other character refused by
    the strict decoder.
    """
    if type(token) is not str or len(token) > MAX_SEALED_LENGTH or not token.isascii():
        return None
    raw = token.encode("ascii")
    header_end = raw.find(b".")
    iv_start = header_end + 2
    iv_end = raw.find(b".", iv_start)
    tag_start = raw.rfind(b".") + 1
    if (
        header_end <= 0
        or not raw.startswith(b".", header_end + 1)
        or iv_end <= iv_start
        or tag_start <= iv_end + 1
        or tag_start == len(raw)
        or raw.find(b".", iv_end + 1, tag_start - 1) >= 0
        or b"=" in raw
        or b"+" in raw
        or b"/" in raw
    ):
        return None
    header = raw[:header_end]
    if header == _HEADER_SEGMENT:
        compressed = False
    elif header == _ZIP_HEADER_SEGMENT:
        compressed = True
    else:
        kind = _header_kind(header)
        if kind is None:
            return None
        compressed = kind == ZIP_HEADER
    # The IV and the tag have one length each: 22 and 43 characters, two and one "=" short.
    if (
        iv_end - iv_start != _IV_CHARS
        or len(raw) - tag_start != _TAG_CHARS
        or raw[iv_end - 1] not in _CANONICAL_LAST[2]
        or raw[-1] not in _CANONICAL_LAST[3]
    ):
        return None
    ciphertext = _b64decode(raw[iv_end + 1 : tag_start - 1])
    if ciphertext is None or not ciphertext or len(ciphertext) % _BLOCK:
        return None
    try:
        iv = b64url_decode(raw[iv_start:iv_end] + b"==")
        tag = b64url_decode(raw[tag_start:] + b"=")
    except ValueError:  # a character outside base64url
        return None
    return header, iv, ciphertext, tag, compressed


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
    """Unpadded, canonical base64url; None when invalid. ``+`` and ``/`` must already be
    ruled out (the decoder takes them as well)."""
    rest = len(segment) % 4
    if rest == 1 or (rest and segment[-1] not in _CANONICAL_LAST[rest]):
        return None
    try:
        return b64url_decode(segment + _PADDING[rest])
    except ValueError:
        return None


def _header_kind(segment: bytes) -> dict[str, str] | None:
    """:data:`HEADER` or :data:`ZIP_HEADER` when a header spelled unlike ours says exactly
    that (``alg: dir``, ``enc: A256CBC-HS512``, perhaps ``zip: DEF``), else None."""
    if len(segment) > _MAX_HEADER_SEGMENT:
        return None
    decoded = _b64decode(segment)
    if decoded is None:
        return None
    try:
        header = json.loads(decoded)
    except (ValueError, RecursionError):
        return None
    for kind in (HEADER, ZIP_HEADER):
        if header == kind:
            return kind
    return None


__all__ = [
    "MAX_SEALED_LENGTH",
    "derive_key",
    "load_payload",
    "seal",
    "unseal",
    "unseal_plaintext",
]
