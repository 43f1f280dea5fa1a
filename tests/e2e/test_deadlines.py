"""Network limits in every facade: an exchange's deadline, a call's deadline, a body's size.

Servers that drip or stream without end are raw loopback sockets (below HTTP, which is the
point); a slow or oversized tenant is the emulated one behind a wrapping handler.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._http import json_response
from auth0_core.errors import InvalidResponse, ResponseTooLargeError, TransportError
from auth0_core.tenant import Tenant, TenantConfig

from .conftest import MODES, START, App
from .holding import STUCK, app_for, held_app, is_discovery, is_grant

pytestmark = pytest.mark.anyio

LOOPBACK_MODES = [m for m in MODES if m.endswith("loopback")]
API = "https://api.example.com"
DISCOVERY = "/.well-known/openid-configuration"
# Without its limits a client would wait on these servers for far longer than this.
NOT_HUNG = 10.0
JSON_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"


class MisbehavingServer:
    """A loopback server that reads a request head, then answers with ``behaviour(conn)``.

    ``sent`` counts the bytes written; a behaviour stops when the client hangs up, when the
    server closes, or after ``STUCK`` seconds at most.
    """

    def __init__(self, behaviour: Callable[[MisbehavingServer, socket.socket], None]) -> None:
        self.behaviour = behaviour
        self.stopped = threading.Event()
        self.sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # closing a socket does not wake a blocked accept()
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(STUCK)
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    head += conn.recv(4096) or b"\r\n\r\n"
                self.behaviour(self, conn)
            except OSError:
                pass  # the client hung up: what a limited client does

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def lasts(self, started: float) -> bool:
        return not self.stopped.is_set() and time.monotonic() - started < STUCK

    def __enter__(self) -> MisbehavingServer:
        self._threads[0].start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self._listener.close()
        for thread in self._threads:
            thread.join(STUCK)


def drip_headers(server: MisbehavingServer, conn: socket.socket) -> None:
    server.send(conn, (JSON_HEAD + "X-Slow: ").encode())
    started = time.monotonic()
    while server.lasts(started):
        server.send(conn, b"a")
        time.sleep(0.05)


def drip_body(server: MisbehavingServer, conn: socket.socket) -> None:
    server.send(conn, (JSON_HEAD + "Content-Length: 1000000\r\n\r\n").encode())
    started = time.monotonic()
    while server.lasts(started):
        server.send(conn, b" ")
        time.sleep(0.05)


ENDLESS_LIMIT = 256 * 1024 * 1024


def endless_body(declared: str) -> Callable[[MisbehavingServer, socket.socket], None]:
    """A body sent as fast as the client reads it, up to 256 MiB, then the connection closed."""

    def behaviour(server: MisbehavingServer, conn: socket.socket) -> None:
        server.send(conn, (JSON_HEAD + declared + "Connection: close\r\n\r\n").encode())
        chunk = b" " * 65536
        started = time.monotonic()
        while server.lasts(started) and server.sent < ENDLESS_LIMIT:
            server.send(conn, chunk)

    return behaviour


def app_on(mode: str, base_url: str, **options: Any) -> App:
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock))
    return App(mode, tenant, base_url, clock, **options)


@pytest.mark.parametrize("mode", LOOPBACK_MODES)
@pytest.mark.parametrize("behaviour", [drip_headers, drip_body], ids=["headers", "body"])
async def test_a_dripping_server_cannot_hold_an_exchange(mode: str, behaviour: Any) -> None:
    with MisbehavingServer(behaviour) as server:
        app = app_on(mode, server.base_url, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TransportError, match="timed out") as caught:
            await app.call("get_client_credentials_token", API)
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.url == server.base_url + DISCOVERY


@pytest.mark.parametrize("mode", LOOPBACK_MODES)
async def test_call_timeout_bounds_a_call_whatever_the_exchange_timeout(mode: str) -> None:
    with MisbehavingServer(drip_body) as server:
        app = app_on(mode, server.base_url, timeout=60, call_timeout=0.3)
        started = time.monotonic()
        with pytest.raises(TransportError, match=r"call_timeout of 0\.3 s"):
            await app.call("get_client_credentials_token", API)
        assert time.monotonic() - started < NOT_HUNG


@pytest.mark.parametrize(
    ("held", "call"),
    [
        (is_discovery, "get_client_credentials_token"),  # a shared exchange
        (is_grant("authorization_code"), "complete_interactive_login"),  # a plain one
    ],
    ids=["discovery", "code-exchange"],
)
async def test_a_slow_tenant_times_out_the_exchange(mode: str, held: Any, call: str) -> None:
    with held_app(mode, TenantConfig.default(), held, timeout=0.2) as (app, _hold):
        if call == "complete_interactive_login":
            url = await app.call("start_interactive_login")
            args: tuple[str, ...] = (app.browser_login(url),)
        else:
            args = (API,)
        started = time.monotonic()
        with pytest.raises(TransportError, match="timed out") as caught:
            await app.call(call, *args)
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.url is not None
        assert "?" not in caught.value.url


@pytest.mark.parametrize("mode", LOOPBACK_MODES)
@pytest.mark.parametrize(
    "declared", ["", "Content-Length: 1000000000\r\n"], ids=["undeclared", "declared"]
)
async def test_an_endless_body_is_cut_at_the_limit(mode: str, declared: str) -> None:
    limit = 64 * 1024
    with MisbehavingServer(endless_body(declared)) as server:
        app = app_on(mode, server.base_url, max_response_bytes=limit)
        with pytest.raises(ResponseTooLargeError) as caught:
            await app.call("get_client_credentials_token", API)
        assert caught.value.limit == limit
        assert caught.value.url == server.base_url + DISCOVERY
    assert server.sent < ENDLESS_LIMIT  # the client stopped reading and hung up


def replacing(
    matches: Callable[[HttpRequest], bool], change: Callable[[HttpResponse], HttpResponse]
) -> Callable[[Tenant], Callable[[HttpRequest], HttpResponse]]:
    """A wrapper for app_for: the tenant's answers to ``matches`` go through ``change``."""

    def wrap(tenant: Tenant) -> Callable[[HttpRequest], HttpResponse]:
        def handle(request: HttpRequest) -> HttpResponse:
            response = tenant.handle(request)
            return change(response) if matches(request) else response

        return handle

    return wrap


def padded(response: HttpResponse) -> HttpResponse:
    """The same JSON with 5 MB of trailing whitespace: valid, and over the default limit."""
    return attrs.evolve(response, body=response.body + b" " * 5_000_000)


def huge_access_token(response: HttpResponse) -> HttpResponse:
    document = response.json_object()
    return json_response(200, {**document, "access_token": "A" * 1_000_000})


async def test_the_default_limit_refuses_a_five_megabyte_answer(mode: str) -> None:
    wrap = replacing(is_grant("client_credentials"), padded)
    with (
        app_for(mode, TenantConfig.default(), wrap) as app,
        pytest.raises(ResponseTooLargeError, match="oauth/token"),
    ):
        await app.call("get_client_credentials_token", API)


async def test_a_megabyte_access_token_is_refused(mode: str) -> None:
    wrap = replacing(is_grant("client_credentials"), huge_access_token)
    with app_for(mode, TenantConfig.default(), wrap) as app:
        with pytest.raises(InvalidResponse, match="'access_token' is 1000000 characters") as e:
            await app.call("get_client_credentials_token", API)
        assert "AAAAAAAA" not in str(e.value)
