"""The Flask app the tests drive: the integration, a home page, a protected page, a
protected API route and a route that uses an access token."""

from __future__ import annotations

from typing import Any

import requests
from flask import Flask, g, jsonify

import auth0_requests
from auth0_core.tenant import Tenant
from auth0_flask import Auth0

from ..helpers import TENANT, client_options


def make_client(tenant: Tenant, **overrides: Any) -> auth0_requests.ServerClient:
    session = requests.Session()
    session.mount(TENANT, auth0_requests.HandlerAdapter(tenant.handle))
    return auth0_requests.ServerClient(session=session, **client_options(**overrides))


def flask_app(auth0: Auth0) -> Flask:
    app = Flask(__name__)
    auth0.init_app(app)

    @app.get("/")
    def home() -> str:
        return f"<p>user: {g.user['name'] if g.user else 'nobody'}</p>"

    @app.get("/private")
    @auth0.login_required
    def private() -> str:
        return f"<p>Hello {g.user['name']}</p>"

    @app.get("/api/me")
    @auth0.login_required(api=True)
    def api_me() -> Any:
        return jsonify(sub=g.user["sub"])

    @app.get("/token")
    @auth0.login_required
    def token() -> Any:
        return jsonify(length=len(auth0.get_access_token()))

    @app.get("/token-anyway")
    def token_anyway() -> Any:
        # No guard: the error handler answers a missing session.
        return jsonify(length=len(auth0.get_access_token()))

    return app
