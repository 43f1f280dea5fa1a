"""A small HTTP/1.1 server: h11 on anyio sockets, for asyncio and trio alike.

It serves any handler ``HttpRequest -> HttpResponse`` (sync or async): the emulated tenant, the
demo web app, or a user's own test double. It is meant for tests, demos and local development,
not for production traffic: bodies are buffered in memory and bounded (1 MiB), one request is
handled at a time per connection (keep-alive, no pipelining concurrency).

It stays up under load it cannot serve: at most ``max_connections`` are served at once (the rest
wait in the listen backlog), a connection that sends nothing, trickles its request or stops
reading for ``idle_timeout`` is closed, and an accept() that fails (out of file descriptors,
EMFILE/ENFILE) is retried with a backoff instead of ending the server.

Entry points:

* :func:`serve`: an async function for a task group; reports the bound :class:`ServerAddress`
  through ``task_status.started`` (so ``port=0`` picks a free port).
* :class:`ServerThread`: a context manager running :func:`serve` on an event loop in a
  background thread, for sync tests.
* :func:`run_until_signalled`: a blocking call for command-line tools; returns on SIGINT/SIGTERM.
"""

from __future__ import annotations

from auth0_core._extras import require_extra

require_extra("auth0_tenant_server", "tenant", "anyio", "h11")

# The check must run before the imports that need the extra.
import errno
import http
import inspect
import logging
import re
import signal
import ssl
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from functools import partial
from types import TracebackType
from typing import Any, NamedTuple, TextIO

import anyio
import anyio.abc
import h11
from anyio.abc import SocketAttribute, SocketListener, SocketStream
from anyio.from_thread import start_blocking_portal
from anyio.streams.stapled import MultiListener
from anyio.streams.tls import TLSStream

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form

Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]
HandlerFactory = Callable[[str], Handler]

MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
# A connection that waits this long for a request, a TLS handshake or the peer's reading is closed,
# so abandoned and deliberately slow clients do not hold connection slots for ever.
IDLE_TIMEOUT = 30.0
# Connections served at once; a process's default limit of open files is often 1024.
MAX_CONNECTIONS = 256
# After a failed accept() (usually out of file descriptors), wait this long, doubling up to the max.
ACCEPT_RETRY_FIRST = 0.1
ACCEPT_RETRY_MAX = 1.0
_RECEIVE_SIZE = 65536
DRAIN_TIMEOUT = 1.0
# Host header: a DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port.
_HOST = re.compile(r"^(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

logger = logging.getLogger("auth0_tenant_server")


class ServerAddress(NamedTuple):
    """Where a started server listens; ``base_url`` has no trailing slash."""

    host: str
    port: int
    base_url: str


class AddressInUseError(OSError):
    """Another process already listens on ``host``:``port``."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"{host}:{port} is already in use")
        self.host = host
        self.port = port


class _Reject(Exception):
    """Answer ``status`` and close the connection (malformed or oversized request)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _url_host(host: str) -> str:
    # A wildcard bind address is not somewhere a browser can go; name the loopback instead.
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 (a lookup)
    host = wildcard.get(host, host)
    return f"[{host}]" if ":" in host else host


def _base_url(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    suffix = "" if port == default else f":{port}"
    return f"{scheme}://{_url_host(host)}{suffix}"


class _Site:
    """Per-server context shared by every connection."""

    def __init__(
        self,
        handler: Handler,
        scheme: str,
        authority: str,
        log: TextIO | None,
        *,
        ssl_context: ssl.SSLContext | None,
        idle_timeout: float,
    ) -> None:
        self.handler = handler
        self.scheme = scheme
        self.authority = authority
        self.access_log = log
        self.ssl_context = ssl_context
        self.idle_timeout = idle_timeout

    async def respond(self, request: HttpRequest) -> HttpResponse:
        try:
            result = self.handler(request)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            logger.exception("handler failed for %s %s", request.method, request.url)
            return _plain(500)
        if not isinstance(result, HttpResponse) or not 200 <= result.status <= 599:
            logger.error("handler returned %r for %s", result, request.url)
            return _plain(500)
        return result

    def log(self, method: str, path: str, status: int, body: bytes) -> None:
        if self.access_log is None:
            return
        line = f"{method} {path} {status}"
        if path == "/oauth/token":
            line += f" grant_type={_grant_type(body)}"
        try:
            self.access_log.write(line + "\n")
            self.access_log.flush()
        except (OSError, ValueError):  # a closed log stream must not break serving
            pass


def _grant_type(body: bytes) -> str:
    values = parse_form(body).get("grant_type") or ["-"]
    # Never echo arbitrary client bytes into the log verbatim.
    return re.sub(r"[^A-Za-z0-9:._\-]", "?", values[0])[:100]


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _plain(status: int) -> HttpResponse:
    phrase = http.HTTPStatus(status).phrase
    return HttpResponse(
        status=status,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=f"{status} {phrase}\n".encode(),
    )


async def _next_event(conn: h11.Connection, stream: anyio.abc.ByteStream) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        try:
            data = await stream.receive(_RECEIVE_SIZE)
        except anyio.EndOfStream:
            data = b""
        conn.receive_data(data)


async def _read_request(
    conn: h11.Connection, stream: anyio.abc.ByteStream, site: _Site
) -> tuple[HttpRequest, str] | None:
    """The next request and its path, or None when the peer closed the connection.

    Raises:
        _Reject: malformed request line/headers (400) or a body over the limit (413).
    """
    try:
        event = await _next_event(conn, stream)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise _Reject(400)
        method = event.method.decode("ascii", "replace")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
        length = next((v for k, v in headers if k == "content-length"), "0")
        if int(length) > MAX_BODY_BYTES:
            raise _Reject(413)
        target = event.target.decode("latin-1")
        host = next((v for k, v in headers if k == "host"), site.authority)
        if not target.startswith("/") or not _HOST.match(host):
            raise _Reject(400)
        body = bytearray()
        while not isinstance(event := await _next_event(conn, stream), h11.EndOfMessage):
            if isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY_BYTES:  # chunked bodies have no Content-Length
                    raise _Reject(413)
    except h11.RemoteProtocolError:
        raise _Reject(400) from None
    request = HttpRequest(
        method=method,
        url=f"{site.scheme}://{host}{target}",
        headers=tuple(headers),
        body=bytes(body),
    )
    return request, target.split("?", 1)[0]


async def _send(
    conn: h11.Connection,
    stream: anyio.abc.ByteStream,
    response: HttpResponse,
    *,
    head: bool,
    close: bool,
    timeout: float,
) -> None:
    """Write ``response``; raises TimeoutError if the peer stops reading for ``timeout``."""
    headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
    headers.append(("Content-Length", str(len(response.body))))
    if close:
        headers.append(("Connection", "close"))
    try:
        start = conn.send(
            h11.Response(
                status_code=response.status,
                headers=headers,
                reason=_reason(response.status),
            )
        )
    except h11.LocalProtocolError:  # e.g. a header value with a newline from the handler
        logger.error("handler produced an invalid response for status %s", response.status)
        await _send(conn, stream, _plain(500), head=head, close=True, timeout=timeout)
        return
    with anyio.fail_after(timeout):
        await stream.send(start or b"")
        if response.body and not head:
            await stream.send(conn.send(h11.Data(data=response.body)) or b"")
        await stream.send(conn.send(h11.EndOfMessage()) or b"")


async def _drain(stream: anyio.abc.ByteStream) -> None:
    """Read and drop what the client is still sending before closing ("lingering close").

    Closing a socket with unread input makes the kernel send a reset, and the client may then
    lose the 400/413 we just wrote. Bounded in time and bytes so a slow client cannot hold us.
    """
    with anyio.move_on_after(DRAIN_TIMEOUT):
        try:
            for _ in range(2 * MAX_BODY_BYTES // _RECEIVE_SIZE):
                await stream.receive(_RECEIVE_SIZE)
        except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
            pass


async def _exchange(site: _Site, stream: anyio.abc.ByteStream) -> None:
    """Answer requests on one connection until either side ends it.

    Raises:
        TimeoutError: no complete request within ``site.idle_timeout`` (idle or trickling), or
            the peer stopped reading a response for that long.
    """
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
    while True:
        try:
            with anyio.fail_after(site.idle_timeout):
                received = await _read_request(conn, stream, site)
        except _Reject as reject:
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                reply = _plain(reject.status)
                await _send(conn, stream, reply, head=False, close=True, timeout=site.idle_timeout)
            site.log("-", "-", reject.status, b"")
            await _drain(stream)
            return
        if received is None:
            return
        request, path = received
        response = await site.respond(request)
        head = request.method == "HEAD"
        await _send(conn, stream, response, head=head, close=False, timeout=site.idle_timeout)
        site.log(request.method, path, response.status, request.body)
        if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
            return
        conn.start_next_cycle()


async def _serve_connection(site: _Site, accepted: SocketStream) -> None:
    """Serve one accepted connection (TLS handshake included) and close it; never raises."""
    stream: anyio.abc.ByteStream = accepted
    try:
        if site.ssl_context is not None:
            with anyio.fail_after(site.idle_timeout):
                stream = await TLSStream.wrap(
                    accepted,
                    server_side=True,
                    ssl_context=site.ssl_context,
                    standard_compatible=False,
                )
        await _exchange(site, stream)
    except TimeoutError:
        pass  # idle, too slow, or a handshake that never came
    except (
        anyio.EndOfStream,
        anyio.BrokenResourceError,
        anyio.ClosedResourceError,
        OSError,  # ssl.SSLError too: a failed handshake is the peer's problem
    ):
        pass  # the peer went away mid-exchange
    except h11.ProtocolError:
        pass
    except Exception:  # one bad connection must never take the server down
        logger.exception("connection failed")
    finally:
        await anyio.aclose_forcefully(stream)


class _ConnectionSlots:
    """At most ``limit`` connections at once; the accept loops wait for a free slot."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._free = anyio.Semaphore(limit)
        self._warned = False

    async def acquire(self) -> None:
        if self._free.value == 0 and not self._warned:
            # Once per server: under a steady overload this would otherwise log every accept.
            self._warned = True
            logger.warning(
                "%d connections open, the most allowed (max_connections); "
                "new ones wait to be accepted",
                self.limit,
            )
        await self._free.acquire()

    def release(self) -> None:
        self._free.release()


class _AcceptRetry:
    """The wait after a failed accept(): ``first`` seconds, doubling up to ``most``.

    Out of file descriptors (EMFILE/ENFILE), accept() fails at once and keeps failing until a
    connection closes: retrying without a pause would spin, and logging each failure would
    flood, so only the first failure of a run is logged.
    """

    def __init__(self, first: float = ACCEPT_RETRY_FIRST, most: float = ACCEPT_RETRY_MAX) -> None:
        self._first = first
        self._most = most
        self.delay = 0.0  # the last wait; 0 after a success

    async def after_failure(self, error: BaseException) -> None:
        if self.delay == 0.0:
            logger.warning("cannot accept connections (%s); retrying", error)
            self.delay = self._first
        else:
            self.delay = min(2 * self.delay, self._most)
        await anyio.sleep(self.delay)

    def after_success(self) -> None:
        if self.delay:
            logger.info("accepting connections again")
        self.delay = 0.0


async def _accept_forever(
    listener: SocketListener,
    site: _Site,
    slots: _ConnectionSlots,
    group: anyio.abc.TaskGroup,
) -> None:
    """Accept connections into ``group`` until cancelled; accept() errors never end it.

    anyio's ``Listener.serve`` lets them propagate and so would end the server: asyncio raises
    the OSError, trio a BrokenResourceError caused by it.
    """
    retry = _AcceptRetry()
    while True:
        await slots.acquire()
        try:
            stream = await listener.accept()
        except (OSError, anyio.BrokenResourceError) as exc:
            slots.release()
            await retry.after_failure(exc.__cause__ or exc)
            continue
        except BaseException:
            slots.release()
            raise
        retry.after_success()
        group.start_soon(_serve_in_slot, site, stream, slots)


async def _serve_in_slot(site: _Site, stream: SocketStream, slots: _ConnectionSlots) -> None:
    try:
        await _serve_connection(site, stream)
    finally:
        slots.release()


async def _listen(host: str, port: int) -> MultiListener[SocketStream]:
    try:
        return await anyio.create_tcp_listener(local_host=host, local_port=port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AddressInUseError(host, port) from None
        raise


async def serve(
    handler: Handler | None = None,
    *,
    make_handler: HandlerFactory | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
    access_log: TextIO | None = sys.stderr,
    max_connections: int = MAX_CONNECTIONS,
    idle_timeout: float = IDLE_TIMEOUT,
    task_status: anyio.abc.TaskStatus[ServerAddress] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``handler`` until cancelled.

    Args:
        handler: answers each request; sync or async.
        make_handler: instead of ``handler``, builds it from the server's base URL once the
            port is bound (the tenant needs its own URL as issuer, and ``port=0`` is only
            known after binding).
        host: address to bind.
        port: port to bind; 0 picks a free one.
        ssl_context: serve HTTPS with this server-side context.
        access_log: one line per request (``METHOD /path STATUS [grant_type=...]``); None for
            silence.
        max_connections: connections served at once (256); further clients wait in the listen
            backlog until one closes. Keep it below the process's open-file limit.
        idle_timeout: seconds (30) a connection may take to complete its TLS handshake or its
            next request, or to read a response, before it is closed.
        task_status: receives the bound :class:`ServerAddress`.

    Raises:
        ValueError: neither or both of ``handler`` and ``make_handler`` given, or a limit
            that is not positive.
        AddressInUseError: another process listens on ``host``:``port``.
        OSError: the address cannot be bound for another reason.
    """
    if (handler is None) == (make_handler is None):
        raise ValueError("give exactly one of handler and make_handler")
    if max_connections < 1 or not idle_timeout > 0:
        raise ValueError("max_connections and idle_timeout must be positive")
    listener = await _listen(host, port)
    bound_port = int(listener.extra(SocketAttribute.local_port))  # noqa: S610 (anyio, not Django)
    scheme = "https" if ssl_context is not None else "http"
    base_url = _base_url(scheme, host, bound_port)
    if make_handler is not None:
        handler = make_handler(base_url)
    assert handler is not None  # guaranteed by the check above; narrows the type
    site = _Site(
        handler,
        scheme,
        base_url.split("://", 1)[1],
        access_log,
        ssl_context=ssl_context,
        idle_timeout=idle_timeout,
    )
    slots = _ConnectionSlots(max_connections)
    async with listener, anyio.create_task_group() as group:
        # One loop per bound socket (a name such as "localhost" may bind IPv4 and IPv6).
        for each in listener.listeners:
            assert isinstance(each, SocketListener)  # what create_tcp_listener makes
            group.start_soon(_accept_forever, each, site, slots, group)
        task_status.started(ServerAddress(host, bound_port, base_url))


class ServerThread(AbstractContextManager["ServerThread"]):
    """Run :func:`serve` on an anyio event loop in a background thread.

    Example::

        with ServerThread(make_handler=lambda url: Tenant(config, base_url=url).handle) as s:
            httpx.get(s.base_url + "/.well-known/openid-configuration")
    """

    def __init__(
        self,
        handler: Handler | None = None,
        *,
        make_handler: HandlerFactory | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
        access_log: TextIO | None = None,
        max_connections: int = MAX_CONNECTIONS,
        idle_timeout: float = IDLE_TIMEOUT,
        backend: str = "asyncio",
    ) -> None:
        self._serve = partial(
            serve,
            handler,
            make_handler=make_handler,
            host=host,
            port=port,
            ssl_context=ssl_context,
            access_log=access_log,
            max_connections=max_connections,
            idle_timeout=idle_timeout,
        )
        self._backend = backend
        self._portal: AbstractContextManager[Any] | None = None
        self._future: Future[None] | None = None
        self.address: ServerAddress | None = None

    @property
    def base_url(self) -> str:
        """The served base URL, e.g. ``http://127.0.0.1:54321``."""
        if self.address is None:
            raise RuntimeError("the server is not running")
        return self.address.base_url

    def start(self) -> None:
        """Start the loop thread and wait until the server listens."""
        portal_cm = start_blocking_portal(self._backend)
        portal = portal_cm.__enter__()
        try:
            self._future, self.address = portal.start_task(self._serve)
        except BaseException:
            portal_cm.__exit__(*sys.exc_info())
            raise
        self._portal = portal_cm

    def stop(self) -> None:
        """Cancel the server and join the loop thread."""
        if self._future is not None:
            self._future.cancel()
        if self._portal is not None:
            self._portal.__exit__(None, None, None)
        self._future = self._portal = self.address = None

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def run_until_signalled(
    make_handler: HandlerFactory,
    *,
    on_started: Callable[[ServerAddress], None],
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
    access_log: TextIO | None = sys.stderr,
    max_connections: int = MAX_CONNECTIONS,
    idle_timeout: float = IDLE_TIMEOUT,
    backend: str = "asyncio",
) -> None:
    """Serve until SIGINT or SIGTERM, then return normally (for command-line tools).

    The arguments are :func:`serve`'s.

    Raises:
        AddressInUseError: another process listens on ``host``:``port``.
        OSError: the address cannot be bound for another reason.
    """

    async def main() -> None:
        # Install the signal handlers before announcing the server, so a supervisor that
        # signals right after reading the "listening" line always gets a clean exit.
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with anyio.create_task_group() as group:
                address = await group.start(
                    partial(
                        serve,
                        make_handler=make_handler,
                        host=host,
                        port=port,
                        ssl_context=ssl_context,
                        access_log=access_log,
                        max_connections=max_connections,
                        idle_timeout=idle_timeout,
                    )
                )
                on_started(address)
                async for _ in signals:
                    group.cancel_scope.cancel()
                    break

    anyio.run(main, backend=backend)
