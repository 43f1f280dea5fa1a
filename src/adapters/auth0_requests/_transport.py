"""The blocking transport: one pooled ``requests.Session`` performing HttpRequests."""

from __future__ import annotations

from collections.abc import Callable

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import transport_failure


class RequestsTransport:
    """Performs requests on a ``requests.Session`` it may own (then closed with it)."""

    def __init__(self, session: requests.Session | None = None, *, timeout: float = 10.0) -> None:
        self.owns_session = session is None
        self.session = session if session is not None else requests.Session()
        self.timeout = timeout

    def send(self, request: HttpRequest) -> HttpResponse:
        """Perform ``request`` without following redirects.

        Raises:
            TransportError: connection, TLS or timeout failure.
        """
        try:
            response = self.session.request(
                request.method,
                request.url,
                headers=dict(request.headers),
                data=request.body or None,
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise transport_failure(request, exc) from None
        return HttpResponse(
            status=response.status_code,
            headers=tuple(response.headers.items()),
            body=response.content,
        )

    def close(self) -> None:
        if self.owns_session:
            self.session.close()


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
        response._content = answer.body
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass
