"""The blocking transport: one pooled ``requests.Session`` performing HttpRequests."""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import TYPE_CHECKING, TypeVar

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    BoundedBody,
    exchange_timed_out,
    transport_failure,
    undecodable_body,
)
from auth0_core.errors import ConfigurationError, InvalidResponse, TransportError

# requests (with urllib3, charset_normalizer, http.cookiejar...) is imported when the first
# exchange needs an owned session, not with the adapter (issue 14: import time).
if TYPE_CHECKING:
    import ssl

    import requests

T = TypeVar("T")

# Small enough that an oversized body is refused soon after the limit, large enough that a
# normal body is read in a few calls.
_CHUNK_BYTES = 16 * 1024


class RequestsTransport:
    """Performs requests on a ``requests.Session`` it may own (then closed with it).

    ``timeout`` bounds a whole exchange; ``max_response_bytes`` bounds a response body.
    ``ssl_context`` (an owned session only) is the TLS of every HTTPS request: its CAs and,
    for mTLS, its client certificate. An owned session is built on first use (constructing
    this imports nothing of ``requests``); a given ``session`` is used as it is.

    Raises:
        ConfigurationError: both ``session`` and ``ssl_context`` were given (configure the
            session's own adapter instead: ours would be replaced without a word).
    """

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if session is not None and ssl_context is not None:
            raise ConfigurationError(
                "give either 'session' or 'ssl_context': mount SSLContextAdapter(ssl_context) "
                "on your session for https:// yourself."
            )
        self.owns_session = session is None
        self._session = session
        self._ssl_context = ssl_context
        self._closed = False
        self._build_lock = threading.Lock()
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    @property
    def session(self) -> requests.Session:
        """The ``requests.Session`` requests go to (an owned one is built here if not yet)."""
        session = self._session
        if session is None:
            with self._build_lock:  # one session even if two exchanges get here first
                if self._session is None:
                    self._session = self._owned_session()
                session = self._session
        return session

    def _owned_session(self) -> requests.Session:
        import requests

        session = requests.Session()
        if self._ssl_context is not None:
            from ._adapters import SSLContextAdapter

            session.mount("https://", SSLContextAdapter(self._ssl_context))
        if self._closed:
            # A session closed before its first request stays closed, as one built eagerly.
            session.close()
        return session

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """Perform ``request`` in this thread without following redirects.

        ``deadline`` (``time.monotonic()``; default ``timeout`` from now) bounds each socket
        wait and the reading of the body. requests cannot bound a DNS lookup, nor headers that
        arrive a byte at a time: the facade runs this on a thread of its own for that reason.

        Raises:
            TransportError: connection, TLS or timeout failure.
            ResponseTooLargeError: the body is longer than ``max_response_bytes``.
            InvalidResponse: its ``Content-Encoding`` does not decode.
        """
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise exchange_timed_out(request, self.timeout)
        session = self.session
        import requests  # loaded by now: the session is a requests.Session

        try:
            response = session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body or None,
                timeout=remaining,
                allow_redirects=False,
                stream=True,
            )
        except requests.RequestException as exc:
            raise self._failure(request, exc, deadline) from None
        with response:  # leaving early closes the connection instead of reading on
            body = self._read_body(request, response, deadline)
        return HttpResponse(
            status=response.status_code, headers=tuple(response.headers.items()), body=body
        )

    def _read_body(
        self, request: HttpRequest, response: requests.Response, deadline: float
    ) -> bytes:
        import requests

        body = BoundedBody(request, self.max_response_bytes, response.headers.get("content-length"))
        try:
            for chunk in _chunks(response):
                body.add(chunk)
                if time.monotonic() >= deadline:
                    raise exchange_timed_out(request, self.timeout)
        except requests.RequestException as exc:
            raise self._failure(request, exc, deadline) from None
        return body.value()

    def _failure(
        self, request: HttpRequest, cause: BaseException, deadline: float
    ) -> TransportError | InvalidResponse:
        import requests

        # Socket timeouts are cut to the deadline: one that fires there is the deadline's.
        if time.monotonic() >= deadline:
            return exchange_timed_out(request, self.timeout)
        if isinstance(cause, requests.exceptions.ContentDecodingError):
            return undecodable_body(request)
        return transport_failure(request, cause)

    def close(self) -> None:
        self._closed = True
        if self.owns_session and self._session is not None:
            self._session.close()


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: with urllib3, whatever one read of the socket gave (``read1``),
    so that a body trickling in a byte at a time is checked against the deadline after each
    byte, where ``iter_content`` would block until a whole chunk had come."""
    import urllib3

    raw = response.raw
    # An in-process adapter's body, or one a session hook has read already (the recording
    # session does): requests re-serves what it holds.
    if not isinstance(raw, urllib3.HTTPResponse) or getattr(response, "_content_consumed", False):
        yield from response.iter_content(_CHUNK_BYTES)
        return
    try:
        while chunk := raw.read1(_CHUNK_BYTES, decode_content=True):
            yield chunk
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise _as_requests_error(error) from None


def _as_requests_error(error: BaseException) -> requests.RequestException:
    """What ``iter_content`` would have raised for ``error`` (one family of errors to map)."""
    import requests
    import urllib3

    if isinstance(error, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return requests.ConnectionError(type(error).__name__)
    if isinstance(error, urllib3.exceptions.DecodeError):
        return requests.exceptions.ContentDecodingError(type(error).__name__)
    return requests.exceptions.ChunkedEncodingError(type(error).__name__)


def in_thread(work: Callable[[], T]) -> Future[T]:
    """Start ``work`` on a daemon thread of its own (with the caller's context variables).

    A thread blocked in a socket call cannot be interrupted; run there, it need not hold its
    caller, who waits on the future only as long as its own deadline allows.
    """
    future: Future[T] = Future()
    context = contextvars.copy_context()

    def run() -> None:
        try:
            result = context.run(work)
        except BaseException as exc:  # handed to whoever waits, as future.result() would
            future.set_exception(exc)
        else:
            future.set_result(result)

    threading.Thread(target=run, name="auth0-http-exchange", daemon=True).start()
    return future


def __getattr__(name: str) -> object:
    # The requests adapters moved to ._adapters (which imports requests); still found here.
    if name in ("HandlerAdapter", "SSLContextAdapter"):
        from . import _adapters

        return getattr(_adapters, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
