"""The blocking transport: one pooled ``requests.Session`` performing HttpRequests."""

from __future__ import annotations

import contextvars
import io
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    BoundedBody,
    exchange_timed_out,
    transport_failure,
)
from auth0_core.errors import ConfigurationError, TransportError

T = TypeVar("T")

# Small enough that an oversized body is refused soon after the limit, large enough that a
# normal body is read in a few calls.
_CHUNK_BYTES = 16 * 1024


class SSLContextAdapter(HTTPAdapter):
    """An HTTPS adapter whose TLS is exactly ``ssl_context``: its trusted CAs, its client
    certificate (mTLS, docs/mtls.md), its versions. requests' own ``verify``/``cert``
    settings (and ``REQUESTS_CA_BUNDLE``) are not applied on top of it."""

    def __init__(self, ssl_context: ssl.SSLContext, **kwargs: object) -> None:
        self.ssl_context = ssl_context
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def init_poolmanager(self, *args: object, **kwargs: object) -> None:
        kwargs["ssl_context"] = self.ssl_context
        super().init_poolmanager(*args, **kwargs)  # type: ignore[arg-type]

    def proxy_manager_for(self, *args: object, **kwargs: object) -> object:
        kwargs["ssl_context"] = self.ssl_context
        return super().proxy_manager_for(*args, **kwargs)  # type: ignore[arg-type]

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> Any:
        host, pool = super().build_connection_pool_key_attributes(request, verify, None)
        kwargs: dict[str, Any] = dict(pool)
        for key in ("ca_certs", "ca_cert_dir", "cert_file", "key_file"):
            kwargs.pop(key, None)
        # What the context says, not requests' CERT_REQUIRED/CERT_NONE from ``verify``.
        kwargs["cert_reqs"] = self.ssl_context.verify_mode
        kwargs["ssl_context"] = self.ssl_context
        return host, kwargs


class RequestsTransport:
    """Performs requests on a ``requests.Session`` it may own (then closed with it).

    ``timeout`` bounds a whole exchange; ``max_response_bytes`` bounds a response body.
    ``ssl_context`` (an owned session only) is the TLS of every HTTPS request: its CAs and,
    for mTLS, its client certificate.

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
        self.session = session if session is not None else requests.Session()
        if ssl_context is not None:
            self.session.mount("https://", SSLContextAdapter(ssl_context))
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    def send(self, request: HttpRequest, *, deadline: float | None = None) -> HttpResponse:
        """Perform ``request`` in this thread without following redirects.

        ``deadline`` (``time.monotonic()``; default ``timeout`` from now) bounds each socket
        wait and the reading of the body. requests cannot bound a DNS lookup, nor headers that
        arrive a byte at a time: the facade runs this on a thread of its own for that reason.

        Raises:
            TransportError: connection, TLS or timeout failure.
            ResponseTooLargeError: the body is longer than ``max_response_bytes``.
        """
        if deadline is None:
            deadline = time.monotonic() + self.timeout
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise exchange_timed_out(request, self.timeout)
        try:
            response = self.session.request(
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
        body = BoundedBody(request, self.max_response_bytes, response.headers.get("content-length"))
        try:
            for chunk in response.iter_content(_CHUNK_BYTES):
                body.add(chunk)
                if time.monotonic() >= deadline:
                    raise exchange_timed_out(request, self.timeout)
        except requests.RequestException as exc:
            raise self._failure(request, exc, deadline) from None
        return body.value()

    def _failure(
        self, request: HttpRequest, cause: BaseException, deadline: float
    ) -> TransportError:
        # Socket timeouts are cut to the deadline: one that fires there is the deadline's.
        if time.monotonic() >= deadline:
            return exchange_timed_out(request, self.timeout)
        return transport_failure(request, cause)

    def close(self) -> None:
        if self.owns_session:
            self.session.close()


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


class HandlerAdapter(BaseAdapter):
    """A ``requests`` adapter that answers from an in-process handler, e.g. ``Tenant.handle``.

    Mount it on a session (``session.mount("https://tenant.example", HandlerAdapter(h))``) to
    run the real sync facade against the emulated tenant with no socket.
    """

    def __init__(self, handler: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__()
        self.handler = handler

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **kwargs: object
    ) -> requests.Response:
        body = request.body or b""
        answer = self.handler(
            HttpRequest(
                method=request.method or "GET",
                url=request.url or "",
                headers=tuple(request.headers.items()),
                body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
            )
        )
        response = requests.Response()
        response.status_code = answer.status
        response.headers = CaseInsensitiveDict(dict(answer.headers))
        # A body to stream, as from a socket: the transport's size limit applies here too.
        response.raw = io.BytesIO(answer.body)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass
