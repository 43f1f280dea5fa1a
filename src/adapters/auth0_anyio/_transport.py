"""The async transport: one pooled ``httpx.AsyncClient`` performing HttpRequests."""

from __future__ import annotations

import inspect
import ssl
from collections.abc import Awaitable, Callable

import anyio
import anyio.lowlevel
import httpx

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_TIMEOUT,
    BoundedBody,
    exchange_timed_out,
    transport_failure,
)
from auth0_core.errors import ConfigurationError

Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]


class HttpxTransport:
    """Performs requests on an ``httpx.AsyncClient`` it may own (then closed with it).

    ``timeout`` bounds a whole exchange; ``max_response_bytes`` bounds a response body.
    ``ssl_context`` (an owned client only) is the TLS of every HTTPS request (``verify=``):
    its CAs and, for mTLS, its client certificate.

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
        if client is None:
            verify: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
            client = httpx.AsyncClient(timeout=timeout, verify=verify)
        self.client = client
        self.timeout = timeout
        self.max_response_bytes = max_response_bytes

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Perform ``request`` without following redirects, all of it within ``timeout``.

        Raises:
            TransportError: connection, TLS or timeout failure.
            ResponseTooLargeError: the body is longer than ``max_response_bytes``.
        """
        with anyio.move_on_after(self.timeout):
            return await self._exchange(request)
        raise exchange_timed_out(request, self.timeout)

    async def _exchange(self, request: HttpRequest) -> HttpResponse:
        try:
            # Leaving the block early (too large, timed out) closes the connection.
            async with self.client.stream(
                request.method,
                request.url,
                headers=list(request.headers),
                content=request.body or None,
                follow_redirects=False,
            ) as response:
                body = BoundedBody(
                    request, self.max_response_bytes, response.headers.get("content-length")
                )
                async for chunk in response.aiter_bytes():
                    body.add(chunk)
        except httpx.HTTPError as exc:
            raise transport_failure(request, exc) from None
        return HttpResponse(
            status=response.status_code,
            headers=tuple(response.headers.multi_items()),
            body=body.value(),
        )

    async def aclose(self) -> None:
        if self.owns_client:
            await self.client.aclose()


def handler_transport(handler: Handler) -> httpx.MockTransport:
    """An httpx transport answering from an in-process handler such as ``Tenant.handle``.

    ``httpx.AsyncClient(transport=handler_transport(tenant.handle))`` runs the real async
    facade against the emulated tenant with no socket. The body is streamed to the client as
    from a socket, so its size limit applies.
    """

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
