"""The Flask and Django apps the browser logs in to, served by Werkzeug's threaded WSGI server
on a free loopback port, and the emulated tenant served on another loopback address.

Both apps are the docs' examples (docs/flask.md, docs/django.md: a home page, a protected
``/profile``, an API route ``/api/orders`` that gets an access token for another audience)
with one page more, ``/accounts``, that lists the user's identities (read through the
Management API, as an app's backend would) and offers the integration's link and unlink
routes as forms. Both render the same HTML (:class:`Pages`), so one scenario drives both.

Sessions live in sealed, chunked cookies (``CookieStateStore``), so the browser's cookies
are the whole session. The Flask app keeps its login transactions in cookies too
(``CookieTransactionStore``: ``_a0_tx.*`` and a binding cookie ``_a0_bind.*``); the Django
app keeps them in memory (only the binding cookie goes to the browser).

The tenant listens on 127.0.0.2 and the apps on 127.0.0.1: two hosts, so each one's
cookies are its own (cookies ignore ports) and the login's redirect back to the app is a
cross-site navigation, as with a real tenant, which ``SameSite=Lax`` cookies must survive.
"""

from __future__ import annotations

import html
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import requests
from werkzeug.serving import WSGIRequestHandler, make_server

import auth0_requests
from auth0_core.stores import CookieStateStore, CookieTransactionStore
from auth0_core.testing import EmulatedTenant
from auth0_tenant_server.testing import ServedTenant

from ..integrations.helpers import CLIENT_ID, CLIENT_SECRET, SECRET, tenant_config

APP_HOST = "127.0.0.1"
TENANT_HOST = "127.0.0.2"
API_AUDIENCE = "https://api.example.com"
LINKABLE = "github"


def listening_socket(host: str = APP_HOST) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(64)
    return sock


def origin_of(sock: socket.socket, scheme: str = "http") -> str:
    host, port = sock.getsockname()[:2]
    return f"{scheme}://{host}:{port}"


@contextmanager
def served_tenant(app_origin: str) -> Iterator[ServedTenant]:
    """The default tenant on :data:`TENANT_HOST`, whose demo client allows the app's callback
    and logout URLs."""
    served = EmulatedTenant.serve(tenant_config([app_origin]), host=TENANT_HOST)
    try:
        yield served
    finally:
        served.close()


def tls_context() -> ssl.SSLContext:
    """A server context with a certificate for :data:`APP_HOST` from a throwaway CA (the
    browser session accepts it: ``acceptInsecureCerts``)."""
    import trustme

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert(APP_HOST).configure_cert(context)
    return context


def session_store() -> CookieStateStore:
    # The integration sets Secure by the request's scheme (http here), whatever this says.
    return CookieStateStore(SECRET)


def make_client(
    tenant: ServedTenant, *, cookie_transactions: bool = False
) -> auth0_requests.ServerClient:
    """The apps' client of the served tenant (over HTTP): sessions in sealed cookies, login
    transactions in cookies too or in memory (the default store)."""
    options: dict[str, Any] = {}
    if cookie_transactions:
        options["transaction_store"] = CookieTransactionStore(SECRET)
    return auth0_requests.ServerClient(
        domain=tenant.domain,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        state_store=session_store(),
        **options,
    )


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@contextmanager
def wsgi_server(
    app: Any, sock: socket.socket, ssl_context: ssl.SSLContext | None = None
) -> Iterator[None]:
    """Serve ``app`` on ``sock`` (over TLS with ``ssl_context``) from a thread until the
    block ends."""
    server = make_server(
        APP_HOST,
        0,
        app,
        threaded=True,
        fd=sock.fileno(),
        request_handler=_Quiet,
        ssl_context=ssl_context,
    )
    thread = threading.Thread(target=server.serve_forever, name="browser-wsgi", daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def identities(client: auth0_requests.ServerClient, tenant_url: str, user_id: str) -> list[str]:
    """The user's identities as ``connection (user_id)``, through the Management API with the
    app's client-credentials token (what an app's backend would do)."""
    token = client.get_client_credentials_token(f"{tenant_url}/api/v2/")
    answer = requests.get(
        f"{tenant_url}/api/v2/users/{quote(user_id, safe='')}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    answer.raise_for_status()
    return [f"{i['connection']} ({i['user_id']})" for i in answer.json()["identities"]]


class Pages:
    """The HTML both apps answer with. Element ids are what the browser tests look for."""

    @staticmethod
    def _page(body: str) -> str:
        return f"<!doctype html><html><head><title>app</title></head><body>{body}</body></html>"

    @classmethod
    def home(cls, user: dict[str, Any] | None) -> str:
        if user is None:
            return cls._page(
                "<p id='anonymous'>You are not logged in.</p>"
                "<a id='login' href='/auth/login'>Log in</a>"
            )
        name, email = html.escape(str(user["name"])), html.escape(str(user.get("email")))
        return cls._page(
            f"<p>Hello <strong id='user-name'>{name}</strong> "
            f"(<span id='user-email'>{email}</span>)</p>"
            "<a id='profile' href='/profile'>Profile (JSON)</a> · "
            "<a id='orders' href='/api/orders'>Call the API</a> · "
            "<a id='accounts' href='/accounts'>Linked accounts</a> · "
            "<a id='logout' href='/auth/logout'>Log out</a>"
        )

    @classmethod
    def accounts(cls, identities: list[str], csrf: str = "") -> str:
        """The identities, and a link (or unlink) form for :data:`LINKABLE`."""
        rows = "".join(f"<li class='identity'>{html.escape(i)}</li>" for i in identities)
        linked = any(i.startswith(f"{LINKABLE} (") for i in identities)
        action, label = ("unlink", "Unlink") if linked else ("link", "Link")
        form = (
            f"<form method='post' action='/auth/{action}'>{csrf}"
            f"<input type='hidden' name='connection' value='{LINKABLE}'>"
            "<input type='hidden' name='returnTo' value='/accounts'>"
            f"<button id='{action}-{LINKABLE}' type='submit'>{label} {LINKABLE}</button></form>"
        )
        return cls._page(
            f"<h2>Linked accounts</h2><ul id='identities'>{rows}</ul>{form}"
            "<a id='home' href='/'>Home</a>"
        )


def flask_app(tenant: ServedTenant) -> tuple[Any, auth0_requests.ServerClient]:
    """The Flask app on the served tenant, and its client (to close)."""
    from flask import Flask, g, jsonify

    from auth0_flask import Auth0

    app = Flask("browser_flask_app")
    auth0 = Auth0(make_client(tenant, cookie_transactions=True), app)

    @app.get("/")
    def home() -> str:
        return Pages.home(g.user)

    @app.get("/profile")
    @auth0.login_required
    def profile() -> Any:
        return jsonify(sub=g.user["sub"], email=g.user["email"])

    @app.get("/api/orders")
    @auth0.login_required(api=True)
    def orders() -> Any:
        token = auth0.get_access_token(audience=API_AUDIENCE)
        return jsonify(audience=API_AUDIENCE, token_length=len(token))

    @app.get("/accounts")
    @auth0.login_required
    def accounts() -> str:
        return Pages.accounts(identities(auth0.client, tenant.base_url, g.user["sub"]))

    return app, auth0.client
