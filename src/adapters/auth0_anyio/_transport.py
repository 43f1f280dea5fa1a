"""The async transport: one pooled ``httpx.AsyncClient`` performing HttpRequests."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

import anyio.lowlevel
import httpx

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import transport_failure

Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]


class HttpxTransport:
    """Performs requests on an ``httpx.AsyncClient`` it may own (then closed with it)."""

    def __init__(self, client: httpx.AsyncClient | None = None, *, timeout: float = 10.0) -> None:
        self.owns_client = client is None
        self.client = client if client is not None else httpx.AsyncClient(timeout=timeout)

    async def send(self, request: HttpRequest) -> HttpResponse:
        """Perform ``request`` without following redirects.

        Raises:
            TransportError: connection, TLS or timeout failure.
        """
        try:
            response = await self.client.request(
                request.method,
                request.url,
                headers=list(request.headers),
                content=request.body or None,
                follow_redirects=False,
            )
        except httpx.HTTPError as exc:
            raise transport_failure(request, exc) from None
        return HttpResponse(
            status=response.status_code,
            headers=tuple(response.headers.multi_items()),
            body=response.content,
        )

    async def aclose(self) -> None:
        if self.owns_client:
            await self.client.aclose()


def handler_transport(handler: Handler) -> httpx.MockTransport:
    """An httpx transport answering from an in-process handler such as ``Tenant.handle``.

    ``httpx.AsyncClient(transport=handler_transport(tenant.handle))`` runs the real async
    facade against the emulated tenant with no socket.
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
