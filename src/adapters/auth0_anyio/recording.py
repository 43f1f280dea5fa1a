"""Record the async facade's exchanges, and replay them, for tests
(docs/testing-with-fixtures.md).

``recording_client(recorder)`` is an ``httpx.AsyncClient`` whose every exchange is also handed
to an :class:`auth0_core.recording.Recorder`; ``replay_client(replayer)`` a client answered by
an :class:`auth0_core.recording.Replayer`, with no network. Pass either to
``ServerClient(http_client=...)``, with ``env=recorder.env`` / ``env=replayer.env``.
"""

from __future__ import annotations

from typing import Any

import httpx

from auth0_core import HttpRequest, HttpResponse
from auth0_core.recording import Recorder, Replayer

from ._transport import handler_transport

__all__ = ["RecordingTransport", "recording_client", "replay_client"]

# Describe the bytes as they were sent; the body given back is already decoded.
_DECODED = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class RecordingTransport(httpx.AsyncBaseTransport):
    """An httpx transport that performs requests with ``transport`` (by default a new
    ``httpx.AsyncHTTPTransport``) and hands each exchange, body read whole, to ``recorder``."""

    def __init__(
        self, recorder: Recorder, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.recorder = recorder
        self.transport = transport if transport is not None else httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent = await request.aread()
        response = await self.transport.handle_async_request(request)
        try:
            raw = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
        finally:
            await response.aclose()
        # Decoded as the client would (gzip, br...), then described without the encoding.
        body = httpx.Response(response.status_code, headers=response.headers, content=raw).content
        headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _DECODED]
        self.recorder.record(
            HttpRequest(
                method=request.method,
                url=str(request.url),
                headers=tuple(request.headers.multi_items()),
                body=sent,
            ),
            HttpResponse(status=response.status_code, headers=tuple(headers), body=body),
        )
        return httpx.Response(response.status_code, headers=headers, content=body)

    async def aclose(self) -> None:
        await self.transport.aclose()


def recording_client(recorder: Recorder, **client_options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient(**client_options)`` whose exchanges ``recorder`` records.

    ``transport=`` in ``client_options`` is the transport that performs them (default:
    ``httpx.AsyncHTTPTransport(verify=client_options.get("verify", True))``).
    """
    inner = client_options.pop("transport", None)
    if inner is None:
        inner = httpx.AsyncHTTPTransport(verify=client_options.get("verify", True))
    return httpx.AsyncClient(transport=RecordingTransport(recorder, inner), **client_options)


def replay_client(replayer: Replayer) -> httpx.AsyncClient:
    """A client whose every request is answered by ``replayer`` (no socket is opened)."""
    return httpx.AsyncClient(transport=handler_transport(replayer.handle))
