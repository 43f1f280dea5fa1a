"""Retries of requests that are safe to repeat: the one retry loop, pure.

A request is retried only when repeating it cannot change anything on the server: a ``GET``
(or ``HEAD``) such as discovery, the JWKS, userinfo or a My Account / Management API read. A
``POST``, ``PUT``, ``PATCH`` or ``DELETE`` is never retried: above all not a token request, whose
refresh token or authorization code the server may already have consumed (docs/network.md).

A safe request is tried again, at most ``max_attempts`` times in all, when

- the exchange failed before an answer came (connection refused or reset: a plain
  :class:`~auth0_core.errors.TransportError`; not a timeout, whose time is spent, and not an
  oversized body, which would come again), or
- the server answered 429 or a 5xx status that may pass (500, 502, 503, 504 and the rest of
  the 5xx range but 501 and 505).

Between attempts the flow yields a :class:`~auth0_core.effects.Sleep` that counts against the
call's ``call_timeout`` (``within_call=True``): exponential backoff from
:data:`BASE_DELAY` (halved at random, from the injected random source), or the server's
``Retry-After`` (delta-seconds or an HTTP-date, read against the injected clock). A wait longer
than ``max_wait`` is not made: the answer (or error) is given as it is, as it is when the driver
answers the sleep with ``False`` (the call has no time left for it). The last attempt's answer
is returned to the caller, which raises its usual typed error for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from .effects import Sleep
from .errors import (
    ResponseTooLargeError,
    StoreUnavailableError,
    TransportError,
    TransportTimeoutError,
)

if TYPE_CHECKING:
    from ._config import ClientConfig
    from ._env import Env
    from ._http import HttpResponse
    from .effects import Flow

__all__ = [
    "BASE_DELAY",
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_MAX_WAIT",
    "SAFE_METHODS",
    "Retry",
    "retried",
    "retry_after",
    "retryable_status",
]

#: Methods whose repetition changes nothing on the server (RFC 9110 §9.2.2: safe methods).
SAFE_METHODS = frozenset({"GET", "HEAD"})
#: Attempts in all for a safe request (1: no retry).
DEFAULT_MAX_ATTEMPTS = 3
#: The longest wait between two attempts, a server's ``Retry-After`` included (seconds).
DEFAULT_MAX_WAIT = 5.0
#: The first backoff (seconds); each later one doubles, each is shortened by up to half at random.
BASE_DELAY = 0.25
# 5xx statuses that say the server will not do it, ever: repeating is pointless.
_PERMANENT = frozenset({501, 505})


@attrs.frozen(kw_only=True)
class Retry:
    """How safe requests are retried: the client's settings and where time and chance come from."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    max_wait: float = DEFAULT_MAX_WAIT
    env: Env

    @classmethod
    def of(cls, config: ClientConfig) -> Retry:
        """The retry settings of ``config`` (``retry_max_attempts``, ``retry_max_wait``)."""
        return cls(
            max_attempts=config.retry_max_attempts, max_wait=config.retry_max_wait, env=config.env
        )

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1, 2...) when the server named none:
        ``BASE_DELAY * 2**(attempt-1)``, less up to half of it at random, at most ``max_wait``."""
        full = BASE_DELAY * (1 << min(attempt - 1, 16))
        fraction = int.from_bytes(self.env.token_bytes(2), "big") / 65536
        return min(self.max_wait, full * (1 - fraction / 2))


def retryable_status(status: int) -> bool:
    """Whether an answer with ``status`` may be worth another attempt of a safe request."""
    return status == 429 or (500 <= status <= 599 and status not in _PERMANENT)


def retry_after(response: HttpResponse, now: float) -> float | None:
    """The server's ``Retry-After`` in seconds from ``now`` (RFC 9110 §10.2.3), never negative.

    Delta-seconds or an HTTP-date; None when the header is absent or neither.
    """
    value = (response.header("retry-after") or "").strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(int(value[:10]))
    # email.utils brings socket, datetime and locale: imported by the first HTTP-date only.
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # an HTTP-date is always GMT
        return None
    return max(0.0, moment.timestamp() - now)


def _gives_up(error: TransportError) -> bool:
    # A timeout has spent the time; an oversized body would come again; a store is no request.
    return isinstance(error, TransportTimeoutError | ResponseTooLargeError | StoreUnavailableError)


def retried(
    retry: Retry | None, method: str, attempt: Callable[[], Flow[HttpResponse]]
) -> Flow[HttpResponse]:
    """Run ``attempt()`` (the flow of one exchange), again while the rule above allows.

    ``method`` is the request's: anything but a safe method makes exactly one attempt, as does
    ``retry=None``. Returns the answer of the last attempt made.

    Raises:
        TransportError: the last attempt's exchange failed.
    """
    if retry is None or method.upper() not in SAFE_METHODS or retry.max_attempts <= 1:
        return (yield from attempt())
    number = 1
    while True:
        failure: TransportError | None = None
        response: HttpResponse | None = None
        try:
            response = yield from attempt()
        except TransportError as error:
            if _gives_up(error) or number >= retry.max_attempts:
                raise
            failure = error
        if response is not None:
            if not retryable_status(response.status) or number >= retry.max_attempts:
                return response
            asked = retry_after(response, retry.env.clock())
            wait = retry.backoff(number) if asked is None else asked
        else:
            wait = retry.backoff(number)
        slept = None
        if wait <= retry.max_wait:
            slept = yield Sleep(seconds=wait, within_call=True)
        if wait > retry.max_wait or slept is False:  # too long to wait, or no time left
            if failure is not None:
                raise failure
            assert response is not None
            return response
        number += 1
