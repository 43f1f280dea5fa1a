"""The ``requests`` adapters of the sync facade: TLS from an ``ssl.SSLContext`` (mTLS, a private
CA) and answers from an in-process handler.

Kept apart from :mod:`auth0_requests._transport` so that importing the adapter does not import
``requests``: it is imported with the first exchange (issue 14: import time).
"""

from __future__ import annotations

import io
import ssl
from collections.abc import Callable
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict

from auth0_core import HttpRequest, HttpResponse


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
