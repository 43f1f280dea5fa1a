"""Opaque paging cursors (``from`` / ``next``, protocol doc 7.4).

A cursor names a position in a list (an account's creation number, a connection's index) and
the list it belongs to, with a MAC under the tenant's secret: the API answers only cursors it
issued, so garbage, a forged position or the other list's cursor is a 400, never a wrong page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import TypeVar

from .problems import field_error, invalid

T = TypeVar("T")
_TAG_BYTES = 12
_MAX_CURSOR_CHARS = 256


def _tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_TAG_BYTES]


def encode_cursor(secret: bytes, kind: str, position: int) -> str:
    """The cursor for ``position`` in the list ``kind``."""
    payload = f"{kind}:{position}".encode()
    return base64.urlsafe_b64encode(_tag(secret, payload) + payload).rstrip(b"=").decode()


def decode_cursor(secret: bytes, kind: str, cursor: str) -> int:
    """The position a cursor of list ``kind`` names.

    Raises:
        RequestRejected: 400, the cursor was not issued by this tenant for this list.
    """
    rejected = invalid([field_error("is not a valid cursor", "from", "query")], "query")
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise rejected
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise rejected from None
    tag, payload = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    if not hmac.compare_digest(tag, _tag(secret, payload)):
        raise rejected
    found_kind, _, position = payload.decode("ascii", "replace").partition(":")
    if found_kind != kind or not position.isdigit():
        raise rejected
    return int(position)


def page_of(
    items: Sequence[T],
    position_of: Callable[[T], int],
    *,
    after: int,
    take: int,
    cursor_for: Callable[[int], str],
) -> tuple[list[T], str | None]:
    """The first ``take`` items whose position is past ``after``, and the next cursor."""
    remaining = [item for item in items if position_of(item) > after]
    page = remaining[:take]
    more = len(remaining) > take
    return page, cursor_for(position_of(page[-1])) if more and page else None
