"""Calling a WSGI application (PEP 3333) in process: an ``HttpRequest -> HttpResponse`` sender.

No socket and no server: the environ is built from the request, the application is called on
the calling thread, and its answer collected, so a Flask or Django app can be driven by the
scripted browser with nothing but the standard library.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from .._http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def wsgi_sender(app: WSGIApplication) -> Callable[[HttpRequest], HttpResponse]:
    """A sender that answers each request by calling the WSGI application ``app``.

    An exception the application raises propagates to the caller (the test sees it, as with
    Flask's and Django's test clients).
    """

    def send(request: HttpRequest) -> HttpResponse:
        return call_wsgi(app, request)

    return send


def _environ(request: HttpRequest) -> dict[str, Any]:
    parts = urlsplit(request.url)
    scheme = parts.scheme or "http"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.upper(),
        "SCRIPT_NAME": "",
        # PEP 3333: the path percent-decoded, as bytes carried in a latin-1 str.
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if request.body:
        environ["CONTENT_LENGTH"] = str(len(request.body))
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            environ[key] = value
            continue
        key = "HTTP_" + key
        if key in environ:
            joiner = "; " if key == "HTTP_COOKIE" else ", "
            environ[key] = environ[key] + joiner + value
        else:
            environ[key] = value
    environ.setdefault("HTTP_HOST", parts.netloc or "localhost")
    return environ


def call_wsgi(app: WSGIApplication, request: HttpRequest) -> HttpResponse:
    """Call ``app`` once for ``request`` and return its whole answer."""
    started: list[Any] = []
    chunks: list[bytes] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return chunks.append

    result: Iterable[bytes] = app(_environ(request), start_response)
    try:
        chunks.extend(bytes(chunk) for chunk in result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if not started:
        raise RuntimeError("the WSGI application returned without calling start_response")
    status, headers = started
    return HttpResponse(
        status=int(str(status).split()[0]),
        headers=tuple((str(k), str(v)) for k, v in headers),
        body=b"".join(chunks),
    )
