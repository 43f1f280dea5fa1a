"""Time-based one-time passwords (RFC 6238 over RFC 4226): SHA-1, 6 digits, 30-second steps,
the way authenticator apps read an ``otpauth://totp/`` URI. Tests compute codes with
:func:`totp_code` from the ``manual_input_code`` the tenant answered."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

STEP = 30
DIGITS = 6


def base32_secret(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32 without padding."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def secret_from_base32(text: str) -> bytes:
    """The bytes of a base32 secret (padding optional, case-insensitive)."""
    clean = text.strip().upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def totp_code(secret: bytes, now: float, *, offset: int = 0) -> str:
    """The code for ``now`` (``offset`` steps away)."""
    counter = int(now) // STEP + offset
    digest = hmac.new(secret, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def totp_matches(secret: bytes, code: str, now: float) -> bool:
    """Whether ``code`` is the code of the current step or of one step either side."""
    return any(
        hmac.compare_digest(totp_code(secret, now, offset=offset), code) for offset in (-1, 0, 1)
    )
