"""The user projects the plugin's tests run with ``pytester``: small apps on either facade and
a tenant configuration, written as a user would write them (no import from this repository's
tests)."""

from __future__ import annotations

# A Starlette app on the async facade, with the default (memory) stores: each browser gets a
# session id cookie, and back-channel logout can end its session.
STARLETTE_APP = """
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

import auth0_anyio

API = "https://api.example.com"


def create_app(auth0: auth0_anyio.ServerClient, http, domain: str) -> Starlette:
    def store(request: Request, response: Response) -> dict[str, object]:
        return {"request": request, "response": response}

    async def login(request: Request) -> Response:
        response = RedirectResponse("/", status_code=302)
        response.headers["location"] = await auth0.start_interactive_login(
            store_options=store(request, response)
        )
        return response

    async def callback(request: Request) -> Response:
        response = RedirectResponse("/profile", status_code=303)
        await auth0.complete_interactive_login(
            str(request.url), store_options=store(request, response)
        )
        return response

    async def profile(request: Request) -> Response:
        user = await auth0.get_user(store_options={"request": request})
        if user is None:
            return RedirectResponse("/auth/login", status_code=303)
        return JSONResponse(user)

    async def logout(request: Request) -> Response:
        response = RedirectResponse("/", status_code=302)
        response.headers["location"] = await auth0.logout(
            {"returnTo": str(request.base_url)}, store_options=store(request, response)
        )
        return response

    async def home(request: Request) -> Response:
        return JSONResponse({"page": "home"})

    async def items(request: Request) -> Response:
        # A resource server: the bearer token checked against the tenant's JWKS.
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return JSONResponse({"error": "no token"}, status_code=401)
        keys = KeySet.import_key_set((await http.get(domain + "/.well-known/jwks.json")).json())
        try:
            claims = jwt.decode(token, keys, algorithms=["RS256"]).claims
            jwt.JWTClaimsRegistry(
                iss={"essential": True, "value": domain + "/"},
                aud={"essential": True, "value": API},
                exp={"essential": True},
            ).validate(claims)
        except (JoseError, ValueError) as error:
            return JSONResponse({"error": type(error).__name__}, status_code=401)
        if "read:items" not in claims.get("scope", "").split():
            return JSONResponse({"error": "insufficient_scope"}, status_code=403)
        return JSONResponse({"items": ["a", "b"], "for": claims["sub"]})

    return Starlette(
        routes=[
            Route("/", home),
            Route("/auth/login", login),
            Route("/auth/callback", callback),
            Route("/profile", profile),
            Route("/auth/logout", logout),
            Route("/api/items", items),
            Mount("/auth/backchannel-logout", auth0_anyio.backchannel_logout_asgi_app(auth0)),
        ]
    )
"""

# A Flask app on the sync facade, with the session and the login in sealed cookies.
FLASK_APP = """
import flask

import auth0_requests
from auth0_core.stores import CookieStateStore, CookieTransactionStore

SECRET = "a-long-random-secret-for-the-session-cookies"


def create_app(tenant, callback: str = "http://localhost/auth/callback") -> flask.Flask:
    auth0 = auth0_requests.ServerClient(
        **tenant.client_options(),
        secret=SECRET,
        authorization_params={"redirect_uri": callback},
        session=tenant.requests_session(),
        state_store=CookieStateStore(SECRET),
        transaction_store=CookieTransactionStore(SECRET),
    )
    app = flask.Flask(__name__)

    def store(response: flask.Response) -> dict[str, object]:
        return {"request": flask.request, "response": response}

    @app.get("/auth/login")
    def login() -> flask.Response:
        response = flask.redirect("/")
        response.location = auth0.start_interactive_login(store_options=store(response))
        return response

    @app.get("/auth/callback")
    def callback_route() -> flask.Response:
        response = flask.redirect("/profile")
        auth0.complete_interactive_login(flask.request.url, store_options=store(response))
        return response

    @app.get("/profile")
    def profile() -> flask.Response:
        user = auth0.get_user(store_options={"request": flask.request})
        if user is None:
            return flask.redirect("/auth/login")
        return flask.jsonify(user)

    @app.get("/auth/logout")
    def logout() -> flask.Response:
        response = flask.redirect("/")
        response.location = auth0.logout(
            {"returnTo": flask.request.host_url}, store_options=store(response)
        )
        return response

    @app.get("/")
    def home() -> dict[str, str]:
        return {"page": "home"}

    return app
"""

# The tenant: one client for the app, one API, two users; as a dict and as TOML.
CLIENT = {
    "client_id": "my-app",
    "client_secret": "my-app-secret-0123456789",
    "callbacks": ["http://localhost/auth/callback"],
    "allowed_logout_urls": ["http://localhost/"],
    "backchannel_logout_uri": "http://localhost/auth/backchannel-logout/",
}
CONFIG = {
    "clients": [CLIENT],
    "apis": [{"identifier": "https://api.example.com", "scopes": ["read:items", "write:items"]}],
    "users": [
        {"email": "ada@example.com", "password": "correct horse", "name": "Ada Lovelace"},
        {"email": "grace@example.com", "password": "battery staple", "name": "Grace Hopper"},
    ],
}
CONFTEST_DICT = f"""
import pytest


@pytest.fixture
def auth0_tenant_config():
    return {CONFIG!r}
"""
TOML = """
[[clients]]
client_id = "toml-app"
client_secret = "toml-app-secret-0123456789"
callbacks = ["http://127.0.0.1:3000/callback"]

[[users]]
email = "linus@example.com"
password = "from-toml"
name = "Linus from TOML"
"""
