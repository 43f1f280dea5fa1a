"""The answers of the routes: redirects, the login-required answer, and one clear answer for
every :class:`~auth0_core.errors.Auth0Error` (never a stack trace, never a token)."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

import attrs

from auth0_core.errors import (
    AccessTokenError,
    ApiError,
    Auth0Error,
    AuthorizationError,
    InvalidArgumentError,
    InvalidResponse,
    MfaRequiredError,
    MfaTokenExpiredError,
    MissingRefreshTokenError,
    MissingStoreOptionsError,
    ProtocolError,
    SessionExpiredError,
    StartLinkUserError,
    TransportError,
    TransportTimeoutError,
)

from ._redirects import same_origin_path
from ._request import WebRequest, wants_json

logger = logging.getLogger("auth0_web_common")

_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><h1>{title}</h1><p id="message">{message}</p>'
    '<p><code id="code">{code}</code></p><p><a href="{home}">Back to the application</a></p>'
    "</body></html>"
)
_SERVER_SIDE = "The application could not complete this request. Please try again later."


@attrs.frozen(kw_only=True)
class ErrorPage:
    """What an HTML error answer says, for an application that renders the page in its own
    look (``auth0_starlette.Auth0(error_page=...)``). Nothing here is escaped: the renderer
    escapes what it shows. ``message`` never holds a token or a secret (a 5xx has a generic
    one); ``code`` is the error's code (``invalid_state``, ``access_denied``, ...); ``home``
    is the application's root path."""

    status: int
    title: str
    message: str
    code: str
    home: str


# What an integration's ``error_page`` setting is: the page's HTML for an ErrorPage.
ErrorPageRenderer = Callable[[ErrorPage], str]


@attrs.frozen(kw_only=True)
class Answer:
    """What a route answers: a redirect (``location``), a JSON document or an HTML page
    (an error page also says what it shows as ``error_page``)."""

    status: int
    location: str | None = None
    html: str | None = None
    json: Mapping[str, str] | None = None
    error_page: ErrorPage | None = None

    @property
    def body(self) -> bytes:
        if self.json is not None:
            return json.dumps(self.json).encode()
        return (self.html or "").encode()

    def rendered_body(self, render: ErrorPageRenderer | None) -> bytes:
        """The body, an error page rendered by the application's ``render`` when given (the
        integrations' ``error_page`` setting); JSON answers and redirects as they are."""
        if render is not None and self.error_page is not None:
            return render(self.error_page).encode()
        return self.body

    @property
    def headers(self) -> dict[str, str]:
        """Every header but ``Set-Cookie``: nothing here is cached."""
        headers = {"Cache-Control": "no-store"}
        if self.location is not None:
            headers["Location"] = self.location
        elif self.json is not None:
            headers["Content-Type"] = "application/json"
        else:
            headers["Content-Type"] = "text/html; charset=utf-8"
        return headers


def redirect(location: str) -> Answer:
    return Answer(status=302, location=location)


def page(status: int, title: str, message: str, code: str, home: str = "/") -> Answer:
    """An HTML page; every value is escaped here."""
    body = _PAGE.format(
        title=html.escape(title),
        message=html.escape(message),
        code=html.escape(code),
        home=html.escape(home),
    )
    shown = ErrorPage(status=status, title=title, message=message, code=code, home=home)
    return Answer(status=status, html=body, error_page=shown)


def problem(request: WebRequest, status: int, title: str, message: str, code: str) -> Answer:
    """A 4xx/5xx answer: JSON for a client that asks for JSON, else a page."""
    if wants_json(request.accept):
        return Answer(status=status, json={"error": code, "error_description": message})
    return page(status, title, message, code, request.home)


def login_required_answer(request: WebRequest, *, api: bool | None = None) -> Answer:
    """No session: a redirect to the login route that comes back here (a page request), or a
    401 (``api=True``, or a client that asks for JSON when ``api`` is None)."""
    if api or (api is None and wants_json(request.accept)):
        message = "Log in first: this request needs a session."
        return Answer(status=401, json={"error": "login_required", "error_description": message})
    location = request.login_path
    if request.method in ("GET", "HEAD") and request.path != request.home:
        # A target too long to keep comes back without its query, or not at all.
        back = same_origin_path(request.path, request.origin) or same_origin_path(
            request.path.split("?", 1)[0], request.origin
        )
        if back is not None:
            location += "?" + urlencode({"returnTo": back})
    return redirect(location)


# Log in again: the session is missing, over, or its refresh token refused.
_LOGIN_AGAIN = (
    StartLinkUserError,
    MissingRefreshTokenError,
    SessionExpiredError,
    MfaTokenExpiredError,
)


def _status(error: Auth0Error) -> tuple[int, str]:
    if isinstance(error, TransportError):
        status = 504 if isinstance(error, TransportTimeoutError) else 503
        return status, "Auth0 could not be reached"
    if isinstance(error, MissingStoreOptionsError):  # an InvalidArgumentError, but ours
        return 500, "Server error"
    if isinstance(error, InvalidArgumentError):
        return 400, "Bad request"
    if isinstance(error, InvalidResponse):
        return 502, "Auth0 answered unexpectedly"
    if isinstance(error, ProtocolError):
        return 400, "This sign-in could not be completed"
    if isinstance(error, AuthorizationError):
        return (403 if error.error == "access_denied" else 400), "Sign-in refused"
    if isinstance(error, MfaRequiredError):
        return 403, "Multi-factor authentication required"
    if isinstance(error, AccessTokenError):
        return 401, "Log in again"
    if isinstance(error, ApiError):
        upstream = error.status
        return (502 if upstream is not None and upstream >= 500 else 400), "Auth0 refused"
    return 500, "Server error"


def error_answer(error: Auth0Error, request: WebRequest, *, api: bool | None = None) -> Answer:
    """The answer to ``error``: the login-required answer when logging in again fixes it,
    else a 4xx page for what the browser, the user or the tenant did (a forged, replayed or
    refused callback, a bad parameter) and a 5xx page for the application's configuration or
    an unreachable tenant. The page shows our message (it never holds a token or a secret);
    a 5xx shows a generic one and logs the error's class and message."""
    if isinstance(error, _LOGIN_AGAIN):
        logger.info("auth0: %s (%s): login required", type(error).__name__, error.code)
        return login_required_answer(request, api=api)
    status, title = _status(error)
    if status >= 500:
        logger.error("auth0: %s (%s): %s", type(error).__name__, error.code, error.message)
        message = _SERVER_SIDE
    else:
        logger.warning("auth0: %s (%s): %s", type(error).__name__, error.code, error.message)
        message = error.message or title
    if api:
        return Answer(status=status, json={"error": error.code, "error_description": message})
    return problem(request, status, title, message, error.code)
