"""The demo web app: log in through the tenant, see the session's user, log out.

No web framework: the app is one async ``handle(HttpRequest) -> HttpResponse`` served by the
same small h11 server as the tenant, so the demo needs nothing beyond auth0-core's own
dependencies, and it shows exactly what a framework integration has to do (pass the request's
cookies in and the response's ``Set-Cookie`` lines out through ``store_options``).
"""

from __future__ import annotations

import html
import json
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error
from auth0_core.stores import CookieRequest, CookieResponse

from ._client import ServerClient

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>auth0-core demo</title></head>
<body><h1>auth0-core demo</h1>{body}</body></html>"""


def _cookies(request: HttpRequest) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.header("cookie") or "")
    except Exception:  # a malformed Cookie header means no cookies, not a crash
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _page(body: str, status: int = 200, cookies: CookieResponse | None = None) -> HttpResponse:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
    headers += cookies.headers() if cookies else []
    return HttpResponse(
        status=status, headers=tuple(headers), body=_PAGE.format(body=body).encode()
    )


def _redirect(location: str, cookies: CookieResponse) -> HttpResponse:
    headers = [("Location", location), ("Cache-Control", "no-store"), *cookies.headers()]
    return HttpResponse(status=302, headers=tuple(headers))


class DemoApp:
    """Routes: ``/``, ``/auth/login``, ``/auth/callback``, ``/auth/logout``."""

    def __init__(self, client: ServerClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")

    async def handle(self, request: HttpRequest) -> HttpResponse:
        cookies = CookieResponse()
        store_options = {"request": CookieRequest(_cookies(request)), "response": cookies}
        path = urlsplit(request.url).path
        try:
            if path == "/":
                return await self._home(store_options, cookies)
            if path == "/auth/login":
                url = await self.client.start_interactive_login(
                    {"app_state": {"returnTo": "/"}}, store_options=store_options
                )
                return _redirect(url, cookies)
            if path == "/auth/callback":
                result = await self.client.complete_interactive_login(
                    request.url, store_options=store_options
                )
                return _redirect(str((result.app_state or {}).get("returnTo", "/")), cookies)
            if path == "/auth/logout":
                url = await self.client.logout(
                    {"return_to": f"{self.base_url}/"}, store_options=store_options
                )
                return _redirect(url, cookies)
        except Auth0Error as exc:
            # The message is safe to show: errors never carry tokens or secrets.
            body = f"<p>Login failed: {html.escape(str(exc))}</p><a href='/'>Home</a>"
            return _page(body, status=400, cookies=cookies)
        return _page("<p>Not found</p>", status=404)

    async def _home(
        self, store_options: dict[str, object], cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store_options)
        if user is None:
            return _page(
                "<p>You are not logged in.</p><a href='/auth/login'>Log in</a>", cookies=cookies
            )
        claims = html.escape(json.dumps(user, indent=2, sort_keys=True))
        name = html.escape(str(user.get("name") or user.get("email") or user.get("sub")))
        body = (
            f"<p>Logged in as <strong id='user'>{name}</strong></p>"
            f"<pre id='claims'>{claims}</pre><a href='/auth/logout'>Log out</a>"
        )
        return _page(body, cookies=cookies)
