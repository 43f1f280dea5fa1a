"""The demo app's responses: HTML pages, redirects, the error pages and the favicon.

Everything shown is escaped here or by the caller; no page ever shows a whole token.
"""

from __future__ import annotations

import html

from auth0_core import HttpResponse
from auth0_core.errors import Auth0Error, MyAccountApiError
from auth0_core.stores import CookieResponse

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>auth0-core demo</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
<body><h1>auth0-core demo</h1>{body}</body></html>"""

# A plain shield, drawn here so the demo needs no asset files.
FAVICON_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    b'<rect width="32" height="32" rx="6" fill="#3451b2"/>'
    b'<path d="M16 5l9 3.5v7c0 5.5-3.8 9.6-9 11.5-5.2-1.9-9-6-9-11.5v-7z" fill="#fff"/></svg>'
)
HOME_LINK = "<a href='/'>Home</a>"


def page(
    body: str,
    status: int = 200,
    cookies: CookieResponse | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> HttpResponse:
    all_headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
    all_headers += [*headers, *(cookies.headers() if cookies else [])]
    return HttpResponse(
        status=status, headers=tuple(all_headers), body=_PAGE.format(body=body).encode()
    )


def redirect(location: str, cookies: CookieResponse) -> HttpResponse:
    headers = [("Location", location), ("Cache-Control", "no-store"), *cookies.headers()]
    return HttpResponse(status=302, headers=tuple(headers))


def not_found() -> HttpResponse:
    return page(f"<p>Not found</p>{HOME_LINK}", status=404)


def method_not_allowed(allowed: str) -> HttpResponse:
    body = f"<p>This address only answers {allowed}: use the buttons of the pages.</p>{HOME_LINK}"
    return page(body, status=405, headers=(("Allow", allowed),))


def error_page(error: Auth0Error, cookies: CookieResponse) -> HttpResponse:
    # The message is safe to show (errors never carry tokens or secrets) and reads better
    # than the class name, which is only the fallback.
    text = html.escape(error.message or type(error).__name__)
    body = f"<h2>Something went wrong</h2><p id='error'>{text}</p>{_details(error)}{HOME_LINK}"
    return page(body, status=400, cookies=cookies)


def _details(error: Auth0Error) -> str:
    # The My Account API says which field it refused (RFC 7807 validation errors): show that too.
    if not isinstance(error, MyAccountApiError) or not error.validation_errors:
        return ""
    items = "".join(
        f"<li>{html.escape(item.get('field') or item.get('pointer') or '')} "
        f"{html.escape(item.get('detail', ''))}</li>"
        for item in error.validation_errors
    )
    return f"<ul id='error-details'>{items}</ul>"


def favicon() -> HttpResponse:
    headers = (("Content-Type", "image/svg+xml"), ("Cache-Control", "public, max-age=86400"))
    return HttpResponse(status=200, headers=headers, body=FAVICON_SVG)


def masked(token: str) -> str:
    # A demo page may show that a token exists, never the token itself.
    return html.escape(token[:8]) + "…"


def button(action: str, value: str, label: str, name: str | None = "connection") -> str:
    """A one-button form posting ``name=value`` to ``action`` (nothing when ``name`` is None);
    the caller escapes ``value`` and ``label``."""
    field = f"<input type='hidden' name='{name}' value='{value}'>" if name is not None else ""
    return (
        f"<form method='post' action='{action}' style='display:inline'>"
        f"{field}<button type='submit'>{label}</button></form>"
    )
