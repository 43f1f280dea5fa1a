"""The two decoders every session read runs, with C implementations where they are installed.

Unsealing a cookie session is base64url, HMAC-SHA-512, AES-CBC and a JSON parse. The
standard library's ``binascii`` and ``json`` cost about 2.2 and 1.5 µs per KiB, more than the
cryptography itself; ``pybase64`` (SIMD) and ``orjson`` do the same work in a fraction of that.
Both are dependencies on CPython (see pyproject.toml); anywhere they are missing (another
interpreter, a build without them) the standard library is used, with the same results.

The results and the refusals are the standard library's, whichever implementation runs:

- :func:`b64url_decode` takes padded base64url and raises ``ValueError`` where
  ``binascii.a2b_base64(..., strict_mode=True)`` does on the same text in the standard
  alphabet (both take ``+`` and ``/`` as well: a caller that must refuse them checks first);
- :func:`json_loads` returns what ``json.loads`` returns: whatever ``orjson`` refuses
  (``NaN``, an infinite number, lone surrogates, UTF-16 text, nesting deeper than 1024,
  invalid JSON) is handed to ``json.loads``, which accepts it or raises as it always did. So
  is any text with a run of 19 or more digits: ``orjson`` reads an integer beyond 64 bits as
  a float, where ``json`` keeps it exact.
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

    def _b64decode(data: bytes) -> bytes:
        return pybase64.b64decode(data, altchars=b"-_", validate=True)


try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency on CPython
    _fast_loads = None
else:
    _fast_loads = orjson.loads


_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_DIGIT_RUN = b"0" * 19


def b64url_decode(data: bytes) -> bytes:
    """Decode padded base64url (RFC 4648 §5).

    Raises:
        ValueError: not valid base64 (``binascii.Error``, which both implementations raise).
    """
    return _b64decode(data)


def json_loads(data: bytes) -> Any:
    """``json.loads(data)``, parsed by ``orjson`` when it can.

    Raises:
        ValueError: as ``json.loads`` (``json.JSONDecodeError``, ``UnicodeDecodeError``).
        RecursionError: as ``json.loads``, for absurdly deep nesting.
    """
    # A run of 19 digits may be an integer orjson would turn into a float (found by mapping
    # every digit to "0" and looking for nineteen of them; base64 text almost never has one).
    if _fast_loads is not None and data.translate(_DIGITS_AS_ZERO).find(_LONG_DIGIT_RUN) < 0:
        try:
            return _fast_loads(data)
        except ValueError:  # orjson.JSONDecodeError: let json decide, and word the refusal
            pass
    return json.loads(data)


__all__ = ["b64url_decode", "json_loads"]
