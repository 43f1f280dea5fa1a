"""The async transport: one pooled ``httpx.AsyncClient`` performing HttpRequests."""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import anyio
import anyio.lowlevel
import anyio.to_thread

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    BodyDecoder,
    BoundedBody,
    exchange_timed_out,
    transport_failure,
)
from auth0_core.errors import ConfigurationError

# httpx (with httpcore, h11, certifi...) is imported by the first exchange of an owned client,
# or by handler_transport, not with the adapter (issue 14: import time).
if TYPE_CHECKING:
    import ssl

    import httpx

Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]

_shared_context: ssl.SSLContext | None = None
_shared_context_lock = threading.Lock()


def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context of every owned client not given an ``ssl_context``: httpx's default
    (``verify=True``: certifi's CAs, or ``SSL_CERT_FILE``/``SSL_CERT_DIR``), built once per
    process, on the first request that needs it, and shared by all clients.

    Loading the CA bundle is most of what ``httpx.AsyncClient()`` costs (tens of ms); one
    context serves any number of connections, threads and event loops. The environment is read
    when it is built: later changes to ``SSL_CERT_FILE`` do not apply to it.
    """
    global _shared_context
    context = _shared_context
    if context is None:
        with _shared_context_lock:  # two threads' first requests build one context
            if _shared_context is None:
                import httpx

                _shared_context = httpx.create_ssl_context()
            context = _shared_context
    return context


def _shared_ssl_context_built() -> bool:
    return _shared_context is not None


class HttpxTransport:
    """Performs requests on an ``httpx.AsyncClient`` it may own (then closed with it).

    ``timeout`` bounds a whole exchange; ``max_response_bytes`` bounds a response body.
    ``ssl_context`` (an owned client only) is the TLS of every HTTPS request (``verify=``):
    its CAs and, for mTLS, its client certificate; without it, the process-wide
    :func:`shared_ssl_context`. An owned client is built on first use (constructing this costs
    microseconds, no TLS setup); a given ``client`` is used as it is.

    Raises:
        ConfigurationError: both ``client`` and ``ssl_context`` were given (build the client
            with ``verify=ssl_context`` instead).
    """

    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if client is not None and ssl_context is not None:
            raise ConfigurationError(
                "give either 'http_client' or 'ssl_context': build your client with "
                "httpx.AsyncClient(verify=ssl_context)."
            )
        self.owns_client = client is None
        self._client = client
        self._ssl_context = ssl_context
        self._closed = False
        self._build_lock = threading.Lock()
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    @property
    def client(self) -> httpx.AsyncClient:
        """The ``httpx.AsyncClient`` requests go to (an owned one is built here if not yet)."""
        client = self._client
        if client is None:
            with self._build_lock:  # one client even if two threads get here first
                if self._client is None:
                    import httpx

                    verify = (
                        self._ssl_context if self._ssl_context is not None else shared_ssl_context()
                    )
                    self._client = httpx.AsyncClient(timeout=self.timeout, verify=verify)
                client = self._client
        return client

    async def _ready_client(self) -> httpx.AsyncClient:
        if self._client is not None:
            return self._client
        if self._closed:
            # What httpx says of a closed client: one closed before its first request is too.
            raise RuntimeError("Cannot send a request, as the client has been closed.")
        if self._ssl_context is None and not _shared_ssl_context_built():
            # Loading the CA bundle blocks for tens of ms: not on the event loop.
            await anyio.to_thread.run_sync(shared_ssl_context)
        return self.client

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Perform ``request`` without following redirects, all of it within ``timeout``.

        Raises:
            TransportError: connection, TLS or timeout failure.
            ResponseTooLargeError: the body is longer than ``max_response_bytes``.
            InvalidResponse: its ``Content-Encoding`` does not decode.
        """
        with anyio.move_on_after(self.timeout):
            return await self._exchange(request)
        raise exchange_timed_out(request, self.timeout)

    async def _exchange(self, request: HttpRequest) -> HttpResponse:
        client = await self._ready_client()
        import httpx  # loaded by now: the client is an httpx.AsyncClient

        try:
            # Leaving the block early (too large, timed out) closes the connection.
            async with client.stream(
                request.method,
                request.url,
                headers=_with_accept_encoding(request.headers),
                content=request.body or None,
                follow_redirects=False,
            ) as response:
                body = BoundedBody(
                    request, self.max_response_bytes, response.headers.get("content-length")
                )
                if response.is_stream_consumed:
                    # An answer built in memory (a mock transport's): httpx has it whole.
                    body.add(response.content)
                else:
                    await _read_decoded(request, response, body)
        except (httpx.HTTPError, httpx.InvalidURL, UnicodeError) as exc:
            raise transport_failure(request, exc) from None
        return HttpResponse(
            status=response.status_code,
            headers=tuple(response.headers.multi_items()),
            body=body.value(),
        )

    async def aclose(self) -> None:
        self._closed = True
        if self.owns_client and self._client is not None:
            await self._client.aclose()


async def _read_decoded(request: HttpRequest, response: httpx.Response, body: BoundedBody) -> None:
    """The body from the socket, raw, decoded here a bounded piece at a time: httpx would
    inflate each network read whole, and a gzip bomb costs that much memory before the
    limit refuses it."""
    decoder = BodyDecoder(request, response.headers.get("content-encoding"))
    async for chunk in response.aiter_raw():
        for piece in decoder.pieces(chunk):
            body.add(piece)
    for piece in decoder.rest():
        body.add(piece)


def _with_accept_encoding(headers: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """``headers`` asking for the encodings :class:`BodyDecoder` reads, unless they ask."""
    sent = list(headers)
    if not any(name.lower() == "accept-encoding" for name, _ in sent):
        sent.append(("Accept-Encoding", ACCEPT_ENCODING))
    return sent


def handler_transport(handler: Handler) -> httpx.MockTransport:
    """An httpx transport answering from an in-process handler such as ``Tenant.handle``.

    ``httpx.AsyncClient(transport=handler_transport(tenant.handle))`` runs the real async
    facade against the emulated tenant with no socket. The body is streamed to the client as
    from a socket, so its size limit applies.
    """
    import httpx

    async def respond(request: httpx.Request) -> httpx.Response:
        # A real round trip lets other tasks run; so does this one, so that concurrency in
        # tests is as real in-process as over sockets.
        await anyio.lowlevel.checkpoint()
        answer = handler(
            HttpRequest(
                method=request.method,
                url=str(request.url),
                headers=tuple(request.headers.multi_items()),
                body=await request.aread(),
            )
        )
        if inspect.isawaitable(answer):
            answer = await answer
        return httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)

    return httpx.MockTransport(respond)
