"""Constructing a client does no TLS setup (issue 14, item 5).

The async client's owned ``httpx.AsyncClient`` is built on its first request, on one TLS
context shared by every client of the process (loading the CA bundle is what made
``auth0_anyio.ServerClient()`` cost tens of ms). A given ``http_client`` is used as it is, and
an ``ssl_context`` (mTLS) is the TLS of the owned client. No timing is asserted: the TLS
context builds are counted.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
import requests
from anyio.abc import SocketStream

import auth0_anyio
import auth0_requests
from auth0_anyio import _transport
from auth0_core import HttpRequest

OPTIONS: dict[str, Any] = {
    "domain": "tenant.example.com",
    "client_id": "client",
    "client_secret": "x",
    "secret": "s" * 32,
}


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every TLS context made from here on (httpx builds its own with
    ``ssl.create_default_context``), on a process whose shared context is not built yet."""
    made: list[object] = []
    real: Callable[..., ssl.SSLContext] = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        context = real(*args, **kwargs)
        made.append(context)
        return context

    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.setattr(_transport, "_shared_context", None)
    return made


def test_constructing_the_async_client_builds_no_tls_context(builds: list[object]) -> None:
    clients = [auth0_anyio.ServerClient(**OPTIONS) for _ in range(3)]
    assert builds == []
    assert all(client._transport._client is None for client in clients)


def test_constructing_the_sync_client_builds_no_tls_context(builds: list[object]) -> None:
    auth0_requests.ServerClient(**OPTIONS)
    auth0_requests.ServerClient(session=requests.Session(), **OPTIONS)
    assert builds == []


async def _serve_one_answer(stream: SocketStream) -> None:
    async with stream:
        await stream.receive()
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
@pytest.mark.anyio
async def test_the_first_request_builds_one_context_all_clients_share(
    anyio_backend: str, builds: list[object]
) -> None:
    first = auth0_anyio.ServerClient(**OPTIONS)
    second = auth0_anyio.ServerClient(**OPTIONS)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    request = HttpRequest(method="GET", url=f"http://127.0.0.1:{port}/", headers=(), body=b"")
    async with listener, anyio.create_task_group() as group:
        group.start_soon(listener.serve, _serve_one_answer)
        # Two first requests at once: still one context.
        answers: list[int] = []

        async def fetch(client: auth0_anyio.ServerClient) -> None:
            answers.append((await client._transport.send(request)).status)

        async with anyio.create_task_group() as callers:
            callers.start_soon(fetch, first)
            callers.start_soon(fetch, second)
        answers.append((await first._transport.send(request)).status)
        group.cancel_scope.cancel()
    assert answers == [200, 200, 200]
    assert len(builds) == 1
    shared = _transport.shared_ssl_context()
    assert builds == [shared]
    assert shared.verify_mode == ssl.CERT_REQUIRED
    assert shared.check_hostname
    for client in (first, second):
        pool = client._transport.client._transport._pool  # type: ignore[attr-defined]
        assert pool._ssl_context is shared
        await client.aclose()
    assert len(builds) == 1


@pytest.mark.anyio
async def test_an_ssl_context_is_the_owned_clients_tls(builds: list[object]) -> None:
    mtls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client = auth0_anyio.ServerClient(ssl_context=mtls, **OPTIONS)
    pool = client._transport.client._transport._pool  # type: ignore[attr-defined]
    assert pool._ssl_context is mtls
    assert builds == []  # the shared context is not built for it
    await client.aclose()


@pytest.mark.anyio
async def test_a_given_http_client_is_never_touched(builds: list[object]) -> None:
    class Untouchable(httpx.AsyncClient):
        touched = False

        def __getattribute__(self, name: str) -> Any:
            if not name.startswith("__"):
                type(self).touched = True
            return super().__getattribute__(name)

    given = httpx.AsyncClient()
    builds.clear()  # the caller's own client built its context
    client = auth0_anyio.ServerClient(http_client=given, **OPTIONS)
    assert client._transport.client is given
    await client.aclose()
    assert given.is_closed is False
    assert builds == []

    watched = Untouchable(verify=False)
    Untouchable.touched = False  # its own construction reads itself
    auth0_anyio.ServerClient(http_client=watched, **OPTIONS)
    assert Untouchable.touched is False  # constructing reads nothing of it
    await given.aclose()
    await watched.aclose()


@pytest.mark.anyio
async def test_a_client_closed_before_its_first_request_refuses_as_httpx_does(
    builds: list[object],
) -> None:
    client = auth0_anyio.ServerClient(**OPTIONS)
    await client.aclose()
    request = HttpRequest(method="GET", url="https://tenant.example.com/", headers=(), body=b"")
    with pytest.raises(RuntimeError, match="client has been closed"):
        await client._transport.send(request)
    assert builds == []
