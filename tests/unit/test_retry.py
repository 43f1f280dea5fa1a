"""The retry rule in its pure form (docs/network.md, "Retries"): which requests are tried again,
when, how long the flow waits between attempts, and how the drivers' answers end it.

The same rule over real sockets, through every facade, is in tests/network/test_faults.py.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest

from auth0_core import Env, FixedClock
from auth0_core._config import make_config
from auth0_core._effects import fetch, fetch_shared
from auth0_core._http import HttpRequest, HttpResponse
from auth0_core._retry import (
    BASE_DELAY,
    DEFAULT_MAX_ATTEMPTS,
    Retry,
    retry_after,
    retryable_status,
)
from auth0_core.effects import Effect, Flow, SharedRequest, Sleep, StoreGet, run
from auth0_core.errors import (
    ConfigurationError,
    ResponseTooLargeError,
    TransportError,
    TransportTimeoutError,
)

NOW = 1_800_000_000
URL = "https://tenant.example/.well-known/jwks.json"
FAILED = TransportError(f"GET {URL} failed: ConnectionError", url=URL)


def retry(max_attempts: int = DEFAULT_MAX_ATTEMPTS, max_wait: float = 5.0) -> Retry:
    return Retry(max_attempts=max_attempts, max_wait=max_wait, env=Env(clock=FixedClock(NOW)))


class Driver:
    """Answers each request with the next of ``answers`` (a response, or an error raised);
    records every effect; answers a Sleep with ``slept``."""

    def __init__(self, *answers: HttpResponse | BaseException, slept: object = None) -> None:
        self.answers = list(answers)
        self.effects: list[Effect] = []
        self.slept = slept

    def perform(self, effect: Effect) -> object:
        self.effects.append(effect)
        if isinstance(effect, Sleep):
            return self.slept
        assert isinstance(effect, HttpRequest | SharedRequest)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    @property
    def sent(self) -> int:
        return sum(isinstance(e, HttpRequest | SharedRequest) for e in self.effects)

    @property
    def waits(self) -> list[Sleep]:
        return [e for e in self.effects if isinstance(e, Sleep)]


def status(code: int, *headers: tuple[str, str]) -> HttpResponse:
    return HttpResponse(status=code, headers=headers)


def get(method: str = "GET") -> HttpRequest:
    return HttpRequest(method=method, url=URL)


def plain(request: HttpRequest, policy: Retry | None) -> Flow[HttpResponse]:
    return fetch(request, retry=policy)


def shared(request: HttpRequest, policy: Retry | None) -> Flow[HttpResponse]:
    return fetch_shared("jwks", request, retry=policy)


FETCHES = pytest.mark.parametrize("send", [plain, shared], ids=["fetch", "fetch_shared"])
Send = Callable[[HttpRequest, Retry | None], Flow[HttpResponse]]


@FETCHES
def test_a_get_is_retried_on_5xx_429_and_connection_failures(send: Send) -> None:
    driver = Driver(status(503), FAILED, status(429), status(200), slept=None)
    answer = run(send(get(), retry(max_attempts=4)), driver.perform)
    assert answer.status == 200
    assert driver.sent == 4
    waits = driver.waits
    assert len(waits) == 3
    assert all(wait.within_call for wait in waits)  # they count against call_timeout
    for number, wait in enumerate(waits, 1):  # exponential, less up to half at random
        full = BASE_DELAY * 2 ** (number - 1)
        assert full / 2 <= wait.seconds <= full


@FETCHES
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_nothing_but_a_safe_method_is_ever_repeated(send: Send, method: str) -> None:
    driver = Driver(status(503))
    assert run(send(get(method), retry()), driver.perform).status == 503
    driver = Driver(status(429, ("Retry-After", "0")))
    assert run(send(get(method), retry()), driver.perform).status == 429
    driver = Driver(FAILED)
    with pytest.raises(TransportError) as raised:
        run(send(get(method), retry()), driver.perform)
    assert raised.value is FAILED
    assert driver.sent == 1
    assert driver.waits == []


def test_attempts_are_bounded_and_the_last_answer_is_given() -> None:
    driver = Driver(status(502), status(503), status(504), status(200))
    assert run(fetch(get(), retry=retry()), driver.perform).status == 504
    assert driver.sent == DEFAULT_MAX_ATTEMPTS
    driver = Driver(FAILED, FAILED, FAILED, status(200))
    with pytest.raises(TransportError):
        run(fetch(get(), retry=retry()), driver.perform)
    assert driver.sent == DEFAULT_MAX_ATTEMPTS


@pytest.mark.parametrize(
    "error",
    [
        TransportTimeoutError("timed out", url=URL, seconds=1.0),
        ResponseTooLargeError("too large", url=URL, limit=10),
    ],
    ids=["timeout", "too-large"],
)
def test_a_timeout_or_an_oversized_body_is_not_retried(error: TransportError) -> None:
    driver = Driver(error, status(200))
    with pytest.raises(type(error)):
        run(fetch(get(), retry=retry()), driver.perform)
    assert driver.sent == 1


@pytest.mark.parametrize("code", [200, 204, 301, 302, 400, 401, 404, 501, 505])
def test_answers_that_would_come_again_are_not_retried(code: int) -> None:
    driver = Driver(status(code), status(200))
    assert run(fetch(get(), retry=retry()), driver.perform).status == code
    assert driver.sent == 1
    assert not retryable_status(code)


def test_retry_after_in_seconds_is_the_wait() -> None:
    driver = Driver(status(429, ("Retry-After", "3")), status(200))
    assert run(fetch(get(), retry=retry()), driver.perform).status == 200
    assert driver.waits == [Sleep(seconds=3.0, within_call=True)]


def test_retry_after_as_an_http_date_is_read_against_the_injected_clock() -> None:
    later = formatdate(NOW + 2, usegmt=True)
    driver = Driver(status(503, ("Retry-After", later)), status(200))
    assert run(fetch(get(), retry=retry()), driver.perform).status == 200
    assert driver.waits == [Sleep(seconds=2.0, within_call=True)]


def test_a_retry_after_over_the_longest_wait_ends_the_retries_at_once() -> None:
    driver = Driver(status(429, ("Retry-After", "6")), status(200))
    assert run(fetch(get(), retry=retry(max_wait=5.0)), driver.perform).status == 429
    assert driver.waits == []
    assert driver.sent == 1


def test_a_wait_the_call_has_no_time_for_ends_the_retries() -> None:
    # The driver answers False: the wait would reach past the call's deadline.
    driver = Driver(status(503), status(200), slept=False)
    assert run(fetch(get(), retry=retry()), driver.perform).status == 503
    driver = Driver(FAILED, status(200), slept=False)
    with pytest.raises(TransportError) as raised:
        run(fetch(get(), retry=retry()), driver.perform)
    assert raised.value is FAILED
    assert driver.sent == 1


def test_one_attempt_or_no_policy_means_no_retry() -> None:
    for policy in (None, retry(max_attempts=1)):
        driver = Driver(status(503), status(200))
        assert run(fetch(get(), retry=policy), driver.perform).status == 503
        assert driver.sent == 1


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("120", 120.0),
        (formatdate(NOW + 30, usegmt=True), 30.0),
        (formatdate(NOW - 30, usegmt=True), 0.0),  # a date past: now
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
    ],
)
def test_retry_after_values(value: str, seconds: float | None) -> None:
    assert retry_after(status(429, ("Retry-After", value)), NOW) == seconds


def test_a_transport_error_reaches_the_flow_only_from_a_request() -> None:
    seen: list[str] = []

    def flow() -> Flow[str]:
        try:
            yield get()
        except TransportError:
            seen.append("request")
        try:
            yield StoreGet(store="state", identifier="session")
        except TransportError:  # pragma: no cover - must not happen
            seen.append("store")
        return "done"

    def perform(effect: Effect) -> Any:
        raise TransportError("down")

    with pytest.raises(TransportError):
        run(flow(), perform)
    assert seen == ["request"]  # a store's TransportError propagates from the driver as it is


def test_the_retry_options_are_validated() -> None:
    base: dict[str, Any] = {
        "domain": "tenant.example",
        "client_id": "cid",
        "client_secret": "s",
        "secret": "x" * 32,
    }
    config = make_config(**base)
    assert (config.retry_max_attempts, config.retry_max_wait) == (3, 5.0)
    assert make_config(**base, retry_max_attempts=1, retry_max_wait=0).retry_max_attempts == 1
    for bad in ({"retry_max_attempts": 0}, {"retry_max_attempts": True}, {"retry_max_wait": -1}):
        with pytest.raises(ConfigurationError, match="retry_max"):
            make_config(**base, **bad)
