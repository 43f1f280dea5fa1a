"""Each integration through the project's own pytest plugin (auth0_core.testing), as a user's
test suite would test their app: the tenant in process, the scripted browser logging in
through the tenant's form, and the tenant's own back-channel logout delivery ending the
session (Starlette and FastAPI on asyncio and trio, Flask and Django as WSGI apps)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import auth0_anyio
import auth0_requests
from auth0_core.testing import EmulatedTenant
from auth0_flask import Auth0 as FlaskAuth0
from auth0_starlette import Auth0

from .helpers import SECRET
from .sites import configure_django
from .starlette.apps import fastapi_app, starlette_app

APP = "http://localhost"


@pytest.fixture
def auth0_tenant_config() -> dict[str, object]:
    return {
        "clients": [
            {
                "client_id": "my-app",
                "client_secret": "my-app-secret",
                "callbacks": [f"{APP}/auth/callback"],
                "allowed_logout_urls": [f"{APP}/"],
                "backchannel_logout_uri": f"{APP}/auth/backchannel-logout",
            }
        ],
        "users": [
            {
                "email": "ada@example.com",
                "password": "correct horse",
                "name": "Alice Example",  # what the test apps greet
                "user_id": "auth0|ada",
            }
        ],
    }


def async_client(tenant: EmulatedTenant) -> auth0_anyio.ServerClient:
    return auth0_anyio.ServerClient(
        **tenant.client_options(), secret=SECRET, http_client=tenant.httpx_client()
    )


def sync_client(tenant: EmulatedTenant) -> auth0_requests.ServerClient:
    return auth0_requests.ServerClient(
        **tenant.client_options(), secret=SECRET, session=tenant.requests_session()
    )


APPS = [
    ("starlette", "asyncio"),
    ("starlette", "trio"),
    ("fastapi", "asyncio"),
    ("fastapi", "trio"),
    ("flask", None),
    ("django", None),
]


@pytest.fixture(params=APPS, ids=lambda p: "-".join(filter(None, p)))
def browser(
    request: pytest.FixtureRequest, auth0_tenant: EmulatedTenant, auth0_browser: Any
) -> Iterator[Any]:
    """A scripted browser on the app (an ASGI app on the given backend's loop)."""
    name, backend = request.param
    if name in ("starlette", "fastapi"):
        make = starlette_app if name == "starlette" else fastapi_app
        yield auth0_browser(make(Auth0(async_client(auth0_tenant))), backend=backend)
    elif name == "flask":
        from .flask.apps import flask_app

        yield auth0_browser(flask_app(FlaskAuth0(sync_client(auth0_tenant))))
    else:
        configure_django()
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import override_settings

        with override_settings(AUTH0={"CLIENT": sync_client(auth0_tenant)}):
            yield auth0_browser(WSGIHandler())


def test_login_logout_and_backchannel_logout(browser: Any, auth0_tenant: EmulatedTenant) -> None:
    assert browser.get("/private", follow_redirects=False).status == 302
    page = browser.login("ada@example.com", path="/private")
    assert "Hello Alice Example" in page.text
    assert browser.get("/api/me").json() == {"sub": "auth0|ada"}
    assert any(name.startswith("_a0_") for name in browser.cookies)

    # Auth0 ends her sessions; the tenant posts a logout token to the app's route.
    auth0_tenant.tenant.end_sessions("auth0|ada")
    deliveries = browser.deliver_backchannel_logouts()
    assert [d.result.status for d in deliveries if d.result is not None] == [200]
    assert browser.get("/private", follow_redirects=False).status == 302

    browser.login("ada@example.com", path="/private")
    assert browser.get("/api/me").status == 200
    browser.logout()
    assert browser.get("/api/me").status == 401
