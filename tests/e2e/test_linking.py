"""User linking and unlinking through /authorize, end to end in every mode, with the calls
of seed 000 written as the seed writes them (see each test for the typos fixed)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.errors import (
    AuthorizationError,
    IdTokenError,
    InvalidArgumentError,
    MissingTransactionError,
    StartLinkUserError,
)
from auth0_core.tenant.browser import browser_login_flow

from .conftest import App, run_sync

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fresh_user_directory")]
CALLBACK = "http://localhost:3000/auth/callback"


def seed_client(app: App) -> Any:
    # Seed 000, "Start Linking The User": the constructor with global authorization_params.
    # Typo fixed: `"redirect_uri"="..."` is written `"redirect_uri": "..."`.
    return app.make_client(
        authorization_params={
            "audience": "urn:custom:api",
            "redirect_uri": "http://localhost:3000/auth/callback",
            "scope": "openid profile email offline_access",
        },
    )


def identities(app: App, user_id: str = "auth0|alice") -> list[tuple[str, str]]:
    user = app.tenant.user(user_id)
    assert user is not None
    return [(i["provider"], str(i["user_id"])) for i in user["identities"]]


def secondary_login(app: App, url: str, email: str, password: str) -> str:
    flow = browser_login_flow(url, email, password, allow_error=True)
    return str(run_sync(flow, app.send))


async def link(app: App, options: dict[str, Any], email: str, password: str) -> Any:
    store_options = app.browser.store_options()
    link_user_url = await app.call("start_link_user", options, store_options=store_options)
    app.browser.absorb(store_options)
    callback_url = secondary_login(app, link_user_url, email, password)
    store_options = app.browser.store_options()
    result = await app.call("complete_link_user", callback_url, store_options=store_options)
    app.browser.absorb(store_options)
    return result


async def test_seed_link_then_unlink(app: App) -> None:
    app.client = seed_client(app)
    await app.login()
    before = dict(await app.call("get_session", store_options=app.browser.store_options()))

    # Seed 000: "Start the link user flow by providing options programmatically."
    options = {
        "connection": "google-oauth2",
        "connection_scope": "https://www.googleapis.com/auth/calendar.readonly",
        "authorization_params": {"redirect_uri": "http://localhost:3000/auth/callback"},
        "app_state": {"returnTo": "http://localhost:3000"},
    }
    store_options = app.browser.store_options()
    link_user_url = await app.call("start_link_user", options, store_options=store_options)
    app.browser.absorb(store_options)
    sent = parse_qs(urlsplit(link_user_url).query)
    assert sent["scope"] == ["openid link_account"]
    assert sent["requested_connection"] == ["google-oauth2"]
    assert sent["requested_connection_scope"] == [options["connection_scope"]]
    assert sent["id_token_hint"] == [before["id_token"]]
    assert sent["audience"] == ["urn:custom:api"]  # the global parameter, as the seed says
    assert sent["redirect_uri"] == [CALLBACK]

    callback_url = secondary_login(app, link_user_url, "alice@gmail.com", "alice-google-password")
    store_options = app.browser.store_options()
    result = await app.call("complete_link_user", callback_url, store_options=store_options)
    app.browser.absorb(store_options)
    assert result.get("app_state") == {"returnTo": "http://localhost:3000"}
    assert result.get("appState") == {"returnTo": "http://localhost:3000"}
    assert ("google-oauth2", "1001") in identities(app)
    store_options = app.browser.store_options()
    with pytest.raises(MissingTransactionError):  # a replayed callback
        await app.call("complete_link_user", callback_url, store_options=store_options)

    after = dict(await app.call("get_session", store_options=app.browser.store_options()))
    assert after["user"]["sub"] == "auth0|alice"
    assert after["refresh_token"] == before["refresh_token"]  # kept: the link brought none
    assert after["token_sets"][0] == before["token_sets"][0]

    # Seed 000: "Start the unlink user flow by providing the connection to unlink."
    options = {
        "connection": "google-oauth2",  # The connection to unlink
        "authorization_params": {"redirect_uri": "http://localhost:3000/auth/callback"},
        "app_state": {"returnTo": "http://localhost:3000/profile"},
    }
    store_options = app.browser.store_options()
    unlink_user_url = await app.call("start_unlink_user", options, store_options=store_options)
    app.browser.absorb(store_options)
    assert parse_qs(urlsplit(unlink_user_url).query)["scope"] == ["openid unlink_account"]
    callback_url = str(run_sync(browser_login_flow(unlink_user_url, "", ""), app.send))
    store_options = app.browser.store_options()
    result = await app.call("complete_unlink_user", callback_url, store_options=store_options)
    app.browser.absorb(store_options)
    assert result.get("app_state") == {"returnTo": "http://localhost:3000/profile"}
    assert ("google-oauth2", "1001") not in identities(app)
    assert app.tenant.user("google-oauth2|1001") is not None  # a separate user again


async def unlink(app: App, connection: str) -> Any:
    store_options = app.browser.store_options()
    url = await app.call(
        "start_unlink_user", {"connection": connection}, store_options=store_options
    )
    app.browser.absorb(store_options)
    callback_url = str(run_sync(browser_login_flow(url, "", ""), app.send))  # no login page
    store_options = app.browser.store_options()
    result = await app.call("complete_unlink_user", callback_url, store_options=store_options)
    app.browser.absorb(store_options)
    return result


def session_id_token_claims(session: Any) -> dict[str, Any]:
    payload = str(session["id_token"]).split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_profile_claims_survive_a_link_and_an_unlink(app: App) -> None:
    await app.login()
    profile = {"name": "Alice Example", "email": "alice@example.com", "nickname": "alice"}
    assert (await app.user()).items() >= profile.items()

    result = await link(
        app, {"connection": "github"}, "alice.gh@example.com", "alice-github-password"
    )
    session = await app.call("get_session", store_options=app.browser.store_options())
    # The link's ID token is for `openid` only: the profile comes from the earlier login.
    assert not set(profile) & set(session_id_token_claims(session))
    assert session["user"]["sub"] == "auth0|alice"
    assert session["user"].items() >= profile.items()
    assert result.user.items() >= profile.items()
    assert ("github", "4242") in identities(app)

    result = await unlink(app, "github")
    assert ("github", "4242") not in identities(app)
    assert (await app.user()).items() >= profile.items()
    assert result.user.items() >= profile.items()


async def test_seed_app_state_round_trip_and_both_spellings(app: App) -> None:
    await app.login()
    # Seed 000 "Passing App State": the fragment names no connection; it completes the
    # options of the first snippet, so the connection is added here.
    options = {"app_state": {"return_to": "http://localhost:3000/dashboard"}}
    options["connection"] = "github"  # type: ignore[assignment]
    result = await link(app, options, "alice.gh@example.com", "alice-github-password")
    assert result.get("app_state").get("return_to") == "http://localhost:3000/dashboard"
    assert result.get("appState").get("return_to") == "http://localhost:3000/dashboard"
    assert ("github", "4242") in identities(app)


async def test_seed_per_call_params_override_global_ones_key_by_key(app: App) -> None:
    app.client = seed_client(app)
    await app.login()
    # Seed 000 "Per-call Override" (connection added: the fragment names none).
    options = {"authorization_params": {"audience": "urn:another:api", "foo": "bar"}}
    options["connection"] = "github"  # type: ignore[assignment]
    store_options = app.browser.store_options()
    url = await app.call("start_link_user", options, store_options=store_options)
    sent = parse_qs(urlsplit(url).query)
    assert sent["audience"] == ["urn:another:api"]  # per call wins
    assert sent["foo"] == ["bar"]
    assert sent["redirect_uri"] == [CALLBACK]  # global kept
    assert sent["scope"] == ["openid link_account"]  # the global scope never applies here


@pytest.mark.parametrize(
    "key", ["scope", "state", "nonce", "id_token_hint", "requested_connection", "client_id"]
)
async def test_reserved_link_params_are_refused(app: App, key: str) -> None:
    await app.login()
    options = {"connection": "github", "authorization_params": {key: "x"}}
    with pytest.raises(InvalidArgumentError):
        await app.call("start_link_user", options, store_options=app.browser.store_options())


async def test_linking_needs_a_logged_in_user(app: App) -> None:
    with pytest.raises(StartLinkUserError):
        await app.call(
            "start_link_user", {"connection": "github"}, store_options=app.browser.store_options()
        )
    with pytest.raises(StartLinkUserError):
        await app.call(
            "start_unlink_user", {"connection": "github"}, store_options=app.browser.store_options()
        )


async def test_id_token_for_another_user_leaves_the_session_untouched(app: App) -> None:
    await app.login()
    before = await app.call("get_session", store_options=app.browser.store_options())
    app.tenant.id_token_hook = lambda claims, header: ({**claims, "sub": "auth0|bob"}, header)
    try:
        with pytest.raises(IdTokenError) as info:
            await link(
                app, {"connection": "github"}, "alice.gh@example.com", "alice-github-password"
            )
    finally:
        app.tenant.id_token_hook = None
    assert info.value.claim == "sub"
    assert await app.call("get_session", store_options=app.browser.store_options()) == before


async def test_error_callback_replay_and_wrong_state_change_nothing(app: App) -> None:
    await app.login()
    before = await app.call("get_session", store_options=app.browser.store_options())
    store_options = app.browser.store_options()
    url = await app.call("start_link_user", {"connection": "github"}, store_options=store_options)
    app.browser.absorb(store_options)
    state = parse_qs(urlsplit(url).query)["state"][0]

    wrong = f"{CALLBACK}?code=abc&state=not-{state}"
    with pytest.raises(MissingTransactionError):
        await app.call("complete_link_user", wrong, store_options=app.browser.store_options())

    callback = secondary_login(app, url, "alice.gh@example.com", "alice-github-password")
    denied = f"{CALLBACK}?error=access_denied&error_description=no&state={state}"
    store_options = app.browser.store_options()
    with pytest.raises(AuthorizationError):
        await app.call("complete_link_user", denied, store_options=store_options)
    app.browser.absorb(store_options)
    with pytest.raises(MissingTransactionError):  # the error consumed the transaction
        await app.call("complete_link_user", callback, store_options=app.browser.store_options())
    assert await app.call("get_session", store_options=app.browser.store_options()) == before


async def test_another_sessions_transaction_is_refused(app: App) -> None:
    await app.login()
    store_options = app.browser.store_options()
    url = await app.call("start_link_user", {"connection": "github"}, store_options=store_options)
    app.browser.absorb(store_options)
    callback = secondary_login(app, url, "alice.gh@example.com", "alice-github-password")

    bob = App(app.mode, app.tenant, app.base_url, app.clock)
    bob.client = app.client  # same application, another browser
    await bob.login("bob")
    bob_before = await bob.call("get_session", store_options=bob.browser.store_options())
    with pytest.raises((MissingTransactionError, IdTokenError)):
        await bob.call("complete_link_user", callback, store_options=bob.browser.store_options())
    assert await bob.call("get_session", store_options=bob.browser.store_options()) == bob_before


async def test_a_login_callback_is_not_a_link_callback(app: App) -> None:
    store_options = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store_options)
    app.browser.absorb(store_options)
    callback = app.browser_login(url)
    await app.login()
    with pytest.raises(MissingTransactionError):
        await app.call("complete_link_user", callback, store_options=app.browser.store_options())
