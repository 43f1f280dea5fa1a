"""Access tokens end to end: cached, refreshed, MRRT, Token Vault, client credentials, and
single-flight refresh under 50 concurrent callers, in every mode (see conftest)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import auth0_anyio
import auth0_requests
from auth0_core.errors import (
    AccessTokenError,
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    IdTokenError,
    InvalidGrantError,
    MissingRefreshTokenError,
    OAuthError,
    TransportError,
)
from auth0_core.tenant.authentication.token_vault import FEDERATED_GRANT as VAULT_GRANT

from .conftest import App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
DAY = 86_400


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def refreshes(app: App) -> int:
    return app.tenant.count(path="/oauth/token", grant_type="refresh_token")


async def token(app: App, **kwargs: Any) -> str:
    store = app.browser.store_options()
    result = await app.call("get_access_token", store_options=store, **kwargs)
    app.browser.absorb(store)
    return str(result)


async def session(app: App) -> dict[str, Any]:
    store = app.browser.store_options()
    return dict(await app.call("get_session", store_options=store))


async def test_login_token_is_reused_until_it_expires(app: App) -> None:
    await app.login()
    before = refreshes(app)
    first = await token(app)
    assert first == (await session(app))["token_sets"][0]["access_token"]
    assert await token(app) == first
    assert refreshes(app) == before

    app.clock.advance(DAY - 59)  # inside the 60 s leeway: refreshed early
    second = await token(app)
    assert second != first
    assert refreshes(app) == before + 1
    assert await token(app) == second
    assert refreshes(app) == before + 1


async def test_mrrt_for_another_audience_is_cached_by_audience_and_scope(app: App) -> None:
    await app.login()
    before = refreshes(app)
    id_token = (await session(app))["id_token"]
    api_token = await token(app, audience=API)
    assert API in (
        claims(api_token)["aud"]
        if isinstance(claims(api_token)["aud"], list)
        else [claims(api_token)["aud"]]
    )
    assert await token(app, audience=API) == api_token
    assert await token(app, options={"audience": API, "scope": "read:items"}) == api_token
    assert refreshes(app) == before + 1
    current = await session(app)
    # Kept, or replaced by a validated one for the same user and this client.
    for kept in (id_token, current["id_token"]):
        assert (claims(kept)["sub"], claims(kept)["aud"]) == (
            "auth0|alice",
            app.options["client_id"],
        )
    assert current["user"]["sub"] == "auth0|alice"
    assert {s["audience"] for s in current["token_sets"]} == {"default", API}


async def test_mrrt_for_an_audience_without_policy_is_a_clear_error(app: App) -> None:
    await app.login()
    with pytest.raises(AccessTokenError) as info:
        await token(app, audience="https://not-in-any-policy.example.com")
    assert info.value.code == "incorrect_audience"
    assert all(
        s["audience"] != "https://not-in-any-policy.example.com"
        for s in (await session(app))["token_sets"]
    )


async def test_no_session_and_no_refresh_token_are_typed(app: App) -> None:
    with pytest.raises(MissingRefreshTokenError):
        await token(app)
    await app.login(options={"authorization_params": {"scope": "openid profile"}})
    assert await token(app)
    app.clock.advance(DAY - 59)
    with pytest.raises(MissingRefreshTokenError) as info:
        await token(app)
    assert info.value.code == "missing_refresh_token"


async def test_revoked_refresh_token_is_invalid_grant(app: App) -> None:
    await app.login()
    app.tenant.revoke_refresh_tokens("auth0|alice")
    app.clock.advance(DAY - 59)
    with pytest.raises(InvalidGrantError) as info:
        await token(app)
    assert info.value.error == "invalid_grant"
    assert info.value.status in (400, 403)
    assert "refresh" not in repr(info.value).lower() or "v1." not in repr(info.value)


async def test_fifty_concurrent_callers_cause_one_refresh(app: App) -> None:
    app.client = app.make_client()  # memory store, no store_options: one process-wide session
    url = await app.call("start_interactive_login")
    await app.call("complete_interactive_login", app.browser_login(url))
    app.clock.advance(DAY - 59)
    before = refreshes(app)
    results = await app.concurrently(50, "get_access_token")
    assert len(results) == 50
    assert len(set(results)) == 1
    assert refreshes(app) == before + 1


async def test_token_vault_exchange_is_cached_per_connection(app: App) -> None:
    await app.login()
    before = app.tenant.count(path="/oauth/token", grant_type=VAULT_GRANT)
    store = app.browser.store_options()
    upstream = await app.call(
        "get_access_token_for_connection", {"connection": "google-oauth2"}, store_options=store
    )
    app.browser.absorb(store)
    assert upstream == app.tenant.vault_token("auth0|alice", "google-oauth2")
    store = app.browser.store_options()
    again = await app.call(
        "get_access_token_for_connection", {"connection": "google-oauth2"}, store_options=store
    )
    assert again == upstream
    assert app.tenant.count(path="/oauth/token", grant_type=VAULT_GRANT) == before + 1


async def test_token_vault_caches_per_login_hint(app: App) -> None:
    await app.login()
    before = app.tenant.count(path="/oauth/token", grant_type=VAULT_GRANT)
    options = {"connection": "google-oauth2", "login_hint": "alice@gmail.com"}
    for _ in range(2):
        store = app.browser.store_options()
        hinted = await app.call("get_access_token_for_connection", options, store_options=store)
        app.browser.absorb(store)
    assert hinted == app.tenant.vault_token("auth0|alice", "google-oauth2", "alice@gmail.com")
    store = app.browser.store_options()
    await app.call(
        "get_access_token_for_connection", {"connection": "google-oauth2"}, store_options=store
    )
    app.browser.absorb(store)
    # One exchange for the hinted key, one for the unhinted key: cached separately.
    assert app.tenant.count(path="/oauth/token", grant_type=VAULT_GRANT) == before + 2
    sets = (await session(app))["connection_token_sets"]
    assert sorted(str(s["login_hint"]) for s in sets) == ["None", "alice@gmail.com"]


async def test_token_vault_without_a_connected_account(app: App) -> None:
    await app.login("bob")
    store = app.browser.store_options()
    with pytest.raises(AccessTokenForConnectionError) as info:
        await app.call(
            "get_access_token_for_connection", {"connection": "google-oauth2"}, store_options=store
        )
    assert type(info.value) is AccountNotConnectedError
    assert (info.value.code, info.value.status) == ("api_error", 401)


async def test_client_credentials_token_is_cached(app: App) -> None:
    before = app.tenant.count(path="/oauth/token", grant_type="client_credentials")
    first = await app.call("get_client_credentials_token", API)
    assert claims(first)["aud"] == API
    assert claims(first)["sub"] == "demo-client@clients"
    assert await app.call("get_client_credentials_token", API) == first
    assert app.tenant.count(path="/oauth/token", grant_type="client_credentials") == before + 1
    with pytest.raises(OAuthError) as info:
        await app.call("get_client_credentials_token", "https://no-grant.example.com")
    assert info.value.error == "access_denied"


async def test_refreshed_id_token_for_another_user_is_rejected(app: App) -> None:
    await app.login()
    before = await session(app)
    app.clock.advance(DAY - 59)
    app.tenant.id_token_hook = lambda claims, header: ({**claims, "sub": "auth0|mallory"}, header)
    try:
        with pytest.raises(IdTokenError) as info:
            await token(app)
    finally:
        app.tenant.id_token_hook = None
    assert info.value.claim == "sub"
    after = await session(app)
    assert after["user"] == before["user"]
    assert after["refresh_token"] == before["refresh_token"]


async def test_network_failure_is_a_transport_error(app: App) -> None:
    # Real transports (not the in-process one) to a port nothing listens on.
    options = {**app.options, "domain": "http://127.0.0.1:9"}
    sync = app.mode.startswith("sync")
    client = auth0_requests.ServerClient(**options) if sync else auth0_anyio.ServerClient(**options)
    with pytest.raises(TransportError) as info:
        await app.call("start_interactive_login", client=client)
    assert "openid-configuration" in str(info.value)
