"""The stateless helpers ``get_token_by_refresh_token`` and ``get_token_for_connection`` end
to end, in every mode (see conftest): they take the refresh token as an argument, touch no
session or store, validate their arguments before any request, and raise the typed errors
with the official codes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from auth0_core.errors import (
    AccessTokenError,
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    InvalidArgumentError,
    InvalidGrantError,
    MissingRequiredArgumentError,
)

from .conftest import START, App
from .holding import held_app, rotating_config

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
BY_REFRESH = "get_token_by_refresh_token"
FOR_CONNECTION = "get_token_for_connection"
MISSING = MissingRequiredArgumentError
INVALID = InvalidArgumentError


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def refresh_token_of(app: App, user: str = "alice") -> str:
    await app.login(user)
    store = app.browser.store_options()
    session = await app.call("get_session", store_options=store)
    return str(session["refresh_token"])


class NoStore:
    """A store any use of which fails the test: the helpers must touch none."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the stateless helper read a store")

    def set(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the stateless helper wrote a store")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the stateless helper deleted from a store")


async def test_refresh_token_grant_without_a_session(app: App) -> None:
    refresh_token = await refresh_token_of(app)
    client = app.make_client(state_store=NoStore(), transaction_store=NoStore())
    before = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    result = await app.call(BY_REFRESH, {"refresh_token": refresh_token}, client=client)
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == before + 1
    assert result["token_type"].lower() == "bearer"
    assert claims(result["access_token"])["sub"] == "auth0|alice"
    assert result["expires_at"] == START + result["expires_in"]
    assert "openid" in result["scope"].split()
    # MRRT: another API through the same refresh token.
    other = await app.call(
        "get_token_by_refresh_token",
        {"refresh_token": refresh_token, "audience": API, "scope": "read:data"},
        client=client,
    )
    audience = claims(other["access_token"])["aud"]
    assert API in (audience if isinstance(audience, list) else [audience])


async def test_refused_refresh_token_is_typed(app: App) -> None:
    with pytest.raises(InvalidGrantError) as info:
        await app.call(BY_REFRESH, {"refresh_token": "not-a-real-token"})
    assert (info.value.code, info.value.error) == ("refresh_token_error", "invalid_grant")
    assert "not-a-real-token" not in repr(info.value) + str(info.value)


async def test_arguments_are_checked_before_any_request(app: App) -> None:
    before = app.tenant.count()
    cases: list[tuple[str, Any, type[Exception], str]] = [
        (BY_REFRESH, {}, MISSING, "refresh_token"),
        (BY_REFRESH, {"refresh_token": ""}, MISSING, "refresh_token"),
        (BY_REFRESH, {"refresh_token": 7}, INVALID, "refresh_token"),
        (BY_REFRESH, {"refresh_token": "r", "scope": 1}, INVALID, "scope"),
        (BY_REFRESH, {"refresh_token": "r", "bogus": 1}, INVALID, "options"),
        (BY_REFRESH, "r", INVALID, "options"),
        (BY_REFRESH, {"refresh_token": "r", "domain": "evil.example"}, INVALID, "domain"),
        (FOR_CONNECTION, {"refresh_token": "r"}, MISSING, "connection"),
        (FOR_CONNECTION, {"connection": "google-oauth2"}, MISSING, "refresh_token"),
        (
            FOR_CONNECTION,
            {"connection": "c", "refresh_token": "r", "login_hint": 3},
            INVALID,
            "login_hint",
        ),
    ]
    for method, options, error, argument in cases:
        with pytest.raises(error) as info:
            await app.call(method, options)
        assert getattr(info.value, "argument", None) == argument, (method, options)
    assert app.tenant.count() == before


async def test_token_for_connection_without_a_session(app: App) -> None:
    refresh_token = await refresh_token_of(app)
    client = app.make_client(state_store=NoStore(), transaction_store=NoStore())
    result = await app.call(
        "get_token_for_connection",
        {"connection": "google-oauth2", "refresh_token": refresh_token},
        client=client,
    )
    assert set(result) == {"access_token", "expires_at", "scope"}
    assert result["access_token"] == app.tenant.vault_token("auth0|alice", "google-oauth2")
    assert result["expires_at"] > START
    assert isinstance(result["scope"], str)
    # Nothing is cached: a second call is a second exchange.
    before = app.tenant.count(path="/oauth/token")
    await app.call(
        "get_token_for_connection",
        {"connection": "google-oauth2", "refresh_token": refresh_token, "login_hint": ""},
        client=client,
    )
    assert app.tenant.count(path="/oauth/token") == before + 1


async def test_token_for_connection_refusals_are_typed(app: App) -> None:
    refresh_token = await refresh_token_of(app, "bob")
    with pytest.raises(AccessTokenForConnectionError) as info:
        await app.call(
            "get_token_for_connection",
            {"connection": "google-oauth2", "refresh_token": refresh_token},
        )
    assert type(info.value) is AccountNotConnectedError
    assert (info.value.code, info.value.status) == ("api_error", 401)
    with pytest.raises(AccessTokenForConnectionError) as info:
        await app.call(
            "get_token_for_connection",
            {"connection": "google-oauth2", "refresh_token": "not-a-real-token"},
        )
    assert info.value.code == "api_error"


async def test_a_refused_answer_hands_back_the_refresh_token_it_rotated(mode: str) -> None:
    """An answer for another API than the one asked is refused; the tenant has rotated the
    refresh token all the same, and the new one comes back on the error (nothing is stored
    to keep it in) and works."""
    with held_app(mode, rotating_config(), lambda request: False) as (app, _):
        spent = await refresh_token_of(app)
        asked = {"refresh_token": spent, "audience": "https://not-in-any-policy.example.com"}
        with pytest.raises(AccessTokenError) as info:
            await app.call(BY_REFRESH, asked)
        assert info.value.code == "incorrect_audience"
        rotated = info.value.rotated_refresh_token
        assert rotated
        assert rotated != spent
        assert rotated not in f"{info.value!s}{info.value!r}"
        result = await app.call(BY_REFRESH, {"refresh_token": rotated})
        assert claims(result["access_token"])["sub"] == "auth0|alice"
