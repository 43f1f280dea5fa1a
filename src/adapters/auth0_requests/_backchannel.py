"""The back-channel logout endpoint as a WSGI application, for any WSGI framework.

Parsing and answers are the core's (:mod:`auth0_core._backchannel_http`); this module only
reads the WSGI environ and writes the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from wsgiref.util import request_uri

from auth0_core._backchannel_http import (
    MAX_BODY_BYTES,
    EndpointResponse,
    declared_length,
    endpoint_store_options,
    logout_response,
    method_not_allowed,
    read_logout_token,
)
from auth0_core.errors import Auth0Error

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from ._client import ServerClient

logger = logging.getLogger("auth0_requests.backchannel")


def backchannel_logout_wsgi_app(client: ServerClient) -> WSGIApplication:
    """A WSGI application that serves back-channel logout with ``client``.

    Mount it wherever the application's *Back-Channel Logout URI* points (any path: the app
    ignores it). It takes a POST with a form-encoded ``logout_token`` (or a JSON object
    holding one), calls ``client.handle_backchannel_logout`` and answers 200, or 400 with
    ``{"error": "invalid_request", "error_description": ...}``; another method gets 405.
    Every answer has ``Cache-Control: no-store``. docs/backchannel-logout.md has the whole
    contract and how to mount it in Flask or Django.
    """

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = _respond(client, environ)
        start_response(response.status_line, list(response.headers))
        return [response.body]

    return app


def _respond(client: ServerClient, environ: WSGIEnvironment) -> EndpointResponse:
    if environ.get("REQUEST_METHOD") != "POST":
        return method_not_allowed()
    try:
        body = _read_body(environ)
        token = read_logout_token(body, environ.get("CONTENT_TYPE"))
        client.handle_backchannel_logout(token, store_options=_store_options(environ))
    except Auth0Error as error:
        response = logout_response(error)
        if response.status >= 500:
            logger.error("back-channel logout could not be completed: %r", error)
        return response
    return logout_response(None)


def _store_options(environ: WSGIEnvironment) -> dict[str, Any]:
    headers = {
        name[5:].replace("_", "-").lower(): str(value)
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    return endpoint_store_options(request_uri(environ, include_query=False), headers)


def _read_body(environ: WSGIEnvironment) -> bytes:
    length = declared_length(environ.get("CONTENT_LENGTH"))
    stream = environ["wsgi.input"]
    if length is not None:
        return bytes(stream.read(length))
    # No Content-Length: PEP 3333 allows reading to the end only when the server says the
    # stream is terminated (chunked bodies); one byte past the limit proves a body too large.
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read(MAX_BODY_BYTES + 1))
    return b""
