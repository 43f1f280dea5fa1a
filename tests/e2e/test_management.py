"""Account linking through the Management API (seed 002), in every mode."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from auth0_core import Env, FixedClock
from auth0_core.errors import InvalidArgumentError, ManagementApiError
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from .conftest import INPROCESS_BASE, START, App, run_sync

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fresh_user_directory")]


def pairs(identities: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(i["provider"], str(i["user_id"])) for i in identities]


async def test_link_with_a_prefixed_user_id_and_unlink(app: App) -> None:
    linked = await app.call("link_user_accounts", "auth0|alice", user_id="github|4242")
    assert pairs(linked) == [("auth0", "alice"), ("github", "4242")]
    assert app.tenant.user("github|4242") is None  # no longer a separate user
    paths = [entry.path for entry in app.tenant.log if entry.method == "POST"]
    assert "/api/v2/users/auth0%7Calice/identities" in paths  # the id is percent-encoded

    remaining = await app.call("unlink_user_accounts", "auth0|alice", "github", "github|4242")
    assert pairs(remaining) == [("auth0", "alice")]
    secondary = app.tenant.user("github|4242")
    assert secondary is not None
    assert secondary["user_metadata"] == {}  # Auth0 discards it on linking


async def test_link_with_provider_and_bare_user_id(app: App) -> None:
    linked = await app.call(
        "link_user_accounts", "auth0|alice", provider="google-oauth2", user_id="1001"
    )
    assert ("google-oauth2", "1001") in pairs(linked)


async def test_merge_user_metadata_keeps_the_primary_values(app: App) -> None:
    await app.call(
        "link_user_accounts", "auth0|alice", user_id="github|4242", merge_user_metadata=True
    )
    alice = app.tenant.user("auth0|alice")
    assert alice is not None
    assert alice["user_metadata"] == {"theme": "light", "newsletter": True}


async def test_link_with_the_secondary_id_token(app: App) -> None:
    # The secondary logs in through its own connection; its ID token proves the identity.
    secondary = App(app.mode, app.tenant, app.base_url, app.clock)
    store = secondary.browser.store_options()
    url = await secondary.call(
        "start_interactive_login",
        {"authorization_params": {"connection": "github"}},
        store_options=store,
    )
    secondary.browser.absorb(store)
    flow = browser_login_flow(url, "alice.gh@example.com", "alice-github-password")
    store = secondary.browser.store_options()
    await secondary.call(
        "complete_interactive_login", run_sync(flow, secondary.send), store_options=store
    )
    secondary.browser.absorb(store)
    session = await secondary.call("get_session", store_options=secondary.browser.store_options())
    assert session["user"]["sub"] == "github|4242"

    linked = await app.call(
        "link_user_accounts", "auth0|alice", secondary_id_token=session["id_token"]
    )
    assert ("github", "4242") in pairs(linked)


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"primary_user_id": "auth0|nobody", "user_id": "github|4242"}, 404, "inexistent_user"),
        ({"primary_user_id": "auth0|alice", "user_id": "github|9999"}, 404, "inexistent_user"),
        ({"primary_user_id": "auth0|alice", "user_id": "auth0|alice"}, 400, "invalid_body"),
    ],
)
async def test_management_errors_are_typed(
    app: App, kwargs: dict[str, Any], status: int, code: str
) -> None:
    rest = {k: v for k, v in kwargs.items() if k != "primary_user_id"}
    with pytest.raises(ManagementApiError) as info:
        await app.call("link_user_accounts", kwargs["primary_user_id"], **rest)
    assert (info.value.status, info.value.error_code) == (status, code)


async def test_already_linked_is_a_conflict(app: App) -> None:
    await app.call("link_user_accounts", "auth0|alice", user_id="github|4242")
    with pytest.raises(ManagementApiError) as info:
        await app.call("link_user_accounts", "auth0|bob", user_id="github|4242")
    assert info.value.status in (404, 409)


async def test_failed_link_after_merge_says_the_metadata_was_written(app: App) -> None:
    with pytest.raises(ManagementApiError) as info:
        await app.call(
            "link_user_accounts", "auth0|alice", user_id="auth0|alice", merge_user_metadata=True
        )
    assert info.value.metadata_merged is True


async def test_unlinking_what_is_not_linked_is_404(app: App) -> None:
    with pytest.raises(ManagementApiError) as info:
        await app.call("unlink_user_accounts", "auth0|alice", "github", "4242")
    assert info.value.status == 404


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"secondary_id_token": "a.b.c", "user_id": "github|4242"},
        {"user_id": "4242"},  # no provider either way
        {"secondary_id_token": "a.b.c", "provider": "github"},
    ],
)
async def test_bad_arguments_are_refused_before_any_request(
    app: App, kwargs: dict[str, Any]
) -> None:
    before = len(app.tenant.log)
    with pytest.raises(InvalidArgumentError):
        await app.call("link_user_accounts", "auth0|alice", **kwargs)
    assert len(app.tenant.log) == before


async def test_missing_update_users_scope_is_403(app: App) -> None:
    config = TenantConfig.default()
    grants = tuple(
        attrs.evolve(g, scope=("read:users",)) if g.audience == "management" else g
        for g in config.client_grants
    )
    clock = FixedClock(START)
    tenant = Tenant(
        attrs.evolve(config, client_grants=grants), base_url=INPROCESS_BASE, env=Env(clock=clock)
    )
    mode = app.mode.replace("loopback", "inprocess")
    limited = App(mode, tenant, INPROCESS_BASE, clock)
    with pytest.raises(ManagementApiError) as info:
        await limited.call("link_user_accounts", "auth0|alice", user_id="github|4242")
    assert info.value.status == 403
    assert info.value.error_code == "insufficient_scope"
