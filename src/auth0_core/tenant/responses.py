"""Response builders in Auth0's shapes: OAuth error JSON, redirects and the small HTML pages, and
the two exceptions an endpoint raises to answer with an error."""

from __future__ import annotations

import html
from collections.abc import Mapping
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit, urlunsplit

from .._http import HttpResponse, json_response
from .stylesheet import STYLESHEET_PATH

NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


class RequestRejected(Exception):
    """Raised inside the tenant to answer with ``response``; never escapes ``Tenant.handle``."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status)
        self.response = response


class AuthorizeFailure(Exception):
    """An error to report to the (already validated) redirect_uri or as PAR JSON."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def oauth_error(status: int, error: str, description: str) -> HttpResponse:
    """An OAuth error body ``{"error", "error_description"}`` (RFC 6749 §5.2), never cached."""
    return json_response(status, {"error": error, "error_description": description}, NO_STORE)


def management_error(status: int, message: str, error_code: str) -> HttpResponse:
    """A Management API error ``{"statusCode", "error", "message", "errorCode"}`` (protocol doc
    5.2: the shape commonly observed; the codes the tenant uses are UNCONFIRMED)."""
    body = {
        "statusCode": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "errorCode": error_code,
    }
    return json_response(status, body, NO_STORE)


def management_reject(status: int, message: str, error_code: str) -> RequestRejected:
    """A :class:`RequestRejected` carrying a Management API error."""
    return RequestRejected(management_error(status, message, error_code))


def json_ok(status: int, value: object, *, cache: str = "no-store") -> HttpResponse:
    """A JSON success response with the given ``Cache-Control``."""
    return json_response(status, value, (("Cache-Control", cache),))


def redirect(location: str) -> HttpResponse:
    """A 302 to ``location``."""
    return HttpResponse(
        status=302, headers=(("Location", location), *NO_STORE, ("Content-Length", "0"))
    )


def with_query(url: str, params: Mapping[str, str | None]) -> str:
    """``url`` with ``params`` appended to its query (None values left out), fragment dropped."""
    parts = urlsplit(url)
    extra = urlencode([(k, v) for k, v in params.items() if v is not None])
    query = f"{parts.query}&{extra}" if parts.query and extra else parts.query or extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def error_redirect(
    redirect_uri: str, error: str, description: str, state: str | None
) -> HttpResponse:
    """An authorization error sent back to a validated ``redirect_uri`` (RFC 6749 §4.1.2.1)."""
    params = {"error": error, "error_description": description, "state": state}
    return redirect(with_query(redirect_uri, params))


def html_page(status: int, title: str, body_html: str) -> HttpResponse:
    """A small HTML page in one card, styled by the tenant's stylesheet (served at
    :data:`~.stylesheet.STYLESHEET_PATH`); ``body_html`` must already be escaped."""
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f'<link rel="stylesheet" href="{STYLESHEET_PATH}"></head>\n'
        '<body class="tenant">\n<header class="topbar"><span class="brand">'
        "Emulated Auth0 tenant</span></header>\n"
        f'<main><section class="card">\n<h1>{html.escape(title)}</h1>\n'
        f"{body_html}\n</section></main>\n</body></html>\n"
    )
    return HttpResponse(
        status=status,
        headers=(("Content-Type", "text/html; charset=utf-8"), *NO_STORE),
        body=page.encode("utf-8"),
    )


def error_page(status: int, error: str, description: str) -> HttpResponse:
    """The page Auth0 shows when it cannot redirect back (unknown client, bad redirect_uri)."""
    body = (
        f'<p class="error" data-error="{html.escape(error)}">{html.escape(error)}: '
        f"{html.escape(description)}</p>"
    )
    return html_page(status, "Oops!, something went wrong", body)


def login_page(
    tx: str, client_name: str, *, message: str | None = None, status: int = 200
) -> HttpResponse:
    """The universal-login stand-in: a username/password form carrying the login transaction."""
    notice = f'<p class="error" role="alert">{html.escape(message)}</p>\n' if message else ""
    body = (
        f"<p>Log in to continue to {html.escape(client_name)}.</p>\n{notice}"
        '<form method="post" action="/u/login">\n'
        f'<input type="hidden" name="tx" value="{html.escape(tx)}">\n'
        '<label>Email <input type="text" name="username" autocomplete="username"></label>\n'
        '<label>Password <input type="password" name="password" '
        'autocomplete="current-password"></label>\n'
        '<button type="submit">Continue</button>\n</form>'
    )
    return html_page(status, "Log in", body)


def logged_out_page() -> HttpResponse:
    """What Auth0 shows after a logout with nowhere to return to."""
    return html_page(200, "Logged out", "<p>You have been logged out.</p>")


def not_found() -> HttpResponse:
    """404 for paths the tenant does not serve."""
    return json_response(404, {"error": "not_found", "error_description": "Not Found"}, NO_STORE)


def method_not_allowed(allowed: str) -> HttpResponse:
    """405 with an ``Allow`` header."""
    return json_response(
        405,
        {"error": "method_not_allowed", "error_description": "Method Not Allowed"},
        (("Allow", allowed), *NO_STORE),
    )
