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
from collections.abc import Awaitable, Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import attrs
import httpx

from auth0_anyio import ServerClient
from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.errors import AccessTokenForConnectionError, Auth0Error, ManagementApiError
from auth0_core.stores import CookieRequest, CookieResponse

from ._api import API_AUDIENCE, DemoApi
from ._pages import (
    HOME_LINK,
    button,
    error_page,
    favicon,
    masked,
    method_not_allowed,
    not_found,
    page,
    redirect,
)

StoreOptions = dict[str, Any]
Handler = Callable[[HttpRequest, StoreOptions, CookieResponse], Awaitable[HttpResponse]]
NOT_CONNECTED = (
    "<p id='not-connected'>Your account has no connected Google account, so Token Vault has "
    "no Google token to give. (In the demo tenant, alice@example.com has one and "
    "bob@example.com has none.)</p>"
)


@attrs.frozen
class _Route:
    handler: Handler
    post_only: bool = False
    # Set for a page that needs a session: a visitor without one logs in, then comes back here.
    login_return: str | None = None


def _cookies(request: HttpRequest) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(request.header("cookie") or "")
    except CookieError:  # a malformed Cookie header means no cookies, not a crash
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def local_path(value: object) -> str | None:
    """``value`` when it is a path of this app, else None: a login never redirects elsewhere.

    Browsers read ``//host`` and ``/\\host`` as another host and drop tabs and newlines
    before reading a URL, so only one leading "/", no backslash and no control character pass.
    """
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def _return_to(app_state: object) -> str:
    # app_state comes back sealed, so this check is only defence in depth.
    wanted = app_state.get("returnTo") if isinstance(app_state, Mapping) else None
    return local_path(wanted) or "/"


def _login_redirect(path: str, cookies: CookieResponse) -> HttpResponse:
    return redirect("/auth/login?" + urlencode({"returnTo": path}), cookies)


class DemoApp:
    """Routes: ``/``, ``/auth/login``, ``/auth/callback``, ``/auth/logout``, ``/call-api``,
    ``/connection``, ``/profile``, ``/link``, ``/unlink`` and their callbacks, the favicon and
    the protected ``/api/items``."""

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
        self.routes: dict[str, _Route] = {
            "/": _Route(self._home),
            "/auth/login": _Route(self._login),
            "/auth/callback": _Route(self._callback),
            "/auth/logout": _Route(self._logout),
            "/call-api": _Route(self._call_api, login_return="/call-api"),
            "/connection": _Route(self._connection, login_return="/connection"),
            "/profile": _Route(self._profile, login_return="/profile"),
            # A login cannot come back to a POST: back to the page with the buttons instead.
            "/link": _Route(self._link, post_only=True, login_return="/profile"),
            "/unlink": _Route(self._unlink, post_only=True, login_return="/profile"),
            "/auth/link-callback": _Route(self._link_callback),
            "/auth/unlink-callback": _Route(self._unlink_callback),
        }

    async def aclose(self) -> None:
        await self.http.aclose()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.url).path
        if path == "/api/items":
            return await self.api.handle(request)
        if path in ("/favicon.svg", "/favicon.ico"):
            return favicon()
        route = self.routes.get(path)
        if route is None:
            return not_found()
        if route.post_only and request.method != "POST":
            return method_not_allowed("POST")
        cookies = CookieResponse()
        store_options = {"request": CookieRequest(_cookies(request)), "response": cookies}
        try:
            if route.login_return and not await self.client.get_user(store_options=store_options):
                return _login_redirect(route.login_return, cookies)
            return await route.handler(request, store_options, cookies)
        except Auth0Error as exc:
            return error_page(exc, cookies)

    async def _login(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        wanted = parse_qs(urlsplit(request.url).query).get("returnTo") or ["/"]
        url = await self.client.start_interactive_login(
            {"app_state": {"returnTo": local_path(wanted[0]) or "/"}}, store_options=store
        )
        return redirect(url, cookies)

    async def _callback(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        result = await self.client.complete_interactive_login(request.url, store_options=store)
        return redirect(_return_to(result.app_state), cookies)

    async def _logout(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        url = await self.client.logout({"return_to": f"{self.base_url}/"}, store_options=store)
        return redirect(url, cookies)

    async def _home(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store)
        if user is None:
            body = "<p>You are not logged in.</p><a href='/auth/login'>Log in</a>"
            return page(body, cookies=cookies)
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
        return page(body, cookies=cookies)

    async def _call_api(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        token = await self.client.get_access_token(store_options=store, audience=API_AUDIENCE)
        answer = await self.http.get(
            f"{self.base_url}/api/items", headers={"Authorization": f"Bearer {token}"}
        )
        body = (
            f"<p>Token for <code>{html.escape(API_AUDIENCE)}</code>: {masked(token)}</p>"
            f"<p>The API answered HTTP <span id='status'>{answer.status_code}</span>:</p>"
            f"<pre id='api'>{html.escape(answer.text)}</pre>{HOME_LINK}"
        )
        return page(body, cookies=cookies)

    async def _connection(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        try:
            token = await self.client.get_access_token_for_connection(
                {"connection": "google-oauth2"}, store_options=store
            )
        except AccessTokenForConnectionError as exc:
            # Not a failure: this user simply has no Google account for Token Vault to use.
            if exc.code != "not_connected":
                raise
            return page(NOT_CONNECTED + HOME_LINK, cookies=cookies)
        body = (
            "<p>Token Vault gave a <code>google-oauth2</code> token: "
            f"<span id='connection-token'>{masked(token)}</span></p>{HOME_LINK}"
        )
        return page(body, cookies=cookies)

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
        if user is None:  # handle() checked; only a session ending meanwhile gets here
            return _login_redirect("/profile", cookies)
        identities = await self._identities(str(user["sub"]))
        linked = {str(i.get("connection")) for i in identities[1:]}
        rows = []
        for index, identity in enumerate(identities):
            connection = html.escape(str(identity.get("connection")))
            label = f"{connection} ({html.escape(str(identity.get('user_id')))})"
            unlink = "" if index == 0 else button("/unlink", connection, "Unlink")
            rows.append(f"<li class='identity'>{label} {unlink}</li>")
        buttons = [
            button("/link", html.escape(c), f"Link {html.escape(c)}")
            for c in self.connections
            if c not in linked
        ]
        body = (
            f"<h2>Linked accounts</h2><ul id='identities'>{''.join(rows)}</ul>"
            f"<p>{' '.join(buttons)}</p>{HOME_LINK}"
        )
        return page(body, cookies=cookies)

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
        return redirect(_return_to(result.app_state), cookies)

    async def _unlink_callback(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        result = await self.client.complete_unlink_user(request.url, store_options=store)
        return redirect(_return_to(result.app_state), cookies)

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
        return redirect(await start(options, store_options=store), cookies)


def _form_value(request: HttpRequest, name: str) -> str:
    values = parse_form(request.body).get(name) or [""]
    return values[0]
