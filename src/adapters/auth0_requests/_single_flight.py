"""Single-flight for threads: one request per key in flight, its answer shared."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future

from auth0_core import HttpResponse
from auth0_core._single_flight import RecentResponses


class ThreadSingleFlight:
    """Runs ``send`` once per key among concurrent threads; the others wait for its answer."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._in_flight: dict[str, Future[HttpResponse]] = {}
        self._recent = RecentResponses()

    def run(self, key: str, send: Callable[[], HttpResponse]) -> HttpResponse:
        with self._lock:
            remembered = self._recent.get(key, self._clock())
            if remembered is not None:
                return remembered
            future = self._in_flight.get(key)
            leader = future is None
            if future is None:
                future = self._in_flight[key] = Future()
        if not leader:
            return future.result()
        try:
            response = send()
        except BaseException as exc:
            with self._lock:
                del self._in_flight[key]
            future.set_exception(exc)
            raise
        with self._lock:
            self._recent.remember(key, response, self._clock())
            del self._in_flight[key]
        future.set_result(response)
        return response
