"""What is Flask's own: an application factory with init_app, another ``g`` attribute."""

from __future__ import annotations

from flask import Flask, g

from auth0_core.tenant import Tenant
from auth0_flask import Auth0

from ..helpers import make_tenant, tenant_login
from .apps import make_client


def test_an_app_factory_and_another_g_attribute() -> None:
    tenant: Tenant = make_tenant()
    auth0 = Auth0(make_client(tenant), user_attribute="auth0_user", prefix="/sso")

    def create_app() -> Flask:
        app = Flask(__name__)
        auth0.init_app(app)

        @app.get("/me")
        @auth0.login_required
        def me() -> str:
            user = auth0.user
            assert user is not None
            assert user is g.auth0_user
            return str(user["sub"])

        return app

    http = create_app().test_client()
    page = http.get("/me")
    assert page.status_code == 302
    assert page.headers["Location"] == "/sso/login?returnTo=%2Fme"
    start = http.get(page.headers["Location"])
    done = http.get(tenant_login(tenant, start.headers["Location"]))
    assert done.headers["Location"] == "/me"
    assert http.get("/me").get_data(as_text=True) == "auth0|alice"
    auth0.client.close()
