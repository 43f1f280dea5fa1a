"""The federated-connection access-token exchange against the tenant's emulated Token Vault."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core import FixedClock, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import (
    API,
    body,
    config_with_client,
    error_of,
    login_tokens,
    make_tenant,
    token_request,
)

GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
FEDERATED = "http://auth0.com/oauth/token-type/federated-connection-access-token"
RT_TYPE = "urn:ietf:params:oauth:token-type:refresh_token"
AT_TYPE = "urn:ietf:params:oauth:token-type:access_token"
CALENDAR = "https://www.googleapis.com/auth/calendar.readonly"


def exchange_for_connection(
    tenant: Tenant, subject: str, subject_type: str = RT_TYPE, **extra: str
) -> HttpResponse:
    fields = {
        "grant_type": GRANT,
        "subject_token": subject,
        "subject_token_type": subject_type,
        "requested_token_type": FEDERATED,
        "connection": "google-oauth2",
        **extra,
    }
    return token_request(tenant, {k: v for k, v in fields.items() if v})


@pytest.fixture
def alice_rt(tenant: Tenant) -> str:
    return str(login_tokens(tenant)["refresh_token"])


def test_exchange_returns_the_vaulted_upstream_token(tenant: Tenant, alice_rt: str) -> None:
    assert tenant.vault_token("auth0|alice", "google-oauth2") is None  # minted lazily
    response = exchange_for_connection(tenant, alice_rt)
    assert response.status == 200
    assert response.header("cache-control") == "no-store"
    tokens = body(response)
    assert tokens == {
        "access_token": tenant.vault_token("auth0|alice", "google-oauth2"),
        "scope": f"openid {CALENDAR}",
        "expires_in": 3600,
        "issued_token_type": FEDERATED,
        "token_type": "Bearer",
    }
    assert tokens["access_token"].startswith("ya29.")
    assert tenant.count("/oauth/token", grant_type=GRANT) == 1


def test_upstream_token_reused_until_expiry(
    tenant: Tenant, alice_rt: str, clock: FixedClock
) -> None:
    first = body(exchange_for_connection(tenant, alice_rt))
    clock.advance(3000)
    second = body(exchange_for_connection(tenant, alice_rt))
    assert second["access_token"] == first["access_token"]
    assert second["expires_in"] == 600  # the remaining lifetime
    clock.advance(600)
    assert tenant.vault_token("auth0|alice", "google-oauth2") is None  # expired
    third = body(exchange_for_connection(tenant, alice_rt))
    assert third["access_token"] != first["access_token"]
    assert third["expires_in"] == 3600
    assert tenant.vault_token("auth0|alice", "google-oauth2") == third["access_token"]


def _two_accounts(clock: FixedClock) -> Tenant:
    accounts: list[dict[str, Any]] = [
        {"connection": "google-oauth2", "login_hint": "work@corp.example", "scopes": ["a"]},
        {"connection": "google-oauth2", "login_hint": "me@gmail.com", "scopes": ["b"]},
    ]
    users = [{"email": "alice@example.com", "password": "pw", "connected_accounts": accounts}]
    return make_tenant(clock, TenantConfig.from_dict({"users": users}))


def test_login_hint_selects_the_account(clock: FixedClock) -> None:
    tenant = _two_accounts(clock)
    rt = login_tokens(tenant, password="pw")["refresh_token"]
    personal = body(exchange_for_connection(tenant, rt, login_hint="me@gmail.com"))
    assert personal["scope"] == "b"
    assert (
        tenant.vault_token("auth0|alice", "google-oauth2", "me@gmail.com")
        == (personal["access_token"])
    )
    work = body(exchange_for_connection(tenant, rt, login_hint="work@corp.example"))
    assert work["scope"] == "a"
    assert work["access_token"] != personal["access_token"]
    assert body(exchange_for_connection(tenant, rt))["scope"] == "a"  # no hint: the first
    missing = exchange_for_connection(tenant, rt, login_hint="nobody@gmail.com")
    assert error_of(missing) == (401, "federated_connection_refresh_token_not_found")


def test_no_connected_account_is_401(tenant: Tenant) -> None:
    bob_rt = login_tokens(tenant, "bob@example.com", "bob-password")["refresh_token"]
    response = exchange_for_connection(tenant, bob_rt)
    assert response.status == 401
    assert body(response) == {
        "error": "federated_connection_refresh_token_not_found",
        "error_description": "Federated connection Refresh Token not found.",
    }
    alice_rt = login_tokens(tenant)["refresh_token"]
    other = exchange_for_connection(tenant, alice_rt, connection="Username-Password-Authentication")
    assert error_of(other) == (401, "federated_connection_refresh_token_not_found")


def test_access_token_subject(tenant: Tenant, clock: FixedClock) -> None:
    access_token = login_tokens(tenant, audience=API)["access_token"]
    response = exchange_for_connection(tenant, access_token, AT_TYPE)
    assert response.status == 200
    assert body(response)["access_token"] == tenant.vault_token("auth0|alice", "google-oauth2")
    clock.advance(86400)  # the access token has expired
    assert error_of(exchange_for_connection(tenant, access_token, AT_TYPE)) == (
        400,
        "invalid_grant",
    )


def test_invalid_subject_tokens(tenant: Tenant, alice_rt: str) -> None:
    tokens = login_tokens(tenant)
    for subject, kind in [
        ("v1.unknown", RT_TYPE),
        ("not-a-jwt", AT_TYPE),
        (tokens["id_token"], AT_TYPE),  # an ID token is not an access token
        (alice_rt, AT_TYPE),  # wrong type for the token
        (tokens["access_token"], RT_TYPE),
    ]:
        assert error_of(exchange_for_connection(tenant, subject, kind)) == (400, "invalid_grant")
    tenant.revoke_refresh_tokens("auth0|alice")
    assert error_of(exchange_for_connection(tenant, alice_rt)) == (400, "invalid_grant")


def test_client_credentials_token_is_not_a_subject(tenant: Tenant) -> None:
    fields = {"grant_type": "client_credentials", "audience": API}
    cc_token = body(token_request(tenant, fields))["access_token"]
    assert error_of(exchange_for_connection(tenant, cc_token, AT_TYPE)) == (400, "invalid_grant")


def test_rotating_client_is_refused(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(refresh_token={"rotation_type": "rotating"}))
    rt = login_tokens(tenant)["refresh_token"]
    response = exchange_for_connection(tenant, rt)
    assert response.status == 400
    assert body(response) == {
        "error": "invalid_request",
        "error_description": "Refresh token rotation must be disabled for token vault exchange.",
    }
    assert tenant.refresh_token_state(rt).status == "active"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "extra",
    [
        {"audience": API},
        {"resource": API},
        {"connection": ""},
        {"requested_token_type": ""},
        {"requested_token_type": "urn:ietf:params:oauth:token-type:access_token"},
        {"subject_token_type": "urn:ietf:params:oauth:token-type:id_token"},
        {"connection": "gitlab"},  # no such connection on the tenant
    ],
)
def test_malformed_requests(tenant: Tenant, alice_rt: str, extra: dict[str, str]) -> None:
    subject_type = extra.pop("subject_token_type", RT_TYPE)
    response = exchange_for_connection(tenant, alice_rt, subject_type, **extra)
    assert error_of(response) == (400, "invalid_request")


def test_exchange_keeps_the_refresh_token_alive(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(refresh_token={"idle_token_lifetime": 100}))
    rt = login_tokens(tenant)["refresh_token"]
    for _ in range(3):
        clock.advance(90)
        assert exchange_for_connection(tenant, rt).status == 200
    assert tenant.refresh_token_state(rt).status == "active"  # type: ignore[union-attr]


def test_grant_can_be_disabled_per_client(clock: FixedClock) -> None:
    tenant = make_tenant(
        clock, config_with_client(grant_types=["authorization_code", "refresh_token"])
    )
    rt = login_tokens(tenant)["refresh_token"]
    assert error_of(exchange_for_connection(tenant, rt)) == (400, "unauthorized_client")
