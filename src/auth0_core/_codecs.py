"""The two decoders every session read runs, with C implementations where they are installed.

Unsealing a cookie session is base64url, HMAC-SHA-512, AES-CBC and a JSON parse. The
standard library's ``binascii`` and ``json`` cost about 2.2 and 1.5 µs per KiB, more than the
cryptography itself; ``pybase64`` (SIMD) and ``orjson`` do the same work in a fraction of that.
Both are dependencies on CPython (see pyproject.toml); anywhere they are missing (another
interpreter, a build without them) the standard library is used, with the same results.

The results and the refusals are the standard library's, whichever implementation runs:

- :func:`b64url_decode` takes padded base64url and raises ``ValueError`` where
  ``binascii.a2b_base64(..., strict_mode=True)`` does on the same text in the standard
  alphabet, for text as the seal passes it: no ``+``, ``/`` or ``=`` but the padding that
  completes the last quantum (the seal refuses them first; the two decoders disagree about
  a stray ``=``, and pybase64 is to refuse ``+`` and ``/`` itself);
- :func:`json_loads` returns what ``json.loads`` returns: whatever ``orjson`` refuses
  (``NaN``, an infinite number, lone surrogates, UTF-16 text, nesting deeper than 1024,
  invalid JSON) is handed to ``json.loads``, which accepts it or raises as it always did. So
  is any text nested more than 100 deep (json's own depth limit depends on its caller's
  stack), and any whose value holds a float: ``orjson`` reads an integer beyond 64 bits as a
  float, where ``json`` keeps it exact (looking for floats costs a pass over the values, not
  over the bytes: a session is mostly long token strings, and has no float).
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable
from itertools import chain
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


_CONTAINERS = (dict, list)
_MAX_WALKED_DEPTH = 100  # a session nests 4 deep


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
    if _fast_loads is not None:
        try:
            value = _fast_loads(data)
        except ValueError:  # orjson.JSONDecodeError: let json decide, and word the refusal
            pass
        else:
            if not _json_must_decide(value):
                return value
    return json.loads(data)


def _json_must_decide(value: Any) -> bool:
    """Whether orjson's reading of a text may differ from json's: the value is or holds a
    float, or nests deeper than :data:`_MAX_WALKED_DEPTH` (json.loads refuses about a
    thousand levels, fewer the deeper its caller's stack; orjson reads up to 1024).

    Level by level: the values of every container on a level are chained and their types
    gathered in one ``set`` (C loops: a session's fifty token sets are one level), and only a
    level that holds containers is descended into.
    """
    level = [value]
    for _ in range(_MAX_WALKED_DEPTH):
        values = list(chain.from_iterable(map(_children, level)))
        kinds = set(map(type, values))
        if float in kinds:
            return True
        if dict not in kinds and list not in kinds:
            return False
        level = [item for item in values if type(item) in _CONTAINERS]
    return True


def _children(container: Any) -> Any:
    # The root may be a scalar: it is its own only "child" (json_loads of "1.5").
    kind = type(container)
    if kind is dict:
        return container.values()
    if kind is list:
        return container
    return (container,)


__all__ = ["b64url_decode", "json_loads"]
