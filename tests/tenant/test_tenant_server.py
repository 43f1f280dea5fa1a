"""The h11/anyio server over real loopback sockets, on asyncio and trio, HTTP and HTTPS."""

from __future__ import annotations

import io
import logging
import socket
import ssl
import struct
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest
import trustme
from anyio.abc import SocketAttribute

from auth0_core import HttpRequest, HttpResponse
from auth0_core.effects import Effect, Flow, arun
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow
from auth0_tenant_server._connection import MAX_BODY_BYTES
from auth0_tenant_server._server import ServerAddress, ServerThread, serve

from .tenant_helpers import CALLBACK, SECRET, authorize_params, pkce, query_of, run_flow

pytestmark = pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")


def _to_response(response: httpx.Response) -> HttpResponse:
    return HttpResponse(
        status=response.status_code,
        headers=tuple(response.headers.multi_items()),
        body=response.content,
    )


async def run_async(flow: Flow[Any], client: httpx.AsyncClient) -> Any:
    """Run the browser flow (HTTP requests only) over ``client``."""

    async def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        reply = await client.request(
            effect.method, effect.url, headers=list(effect.headers), content=effect.body
        )
        return _to_response(reply)

    return await arun(flow, perform)


def run_sync(flow: Flow[Any], client: httpx.Client) -> Any:
    """Run the browser flow over ``client``."""

    def send(request: HttpRequest) -> HttpResponse:
        reply = client.request(
            request.method, request.url, headers=list(request.headers), content=request.body
        )
        return _to_response(reply)

    return run_flow(flow, send)


class TenantBox:
    """Captures the tenant that ``make_handler`` builds, so tests can inspect it."""

    tenant: Tenant | None = None

    def make(self, base_url: str) -> Any:
        self.tenant = Tenant(TenantConfig.default(), base_url=base_url)
        return self.tenant.handle


def _token_fields(code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }


