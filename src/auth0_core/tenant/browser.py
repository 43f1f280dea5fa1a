"""A scripted browser against the emulated tenant, as flows any driver can run.

``browser_login_flow`` does what a person does: open the authorize URL, fill in the login form,
submit it, and follow the tenant's redirect only as far as reading its ``Location`` (the
application's callback URL with ``code`` and ``state``), which the caller then hands to the SDK.
``browser_connect_flow`` does the same for a connected-accounts ``connect_uri``: open the consent
page, press Allow (or Deny), return the callback URL with ``connect_code`` (or ``error``).

Given a ``cookies`` dict, the login keeps the tenant's cookies in it (the ``auth0`` session
cookie), and :func:`browser_logout_flow` sends them with a logout URL, so the tenant ends that
browser's session (and sends the back-channel logout tokens).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import parse_qs, urljoin, urlsplit

from .._effects import Flow, fetch
from .._http import HttpRequest, HttpResponse, form_request
from ..errors import Auth0Error


class BrowserLoginError(Auth0Error):
    """The scripted login did not end in a redirect to the application."""

    code = "browser_login_failed"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BrowserConnectError(Auth0Error):
    """The scripted consent did not end in a redirect to the application."""

    code = "browser_connect_failed"

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _LoginFormParser(HTMLParser):
    """Collects the first form's action and its input names/values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "form" and self.action is None:
            self.action = found.get("action", "")
            self.in_form = True
        elif tag == "input" and self.in_form and "name" in found:
            self.fields[found["name"]] = found.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False


def _describe_error(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    error = query.get("error", [""])[0]
    description = query.get("error_description", [""])[0]
    return f"{error}: {description}" if description else error


Cookies = MutableMapping[str, str]


def _with_cookies(request: HttpRequest, cookies: Cookies | None) -> HttpRequest:
    if not cookies:
        return request
    return request.with_headers(("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items())))


def _keep_cookies(response: HttpResponse, cookies: Cookies | None) -> None:
    """Store ``Set-Cookie`` values in ``cookies`` (one site; attributes ignored, ``Max-Age=0``
    deletes)."""
    if cookies is None:
        return
    for header in response.header_values("set-cookie"):
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        if any(a.strip().lower() == "max-age=0" for a in attributes) or not value:
            cookies.pop(name, None)
        elif name:
            cookies[name] = value


def _fetch(request: HttpRequest, cookies: Cookies | None) -> Flow[HttpResponse]:
    response = yield from fetch(_with_cookies(request, cookies))
    _keep_cookies(response, cookies)
    return response


def browser_login_flow(
    authorize_url: str,
    username: str,
    password: str,
    *,
    allow_error: bool = False,
    cookies: Cookies | None = None,
) -> Flow[str]:
    """Log in through the tenant's login page; return the callback URL it redirects to.

    When ``/authorize`` redirects straight back with a ``code`` (an unlink needs no login),
    that callback is returned and the credentials are not used.

    With ``allow_error``, a callback carrying ``error=`` is returned instead of raised, so a
    test can hand it to the app as a real browser would. With ``cookies``, the tenant's cookies
    are sent from and kept in that dict (pass it on to :func:`browser_logout_flow`).

    Raises:
        BrowserLoginError: the authorize request or the login was refused (an error page, an
            error redirect, or wrong credentials).
    """
    page = yield from _fetch(HttpRequest(method="GET", url=authorize_url), cookies)
    if page.status == 302:
        location = urljoin(authorize_url, page.header("location") or "")
        query = parse_qs(urlsplit(location).query)
        if "code" in query and "error" not in query:
            return location  # no login page needed (an unlink through /authorize)
        raise BrowserLoginError(f"authorize redirected with {_describe_error(location)}")
    if page.status != 200:
        raise BrowserLoginError(f"authorize answered HTTP {page.status}", status=page.status)
    parser = _LoginFormParser()
    parser.feed(page.body.decode("utf-8", "replace"))
    if parser.action is None or "tx" not in parser.fields:
        raise BrowserLoginError("the authorize page has no login form", status=page.status)
    fields = {**parser.fields, "username": username, "password": password}
    login = form_request(urljoin(authorize_url, parser.action), fields)
    response = yield from _fetch(login, cookies)
    target = response.header("location")
    if response.status != 302 or target is None:
        raise BrowserLoginError(f"login failed with HTTP {response.status}", status=response.status)
    callback = urljoin(authorize_url, target)
    if "error" in parse_qs(urlsplit(callback).query) and not allow_error:
        raise BrowserLoginError(f"login redirected with {_describe_error(callback)}", status=302)
    return callback


def browser_logout_flow(logout_url: str, *, cookies: Cookies | None = None) -> Flow[str | None]:
    """Open a logout URL (``/v2/logout?...``, ``/oidc/logout?...``) with the browser's
    ``cookies`` (which then lose the cleared session cookie); return where the tenant
    redirects, or None when it shows its "logged out" page.

    Raises:
        BrowserLoginError: the tenant refused the logout (an error page).
    """
    response = yield from _fetch(HttpRequest(method="GET", url=logout_url), cookies)
    if response.status == 302:
        return urljoin(logout_url, response.header("location") or "")
    if response.status != 200:
        raise BrowserLoginError(f"logout answered HTTP {response.status}", status=response.status)
    return None


def browser_connect_flow(
    connect_url: str, *, decision: Literal["allow", "deny"] = "allow"
) -> Flow[str]:
    """Open a connect URL (``connect_uri?ticket=...``), answer the consent page, and return the
    callback URL the tenant redirects to: ``redirect_uri?connect_code=...&state=...`` after
    Allow, ``redirect_uri?error=access_denied&...`` after Deny.

    Raises:
        BrowserConnectError: the page did not open (unknown, used or expired ticket) or the
            tenant did not redirect.
    """
    page = yield from fetch(HttpRequest(method="GET", url=connect_url))
    if page.status != 200:
        raise BrowserConnectError(
            f"the consent page answered HTTP {page.status}", status=page.status
        )
    parser = _LoginFormParser()
    parser.feed(page.body.decode("utf-8", "replace"))
    if parser.action is None or "ticket" not in parser.fields:
        raise BrowserConnectError("the consent page has no form", status=page.status)
    fields = {**parser.fields, "decision": decision}
    response = yield from fetch(form_request(urljoin(connect_url, parser.action), fields))
    target = response.header("location")
    if response.status != 302 or target is None:
        raise BrowserConnectError(
            f"the consent answered HTTP {response.status}", status=response.status
        )
    return urljoin(connect_url, target)


def browser_deny_connect_flow(connect_url: str) -> Flow[str]:
    """:func:`browser_connect_flow` pressing Deny: returns the ``error=access_denied`` callback."""
    return browser_connect_flow(connect_url, decision="deny")
