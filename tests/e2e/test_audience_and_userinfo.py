"""Audience safety, userinfo merged into the user (opt-in), the logout ``state`` and the
standard dialect's offline_access check, through every facade and transport (see conftest)
against the emulated tenant (docs/standard-dialect.md)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.errors import AccessTokenError, ConfigurationError

from .conftest import App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
NO_POLICY = "https://not-in-any-policy.example.com"
DAY = 86_400
PROFILE = {"name", "nickname", "email", "email_verified", "picture", "updated_at"}


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def audiences(token: str) -> list[str]:
    aud = claims(token)["aud"]
    return aud if isinstance(aud, list) else [aud]


async def token(app: App, **kwargs: Any) -> str:
    store = app.browser.store_options()
    result = await app.call("get_access_token", store_options=store, **kwargs)
    app.browser.absorb(store)
    return str(result)


async def session(app: App) -> dict[str, Any]:
    store = app.browser.store_options()
    return dict(await app.call("get_session", store_options=store))


def userinfo_calls(app: App) -> int:
    return app.tenant.count(path="/userinfo")


@pytest.fixture
def lean_id_tokens(app: App) -> Iterator[None]:
    """ID tokens with ``sub`` and the protocol claims only: the profile is at /userinfo
    (OIDC Core §5.4). The loopback tenant is shared by the run, so the hook is removed after."""
    app.tenant.id_token_hook = lambda c, h: ({k: v for k, v in c.items() if k not in PROFILE}, h)
    yield
    app.tenant.id_token_hook = None


def use(app: App, **options: Any) -> None:
    app.options.update(options)
    app.client = app.make_client()


# --- audience safety (Auth0's dialect) -----------------------------------------------------------


async def test_a_token_for_an_api_is_shown_to_be_for_it(app: App) -> None:
    await app.login(options={"authorization_params": {"audience": API}})
    login_set = (await session(app))["token_sets"][0]
    assert login_set["audience"] == API
    assert API in audiences(login_set["access_token"])
    app.clock.advance(DAY - 59)
    assert API in audiences(await token(app, audience=API))


async def test_a_token_for_another_audience_is_never_handed_out_nor_cached(app: App) -> None:
    await app.login()
    before = await session(app)
    for _ in range(2):  # refused each time: nothing was cached under the API's key
        with pytest.raises(AccessTokenError) as info:
            await token(app, audience=NO_POLICY)
        assert info.value.code == "incorrect_audience"
        assert NO_POLICY in str(info.value)
    after = await session(app)
    assert after["token_sets"] == before["token_sets"]
    assert after["refresh_token"] == before["refresh_token"]
    assert await token(app) == before["token_sets"][0]["access_token"]
    for token_set in after["token_sets"]:
        assert token_set["access_token"] not in repr(info.value)


# --- userinfo (opt-in) ---------------------------------------------------------------------------


@pytest.mark.usefixtures("lean_id_tokens")
async def test_without_fetch_userinfo_the_user_is_the_id_tokens(app: App) -> None:
    before = userinfo_calls(app)
    await app.login()
    user = await app.user()
    assert user["sub"] == "auth0|alice"
    assert "email" not in user
    assert userinfo_calls(app) == before


@pytest.mark.usefixtures("lean_id_tokens")
async def test_fetch_userinfo_merges_the_profile_into_the_user(app: App) -> None:
    use(app, fetch_userinfo="login")
    before = userinfo_calls(app)
    await app.login()
    assert userinfo_calls(app) == before + 1
    user = await app.user()
    assert (user["sub"], user["email"], user["name"]) == (
        "auth0|alice",
        "alice@example.com",
        "Alice Example",
    )
    assert user["aud"] == app.options["client_id"]  # the ID token's, kept
    assert "sid" in user
    app.clock.advance(DAY - 59)
    await token(app)  # "login": no userinfo call on refresh, the merged claims stay
    assert userinfo_calls(app) == before + 1
    assert (await app.user())["email"] == "alice@example.com"


@pytest.mark.usefixtures("lean_id_tokens")
async def test_login_and_refresh_asks_userinfo_again_on_refresh(app: App) -> None:
    use(app, fetch_userinfo="login_and_refresh")
    before = userinfo_calls(app)
    await app.login()
    app.clock.advance(DAY - 59)
    await token(app)
    assert userinfo_calls(app) == before + 2
    await token(app, audience=API)  # another API's token serves no userinfo call
    assert userinfo_calls(app) == before + 2
    assert (await app.user())["email"] == "alice@example.com"


# --- logout state, and the standard dialect at login ---------------------------------------------


async def test_logout_passes_state_to_the_end_session_endpoint(app: App) -> None:
    await app.login()
    store = app.browser.store_options()
    url = await app.call(
        "logout",
        {"return_to": "http://127.0.0.1:3000/bye", "state": "st-1"},
        store_options=store,
    )
    app.browser.absorb(store)
    sent = parse_qs(urlsplit(url).query)
    assert urlsplit(url).path == "/oidc/logout"
    assert sent["state"] == ["st-1"]
    assert "id_token_hint" not in sent  # Auth0's dialect never puts the ID token in the URL
    assert await app.user() is None


async def test_standard_dialect_refuses_offline_access_without_consent(app: App) -> None:
    use(app, dialect="standard")
    store = app.browser.store_options()
    with pytest.raises(ConfigurationError) as info:
        await app.call("start_interactive_login", store_options=store)
    assert "prompt=consent" in str(info.value)
    url = await app.call(
        "start_interactive_login",
        {"authorization_params": {"prompt": "consent", "audience": API}},
        store_options=store,
    )
    sent = parse_qs(urlsplit(url).query)
    assert sent["resource"] == [API]
    assert "audience" not in sent
