"""The demo web app: log in through the tenant, see the session's user, call an API with a
token for a second audience (MRRT), get a Token Vault token, link and unlink accounts, log out.

No web framework: the app is one async ``handle(HttpRequest) -> HttpResponse`` served by the
same small h11 server as the tenant, so the demo needs nothing beyond auth0-core's own
dependencies, and it shows exactly what a framework integration has to do (pass the request's
cookies in and the response's ``Set-Cookie`` lines out through ``store_options``).
"""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from auth0_anyio import ServerClient
from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.errors import Auth0Error, InvalidArgumentError, ManagementApiError
from auth0_core.stores import CookieRequest, CookieResponse

from ._api import API_AUDIENCE, DemoApi

_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>auth0-core demo</title></head>
<body><h1>auth0-core demo</h1>{body}</body></html>"""

StoreOptions = dict[str, Any]


def _cookies(request: HttpRequest) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.header("cookie") or "")
    except CookieError:  # a malformed Cookie header means no cookies, not a crash
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


def _masked(token: str) -> str:
    # A demo page may show that a token exists, never the token itself.
    return html.escape(token[:8]) + "…"


class DemoApp:
    """Routes: ``/``, ``/auth/login``, ``/auth/callback``, ``/auth/logout``, ``/call-api``,
    ``/connection`` and the protected ``/api/items``."""

    def __init__(
        self,
        client: ServerClient,
        base_url: str,
        tenant_url: str,
        connections: tuple[str, ...] = ("github", "google-oauth2"),
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.tenant_url = tenant_url.rstrip("/")
        self.connections = connections
        self.http = httpx.AsyncClient()
        self.api = DemoApi(tenant_url, self.http)
        Route = Callable[[HttpRequest, StoreOptions, CookieResponse], Awaitable[HttpResponse]]
        self.routes: dict[str, Route] = {
            "/": self._home,
            "/auth/login": self._login,
            "/auth/callback": self._callback,
            "/auth/logout": self._logout,
            "/call-api": self._call_api,
            "/connection": self._connection,
            "/profile": self._profile,
            "/link": self._link,
            "/unlink": self._unlink,
            "/auth/link-callback": self._link_callback,
            "/auth/unlink-callback": self._unlink_callback,
        }

    async def aclose(self) -> None:
        await self.http.aclose()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.url).path
        if path == "/api/items":
            return await self.api.handle(request)
        route = self.routes.get(path)
        if route is None:
            return _page("<p>Not found</p>", status=404)
        cookies = CookieResponse()
        store_options = {"request": CookieRequest(_cookies(request)), "response": cookies}
        try:
            return await route(request, store_options, cookies)
        except Auth0Error as exc:
            # The message is safe to show: errors never carry tokens or secrets.
            body = f"<p id='error'>{html.escape(type(exc).__name__)}: {html.escape(str(exc))}</p>"
            return _page(body + "<a href='/'>Home</a>", status=400, cookies=cookies)

    async def _login(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        url = await self.client.start_interactive_login(
            {"app_state": {"returnTo": "/"}}, store_options=store
        )
        return _redirect(url, cookies)

    async def _callback(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        result = await self.client.complete_interactive_login(request.url, store_options=store)
        return _redirect(str((result.app_state or {}).get("returnTo", "/")), cookies)

    async def _logout(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        url = await self.client.logout({"return_to": f"{self.base_url}/"}, store_options=store)
        return _redirect(url, cookies)

    async def _home(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store)
        if user is None:
            body = "<p>You are not logged in.</p><a href='/auth/login'>Log in</a>"
            return _page(body, cookies=cookies)
        claims = html.escape(json.dumps(user, indent=2, sort_keys=True))
        name = html.escape(str(user.get("name") or user.get("email") or user.get("sub")))
        body = (
            f"<p>Logged in as <strong id='user'>{name}</strong></p>"
            f"<pre id='claims'>{claims}</pre>"
            "<p><a href='/call-api'>Call the API</a> (an MRRT token for a second audience) · "
            "<a href='/connection'>Get a Google token</a> (Token Vault) · "
            "<a href='/profile'>Linked accounts</a> · "
            "<a href='/auth/logout'>Log out</a></p>"
        )
        return _page(body, cookies=cookies)

    async def _call_api(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        token = await self.client.get_access_token(store_options=store, audience=API_AUDIENCE)
        answer = await self.http.get(
            f"{self.base_url}/api/items", headers={"Authorization": f"Bearer {token}"}
        )
        body = (
            f"<p>Token for <code>{html.escape(API_AUDIENCE)}</code>: {_masked(token)}</p>"
            f"<p>The API answered HTTP <span id='status'>{answer.status_code}</span>:</p>"
            f"<pre id='api'>{html.escape(answer.text)}</pre><a href='/'>Home</a>"
        )
        return _page(body, cookies=cookies)

    async def _connection(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        token = await self.client.get_access_token_for_connection(
            {"connection": "google-oauth2"}, store_options=store
        )
        body = (
            "<p>Token Vault gave a <code>google-oauth2</code> token: "
            f"<span id='connection-token'>{_masked(token)}</span></p><a href='/'>Home</a>"
        )
        return _page(body, cookies=cookies)

    async def _identities(self, user_id: str) -> list[dict[str, Any]]:
        # What the app's own backend would do: read the user through the Management API
        # with the application's client-credentials token.
        token = await self.client.get_client_credentials_token(f"{self.tenant_url}/api/v2/")
        answer = await self.http.get(
            f"{self.tenant_url}/api/v2/users/{quote(user_id, safe='')}",
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code != 200:
            raise ManagementApiError(
                status=answer.status_code,
                error=None,
                message="the Management API refused to read the user",
                error_code=None,
            )
        identities = answer.json().get("identities", [])
        return [i for i in identities if isinstance(i, dict)]

    async def _profile(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store)
        if user is None:
            return _redirect("/", cookies)
        identities = await self._identities(str(user["sub"]))
        linked = {str(i.get("connection")) for i in identities[1:]}
        rows = []
        for index, identity in enumerate(identities):
            connection = html.escape(str(identity.get("connection")))
            label = f"{connection} ({html.escape(str(identity.get('user_id')))})"
            button = "" if index == 0 else _button("/unlink", connection, "Unlink")
            rows.append(f"<li class='identity'>{label} {button}</li>")
        buttons = [
            _button("/link", html.escape(c), f"Link {html.escape(c)}")
            for c in self.connections
            if c not in linked
        ]
        body = (
            f"<h2>Linked accounts</h2><ul id='identities'>{''.join(rows)}</ul>"
            f"<p>{' '.join(buttons)}</p><a href='/'>Home</a>"
        )
        return _page(body, cookies=cookies)

    async def _link(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        return await self._start_linking("link", request, store, cookies)

    async def _unlink(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        return await self._start_linking("unlink", request, store, cookies)

    async def _link_callback(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        result = await self.client.complete_link_user(request.url, store_options=store)
        return _redirect(str(result.get("app_state", {}).get("returnTo", "/")), cookies)

    async def _unlink_callback(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        result = await self.client.complete_unlink_user(request.url, store_options=store)
        return _redirect(str(result.get("app_state", {}).get("returnTo", "/")), cookies)

    async def _start_linking(
        self, kind: str, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        # Each kind has its own callback route, so the app knows which call completes it.
        options = {
            "connection": _form_value(request, "connection"),
            "authorization_params": {"redirect_uri": f"{self.base_url}/auth/{kind}-callback"},
            "app_state": {"returnTo": "/profile"},
        }
        start = self.client.start_link_user if kind == "link" else self.client.start_unlink_user
        return _redirect(await start(options, store_options=store), cookies)


def _button(action: str, connection: str, label: str) -> str:
    return (
        f"<form method='post' action='{action}' style='display:inline'>"
        f"<input type='hidden' name='connection' value='{connection}'>"
        f"<button type='submit'>{label}</button></form>"
    )


def _form_value(request: HttpRequest, name: str) -> str:
    if request.method != "POST":
        raise InvalidArgumentError("method", "use the form's button (POST).")
    values = parse_form(request.body).get(name) or [""]
    return values[0]
