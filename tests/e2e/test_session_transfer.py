"""Session transfer end to end, in every mode: a user logged in on app A asks for a Session
Transfer Token, app A sends the browser to app B's login URL with it, app B passes it on as an
authorization parameter, and the tenant's ``/authorize`` issues a code without a login form;
app B's session is the same user's. The token is single use and short-lived."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core import HttpResponse

from .conftest import App

pytestmark = pytest.mark.anyio

TYPE = "urn:acme:legacy-token"
TARGET_LOGIN = "http://127.0.0.1:3000/auth/login"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def transfer_url(app: App) -> str:
    """App A, with alice logged in: the redirect to app B's login carrying a fresh token."""
    await app.login("alice")
    result = await app.call(
        "request_session_transfer_token",
        "legacy-token-alice",
        TYPE,
        store_options=app.browser.store_options(),
    )
    return str(app.client.build_session_transfer_redirect(TARGET_LOGIN, result))


async def start_on_b(app: App, b: App, url: str) -> str:
    """App B's login route: pass the token on to ``start_interactive_login``."""
    token = parse_qs(urlsplit(url).query)["session_transfer_token"][0]
    store = b.browser.store_options()
    authorize_url = await b.call(
        "start_interactive_login",
        {"authorization_params": {"session_transfer_token": token}},
        store_options=store,
    )
    b.browser.absorb(store)
    assert parse_qs(urlsplit(authorize_url).query)["session_transfer_token"] == [token]
    return str(authorize_url)


def is_login_form(page: HttpResponse) -> bool:
    return page.status == 200 and b'action="/u/login"' in page.body


async def test_the_target_app_gets_a_session_without_a_login_form(app: App) -> None:
    url = await transfer_url(app)
    b = App(app.mode, app.tenant, app.base_url, app.clock)
    authorize_url = await start_on_b(app, b, url)
    page = b.send_get(authorize_url)
    assert page.status == 302, page.body[:200]
    callback = page.header("location") or ""
    assert "code" in parse_qs(urlsplit(callback).query)
    assert "auth0=" in (page.header("set-cookie") or "")
    store = b.browser.store_options()
    await b.call("complete_interactive_login", callback, store_options=store)
    b.browser.absorb(store)
    user = await b.user()
    assert user is not None
    assert user["sub"] == "auth0|alice"
    session = await b.call("get_session", store_options=b.browser.store_options())
    sid = claims(session["id_token"])["sid"]
    assert any(s["sid"] == sid for s in app.tenant.sessions("auth0|alice"))


async def test_a_used_token_is_not_honoured(app: App) -> None:
    url = await transfer_url(app)
    b = App(app.mode, app.tenant, app.base_url, app.clock)
    first = b.send_get(await start_on_b(app, b, url))
    assert first.status == 302
    again = b.send_get(await start_on_b(app, b, url))
    assert is_login_form(again)


async def test_an_expired_token_is_not_honoured(app: App) -> None:
    url = await transfer_url(app)
    b = App(app.mode, app.tenant, app.base_url, app.clock)
    authorize_url = await start_on_b(app, b, url)
    app.clock.now += 61
    assert is_login_form(b.send_get(authorize_url))


async def test_an_unknown_token_shows_the_login_form(app: App) -> None:
    b = App(app.mode, app.tenant, app.base_url, app.clock)
    url = f"{TARGET_LOGIN}?session_transfer_token=stt_not-minted-here"
    assert is_login_form(b.send_get(await start_on_b(app, b, url)))
