"""Refresh-token rotation, reuse detection, lifetimes and the tenant's refresh-token hooks."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core import FixedClock
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import (
    NOW,
    basic,
    body,
    client_entry,
    config_with_client,
    error_of,
    login_tokens,
    make_tenant,
    post_form,
    refresh,
)

INVALID = {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}


def rotating(clock: FixedClock, **settings: Any) -> Tenant:
    return make_tenant(
        clock, config_with_client(refresh_token={"rotation_type": "rotating", **settings})
    )


def test_each_refresh_rotates(clock: FixedClock) -> None:
    tenant = rotating(clock)
    first = login_tokens(tenant)["refresh_token"]
    second = body(refresh(tenant, first))["refresh_token"]
    third = body(refresh(tenant, second))["refresh_token"]
    assert len({first, second, third}) == 3
    state = tenant.refresh_token_state(first)
    assert state is not None
    assert (state.status, state.rotated_at) == ("rotated", NOW)
    assert tenant.refresh_token_state(third).status == "active"  # type: ignore[union-attr]
    assert tenant.count("/oauth/token", grant_type="refresh_token") == 2


def test_reuse_revokes_the_whole_family(clock: FixedClock) -> None:
    tenant = rotating(clock)
    first = login_tokens(tenant)["refresh_token"]
    second = body(refresh(tenant, first))["refresh_token"]
    clock.advance(1)
    reused = refresh(tenant, first)
    assert reused.status == 400
    assert body(reused) == INVALID
    # even the newest token of the family is dead now
    assert body(refresh(tenant, second)) == INVALID
    assert tenant.refresh_token_state(second).status == "revoked"  # type: ignore[union-attr]
    # another login (another family) is untouched
    other = login_tokens(tenant)["refresh_token"]
    assert refresh(tenant, other).status == 200


def test_reuse_within_leeway_is_accepted(clock: FixedClock) -> None:
    tenant = rotating(clock, leeway=30)
    first = login_tokens(tenant)["refresh_token"]
    second = body(refresh(tenant, first))["refresh_token"]
    clock.advance(29)
    again = refresh(tenant, first)  # e.g. a concurrent refresh that lost the race
    assert again.status == 200
    assert body(again)["refresh_token"] not in (first, second)
    assert refresh(tenant, second).status == 200
    clock.advance(1)  # the overlap period runs from the first rotation
    assert body(refresh(tenant, first)) == INVALID
    assert body(refresh(tenant, second)) == INVALID


def test_non_rotating_token_keeps_working(tenant: Tenant, clock: FixedClock) -> None:
    rt = login_tokens(tenant)["refresh_token"]
    for _ in range(3):
        clock.advance(600)
        tokens = body(refresh(tenant, rt))
        assert "refresh_token" not in tokens
    assert tenant.refresh_token_state(rt).status == "active"  # type: ignore[union-attr]
    assert tenant.count(grant_type="refresh_token") == 3


def test_absolute_lifetime(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(refresh_token={"token_lifetime": 1000}))
    rt = login_tokens(tenant)["refresh_token"]
    state = tenant.refresh_token_state(rt)
    assert state is not None
    assert (state.expires_at, state.idle_expires_at) == (NOW + 1000, NOW + 1_296_000)
    clock.advance(999)
    assert refresh(tenant, rt).status == 200
    clock.advance(1)
    assert body(refresh(tenant, rt)) == INVALID


def test_idle_lifetime_resets_on_use(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(refresh_token={"idle_token_lifetime": 100}))
    rt = login_tokens(tenant)["refresh_token"]
    clock.advance(99)
    assert refresh(tenant, rt).status == 200
    clock.advance(99)
    assert refresh(tenant, rt).status == 200
    assert tenant.refresh_token_state(rt).status == "active"  # type: ignore[union-attr]
    clock.advance(100)
    assert tenant.refresh_token_state(rt).status == "expired"  # type: ignore[union-attr]
    assert body(refresh(tenant, rt)) == INVALID


def test_rotated_tokens_inherit_the_family_lifetime(clock: FixedClock) -> None:
    tenant = rotating(clock, token_lifetime=100)
    rt = login_tokens(tenant)["refresh_token"]
    clock.advance(90)
    newer = body(refresh(tenant, rt))["refresh_token"]
    clock.advance(10)
    assert body(refresh(tenant, newer)) == INVALID


def test_revoke_refresh_tokens_hook(tenant: Tenant) -> None:
    alice = login_tokens(tenant)["refresh_token"]
    bob = login_tokens(tenant, "bob@example.com", "bob-password")["refresh_token"]
    assert tenant.revoke_refresh_tokens("auth0|alice") == 1
    assert error_of(refresh(tenant, alice)) == (400, "invalid_grant")
    assert refresh(tenant, bob).status == 200
    assert tenant.revoke_refresh_tokens() == 1
    assert error_of(refresh(tenant, bob)) == (400, "invalid_grant")
    assert tenant.refresh_token_state("v1.never-issued") is None


def test_revoke_endpoint_revokes_the_family(clock: FixedClock) -> None:
    tenant = rotating(clock, leeway=60)
    first = login_tokens(tenant)["refresh_token"]
    second = body(refresh(tenant, first))["refresh_token"]
    assert post_form(tenant, "/oauth/revoke", {"token": first}, basic()).status == 200
    assert body(refresh(tenant, second)) == INVALID


def test_other_clients_token_is_invalid(clock: FixedClock) -> None:
    other = {"client_id": "other", "client_secret": "other-secret", "callbacks": ["https://x/cb"]}
    config = TenantConfig.from_dict({"clients": [other, client_entry()]})
    tenant = make_tenant(clock, config)
    rt = login_tokens(tenant)["refresh_token"]
    response = post_form(
        tenant,
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": rt},
        basic("other", "other-secret"),
    )
    assert body(response) == INVALID
    assert refresh(tenant, rt).status == 200  # presenting it elsewhere did not revoke it


@pytest.mark.parametrize("status", [400, 403])
def test_refresh_error_status_is_configurable(clock: FixedClock, status: int) -> None:
    tenant = make_tenant(
        clock, TenantConfig.from_dict({"tenant": {"refresh_token_error_status": status}})
    )
    assert error_of(refresh(tenant, "v1.nope")) == (status, "invalid_grant")


def test_grant_not_enabled_for_client(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(grant_types=["authorization_code"]))
    rt = login_tokens(tenant)["refresh_token"]
    response = refresh(tenant, rt)
    assert body(response) == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'refresh_token' not allowed for the client.",
    }
    assert response.status == 400
    assert tenant.count(grant_type="refresh_token") == 1  # logged even when refused
