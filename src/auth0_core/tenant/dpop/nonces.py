"""Server-issued DPoP nonces (RFC 9449 §8, §9) and the replay cache for proofs (§11.1).

A nonce is not stored: it is a MAC of the server's name and the current period under the
tenant's secret, so it rotates every ``lifetime`` seconds by itself. The previous period's nonce
stays good for one more period, so a client that learned a nonce just before a rotation is not
sent back for another. The authorization server (``"as"``) and the resource servers (``"rs"``)
get different nonces, as RFC 9449 §8 allows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Literal

Server = Literal["as", "rs"]


def _nonce(secret: bytes, server: Server, period: int) -> str:
    digest = hmac.new(secret, f"dpop-nonce:{server}:{period}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")  # 24 characters, no padding


def current_nonce(secret: bytes, server: Server, now: int, lifetime: int) -> str:
    """The nonce ``server`` hands out now (``DPoP-Nonce``)."""
    return _nonce(secret, server, now // lifetime)


def nonce_is_fresh(secret: bytes, server: Server, nonce: str, now: int, lifetime: int) -> bool:
    """Whether ``nonce`` is this period's or the previous one's nonce of ``server``."""
    period = now // lifetime
    return any(
        hmac.compare_digest(nonce.encode(), _nonce(secret, server, p).encode())
        for p in (period, period - 1)
    )


class ReplayCache:
    """The proofs seen lately, by key thumbprint and ``jti``, each until it would be too old to
    be accepted anyway (its ``iat`` plus the allowed age)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}

    def __len__(self) -> int:
        return len(self._seen)

    def first_use(self, jkt: str, jti: str, *, now: int, keep_until: int) -> bool:
        """Record the proof; False when it was already seen (a replay)."""
        for key in [k for k, until in self._seen.items() if until < now]:
            del self._seen[key]
        if (jkt, jti) in self._seen:
            return False
        self._seen[(jkt, jti)] = keep_until
        return True
