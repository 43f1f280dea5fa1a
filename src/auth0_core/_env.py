"""The injected clock and random source.

Pure code never calls ``time.time`` or ``secrets`` itself: it asks an :class:`Env`, so tests can
pin both and recorded exchanges replay byte for byte.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable

import attrs


@attrs.frozen(kw_only=True)
class Env:
    """Where time and randomness come from.

    Attributes:
        clock: returns the current Unix time in seconds.
        token_bytes: returns ``n`` cryptographically random bytes.
    """

    clock: Callable[[], float] = time.time
    token_bytes: Callable[[int], bytes] = secrets.token_bytes

    def now(self) -> int:
        """The current Unix time, whole seconds."""
        return int(self.clock())

    def random_urlsafe(self, nbytes: int = 32) -> str:
        """``nbytes`` random bytes as unpadded base64url (RFC 7636 unreserved characters)."""
        return base64.urlsafe_b64encode(self.token_bytes(nbytes)).rstrip(b"=").decode("ascii")


class FixedClock:
    """A settable clock for tests and demos: ``clock()`` returns ``now`` until moved."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
