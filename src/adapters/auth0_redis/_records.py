"""Login transactions in Redis, and the claims and locks both kinds of store keep."""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

from auth0_core._seal import seal, unseal
from auth0_core.errors import UnsealError
from auth0_core.stores._common import OnceLogger, expires_at, is_expired

from ._commands import Command, Eval, RedisFlow, Sleep, text
from ._layout import Layout
from ._scripts import RELEASE, TAKE

DEFAULT_TRANSACTION_TTL = 600.0  # seconds, for a record without expires_at
_FIRST_BACKOFF = 0.01
# The longest wait between two tries for a lock another instance holds: a holder's refresh
# takes tens of milliseconds, and waiters that start together must not poll in step (each
# wait is drawn from its upper half).
_MAX_BACKOFF = 0.1


class TransactionLogic:
    """Each record sealed under ``{prefix}tx:{identifier}`` (the identifier is the salt), with
    a TTL from its ``expires_at`` (``default_ttl`` seconds when it has none)."""

    def __init__(
        self,
        *,
        layout: Layout,
        secrets: tuple[str, ...],
        clock: Callable[[], float],
        default_ttl: float,
    ) -> None:
        self._layout = layout
        self._secrets = secrets
        self._clock = clock
        self._default_ttl = default_ttl
        self._log = OnceLogger()

    def get(self, identifier: str) -> RedisFlow[dict[str, Any] | None]:
        sealed = text((yield Command(("GET", self._layout.transaction(identifier)))))
        if sealed is None:
            return None
        try:
            value = unseal(sealed, self._secrets, identifier)
        except UnsealError:
            self._log.warn(
                "unseal",
                "Ignoring a Redis transaction that does not open (%d characters).",
                len(sealed),
            )
            return None
        return None if is_expired(value, self._clock()) else value

    def set(self, identifier: str, state: Mapping[str, Any]) -> RedisFlow[None]:
        key = self._layout.transaction(identifier)
        deadline = expires_at(state)
        seconds = self._default_ttl if deadline is None else deadline - self._clock()
        ttl = math.floor(seconds * 1000)
        if ttl <= 0:  # already over: it would only read back as None
            yield Command(("DEL", key))
            return
        yield Command(("SET", key, seal(state, self._secrets[0], identifier), "PX", ttl))

    def delete(self, identifier: str) -> RedisFlow[None]:
        yield Command(("DEL", self._layout.transaction(identifier)))


class Coordination:
    """``claim`` (a logout token's ``jti``, once) and locks (one refresh among instances)."""

    def __init__(self, *, layout: Layout, clock: Callable[[], float]) -> None:
        self._layout = layout
        self._clock = clock

    def claim(self, identifier: str, expires_at: int) -> RedisFlow[bool]:
        """True when this call recorded ``identifier`` (kept until ``expires_at``)."""
        ttl = math.floor((expires_at - self._clock()) * 1000)
        if ttl <= 0:  # nothing left to guard: as the in-process claim table, accept it
            return True
        token = secrets.token_urlsafe(16)
        taken = yield Eval(TAKE, (self._layout.claim(identifier),), (token, ttl))
        return bool(taken)

    def acquire_lock(self, identifier: str, ttl: float, wait: float) -> RedisFlow[str | None]:
        """A token once the lock is ours (held at most ``ttl`` s); None after ``wait`` s."""
        key, token = self._layout.lock(identifier), secrets.token_urlsafe(16)
        hold = max(1, math.ceil(ttl * 1000))
        deadline = time.monotonic() + max(0.0, wait)
        backoff = _FIRST_BACKOFF
        while True:
            if (yield Eval(TAKE, (key,), (token, hold))):
                return token
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            yield Sleep(min(backoff * random.uniform(0.5, 1.0), left))  # noqa: S311 - jitter
            backoff = min(backoff * 2, _MAX_BACKOFF)

    def release_lock(self, identifier: str, token: str) -> RedisFlow[None]:
        """Release the lock if ``token`` still holds it (a lock that expired and was taken by
        another instance is left alone)."""
        if token:
            yield Eval(RELEASE, (self._layout.lock(identifier),), (token,))
