"""The demo web app: a Starlette app on the Starlette integration (``auth0_starlette``).

Log in through the tenant, see the session's user and tokens, call an API with a token for a
second audience (MRRT), call the admin API after an MFA step-up (enroll or challenge an
authenticator, ``server_client.mfa``), get a Token Vault token, link and unlink accounts,
connect upstream accounts (Connected Accounts, the My Account API) and delete them, log in on
another device (CIBA) or by e-mail code (passwordless), read the tenant's outbox, log out, and
have Auth0 end the session from the server (back-channel logout).

The integration serves ``/auth/login``, ``/auth/callback`` (every flow's), ``/auth/logout``,
``/auth/backchannel-logout`` and the ``/auth/link``, ``/auth/unlink`` and ``/auth/connect``
starts; its middleware carries the session's cookies and answers every ``Auth0Error`` with the
demo's error page. The rest is the app's own routes, written as any app on the integration
would write them (``auth0.user``, ``auth0.get_access_token``, ``auth0.store_options``).
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode

import anyio
import httpx
from anyio.abc import TaskGroup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from auth0_anyio import ConnectedAccount, ConnectedAccountConnection, ServerClient
from auth0_core.errors import (
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    ManagementApiError,
)
from auth0_core.tenant.outbox import Outbox
from auth0_core.tenant.stylesheet import STYLESHEET_PATH
from auth0_starlette import Auth0

from ._api import API_AUDIENCE, DemoApi
from ._ciba import CIBA, CibaLogins
from ._embedded import (
    ADMIN,
    MFA_CHALLENGE,
    MFA_ENROLL,
    MFA_VERIFY,
    OUTBOX,
    PASSWORDLESS,
    PASSWORDLESS_VERIFY,
    EmbeddedPages,
)
from ._templates import (
    CONNECTED_ACCOUNTS,
    PROFILE,
    button,
    card,
    claims,
    error_response,
    esc,
    favicon,
    form_value,
    identity_item,
    masked,
    page,
    render_error_page,
    stylesheet,
    token_table,
    user_card,
)

# The integration's back-channel logout route; the tenant's demo client posts there (_run.py).
BACKCHANNEL_LOGOUT = "/auth/backchannel-logout"
END_SESSIONS = "/end-sessions"
# Seconds the End-my-sessions button waits for the tenant's logout token to end this session:
# the tenant's sender gives up on a delivery after 5 s (auth0_tenant_server.BackchannelSender).
DELIVERY_WAIT = 6.0
SESSION_ENDED = (
    '<p class="notice" id="session-ended"><strong>Your session here has ended.</strong> Your '
    "browser still sent its session cookie, but the session store, {store}, no longer holds "
    "the session. That is back-channel logout: when Auth0 ends your sessions (the "
    "End-my-sessions button, <code>auth0-core logout-user</code>, a logout in another "
    "application), it posts a logout token to this app's "
    f"<code>{BACKCHANNEL_LOGOUT}</code>, and the SDK verifies it and deletes the sessions it "
    "names, without your browser taking part. (A session that expired looks the same.)</p>"
)
NOT_CONNECTED = (
    '<p id="not-connected">Your account has no connected <code>{connection}</code> account, '
    "so Token Vault has no {connection} token to give. (In the demo tenant, alice@example.com "
    "has a Google one and bob@example.com has none.) Connect one on the "
    f'<a href="{CONNECTED_ACCOUNTS}">Connected accounts</a> page.</p>'
)

Endpoint = Callable[[Request], Awaitable[Response]]


def _login_first(back_to: str) -> Response:
    """No session: log in, then come back to ``back_to`` (a POST cannot be come back to)."""
    return RedirectResponse(
        "/auth/login?" + urlencode({"returnTo": back_to}),
        status_code=302,
        headers={"Cache-Control": "no-store"},
    )


class DemoApp:
    """The demo's Starlette app (:attr:`app`) for ``client``, served at ``base_url``, talking
    to the tenant at ``tenant_url``. ``store_label`` says on the home page where sessions are
    kept; ``background`` (the server's task group) runs the CIBA logins; ``outbox`` is the
    tenant's when it runs in this process (the ``/outbox`` page)."""

    def __init__(
        self,
        client: ServerClient,
        base_url: str,
        tenant_url: str,
        connections: tuple[str, ...] = ("github", "google-oauth2"),
        *,
        store_label: str = "memory (this process)",
        background: TaskGroup | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.tenant_url = tenant_url.rstrip("/")
        self.connections = connections
        self.store_label = store_label
        self.http = httpx.AsyncClient()
        self.api = DemoApi(self.tenant_url, self.http)
        self.auth0 = Auth0(client, error_page=render_error_page)
        self.ciba = CibaLogins(client, self.tenant_url, background)
        self.embedded = EmbeddedPages(client, self.auth0, self.http, self.base_url, outbox)
        embedded = self.embedded
        routes = [
            self.auth0.mount,
            Route("/", self.home),
            Route("/call-api", self.call_api),
            Route("/connection", self.connection),
            Route(PROFILE, self.profile),
            Route(CONNECTED_ACCOUNTS, self.connected_accounts),
            # Changes something: POST only (a link or an image elsewhere cannot trigger it,
            # and the SameSite=Lax session cookie does not come with another site's POST).
            Route(f"{CONNECTED_ACCOUNTS}/delete", self.delete_account, methods=["POST"]),
            Route(END_SESSIONS, self.end_sessions, methods=["POST"]),
            Route(CIBA, self.ciba.page, methods=["GET"]),
            Route(CIBA, self.ciba.start, methods=["POST"]),
            Route(ADMIN, embedded.admin),
            Route(MFA_ENROLL, embedded.enroll, methods=["POST"]),
            Route(MFA_CHALLENGE, embedded.challenge, methods=["POST"]),
            Route(MFA_VERIFY, embedded.verify, methods=["POST"]),
            Route(PASSWORDLESS, embedded.passwordless_form, methods=["GET"]),
            Route(PASSWORDLESS, embedded.passwordless_start, methods=["POST"]),
            Route(PASSWORDLESS_VERIFY, embedded.passwordless_verify, methods=["POST"]),
            Route(OUTBOX, embedded.outbox_page),
            Route("/api/items", self.api.items),
            Route("/api/admin/reports", self.api.reports),
            Route(STYLESHEET_PATH, _stylesheet),
            Route("/favicon.svg", _favicon),
            Route("/favicon.ico", _favicon),
        ]
        self.app = Starlette(
            routes=routes,
            middleware=[self.auth0.middleware],
            exception_handlers={HTTPException: _http_error, Exception: _server_error},
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    # --- pages --------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        user = await self.auth0.user(request)
        if user is None:
            ended = ""
            session_cookie = str(self.client.config.state_identifier)
            if session_cookie in request.cookies:
                # The browser still names a session the store no longer has: say why, once.
                ended = SESSION_ENDED.format(store=esc(self.store_label))
            body = f"{ended}" + card(
                "<p>Log in through the emulated Auth0 tenant as <code>alice@example.com"
                "</code> / <code>alice-password</code> (or bob), then see your user, your "
                "tokens, call an API, link accounts and connect others.</p>"
                '<div class="actions"><a class="button" id="login" href="/auth/login">'
                'Log in</a><a class="button secondary" id="passwordless-login" '
                f'href="{PASSWORDLESS}">Log in with an e-mail code</a>'
                '<a class="button secondary" id="ciba-login" '
                f'href="{CIBA}">Log in on another device (CIBA)</a></div>',
                id="welcome",
                heading="You are not logged in",
            )
            response = page("Welcome", body, logged_in=False)
            if ended:
                response.delete_cookie(session_cookie, path="/")
            return response
        store = self.auth0.store_options(request)
        session = await self.client.get_session(store_options=store)
        identities = await self._identities(str(user["sub"]))
        command = f"auth0-core logout-user {shlex.quote(str(user.get('sub')))} "
        command += f"--tenant {self.tenant_url}"
        actions = (
            '<div class="actions" id="actions">'
            '<a class="button" id="call-api" href="/call-api">Call the API</a>'
            f'<a class="button secondary" id="call-admin-api" href="{ADMIN}">'
            "Call the admin API (step-up MFA)</a>"
            '<a class="button secondary" id="token-vault" href="/connection">'
            "Get a Google token (Token Vault)</a>"
            f'<a class="button secondary" id="connected-accounts" href="{CONNECTED_ACCOUNTS}">'
            "Connected accounts</a>"
            '<a class="button secondary" id="logout" href="/auth/logout">Log out</a></div>'
        )
        backchannel = card(
            f'<p>Sessions are kept in <span id="store">{esc(self.store_label)}</span>. Auth0 '
            "can end this session from the server, without your browser:</p>"
            + button(
                END_SESSIONS,
                "End my sessions at Auth0 (back-channel)",
                id="end-sessions",
                form_id="end-sessions-form",
                style="danger",
            )
            + '<p class="hint">The app asks the tenant\'s Management API to end your sessions '
            "(<code>DELETE /api/v2/users/{id}/sessions</code>, with its own client-credentials "
            "token); the tenant then posts a logout token to this app's "
            f"<code>{BACKCHANNEL_LOGOUT}</code>, and the SDK verifies it and deletes the "
            "session from the store. An administrator can do the same from a terminal: "
            f'<code id="logout-user">{esc(command)}</code>, then reload this page.</p>',
            id="backchannel",
            heading="Back-channel logout",
        )
        body = (
            user_card(user, identities)
            + actions
            + token_table(session)
            + card(claims(user))
            + backchannel
        )
        return page(str(user.get("name") or "Home"), body, logged_in=True)

    async def call_api(self, request: Request) -> Response:
        if await self.auth0.user(request) is None:
            return _login_first("/call-api")
        # An access token for a second audience, from the session's refresh token (MRRT).
        token = await self.auth0.get_access_token(request, audience=API_AUDIENCE)
        answer = await self.http.get(
            f"{self.base_url}/api/items", headers={"Authorization": f"Bearer {token}"}
        )
        body = card(
            f'<p>Token for <code id="api-audience">{esc(API_AUDIENCE)}</code>: '
            f'<code id="api-token">{masked(token)}</code></p>'
            f'<p>The API answered HTTP <strong id="api-status">{answer.status_code}</strong>:</p>'
            f'<pre id="api-response">{esc(answer.text)}</pre>'
            '<p class="hint">The new token now shows in the home page\'s token table.</p>'
            '<p><a class="button secondary" href="/">Back home</a></p>',
            heading="The API's answer",
        )
        return page("Call the API", body, logged_in=True)

    async def connection(self, request: Request) -> Response:
        if await self.auth0.user(request) is None:
            return _login_first("/connection")
        connection = request.query_params.get("connection", "google-oauth2")
        shown = esc(connection)
        try:
            token = await self.client.get_access_token_for_connection(
                {"connection": connection}, store_options=self.auth0.store_options(request)
            )
        except AccessTokenForConnectionError as exc:
            # Not a failure: this user simply has no such account for Token Vault to use.
            if not isinstance(exc, AccountNotConnectedError):
                raise
            body = card(NOT_CONNECTED.format(connection=shown), heading="Token Vault")
            return page("Token Vault", body, logged_in=True)
        body = card(
            f'<p>Token Vault gave a <code id="connection">{shown}</code> token: '
            f'<code id="connection-token">{masked(token)}</code></p>'
            f'<p><a href="{CONNECTED_ACCOUNTS}">Connected accounts</a> · '
            '<a href="/">Home</a></p>',
            heading="Token Vault",
        )
        return page("Token Vault", body, logged_in=True)

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

    async def profile(self, request: Request) -> Response:
        user = await self.auth0.user(request)
        if user is None:
            return _login_first(PROFILE)
        identities = await self._identities(str(user["sub"]))
        linked = {str(i.get("connection")) for i in identities[1:]}
        items = []
        for index, identity in enumerate(identities):
            connection = str(identity.get("connection"))
            unlink = (
                ""
                if index == 0
                else button(
                    "/auth/unlink",
                    "Unlink",
                    id=f"unlink-{connection}",
                    fields={"connection": connection, "returnTo": PROFILE},
                    style="secondary",
                )
            )
            items.append(identity_item(identity, unlink))
        buttons = [
            button(
                "/auth/link",
                f"Link {c}",
                id=f"link-{c}",
                fields={"connection": c, "returnTo": PROFILE},
            )
            for c in self.connections
            if c not in linked
        ]
        link_card = card(
            f'<div class="actions" id="link-buttons">{"".join(buttons)}</div>'
            '<p class="hint">Linking asks you to log in to the other account at the tenant '
            "(GitHub in the demo tenant: <code>alice.gh@example.com</code> / "
            "<code>alice-github-password</code>); the tenant's Management API then joins it "
            "to yours.</p>",
            heading="Link another account",
        )
        return page(
            "Linked accounts", user_card(user, identities, items) + link_card, logged_in=True
        )

    async def connected_accounts(self, request: Request) -> Response:
        if await self.auth0.user(request) is None:
            return _login_first(CONNECTED_ACCOUNTS)
        store = self.auth0.store_options(request)
        # The iterators follow `next` page after page: the demo tenant fits on one page, but an
        # app should not count on it. Every call uses the one My Account token (see _run.py).
        connections = [
            c async for c in self.client.iter_connected_account_connections(store_options=store)
        ]
        accounts = [a async for a in self.client.iter_connected_accounts(store_options=store)]
        accounts_html = (
            '<div class="table-wrap"><table id="accounts"><thead><tr><th>Id</th>'
            "<th>Connection</th><th>Scopes</th><th>Created</th><th>Expires</th><th></th></tr></thead><tbody>"
            f"{''.join(_account_row(account) for account in accounts)}</tbody></table></div>"
            if accounts
            else '<p id="no-accounts" class="muted">No connected accounts yet: connect one '
            "below.</p>"
        )
        body = card(accounts_html, heading="Connected accounts") + card(
            '<table id="connections"><thead><tr><th>Connection</th><th>Strategy</th>'
            "<th>Scopes</th><th></th></tr></thead><tbody>"
            f"{''.join(_connection_row(connection) for connection in connections)}"
            "</tbody></table>"
            '<p class="hint">Connect opens the provider\'s consent page (emulated by the '
            "tenant); once you allow it, Token Vault holds the account's tokens.</p>",
            heading="Available connections",
        )
        return page("Connected accounts", body, logged_in=True)

    async def delete_account(self, request: Request) -> Response:
        if await self.auth0.user(request) is None:
            return _login_first(CONNECTED_ACCOUNTS)
        # The SDK refuses an id that is not cac_..., so a form value never reaches another
        # path; its InvalidArgumentError is answered by the middleware (a 400 page).
        await self.client.delete_connected_account(
            await form_value(request, "id"), store_options=self.auth0.store_options(request)
        )
        return RedirectResponse(CONNECTED_ACCOUNTS, status_code=302)

    async def end_sessions(self, request: Request) -> Response:
        user = await self.auth0.user(request)
        if user is None:
            return _login_first("/")
        sub = str(user.get("sub"))
        # The demo client's own token for the tenant's Management API (its client grant has
        # delete:sessions), as an administrator's back office would get one.
        token = await self.client.get_client_credentials_token(f"{self.tenant_url}/api/v2/")
        answer = await self.http.delete(
            f"{self.tenant_url}/api/v2/users/{quote(sub, safe='')}/sessions",
            headers={"Authorization": f"Bearer {token}"},
        )
        if answer.status_code not in (200, 202, 204):
            return error_response(
                502,
                "The sessions were not ended",
                f"The tenant answered HTTP {answer.status_code}: {answer.text[:200]}",
                "end_sessions_failed",
            )
        # The tenant delivers the logout token in the background; wait until it has ended this
        # browser's session, so that the next page shows what happened.
        if await self._session_ended(request):
            return RedirectResponse("/", status_code=302)
        body = card(
            f'<p id="not-yet">The tenant answered HTTP {answer.status_code}, but no logout '
            f"token has ended this app's session within {DELIVERY_WAIT:g} seconds: is the "
            "demo client's <code>backchannel_logout_uri</code> this app's "
            f"<code>{BACKCHANNEL_LOGOUT}</code>?</p>",
            heading="Auth0 ended your sessions",
        )
        return page("Back-channel logout", body, logged_in=True)

    async def _session_ended(self, request: Request) -> bool:
        with anyio.move_on_after(DELIVERY_WAIT):
            while await self.auth0.user(request) is not None:
                await anyio.sleep(0.05)
            return True
        return False


async def _stylesheet(_: Request) -> Response:
    return stylesheet()


async def _favicon(_: Request) -> Response:
    return favicon()


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's 404 and 405 (and any HTTPException) as the demo's pages."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        title, message = "Not found", "There is no page at this address."
    elif exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        title = "Method not allowed"
        message = f"This address only answers {allowed}: use the buttons of the pages."
    else:
        title, message = "Bad request", str(exc.detail)
    code = title.lower().replace(" ", "_")
    return error_response(exc.status_code, title, message, code, headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A bug: a 500 page without a trace (Hypercorn logs the exception)."""
    message = "The demo could not complete this request. Please try again later."
    return error_response(500, "Server error", message, "server_error")


def _account_row(account: ConnectedAccount) -> str:
    vault = esc("/connection?" + urlencode({"connection": account.connection}))
    delete = button(
        f"{CONNECTED_ACCOUNTS}/delete",
        "Delete",
        id=f"delete-{account.id}",
        fields={"id": account.id},
        style="danger",
    )
    return (
        f'<tr class="account" data-id="{esc(account.id)}"><td><code>{esc(account.id)}</code></td>'
        f'<td class="connection">{esc(account.connection)}</td>'
        f'<td class="scopes">{esc(" ".join(account.scopes))}</td>'
        f'<td class="created">{esc(account.created_at)}</td>'
        f'<td class="expires">{esc(account.expires_at or "never")}</td>'
        f'<td class="row-actions"><a class="button secondary vault-token" href="{vault}">'
        f"Token Vault token</a> {delete}</td></tr>"
    )


def _connection_row(connection: ConnectedAccountConnection) -> str:
    name = connection.name
    connect = button(
        "/auth/connect",
        f"Connect {name}",
        id=f"connect-{name}",
        fields={"connection": name, "returnTo": CONNECTED_ACCOUNTS},
    )
    return (
        f'<tr class="connection" data-name="{esc(name)}"><td class="connection">{esc(name)}</td>'
        f"<td>{esc(connection.strategy)}</td>"
        f'<td class="scopes">{esc(" ".join(connection.scopes or []))}</td>'
        f"<td>{connect}</td></tr>"
    )