async def _login_and_exchange(client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
    verifier, challenge = pkce()
    url = f"{base_url}/authorize?{urlencode(authorize_params(challenge))}"
    callback = await run_async(
        browser_login_flow(url, "alice@example.com", "alice-password"), client
    )
    assert callback.startswith(CALLBACK + "?")
    code = query_of(callback)["code"]
    response = await client.post(
        f"{base_url}/oauth/token",
        data=_token_fields(code, verifier),
        auth=("demo-client", SECRET),
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


@pytest.mark.anyio
async def test_serve_tenant_discovery_and_login() -> None:
    box, log = TenantBox(), io.StringIO()
    async with anyio.create_task_group() as group:
        address: ServerAddress = await group.start(
            lambda task_status: serve(
                make_handler=box.make, access_log=log, task_status=task_status
            )
        )
        assert address.host == "127.0.0.1"
        assert address.port > 0
        assert address.base_url == f"http://127.0.0.1:{address.port}"
        async with httpx.AsyncClient() as client:
            discovery = await client.get(address.base_url + "/.well-known/openid-configuration")
            assert discovery.status_code == 200
            assert discovery.headers["cache-control"] == "public, max-age=600"
            assert discovery.json()["issuer"] == address.base_url + "/"
            assert discovery.json()["token_endpoint"] == address.base_url + "/oauth/token"
            tokens = await _login_and_exchange(client, address.base_url)
            assert tokens["refresh_token"]
        group.cancel_scope.cancel()
    assert box.tenant is not None
    assert box.tenant.count("/oauth/token", grant_type="authorization_code") == 1
    lines = log.getvalue().splitlines()
    assert lines[0] == "GET /.well-known/openid-configuration 200"
    assert "GET /authorize 200" in lines
    assert "POST /u/login 302" in lines
    assert lines[-1] == "POST /oauth/token 200 grant_type=authorization_code"


@pytest.mark.anyio
async def test_keep_alive_limits_and_bad_requests(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[HttpRequest] = []

    async def handler(request: HttpRequest) -> HttpResponse:
        calls.append(request)
        if request.url.endswith("/boom"):
            raise RuntimeError("handler bug")
        return HttpResponse(status=200, headers=(("X-Echo", request.url),), body=request.body)

    async with anyio.create_task_group() as group:
        address: ServerAddress = await group.start(
            lambda task_status: serve(handler, access_log=None, task_status=task_status)
        )
        # Two requests on one connection: keep-alive works.
        async with httpx.AsyncClient() as client:
            first = await client.post(address.base_url + "/a?x=1", content=b"hello")
            second = await client.get(address.base_url + "/b")
            assert first.content == b"hello"
            assert first.headers["x-echo"] == address.base_url + "/a?x=1"
            assert second.status_code == 200
            boom = await client.get(address.base_url + "/boom")
            assert boom.status_code == 500
            too_big = await client.post(
                address.base_url + "/big", content=b"x" * (MAX_BODY_BYTES + 1)
            )
            assert too_big.status_code == 413
            assert (await client.get(address.base_url + "/after")).status_code == 200
        async with await anyio.connect_tcp(address.host, address.port) as stream:
            await stream.send(
                b"GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\n"
            )
            received = b""
            while received.count(b"HTTP/1.1 200") < 2:
                received += await stream.receive()
        assert calls[-2].url == "http://h/one"
        assert calls[-1].url == "http://h/two"
        async with await anyio.connect_tcp(address.host, address.port) as stream:
            await stream.send(b"POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n")
            assert (await stream.receive()).startswith(b"HTTP/1.1 413")
        async with await anyio.connect_tcp(address.host, address.port) as stream:
            await stream.send(b"this is not http\r\n\r\n")
            reply = await stream.receive()
            assert reply.startswith(b"HTTP/1.1 400")
        async with await anyio.connect_tcp(address.host, address.port) as stream:
            await stream.send(b"GET / HTTP/1.1\r\nHost: evil/host\r\n\r\n")
            assert (await stream.receive()).startswith(b"HTTP/1.1 400")
        # chunked request bodies are read too
        async with await anyio.connect_tcp(address.host, address.port) as stream:
            await stream.send(
                b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"5\r\nhello\r\n0\r\n\r\n"
            )
            reply = b""
            while not reply.endswith(b"hello"):
                reply += await stream.receive()
        async with httpx.AsyncClient() as client:  # the server survived all of that
            assert (await client.get(address.base_url + "/still-up")).status_code == 200
        group.cancel_scope.cancel()
    assert all(not c.url.endswith("/big") for c in calls)  # the handler never saw it
    # the only error logged is the handler's own failure; no connection blew up
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [f"handler failed for GET {address.base_url}/boom"]


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def server_ssl(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def client_ssl(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.mark.anyio
async def test_https_tenant(server_ssl: ssl.SSLContext, client_ssl: ssl.SSLContext) -> None:
    box = TenantBox()
    async with anyio.create_task_group() as group:
        address: ServerAddress = await group.start(
            lambda task_status: serve(
                make_handler=box.make,
                ssl_context=server_ssl,
                access_log=None,
                task_status=task_status,
            )
        )
        assert address.base_url.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(verify=client_ssl) as client:
            discovery = await client.get(address.base_url + "/.well-known/openid-configuration")
            assert discovery.json()["issuer"] == address.base_url + "/"
            tokens = await _login_and_exchange(client, address.base_url)
            assert tokens["id_token"]
        # a client that does not trust the CA fails the handshake; the server carries on
        async with httpx.AsyncClient() as untrusting:
            with pytest.raises(httpx.ConnectError):
                await untrusting.get(address.base_url + "/.well-known/jwks.json")
        async with httpx.AsyncClient(verify=client_ssl) as client:
            assert (
                await client.get(address.base_url + "/.well-known/jwks.json")
            ).status_code == 200
        group.cancel_scope.cancel()


async def _reset_after(address: ServerAddress, data: bytes) -> None:
    """Connect, send ``data``, then abort with a reset (SO_LINGER 0) instead of a clean close."""
    stream = await anyio.connect_tcp(address.host, address.port)
    stream.extra(SocketAttribute.raw_socket).setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
    )
    await stream.send(data)
    await stream.aclose()


async def _until_closed(address: ServerAddress, data: bytes) -> None:
    """Send ``data`` and read until the server closes the connection."""
    async with await anyio.connect_tcp(address.host, address.port) as stream:
        await stream.send(data)
        await stream.send_eof()  # so that the server need not wait for more before closing
        with anyio.fail_after(10):
            try:
                while await stream.receive():
                    pass
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass


@pytest.mark.anyio
@pytest.mark.parametrize("tls", [False, True])
async def test_broken_connections_and_handshakes_leave_the_server_up(
    tls: bool,
    server_ssl: ssl.SSLContext,
    client_ssl: ssl.SSLContext,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with anyio.create_task_group() as group:
        address: ServerAddress = await group.start(
            lambda task_status: serve(
                lambda request: HttpResponse(status=204),
                ssl_context=server_ssl if tls else None,
                access_log=None,
                task_status=task_status,
            )
        )
        await _reset_after(address, b"")
        await _reset_after(address, b"GET / HTTP/1.1\r\nHost: h\r\n")  # mid-request
        await _reset_after(address, b"\x16\x03\x01\x02\x00\x01")  # mid-ClientHello
        await _until_closed(address, b"\x16\x03\x01\x00\x05hello")  # a bogus handshake
        async with httpx.AsyncClient(verify=client_ssl) as client:
            assert (await client.get(address.base_url + "/")).status_code == 204
        group.cancel_scope.cancel()
    # A peer's failure is routine: nothing worth a warning, let alone an error traceback.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.fixture(params=["asyncio", "trio"])
def server_thread(request: pytest.FixtureRequest) -> Iterator[tuple[ServerThread, TenantBox]]:
    box = TenantBox()
    with ServerThread(make_handler=box.make, backend=request.param) as thread:
        yield thread, box
    assert thread.address is None  # stopped cleanly


def test_server_thread_sync_login(server_thread: tuple[ServerThread, TenantBox]) -> None:
    thread, box = server_thread
    with httpx.Client() as client:
        discovery = client.get(thread.base_url + "/.well-known/openid-configuration").json()
        assert discovery["issuer"] == thread.base_url + "/"
        verifier, challenge = pkce()
        url = f"{discovery['authorization_endpoint']}?{urlencode(authorize_params(challenge))}"
        callback = run_sync(browser_login_flow(url, "bob@example.com", "bob-password"), client)
        code = query_of(callback)["code"]
        response = client.post(
            discovery["token_endpoint"],
            data=_token_fields(code, verifier),
            auth=("demo-client", SECRET),
        )
        assert response.status_code == 200
        info = client.get(
            discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        )
        assert info.json()["email"] == "bob@example.com"
    assert box.tenant is not None
    assert box.tenant.count("/userinfo") == 1


def test_server_thread_requires_one_handler() -> None:
    with pytest.raises(ValueError, match="exactly one"), ServerThread():
        pass
    stopped = ServerThread(lambda request: HttpResponse(status=204))
    with pytest.raises(RuntimeError):
        _ = stopped.base_url
