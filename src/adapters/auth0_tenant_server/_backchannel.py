"""Back-channel logout deliveries over real HTTP, in the background.

The tenant queues a delivery in its outbox when a session ends (a logout, an administrator ending
a user's sessions); :class:`BackchannelSender` wakes on each one and performs the pending
deliveries with ``Tenant.deliver_pending(send_over_http)`` on a thread of its own, so the
logout's answer never waits for the application. What each delivery got back is recorded on its
outbox entry (``LogoutDelivery.result``) and written to ``log``.

The HTTP client is the standard library's (the ``tenant`` extra brings no HTTP client): one
request per delivery, a bounded timeout, redirects never followed (a 3xx is the delivery's
answer), at most 4 KiB of the answer read.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import threading
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import TextIO
from urllib.parse import urlsplit

from auth0_core import HttpRequest, HttpResponse
from auth0_core.tenant import LogoutDelivery, Tenant

# Seconds to connect, and then for each read of the answer.
DELIVERY_TIMEOUT = 5.0
# The most of an answer read; the outbox keeps a shorter excerpt.
ANSWER_LIMIT = 4096

logger = logging.getLogger("auth0_tenant_server")


def open_connection(
    url: str, *, timeout: float, ssl_context: ssl.SSLContext | None = None
) -> tuple[http.client.HTTPConnection, str]:
    """An unopened ``http.client`` connection to ``url``'s host (TLS for ``https``, with
    ``ssl_context`` or the default verifying one) and the request target (path and query).

    Raises:
        ValueError: the URL is not ``http`` or ``https``, or has no host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"cannot send to {url!r}: not an http(s) URL")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl_context if ssl_context is not None else ssl.create_default_context()
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=context
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    return connection, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def send_over_http(
    request: HttpRequest,
    *,
    timeout: float = DELIVERY_TIMEOUT,
    ssl_context: ssl.SSLContext | None = None,
) -> HttpResponse:
    """Send ``request`` once and return the answer (status, headers, at most 4 KiB of body).

    ``timeout`` bounds the connection and each read (not the whole exchange). Redirects are
    answers: a 3xx is returned, never followed.

    Raises:
        OSError: the connection failed (``ConnectionRefusedError``, ``TimeoutError``, a TLS
            error, an unknown host).
        http.client.HTTPException: the answer is not HTTP.
        ValueError: the URL is not ``http`` or ``https``.
    """
    connection, target = open_connection(request.url, timeout=timeout, ssl_context=ssl_context)
    try:
        connection.request(request.method, target, body=request.body, headers=dict(request.headers))
        answer = connection.getresponse()
        body = answer.read(ANSWER_LIMIT)
        return HttpResponse(status=answer.status, headers=tuple(answer.getheaders()), body=body)
    finally:
        connection.close()


def _nothing() -> None:
    pass


class BackchannelSender:
    """Deliver a tenant's back-channel logout tokens over HTTP as soon as they are queued.

    One background thread sends the pending deliveries one after the other. Use it as a context
    manager, or call :meth:`start` and :meth:`close`.

    Args:
        tenant: whose outbox to deliver.
        timeout: seconds to connect and for each read (5).
        ssl_context: for ``https`` URIs (default: the system's trust store).
        log: one line per delivery (``back-channel logout <client> -> <uri>: <outcome>``);
            None for silence.

    Example::

        with ServerThread(make_handler=box.make) as server, BackchannelSender(box.tenant):
            ...  # log out; then box.tenant.wait_for_deliveries()
    """

    def __init__(
        self,
        tenant: Tenant,
        *,
        timeout: float = DELIVERY_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        log: TextIO | None = None,
    ) -> None:
        self.tenant = tenant
        self.send = partial(send_over_http, timeout=timeout, ssl_context=ssl_context)
        self._timeout = timeout
        self._log = log
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] = _nothing

    def start(self) -> BackchannelSender:
        """Start the delivery thread; deliveries already queued go out at once."""
        if self._thread is not None:
            raise RuntimeError("the sender is already started")
        self._thread = threading.Thread(
            target=self._run, name="backchannel-logout-sender", daemon=True
        )
        self._thread.start()
        self._unsubscribe = self.tenant.outbox.subscribe(self._wake.set)
        self._wake.set()
        return self

    def close(self) -> None:
        """Stop waking up; the delivery under way, if any, ends (within ``timeout``) first."""
        self._unsubscribe()
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(self._timeout * 2 + 1)

    def __enter__(self) -> BackchannelSender:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            try:
                for delivery in self.tenant.deliver_pending(self.send):
                    self._report(delivery)
            except Exception:  # a bug here must not end the deliveries for good
                logger.exception("back-channel logout delivery failed")

    def _report(self, delivery: LogoutDelivery) -> None:
        result = delivery.result
        if result is None:  # deliver_pending returns attempted deliveries only
            return
        outcome = f"HTTP {result.status}" if result.status is not None else result.error
        line = f"back-channel logout {delivery.client_id} -> {delivery.uri}: {outcome}"
        logger.info("%s", line)
        if self._log is not None:
            print(line, file=self._log, flush=True)
