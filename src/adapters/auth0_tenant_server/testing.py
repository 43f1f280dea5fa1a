"""The IO half of :mod:`auth0_core.testing`: the tenant served on loopback, transports for the
facades, and the browser's senders for ASGI apps and live URLs (``docs/testing.md``).

The pure half (the in-process tenant, the tokens, the browser, WSGI apps) lives in the core,
which imports this module only when a test asks for one of these. Each piece imports what it
needs when it is built, and says which extra to install when that is missing:

- :class:`ServedTenant` serves the emulated tenant with :class:`ServerThread` (``tenant``);
- :func:`requests_session` / :func:`httpx_client` are what the sync and the async
  ``ServerClient`` take (``requests`` / ``anyio``);
- :class:`AsgiSender` runs an ASGI app on an event loop in a thread of its own (``tenant``:
  anyio), lifespan included; :func:`http_sender` sends over HTTP with the standard library.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import unquote_to_bytes, urlsplit

from auth0_core import Env, HttpRequest, HttpResponse
from auth0_core._extras import require_extra
from auth0_core.tenant import Tenant
from auth0_core.testing import BrowserError, EmulatedTenant, tenant_config
from auth0_core.testing._config import ConfigSource

from ._backchannel import open_connection

if TYPE_CHECKING:
    import httpx
    import requests
    from anyio.abc import TaskStatus
    from anyio.from_thread import BlockingPortal

    from ._server import ServerThread

    # The transports' types, for the core's annotations (the core itself imports neither).
    RequestsSession: TypeAlias = requests.Session
    HttpxAsyncClient: TypeAlias = httpx.AsyncClient

Handler = Callable[[HttpRequest], HttpResponse]
# Seconds to connect and for each read, for the browser's HTTP requests.
HTTP_TIMEOUT = 30.0

__all__ = ["AsgiSender", "ServedTenant", "http_sender", "httpx_client", "requests_session"]


class ServedTenant(EmulatedTenant):
    """An :class:`~auth0_core.testing.EmulatedTenant` served over HTTP on a loopback port.

    Started when built; :meth:`close` (or leaving the ``with`` block) stops the server, by the
    handle it was started with. Its ``base_url`` (and issuer) is the URL actually served, e.g.
    ``http://127.0.0.1:54321``. Back-channel logout tokens are not sent by themselves: call
    ``browser.deliver_backchannel_logouts()`` (or ``tenant.deliver_pending(send)``) when the
    test wants them delivered.

    Raises:
        MissingExtraError: the ``tenant`` extra is not installed.
        AddressInUseError: ``port`` is taken.
        ConfigurationError: the configuration is not valid.
    """

    def __init__(
        self,
        config: ConfigSource = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        env: Env | None = None,
        client_id: str | None = None,
    ) -> None:
        from ._server import ServerThread  # checks the tenant extra

        settled = tenant_config(config)
        tenants: list[Tenant] = []

        def make_handler(base_url: str) -> Handler:
            tenants.append(Tenant(settled, base_url=base_url, env=env))
            return tenants[0].handle

        self._server: ServerThread | None = ServerThread(
            make_handler=make_handler, host=host, port=port, access_log=None
        )
        self._server.start()
        try:
            super().__init__(tenants[0], client_id=client_id)
        except BaseException:
            self.close()
            raise

    @property
    def in_process(self) -> bool:
        return False

    @property
    def running(self) -> bool:
        return self._server is not None

    def _handler(self) -> Handler | None:
        return None  # the facades' transports go over the network

    def _tenant_sender(self) -> Handler:
        return http_sender()

    def close(self) -> None:
        """Stop the server (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def __enter__(self) -> ServedTenant:
        return self


def requests_session(handler: Handler | None, base_url: str) -> requests.Session:
    """A ``requests.Session`` for ``auth0_requests.ServerClient(session=...)``: requests to
    ``base_url`` answered by ``handler`` in process, or a plain session when it is None."""
    import requests

    import auth0_requests  # checks the requests extra

    session = requests.Session()
    if handler is not None:
        session.mount(base_url, auth0_requests.HandlerAdapter(handler))
    return session


def httpx_client(handler: Handler | None, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` for ``auth0_anyio.ServerClient(http_client=...)``: answered
    by ``handler`` in process, or a plain client when it is None."""
    import httpx

    import auth0_anyio  # checks the anyio extra

    if handler is not None:
        options["transport"] = auth0_anyio.handler_transport(handler)
    return httpx.AsyncClient(**options)


def http_sender(
    *, timeout: float = HTTP_TIMEOUT, ssl_context: ssl.SSLContext | None = None
) -> Handler:
    """A sender over real HTTP(S), one connection per request, redirects not followed (the
    browser follows them), the whole body read: the standard library's ``http.client``."""

    def send(request: HttpRequest) -> HttpResponse:
        try:
            connection, target = open_connection(
                request.url, timeout=timeout, ssl_context=ssl_context
            )
        except ValueError as error:
            raise BrowserError(str(error)) from None
        try:
            connection.putrequest(request.method, target, skip_accept_encoding=True)
            for name, value in request.headers:
                if name.lower() not in ("host", "content-length"):
                    connection.putheader(name, value)
            if request.body or request.method in ("POST", "PUT", "PATCH"):
                connection.putheader("Content-Length", str(len(request.body)))
            connection.endheaders(request.body or None)
            answer = connection.getresponse()
            body = answer.read()
            return HttpResponse(status=answer.status, headers=tuple(answer.getheaders()), body=body)
        finally:
            connection.close()

    return send


class AsgiSender:
    """Answer requests with an ASGI 3 application running on an event loop of its own.

    The loop runs in a thread (anyio's blocking portal) for the sender's life, so a sync test
    drives the app and whatever the app keeps between requests (an ``httpx.AsyncClient``, anyio
    locks) stays on one loop. With ``lifespan``, the app's lifespan starts before the first
    request (``lifespan.startup``; a failure raises) and ends at :meth:`close`; an app that
    does not support lifespan (raises on it) is served without, as ASGI servers do.

    Raises:
        MissingExtraError: the ``tenant`` extra (anyio) is not installed.
        BrowserError: the app's lifespan startup failed.
    """

    def __init__(self, app: Any, *, lifespan: bool = True, backend: str = "asyncio") -> None:
        require_extra("ASGI apps in auth0_core.testing", "tenant", "anyio")
        from anyio.from_thread import start_blocking_portal

        self.app = app
        self._state: dict[str, Any] = {}
        self._portal_cm: AbstractContextManager[BlockingPortal] | None = start_blocking_portal(
            backend
        )
        self._portal: BlockingPortal = self._portal_cm.__enter__()
        self._lifespan: Future[None] | None = None
        self._stop: Any = None
        if lifespan:
            try:
                self._lifespan, self._stop = self._portal.start_task(self._run_lifespan)
            except BaseException:
                self.close()
                raise

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._portal_cm is None:
            raise BrowserError("the ASGI app's browser is closed")
        return self._portal.call(self._handle, request)

    def close(self) -> None:
        """Run the lifespan's shutdown, then stop the loop (idempotent)."""
        portal_cm, self._portal_cm = self._portal_cm, None
        if portal_cm is None:
            return
        try:
            if self._stop is not None and self._lifespan is not None:
                self._portal.call(self._stop.set)
                self._lifespan.result()
        finally:
            portal_cm.__exit__(None, None, None)

    async def _run_lifespan(self, *, task_status: TaskStatus[Any]) -> None:
        import anyio

        to_app, from_test = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        started, stopped, stop = anyio.Event(), anyio.Event(), anyio.Event()
        outcome: dict[str, str] = {}

        async def receive() -> dict[str, Any]:
            return await from_test.receive()

        async def send(message: dict[str, Any]) -> None:
            kind = message["type"]
            if kind.startswith("lifespan.startup."):
                if kind.endswith("failed"):
                    outcome["startup"] = str(message.get("message", ""))
                started.set()
            elif kind.startswith("lifespan.shutdown."):
                if kind.endswith("failed"):
                    outcome["shutdown"] = str(message.get("message", ""))
                stopped.set()

        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        scope["state"] = self._state

        async def run_app() -> None:
            try:
                await self.app(scope, receive, send)
            except Exception as error:
                if started.is_set() and "startup" not in outcome:
                    outcome.setdefault("shutdown", f"{type(error).__name__}: {error}")
                # else: no lifespan support (ASGI: serve without), or a reported failure
            finally:
                started.set()
                stopped.set()

        async with anyio.create_task_group() as group:
            group.start_soon(run_app)
            await to_app.send({"type": "lifespan.startup"})
            await started.wait()
            if "startup" in outcome:
                group.cancel_scope.cancel()  # the app may wait on receive() for ever
            else:
                task_status.started(stop)
                await stop.wait()
                if not stopped.is_set():
                    await to_app.send({"type": "lifespan.shutdown"})
                    await stopped.wait()
        if "startup" in outcome:
            raise BrowserError(f"the ASGI app's lifespan startup failed: {outcome['startup']}")
        if "shutdown" in outcome:
            raise BrowserError(f"the ASGI app's lifespan shutdown failed: {outcome['shutdown']}")

    async def _handle(self, request: HttpRequest) -> HttpResponse:
        import anyio

        parts = urlsplit(request.url)
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        if not any(name == b"host" for name, _ in headers):
            headers.insert(0, (b"host", parts.netloc.encode("latin-1")))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method.upper(),
            "scheme": scheme,
            "path": unquote_to_bytes(parts.path or "/").decode("utf-8", "replace"),
            "raw_path": (parts.path or "/").encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": (parts.hostname or "localhost", port),
            "state": dict(self._state),
        }
        answered = anyio.Event()
        request_sent = False
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal request_sent
            if not request_sent:
                request_sent = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await answered.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    answered.set()

        try:
            await self.app(scope, receive, send)
        finally:
            answered.set()
        if "status" not in start:
            raise BrowserError(f"the ASGI app sent no response to {request.method} {parts.path}")
        return HttpResponse(
            status=int(start["status"]),
            headers=tuple(
                (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                for k, v in start.get("headers", [])
            ),
            body=b"".join(chunks),
        )
