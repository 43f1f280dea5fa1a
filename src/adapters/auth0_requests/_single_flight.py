"""Single-flight for threads: one request per key in flight, its answer shared."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from auth0_core import HttpResponse
from auth0_core._single_flight import RecentResponses

from ._transport import in_thread


class ThreadSingleFlight:
    """Runs ``send`` once per key among concurrent threads; all of them get its answer.

    The request runs on a thread of its own, not on any caller's: a caller that stops waiting
    (its deadline passed) leaves it running, and its answer is remembered all the same, so the
    next caller with the same key is not sent the rotated-out refresh token again.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: dict[str, Future[HttpResponse]] = {}
        self._recent = RecentResponses()

    def start(self, key: str, send: Callable[[], HttpResponse]) -> Future[HttpResponse]:
        """The future answer for ``key``: remembered, in flight, or from ``send`` started now."""
        with self._lock:
            remembered = self._recent.get(key, self._clock())
            if remembered is not None:
                answered: Future[HttpResponse] = Future()
                answered.set_result(remembered)
                return answered
            future = self._in_flight.get(key)
            if future is None:
                # The new thread waits for this lock before it can finish, so the key is
                # claimed before the exchange can end.
                future = self._in_flight[key] = in_thread(lambda: self._exchange(key, send))
            return future

    def _exchange(self, key: str, send: Callable[[], HttpResponse]) -> HttpResponse:
        # Runs on the exchange's thread: the answer is remembered before any caller sees it.
        try:
            response = send()
            with self._lock:
                self._recent.remember(key, response, self._clock())
            return response
        finally:
            with self._lock:
                del self._in_flight[key]
