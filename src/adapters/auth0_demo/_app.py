"""The demo web app: log in through the tenant, see the session's user, call an API with a
token for a second audience (MRRT), get a Token Vault token, link and unlink accounts, connect
upstream accounts (Connected Accounts, the My Account API) and delete them, log out, and have
Auth0 end the session from the server (back-channel logout).

No web framework: the app is one async ``handle(HttpRequest) -> HttpResponse`` served by the
same small h11 server as the tenant, so the demo needs nothing beyond auth0-core's own
dependencies, and it shows exactly what a framework integration has to do (pass the request's
cookies in and the response's ``Set-Cookie`` lines out through ``store_options``).
"""

from __future__ import annotations

import html
import json
import shlex
from collections.abc import Awaitable, Callable, Mapping
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import anyio
import attrs
import httpx
from anyio.abc import TaskGroup

from auth0_anyio import (
    ConnectedAccount,
    ConnectedAccountConnection,
    ServerClient,
    backchannel_logout_asgi_app,
)
from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.errors import (
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    Auth0Error,
    AuthorizationError,
    ManagementApiError,
)
from auth0_core.stores import CookieRequest, CookieResponse

from ._api import API_AUDIENCE, DemoApi
from ._backchannel import call_asgi
from ._ciba import CIBA, CibaLogins
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
CONNECTED_ACCOUNTS = "/connected-accounts"
# The tenant's demo client has this as its backchannel_logout_uri (see _run.py).
BACKCHANNEL_LOGOUT = "/auth/backchannel-logout"
END_SESSIONS = "/end-sessions"
# Seconds the End-my-sessions button waits for the tenant's logout token to end this session:
# the tenant's sender gives up on a delivery after 5 s (auth0_tenant_server.BackchannelSender).
DELIVERY_WAIT = 6.0
BACK_TO_ACCOUNTS = f"<a href='{CONNECTED_ACCOUNTS}'>Connected accounts</a> · {HOME_LINK}"
SESSION_ENDED = (
    "<p id='session-ended'><strong>Your session here has ended.</strong> Your browser still "
    "sent its session cookie, but the session store, {store}, no longer holds the session. "
    "That is back-channel logout: when Auth0 ends your sessions (the End-my-sessions button, "
    "<code>auth0-core logout-user</code>, a logout in another application), it posts a logout "
    f"token to this app's <code>{BACKCHANNEL_LOGOUT}</code>, and the SDK verifies it and "
    "deletes the sessions it names, without your browser taking part. (A session that expired "
    "looks the same.)</p>"
)
NOT_CONNECTED = (
    "<p id='not-connected'>Your account has no connected <code>{connection}</code> account, so "
    "Token Vault has no {connection} token to give. (In the demo tenant, alice@example.com has "
    "a Google one and bob@example.com has none.) Connect one on the "
    f"<a href='{CONNECTED_ACCOUNTS}'>Connected accounts</a> page.</p>"
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


def _query_value(request: HttpRequest, name: str, default: str) -> str:
    values = parse_qs(urlsplit(request.url).query).get(name) or [default]
    return values[0]


class DemoApp:
    """Routes: ``/``, ``/auth/login``, ``/auth/callback`` (every flow's), ``/auth/logout``,
    ``/auth/backchannel-logout`` (the tenant's POSTs), ``/end-sessions``, ``/call-api``,
    ``/connection``, ``/profile``, ``/link``, ``/unlink``, ``/connected-accounts`` with its
    ``/connect`` and ``/delete``, ``/ciba`` (log in on another device), the favicon and the
    protected ``/api/items``.

    ``store_label`` says on the home page where the sessions are kept.
    """

    def __init__(
        self,
        client: ServerClient,
        base_url: str,
        tenant_url: str,
        connections: tuple[str, ...] = ("github", "google-oauth2"),
        *,
        store_label: str = "memory (this process)",
        background: TaskGroup | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.tenant_url = tenant_url.rstrip("/")
        self.connections = connections
        self.store_label = store_label
        self.http = httpx.AsyncClient()
        self.api = DemoApi(tenant_url, self.http)
        # The SDK's ready endpoint, as a Starlette or FastAPI app would mount it.
        self.backchannel_logout = backchannel_logout_asgi_app(client)
        # Log in on another device: CIBA logins run in ``background`` (the server's task group).
        self.ciba = CibaLogins(client, self.tenant_url, background)
        self.routes: dict[str, _Route] = {
            "/": _Route(self._home),
            "/auth/login": _Route(self._login),
            # One callback for logins, links, unlinks and connects: callback_kind reads which
            # flow the callback's transaction belongs to, so the tenant needs one Allowed
            # Callback URL and the four completions sit side by side in _callback.
            "/auth/callback": _Route(self._callback),
            "/auth/logout": _Route(self._logout),
            # Asks the tenant to end the user's sessions; the tenant's logout token then ends
            # this one through BACKCHANNEL_LOGOUT. POST-only: it changes something.
            END_SESSIONS: _Route(self._end_sessions, post_only=True, login_return="/"),
            "/call-api": _Route(self._call_api, login_return="/call-api"),
            "/connection": _Route(self._connection, login_return="/connection"),
            "/profile": _Route(self._profile, login_return="/profile"),
            # A login cannot come back to a POST: back to the page with the buttons instead.
            "/link": _Route(self._link, post_only=True, login_return="/profile"),
            "/unlink": _Route(self._unlink, post_only=True, login_return="/profile"),
            CONNECTED_ACCOUNTS: _Route(self._connected_accounts, login_return=CONNECTED_ACCOUNTS),
            # Actions that change something are POST-only, like /link and /unlink: a link or an
            # image elsewhere cannot trigger them, and the session cookie (SameSite=Lax) is not
            # sent with another site's POST, so a forged form meets a login, not the session.
            f"{CONNECTED_ACCOUNTS}/connect": _Route(
                self._connect, post_only=True, login_return=CONNECTED_ACCOUNTS
            ),
            f"{CONNECTED_ACCOUNTS}/delete": _Route(
                self._delete, post_only=True, login_return=CONNECTED_ACCOUNTS
            ),
        }

    async def aclose(self) -> None:
        await self.http.aclose()

    async def handle(self, request: HttpRequest) -> HttpResponse:
        path = urlsplit(request.url).path
        if path == "/api/items":
            return await self.api.handle(request)
        if path == BACKCHANNEL_LOGOUT:
            # Posted by the tenant, not a browser: no cookies, no session, no login redirect.
            return await call_asgi(self.backchannel_logout, request)
        if path in ("/favicon.svg", "/favicon.ico"):
            return favicon()
        if path == CIBA:
            return await self.ciba.handle(request, _cookies(request), CookieResponse())
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
        # callback_kind reads the stored transaction without consuming it; without one (stale,
        # replayed, another browser's) the parameters decide, and the completion then says the
        # transaction is missing.
        kind = await self.client.callback_kind(request.url, store_options=store)
        app_state: object
        if kind == "connect":
            try:
                account = await self.client.complete_connect_account(
                    request.url, store_options=store
                )
            except AuthorizationError as exc:
                if exc.error != "access_denied":
                    raise
                return _connect_denied(exc, cookies)
            app_state = account.app_state
        elif kind == "link":
            linked = await self.client.complete_link_user(request.url, store_options=store)
            app_state = linked.app_state
        elif kind == "unlink":
            unlinked = await self.client.complete_unlink_user(request.url, store_options=store)
            app_state = unlinked.app_state
        else:
            login = await self.client.complete_interactive_login(request.url, store_options=store)
            app_state = login.app_state
        return redirect(_return_to(app_state), cookies)

    async def _logout(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        url = await self.client.logout({"return_to": f"{self.base_url}/"}, store_options=store)
        return redirect(url, cookies)

    async def _home(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store)
        if user is None:
            ended = ""
            session_cookie = str(self.client.config.state_identifier)
            if session_cookie in _cookies(request):
                # The browser still names a session the store no longer has: say why, once.
                ended = SESSION_ENDED.format(store=html.escape(self.store_label))
                cookies.delete_cookie(session_cookie, path="/")
            body = (
                f"{ended}<p>You are not logged in.</p><a href='/auth/login'>Log in</a> · "
                f"<a href='{CIBA}'>Log in on another device (CIBA)</a>"
            )
            return page(body, cookies=cookies)
        claims = html.escape(json.dumps(user, indent=2, sort_keys=True))
        name = html.escape(str(user.get("name") or user.get("email") or user.get("sub")))
        command = f"auth0-core logout-user {shlex.quote(str(user.get('sub')))} "
        command += f"--tenant {self.tenant_url}"
        body = (
            f"<p>Logged in as <strong id='user'>{name}</strong></p>"
            f"<pre id='claims'>{claims}</pre>"
            "<p><a href='/call-api'>Call the API</a> (an MRRT token for a second audience) · "
            "<a href='/connection'>Get a Google token</a> (Token Vault) · "
            "<a href='/profile'>Linked accounts</a> · "
            f"<a href='{CONNECTED_ACCOUNTS}'>Connected accounts</a> (My Account API) · "
            "<a href='/auth/logout'>Log out</a></p>"
            "<h2>Back-channel logout</h2>"
            f"<p>Sessions are kept in <span id='store'>{html.escape(self.store_label)}</span>. "
            "Auth0 can end this session from the server, without your browser: "
            f"{button(END_SESSIONS, '', 'End my sessions at Auth0 (back-channel)', name=None)}"
            "</p><p>The app asks the tenant's Management API to end your sessions "
            "(<code>DELETE /api/v2/users/{id}/sessions</code>, with its own client-credentials "
            "token); the tenant then posts a logout token to this app's "
            f"<code>{BACKCHANNEL_LOGOUT}</code>, and the SDK verifies it and deletes the "
            "session from the store. An administrator can do the same from a terminal: "
            f"<code id='logout-user'>{html.escape(command)}</code>, then reload this page.</p>"
        )
        return page(body, cookies=cookies)

    async def _end_sessions(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        user = await self.client.get_user(store_options=store)
        if user is None:  # ended since handle() looked
            return _login_redirect("/", cookies)
        sub = str(user.get("sub"))
        # The demo client's own token for the tenant's Management API (its client grant has
        # delete:sessions), as an administrator's back office would get one.
        token = await self.client.get_client_credentials_token(f"{self.tenant_url}/api/v2/")
        answer = await self.http.delete(
            f"{self.tenant_url}/api/v2/users/{quote(sub, safe='')}/sessions",
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code not in (200, 202, 204):
            body = (
                "<h2>The sessions were not ended</h2><p id='error'>The tenant answered HTTP "
                f"{answer.status_code}: {html.escape(answer.text[:200])}</p>{HOME_LINK}"
            )
            return page(body, status=502, cookies=cookies)
        # The tenant delivers the logout token in the background; wait until it has ended this
        # browser's session, so that the next page shows what happened.
        if await self._session_ended(store):
            return redirect("/", cookies)
        body = (
            "<h2>Auth0 ended your sessions</h2><p id='not-yet'>The tenant answered HTTP "
            f"{answer.status_code}, but no logout token has ended this app's session within "
            f"{DELIVERY_WAIT:g} seconds: is the demo client's <code>backchannel_logout_uri</code> "
            f"this app's <code>{BACKCHANNEL_LOGOUT}</code>?</p>{HOME_LINK}"
        )
        return page(body, cookies=cookies)

    async def _session_ended(self, store: StoreOptions) -> bool:
        with anyio.move_on_after(DELIVERY_WAIT):
            while await self.client.get_user(store_options=store) is not None:
                await anyio.sleep(0.05)
            return True
        return False

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
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        connection = _query_value(request, "connection", "google-oauth2")
        shown = html.escape(connection)
        try:
            token = await self.client.get_access_token_for_connection(
                {"connection": connection}, store_options=store
            )
        except AccessTokenForConnectionError as exc:
            # Not a failure: this user simply has no such account for Token Vault to use.
            if not isinstance(exc, AccountNotConnectedError):
                raise
            return page(NOT_CONNECTED.format(connection=shown) + HOME_LINK, cookies=cookies)
        body = (
            f"<p>Token Vault gave a <code id='connection'>{shown}</code> token: "
            f"<span id='connection-token'>{masked(token)}</span></p>{BACK_TO_ACCOUNTS}"
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

    async def _start_linking(
        self, kind: str, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        # The client's redirect_uri, /auth/callback, serves links and unlinks too.
        options = {
            "connection": _form_value(request, "connection"),
            "app_state": {"returnTo": "/profile"},
        }
        start = self.client.start_link_user if kind == "link" else self.client.start_unlink_user
        return redirect(await start(options, store_options=store), cookies)

    async def _connected_accounts(
        self, _: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        # The iterators follow `next` page after page: the demo tenant fits on one page, but an
        # app should not count on it. Every call uses the one My Account token (see _run.py).
        connections = [
            c async for c in self.client.iter_connected_account_connections(store_options=store)
        ]
        accounts = [a async for a in self.client.iter_connected_accounts(store_options=store)]
        account_rows = "".join(_account_row(account) for account in accounts)
        accounts_html = (
            "<table id='accounts'><tr><th>id</th><th>connection</th><th>scopes</th>"
            f"<th>created</th><th>expires</th><th></th></tr>{account_rows}</table>"
            if accounts
            else "<p id='no-accounts'>No connected accounts yet: connect one below.</p>"
        )
        connection_rows = "".join(_connection_row(connection) for connection in connections)
        body = (
            f"<h2>Connected accounts</h2>{accounts_html}"
            "<h2>Available connections</h2>"
            "<table id='connections'><tr><th>connection</th><th>strategy</th><th>scopes</th>"
            f"<th></th></tr>{connection_rows}</table>"
            "<p>Connect opens the provider's consent page (emulated by the tenant); once you "
            "allow it, Token Vault holds the account's tokens.</p>"
            f"{HOME_LINK}"
        )
        return page(body, cookies=cookies)

    async def _connect(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        # The client's redirect_uri, /auth/callback; the app_state comes back on completion.
        url = await self.client.start_connect_account(
            {
                "connection": _form_value(request, "connection"),
                "app_state": {"returnTo": CONNECTED_ACCOUNTS},
            },
            store_options=store,
        )
        return redirect(url, cookies)

    async def _delete(
        self, request: HttpRequest, store: StoreOptions, cookies: CookieResponse
    ) -> HttpResponse:
        # The SDK refuses an id that is not cac_..., so a form value never reaches another path.
        await self.client.delete_connected_account(_form_value(request, "id"), store_options=store)
        return redirect(CONNECTED_ACCOUNTS, cookies)


def _form_value(request: HttpRequest, name: str) -> str:
    values = parse_form(request.body).get(name) or [""]
    return values[0]


def _account_row(account: ConnectedAccount) -> str:
    vault = html.escape("/connection?" + urlencode({"connection": account.connection}))
    account_id = html.escape(account.id)
    delete = button(f"{CONNECTED_ACCOUNTS}/delete", account_id, "Delete", name="id")
    return (
        f"<tr class='account' data-id='{account_id}'><td><code>{account_id}</code></td>"
        f"<td>{html.escape(account.connection)}</td>"
        f"<td>{html.escape(' '.join(account.scopes))}</td>"
        f"<td>{html.escape(account.created_at)}</td>"
        f"<td>{html.escape(account.expires_at or 'never')}</td>"
        f"<td><a href='{vault}'>Token Vault token</a> {delete}</td></tr>"
    )


def _connection_row(connection: ConnectedAccountConnection) -> str:
    name = html.escape(connection.name)
    return (
        f"<tr class='connection' data-name='{name}'><td>{name}</td>"
        f"<td>{html.escape(connection.strategy)}</td>"
        f"<td>{html.escape(' '.join(connection.scopes or []))}</td>"
        f"<td>{button(f'{CONNECTED_ACCOUNTS}/connect', name, f'Connect {name}')}</td></tr>"
    )


def _connect_denied(error: AuthorizationError, cookies: CookieResponse) -> HttpResponse:
    # The user pressed Deny on the provider's consent page: nothing was connected, and nothing
    # is broken, so this is an explanation rather than the error page.
    reason = html.escape(error.error_description or "You did not allow access.")
    body = f"<h2>Nothing was connected</h2><p id='connect-denied'>{reason}</p>{BACK_TO_ACCOUNTS}"
    return page(body, cookies=cookies)
