"""The two decoders every session read runs, with C implementations where they are installed.

Unsealing a cookie session is base64url, HMAC-SHA-512, AES-CBC and a JSON parse. The
standard library's ``binascii`` and ``json`` cost about 2.2 and 1.5 µs per KiB, more than the
cryptography itself; ``pybase64`` (SIMD) and ``msgspec`` do the same work in a fraction of that.
Both are dependencies on CPython (see pyproject.toml); anywhere they are missing (another
interpreter, a build without them) the standard library is used, with the same results.

The results and the refusals are the standard library's, whichever implementation runs:

- :func:`b64url_decode` takes padded base64url and raises ``ValueError`` where
  ``binascii.a2b_base64(..., strict_mode=True)`` does on the same text in the standard
  alphabet, for text as the seal passes it: no ``+``, ``/`` or ``=`` but the padding that
  completes the last quantum (the seal refuses them first; the two decoders disagree about
  a stray ``=``, and pybase64 is to refuse ``+`` and ``/`` itself);
- :func:`json_loads` returns what ``json.loads`` returns. ``msgspec`` reads JSON as ``json``
  does where it reads it at all: integers of any size exactly (``orjson``, used before, reads
  those beyond 64 bits as floats, so every value had to be looked through for floats), floats
  rounded alike, the last of repeated keys. Whatever it refuses (``NaN``, an infinite number,
  lone surrogates, a byte-order mark, UTF-16 text, an integer of more digits than
  ``sys.get_int_max_str_digits()``, nesting beyond the recursion limit, invalid JSON) is
  handed to ``json.loads``, which accepts it or raises as it always did. One difference is
  left: both count nesting against the interpreter's recursion limit, and ``json.loads`` is
  called three frames deeper, so a text nested to within three levels of that limit (about a
  thousand) may be read here where ``json.loads`` raises ``RecursionError``.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from typing import Any

_b64decode: Callable[[bytes], bytes]
_fast_loads: Callable[[bytes], Any] | None

try:
    import pybase64
except ImportError:  # pragma: no cover - pybase64 is a dependency on CPython
    _TO_STANDARD = bytes.maketrans(b"-_", b"+/")

    def _b64decode(data: bytes) -> bytes:
        return binascii.a2b_base64(data.translate(_TO_STANDARD), strict_mode=True)

else:
    _pybase64_decode = pybase64.b64decode

    def _b64decode(data: bytes) -> bytes:
        return _pybase64_decode(data, b"-_", True)  # altchars, validate: positional is cheaper


try:
    import msgspec
except ImportError:  # pragma: no cover - msgspec is a dependency on CPython
    _fast_loads = None
    _FAST_REFUSALS: tuple[type[BaseException], ...] = ()
else:
    _fast_loads = msgspec.json.Decoder().decode
    # msgspec.DecodeError (a ValueError); RecursionError for nesting beyond the limit.
    _FAST_REFUSALS = (msgspec.DecodeError, RecursionError)


b64url_decode: Callable[[bytes], bytes] = _b64decode
"""Decode padded base64url (RFC 4648 §5); the decoder itself, no wrapper (a cookie read
decodes three segments).

Raises:
    ValueError: not valid base64 (``binascii.Error``, which both implementations raise).
"""


def json_loads(data: bytes) -> Any:
    """``json.loads(data)``, parsed by ``msgspec`` when it can.

    Raises:
        ValueError: as ``json.loads`` (``json.JSONDecodeError``, ``UnicodeDecodeError``).
        RecursionError: as ``json.loads``, for absurdly deep nesting.
    """
    if _fast_loads is not None:
        try:
            return _fast_loads(data)
        except _FAST_REFUSALS:  # let json decide, and word the refusal
            pass
    return json.loads(data)


__all__ = ["b64url_decode", "json_loads"]
