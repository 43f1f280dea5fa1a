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
import logging
import signal
import ssl
import sys
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import AbstractContextManager
from functools import partial
from types import TracebackType
from typing import Any, NamedTuple, TextIO

import anyio
import anyio.abc
from anyio.abc import SocketAttribute, SocketListener, SocketStream
from anyio.from_thread import start_blocking_portal
from anyio.streams.stapled import MultiListener

from ._connection import Handler, Site, serve_connection

HandlerFactory = Callable[[str], Handler]
# A connection that waits this long for a request, a TLS handshake or the peer's reading is closed,
# so abandoned and deliberately slow clients do not hold connection slots for ever.
IDLE_TIMEOUT = 30.0
# Connections served at once; a process's default limit of open files is often 1024.
MAX_CONNECTIONS = 256
# After a failed accept() (usually out of file descriptors), wait this long, doubling up to the max.
ACCEPT_RETRY_FIRST = 0.1
ACCEPT_RETRY_MAX = 1.0

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


def _url_host(host: str) -> str:
    # A wildcard bind address is not somewhere a browser can go; name the loopback instead.
    wildcard = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 (a lookup)
    host = wildcard.get(host, host)
    return f"[{host}]" if ":" in host else host


def _base_url(scheme: str, host: str, port: int) -> str:
    default = 443 if scheme == "https" else 80
    suffix = "" if port == default else f":{port}"
    return f"{scheme}://{_url_host(host)}{suffix}"


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
    site: Site,
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


async def _serve_in_slot(site: Site, stream: SocketStream, slots: _ConnectionSlots) -> None:
    try:
        await serve_connection(site, stream)
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
    site = Site(
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
