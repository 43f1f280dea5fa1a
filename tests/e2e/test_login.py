"""Interactive login end to end, through every adapter and transport (see conftest)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.errors import (
    AuthorizationError,
    IdTokenError,
    InvalidArgumentError,
    MissingTransactionError,
)
from auth0_core.stores import CookieStateStore, CookieTransactionStore

from .conftest import CALLBACK, SECRET, App

pytestmark = pytest.mark.anyio


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


async def test_login_writes_a_session_and_returns_app_state(app: App) -> None:
    store = app.browser.store_options()
    url = await app.call(
        "start_interactive_login", {"app_state": {"returnTo": "/x"}}, store_options=store
    )
    app.browser.absorb(store)
    sent = query(url)
    assert sent["response_type"] == ["code"]
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["scope"] == ["openid profile email offline_access"]
    assert sent["redirect_uri"] == [CALLBACK]
    assert len(sent["state"][0]) >= 43
    assert len(sent["nonce"][0]) >= 43

    callback = app.browser_login(url)
    store = app.browser.store_options()
    result = await app.call("complete_interactive_login", callback, store_options=store)
    app.browser.absorb(store)
    assert result["app_state"] == {"returnTo": "/x"}
    assert result.get("appState") == {"returnTo": "/x"}

    user = await app.user()
    assert user["sub"] == "auth0|alice"
    assert user["email"] == "alice@example.com"
    store = app.browser.store_options()
    session = await app.call("get_session", store_options=store)
    assert "internal" not in session
    assert session["refresh_token"]
    assert session["token_sets"][0]["audience"] == "default"


async def test_login_with_cookie_stores(app: App) -> None:
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False),
        transaction_store=CookieTransactionStore(SECRET, secure=False),
    )
    await app.login("bob")
    assert any(name.startswith("_a0_session") for name in app.browser.cookies)
    assert not any(name.startswith("_a0_tx") for name in app.browser.cookies)
    assert (await app.user())["sub"] == "auth0|bob"


async def test_pushed_authorization_request(app: App) -> None:
    app.client = app.make_client(pushed_authorization_requests=True)
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    assert set(query(url)) == {"client_id", "request_uri"}
    store = app.browser.store_options()
    await app.call("complete_interactive_login", app.browser_login(url), store_options=store)
    app.browser.absorb(store)
    assert (await app.user())["sub"] == "auth0|alice"


async def test_seed_call_shape_with_top_level_redirect_uri(app: App) -> None:
    # Seed 001 passes a dict with a top-level redirect_uri and authorization_params.
    app.client = app.make_client(authorization_params={})
    store = app.browser.store_options()
    url = await app.call(
        "start_interactive_login",
        {
            "redirect_uri": CALLBACK,
            "authorization_params": {"scope": "offline_access openid profile email read:foo"},
        },
        store_options=store,
    )
    app.browser.absorb(store)
    assert query(url)["scope"] == ["openid offline_access profile email read:foo"]
    assert query(url)["redirect_uri"] == [CALLBACK]


async def test_logout_clears_the_session_and_uses_end_session_endpoint(app: App) -> None:
    await app.login()
    store = app.browser.store_options()
    url = await app.call("logout", {"return_to": "http://127.0.0.1:3000/"}, store_options=store)
    app.browser.absorb(store)
    assert urlsplit(url).path == "/oidc/logout"
    assert query(url)["post_logout_redirect_uri"] == ["http://127.0.0.1:3000/"]
    assert "id_token_hint" not in query(url)
    assert await app.user() is None
    assert app.send_get(url).status == 302


async def test_a_federated_logout_asks_the_tenant_to_end_the_upstream_session(app: App) -> None:
    from auth0_core.auth_types import LogoutOptions
    from auth0_core.errors import InvalidArgumentError

    await app.login()
    options = LogoutOptions(return_to="http://127.0.0.1:3000/", federated=True)
    url = await app.call("logout", options, store_options=app.browser.store_options())
    assert query(url)["federated"] == ["true"]
    v2 = app.make_client(logout_strategy="v2")
    url = await app.call("logout", {"federated": True}, client=v2)
    assert (urlsplit(url).path, query(url)["federated"]) == ("/v2/logout", ["true"])
    plain = await app.call("logout", {"federated": False}, client=v2)
    assert "federated" not in query(plain)
    with pytest.raises(InvalidArgumentError):
        await app.call("logout", {"federated": "yes"}, client=v2)


async def test_replayed_callback_is_rejected_and_session_unchanged(app: App) -> None:
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    callback = app.browser_login(url)
    store = app.browser.store_options()
    await app.call("complete_interactive_login", callback, store_options=store)
    app.browser.absorb(store)
    before = await app.user()
    store = app.browser.store_options()
    with pytest.raises(MissingTransactionError):
        await app.call("complete_interactive_login", callback, store_options=store)
    assert await app.user() == before


async def test_error_callback_is_typed_and_consumes_the_transaction(app: App) -> None:
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    state = query(url)["state"][0]
    callback = f"{CALLBACK}?error=access_denied&error_description=User%20said%20no&state={state}"
    store = app.browser.store_options()
    with pytest.raises(AuthorizationError) as info:
        await app.call("complete_interactive_login", callback, store_options=store)
    assert (info.value.error, info.value.error_description) == ("access_denied", "User said no")
    app.browser.absorb(store)
    store = app.browser.store_options()
    with pytest.raises(MissingTransactionError):
        await app.call("complete_interactive_login", callback, store_options=store)


async def test_duplicated_state_is_rejected(app: App) -> None:
    store = app.browser.store_options()
    with pytest.raises(InvalidArgumentError):
        await app.call(
            "complete_interactive_login", f"{CALLBACK}?code=a&state=b&state=c", store_options=store
        )


async def test_signing_key_rotation_refetches_jwks_once(app: App) -> None:
    await app.login()
    app.tenant.rotate_signing_key()
    await app.login("bob")
    assert (await app.user())["sub"] == "auth0|bob"


async def test_nonce_mismatch_is_rejected(app: App) -> None:
    app.tenant.id_token_hook = lambda claims, header: ({**claims, "nonce": "other"}, header)
    try:
        with pytest.raises(IdTokenError) as info:
            await app.login()
    finally:
        app.tenant.id_token_hook = None
    assert info.value.claim == "nonce"
    assert await app.user() is None


async def test_session_ends_after_the_absolute_lifetime(app: App) -> None:
    await app.login()
    # Seen every 20 hours the rolling day never lapses; the absolute three days do.
    for _ in range(3):
        app.clock.advance(20 * 3600)
        assert await app.user() is not None
    app.clock.advance(11 * 3600)
    assert await app.user() is not None
    app.clock.advance(3600 + 1)
    assert await app.user() is None


async def test_session_ends_when_unused_for_a_day(app: App) -> None:
    await app.login()
    app.clock.advance(86_400 + 1)
    assert await app.user() is None
