"""The network-fault suite (issue 15, item 6): every way the network or the tenant's edge fails,
over real loopback sockets, through the sync client and the async one on asyncio and trio.

Each fault gives a typed error with a clear message that holds no token or secret, ends
within a generous bound, and leaves the session as it was. Requests that are safe to repeat
(GETs: discovery, JWKS, My Account reads) are retried on connection failures, 429 and 5xx,
honouring ``Retry-After``; a token request (a code exchange, a refresh) and any POST or DELETE
is sent once (docs/network.md).

The faults, and where each is checked:

===============================  =======================================================
connection refused               test_connection_refused
reset mid-response               test_a_reset_discovery_is_retried, test_a_failed_refresh_*
accept, never answer             test_a_server_that_never_answers_*, test_a_failed_refresh_*
slow-drip headers / body         test_a_dripping_server_cannot_hold_an_exchange
call_timeout over a drip         test_call_timeout_bounds_a_call_whatever_the_exchange_timeout
429 with Retry-After (GET)       test_rate_limited_*, test_a_retry_after_longer_*,
                                 test_no_retry_waits_past_the_calls_deadline
429 on the token endpoint        test_a_failed_refresh_*, test_a_rate_limited_code_exchange_*
5xx                              test_a_5xx_*, test_retries_can_be_turned_off,
                                 test_a_failed_refresh_*
HTML error page                  test_an_html_page_*, test_a_failed_refresh_* (502)
100 MB body                      test_a_hundred_megabyte_body_is_refused_unread,
                                 test_a_failed_refresh_* (100-mb)
redirect on the token endpoint   test_a_failed_refresh_* (302): not followed
My Account GET / DELETE          test_my_account_reads_are_retried_and_deletes_are_not
default limits documented        test_the_default_timeouts_are_documented
===============================  =======================================================

Limits applied to a slow or oversized *tenant* (wrapped emulated tenant, in-process too) are in
tests/e2e/test_deadlines.py; the retry rule and the JWKS re-fetch rule in their pure form in
tests/unit/test_retry.py and tests/id_token/test_jwks.py, and key rotations through every
facade in tests/e2e/test_jwks_rotation.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from typing import Any

import anyio
import pytest

from auth0_core import Env, FixedClock
from auth0_core._http import DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from auth0_core.errors import (
    AccessTokenError,
    Auth0Error,
    InvalidResponse,
    MyAccountApiError,
    ResponseTooLargeError,
    TransportError,
    TransportTimeoutError,
)
from auth0_core.stores import MemoryStateStore, MemoryTransactionStore
from auth0_core.tenant import Tenant, TenantConfig

from ..e2e.conftest import CALLBACK, CLIENT_SECRET, SECRET, START, App
from .faults import (
    HUNDRED_MB,
    Fault,
    FaultServer,
    answer,
    closed_port,
    drip_body,
    drip_headers,
    huge_body,
    never_answer,
    reset_mid_response,
)

pytestmark = pytest.mark.anyio

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/.well-known/jwks.json"
TOKEN = "/oauth/token"
ACCOUNTS = "/me/v1/connected-accounts/accounts"
DAY = 86_400
# Without its limits a client would wait on these servers for far longer than this.
NOT_HUNG = 15.0
NETWORK_DOC = Path(__file__).resolve().parents[2] / "docs" / "network.md"
JSON = ("Content-Type", "application/json")
# A token-like string a proxy's error page might echo: it must never reach a message.
LEAKY = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSJ9.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg"


@contextmanager
def faulty(mode: str, **options: Any) -> Iterator[tuple[App, FaultServer]]:
    """An App of ``mode`` whose tenant is behind a :class:`FaultServer` on loopback."""
    with FaultServer() as server:
        clock = FixedClock(START)
        tenant = Tenant(TenantConfig.default(), base_url=server.base_url, env=Env(clock=clock))
        server.tenant = tenant
        yield App(mode, tenant, server.base_url, clock, **options), server


def assert_clean(error: BaseException, *secrets: str) -> None:
    """A typed error whose text holds no secret, no token and no query string."""
    assert isinstance(error, Auth0Error)
    shown = f"{error} {error!r}"
    for secret in (CLIENT_SECRET, SECRET, LEAKY, *secrets):
        assert secret not in shown
    assert "eyJ" not in shown
    url = getattr(error, "url", None)
    assert url is None or "?" not in url


async def session(app: App) -> Any:
    return await app.call("get_session", store_options=app.browser.store_options())


# --- connection failures ------------------------------------------------------------------------


async def test_connection_refused(mode: str) -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock))
    app = App(mode, tenant, base_url, clock)
    started = time.monotonic()
    with pytest.raises(TransportError) as caught:
        await app.call("start_interactive_login")
    assert time.monotonic() - started < NOT_HUNG
    assert type(caught.value) is TransportError  # neither a timeout nor a size
    assert re.fullmatch(rf"GET {base_url}{DISCOVERY} failed: \w+", str(caught.value))
    assert caught.value.url == base_url + DISCOVERY
    assert_clean(caught.value)


async def test_a_reset_discovery_is_retried(mode: str) -> None:
    with faulty(mode) as (app, server):
        server.fail("GET", DISCOVERY, reset_mid_response, times=1)
        assert (await app.call("start_interactive_login")).startswith(server.base_url)
        assert server.hits[DISCOVERY] == 2
        server.fail("GET", DISCOVERY, reset_mid_response)  # for good now
        app.client = app.make_client()  # a client with nothing cached
        with pytest.raises(TransportError, match=r"^GET http://\S+ failed: \w+$") as caught:
            await app.call("start_interactive_login")
        assert server.hits[DISCOVERY] == 2 + 3  # three attempts in all
        assert_clean(caught.value)


# --- no answer, or an answer that never ends -----------------------------------------------------


def test_the_default_timeouts_are_documented() -> None:
    table = NETWORK_DOC.read_text()
    assert f"| `timeout` | {DEFAULT_TIMEOUT:g} s |" in table
    assert f"| `call_timeout` | {DEFAULT_CALL_TIMEOUT:g} s |" in table
    assert f"| `max_response_bytes` | {DEFAULT_MAX_RESPONSE_BYTES // 1024 // 1024} MiB |" in table


async def test_a_server_that_never_answers_times_out_the_exchange(mode: str) -> None:
    with faulty(mode, timeout=0.5) as (app, server):
        server.fail("GET", DISCOVERY, never_answer)
        started = time.monotonic()
        with pytest.raises(TransportTimeoutError, match="timed out") as caught:
            await app.call("start_interactive_login")
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.seconds == 0.5
        assert caught.value.url == server.base_url + DISCOVERY
        assert server.hits[DISCOVERY] == 1  # a timeout has spent the time: not retried
        assert_clean(caught.value)


@pytest.mark.parametrize("fault", [drip_headers, drip_body], ids=["headers", "body"])
async def test_a_dripping_server_cannot_hold_an_exchange(mode: str, fault: Fault) -> None:
    with faulty(mode, timeout=0.3) as (app, server):
        server.fail("GET", DISCOVERY, fault)
        started = time.monotonic()
        with pytest.raises(TransportTimeoutError, match="timed out") as caught:
            await app.call("start_interactive_login")
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.url == server.base_url + DISCOVERY
        assert server.hits[DISCOVERY] == 1


async def test_a_dripping_body_stops_being_read_at_its_deadline(mode: str) -> None:
    """The exchange hangs up at its deadline (a sync exchange thread too, which reads each
    byte as it comes): the next call sends a new request, and is answered, though the first
    server connection would still be dripping for seconds."""
    with faulty(mode, timeout=0.5, retry_max_attempts=1) as (app, server):
        server.fail("GET", DISCOVERY, drip_body, times=1)
        with pytest.raises(TransportTimeoutError):
            await app.call("start_interactive_login")
        await anyio.sleep(1.0)
        started = time.monotonic()
        assert await app.call("start_interactive_login")
        assert time.monotonic() - started < 0.5
        assert server.hits[DISCOVERY] == 2


async def test_call_timeout_bounds_a_call_whatever_the_exchange_timeout(mode: str) -> None:
    with faulty(mode, timeout=60, call_timeout=0.3) as (app, server):
        server.fail("GET", DISCOVERY, drip_body)
        started = time.monotonic()
        with pytest.raises(TransportTimeoutError, match=r"call_timeout of 0\.3 s"):
            await app.call("start_interactive_login")
        assert time.monotonic() - started < NOT_HUNG


# --- answers that say "not now" ------------------------------------------------------------------


@pytest.mark.parametrize(
    "retry_after", ["1", formatdate(START + 1, usegmt=True)], ids=["seconds", "http-date"]
)
async def test_rate_limited_discovery_is_retried_after_the_servers_wait(
    mode: str, retry_after: str
) -> None:
    with faulty(mode) as (app, server):
        limited = answer(429, b'{"error":"too_many_requests"}', JSON, ("Retry-After", retry_after))
        server.fail("GET", DISCOVERY, limited, times=1)
        started = time.monotonic()
        assert (await app.call("start_interactive_login")).startswith(server.base_url)
        assert time.monotonic() - started < NOT_HUNG
        assert server.hits[DISCOVERY] == 2


async def test_rate_limited_jwks_is_retried_during_a_login(mode: str) -> None:
    with faulty(mode) as (app, server):
        server.fail("GET", JWKS, answer(429, b"slow down", ("Retry-After", "0")), times=1)
        await app.login()
        assert (await app.user())["sub"] == "auth0|alice"
        assert server.hits[JWKS] == 2


async def test_a_retry_after_longer_than_the_longest_wait_is_not_waited_for(mode: str) -> None:
    with faulty(mode) as (app, server):
        server.fail("GET", DISCOVERY, answer(429, b"", ("Retry-After", "120")))
        started = time.monotonic()
        with pytest.raises(InvalidResponse, match=r"discovery failed \(HTTP 429\)") as caught:
            await app.call("start_interactive_login")
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.status == 429
        assert server.hits[DISCOVERY] == 1


async def test_no_retry_waits_past_the_calls_deadline(mode: str) -> None:
    # Five seconds is within retry_max_wait, but not within what is left of the call.
    with faulty(mode, call_timeout=3.0) as (app, server):
        server.fail("GET", DISCOVERY, answer(503, b"", ("Retry-After", "5")))
        started = time.monotonic()
        with pytest.raises(InvalidResponse, match=r"\(HTTP 503\)"):
            await app.call("start_interactive_login")
        assert time.monotonic() - started < NOT_HUNG
        assert server.hits[DISCOVERY] == 1


async def test_a_5xx_discovery_is_retried_a_bounded_number_of_times(mode: str) -> None:
    with faulty(mode, retry_max_wait=0.05) as (app, server):
        server.fail("GET", DISCOVERY, answer(503, b"busy"), times=2)
        assert (await app.call("start_interactive_login")).startswith(server.base_url)
        assert server.hits[DISCOVERY] == 3
        server.fail("GET", DISCOVERY, answer(502, b"<html>Bad Gateway</html>"))
        app.client = app.make_client()
        with pytest.raises(InvalidResponse, match=r"discovery failed \(HTTP 502\)") as caught:
            await app.call("start_interactive_login")
        assert server.hits[DISCOVERY] == 3 + 3
        assert_clean(caught.value)


async def test_retries_can_be_turned_off(mode: str) -> None:
    with faulty(mode, retry_max_attempts=1) as (app, server):
        server.fail("GET", DISCOVERY, answer(503, b"busy"), times=1)
        with pytest.raises(InvalidResponse, match=r"\(HTTP 503\)"):
            await app.call("start_interactive_login")
        assert server.hits[DISCOVERY] == 1


async def test_an_html_page_instead_of_the_discovery_document(mode: str) -> None:
    page = f"<html><body><h1>Sign in</h1><p>{LEAKY}</p></body></html>".encode()
    with faulty(mode) as (app, server):
        server.fail("GET", DISCOVERY, answer(200, page, ("Content-Type", "text/html")))
        with pytest.raises(InvalidResponse, match=r"expected a JSON body \(HTTP 200\)") as caught:
            await app.call("start_interactive_login")
        assert "Sign in" in str(caught.value)  # an excerpt says what came instead
        assert server.hits[DISCOVERY] == 1  # a 200 is an answer: not retried
        assert_clean(caught.value)


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
async def test_a_hundred_megabyte_body_is_refused_unread(mode: str, declared: bool) -> None:
    with faulty(mode) as (app, server):
        server.fail("GET", DISCOVERY, huge_body(declared=declared))
        with pytest.raises(ResponseTooLargeError) as caught:
            await app.call("start_interactive_login")
        assert caught.value.limit == DEFAULT_MAX_RESPONSE_BYTES
        assert caught.value.url == server.base_url + DISCOVERY
        assert server.hits[DISCOVERY] == 1  # it would come again: not retried
        # The client hung up on the server long before 100 MB (socket buffers aside).
        assert server.hung_up.wait(NOT_HUNG)
        assert server.sent < HUNDRED_MB // 4


# --- the token endpoint: sent once, whatever happens ---------------------------------------------

REFRESH_FAULTS: dict[str, tuple[Fault, type[Auth0Error], str]] = {
    "reset": (reset_mid_response, TransportError, rf"^POST http://\S+{TOKEN} failed: \w+$"),
    "no-answer": (never_answer, TransportTimeoutError, r"timed out"),
    "429-oauth": (
        answer(
            429,
            b'{"error":"too_many_requests","error_description":"Global limit has been reached"}',
            JSON,
            ("Retry-After", "1"),
        ),
        AccessTokenError,
        r"rate-limited the refresh \(HTTP 429\): too_many_requests: Global limit",
    ),
    "429-text": (
        answer(429, b"Too Many Requests", ("Retry-After", "1")),
        InvalidResponse,
        r"^rate limited: .* \(HTTP 429\)",
    ),
    "500": (
        answer(500, b'{"error":"server_error","error_description":"try later"}', JSON),
        AccessTokenError,
        r"could not be refreshed: server_error: try later",
    ),
    "502-html": (
        answer(502, f"<html><h1>Bad Gateway</h1>{LEAKY}</html>".encode(), ("Content-Type", "html")),
        InvalidResponse,
        r"without an OAuth error body \(HTTP 502\): .*Bad Gateway",
    ),
    "302": (
        answer(302, b"", ("Location", "/stolen")),
        InvalidResponse,
        r"redirect, which is not followed \(HTTP 302\)",
    ),
    "100-mb": (huge_body(declared=False), ResponseTooLargeError, r"answered more than \d+ bytes"),
}


@pytest.mark.parametrize("name", list(REFRESH_FAULTS))
async def test_a_failed_refresh_is_not_retried_and_leaves_the_session(mode: str, name: str) -> None:
    fault, error_type, message = REFRESH_FAULTS[name]
    with faulty(mode) as (app, server):
        stores = {
            "state_store": MemoryStateStore(clock=app.clock),
            "transaction_store": MemoryTransactionStore(clock=app.clock),
        }
        app.client = app.make_client(**stores)
        await app.login()
        app.clock.advance(DAY - 59)  # the access token is due for a refresh
        before = await session(app)
        server.fail("POST", TOKEN, fault)
        sent = server.hits[TOKEN]
        # The same sessions, through a client that waits 1 s for an exchange.
        impatient = app.make_client(timeout=1.0, **stores)
        started = time.monotonic()
        with pytest.raises(error_type, match=message) as caught:
            await app.call(
                "get_access_token", store_options=app.browser.store_options(), client=impatient
            )
        assert time.monotonic() - started < NOT_HUNG
        assert type(caught.value) is error_type
        assert server.hits[TOKEN] == sent + 1  # sent once: the refresh token may be spent
        assert server.hits["/stolen"] == 0  # a redirect is never followed
        assert await session(app) == before  # the session as it was
        tokens = [before["refresh_token"], before["id_token"]]
        tokens += [entry["access_token"] for entry in before["token_sets"]]
        assert_clean(caught.value, *tokens)


async def test_a_rate_limited_code_exchange_is_not_retried(mode: str) -> None:
    with faulty(mode) as (app, server):
        store = app.browser.store_options()
        url = await app.call("start_interactive_login", store_options=store)
        app.browser.absorb(store)
        callback = app.browser_login(url)
        limited = answer(429, b'{"error":"too_many_requests"}', JSON, ("Retry-After", "0"))
        server.fail("POST", TOKEN, limited)
        sent = server.hits[TOKEN]
        store = app.browser.store_options()
        with pytest.raises(Auth0Error, match="too_many_requests") as caught:
            await app.call("complete_interactive_login", callback, store_options=store)
        assert getattr(caught.value, "status", None) == 429
        assert server.hits[TOKEN] == sent + 1  # the code may have been used: sent once
        assert "code=" not in str(caught.value)
        assert_clean(caught.value)
        assert await app.user() is None  # no session was written


# --- the My Account API: reads are retried, writes are not ---------------------------------------


async def test_my_account_reads_are_retried_and_deletes_are_not(mode: str) -> None:
    with faulty(mode, retry_max_wait=0.05) as (app, server):
        scopes = "read:me:connected_accounts delete:me:connected_accounts"
        app.client = app.make_client(
            authorization_params={
                "redirect_uri": CALLBACK,
                "scope": {f"{app.base_url}/me/": scopes},
            }
        )
        await app.login()
        server.fail("GET", ACCOUNTS, answer(503, b"", ("Retry-After", "0")), times=2)
        store = app.browser.store_options()
        listed = await app.call("list_connected_accounts", store_options=store)
        app.browser.absorb(store)
        assert [account.connection for account in listed.accounts] == ["google-oauth2"]
        assert server.hits[ACCOUNTS] == 3
        gone = f"{ACCOUNTS}/cac_gone1"
        server.fail("DELETE", gone, answer(503, b'{"title":"busy"}', JSON))
        with pytest.raises(MyAccountApiError) as caught:
            await app.call(
                "delete_connected_account", "cac_gone1", store_options=app.browser.store_options()
            )
        assert caught.value.status == 503
        assert server.hits[gone] == 1
        assert_clean(caught.value)
