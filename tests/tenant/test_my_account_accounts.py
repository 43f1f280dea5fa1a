"""Listing (paged) and deleting connected accounts; listing connectable connections."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core import FixedClock
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import body, login_tokens, make_tenant, token_request
from .test_my_account_support import (
    CALENDAR,
    call,
    connect_account,
    my_account_token,
    problem_of,
)

ACCOUNTS = "/me/v1/connected-accounts/accounts"
GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
FEDERATED = "http://auth0.com/oauth/token-type/federated-connection-access-token"


@pytest.fixture
def token(tenant: Tenant) -> str:
    return my_account_token(tenant)


def _list(tenant: Tenant, token: str, *query: tuple[str, str]) -> dict[str, Any]:
    response = call(tenant, "GET", "/accounts", token, query=list(query))
    assert response.status == 200, response.body
    assert response.header("content-type") == "application/json"
    return body(response)


def _all_pages(tenant: Tenant, token: str, take: int, path: str = "/accounts") -> list[Any]:
    member = path.strip("/")
    items: list[Any] = []
    cursor: str | None = None
    while True:
        query = [("take", str(take))] + ([("from", cursor)] if cursor else [])
        page = body(call(tenant, "GET", path, token, query=query))
        assert len(page[member]) <= take
        items.extend(page[member])
        cursor = page.get("next")
        if cursor is None:
            return items


def test_configured_accounts_are_listed_with_stable_ids(
    tenant: Tenant, token: str, clock: FixedClock
) -> None:
    page = _list(tenant, token)
    [account] = page["accounts"]
    assert "next" not in page
    assert account == {
        "id": account["id"],
        "connection": "google-oauth2",
        "access_type": "offline",
        "scopes": ["openid", CALENDAR],
        "created_at": "2026-01-01T00:00:00Z",
    }
    other = make_tenant(clock)  # another tenant from the same configuration
    assert other.connected_accounts("auth0|alice")[0]["id"] == account["id"]


def test_a_user_without_accounts_gets_an_empty_list(tenant: Tenant) -> None:
    bob = my_account_token(tenant, "bob@example.com", "bob-password")
    assert _list(tenant, bob) == {"accounts": []}


@pytest.mark.parametrize(
    ("count", "take", "pages"),
    [(0, 10, 1), (1, 10, 1), (9, 10, 1), (10, 10, 2), (94, 20, 5), (94, 1, 95)],
)
def test_paging_visits_every_account_once(
    tenant: Tenant, token: str, count: int, take: int, pages: int
) -> None:
    added = tenant.add_connected_accounts("auth0|alice", count, connection="github")
    before = tenant.count(ACCOUNTS, method="GET")
    listed = _all_pages(tenant, token, take)
    assert listed == tenant.connected_accounts("auth0|alice")
    assert listed[1:] == added
    assert len(listed) == count + 1
    assert tenant.count(ACCOUNTS, method="GET") - before == pages


def test_take_defaults_to_ten(tenant: Tenant, token: str) -> None:
    tenant.add_connected_accounts("auth0|alice", 10)  # eleven with the configured one
    first = _list(tenant, token)
    assert len(first["accounts"]) == 10
    second = _list(tenant, token, ("from", first["next"]))
    assert len(second["accounts"]) == 1
    assert "next" not in second


def test_a_deletion_between_pages_neither_repeats_nor_skips(tenant: Tenant, token: str) -> None:
    tenant.add_connected_accounts("auth0|alice", 4)
    everything = tenant.connected_accounts("auth0|alice")
    first = _list(tenant, token, ("take", "2"))
    assert first["accounts"] == everything[:2]
    assert call(tenant, "DELETE", f"/accounts/{everything[1]['id']}", token).status == 204
    assert call(tenant, "DELETE", f"/accounts/{everything[2]['id']}", token).status == 204
    rest = _list(tenant, token, ("take", "2"), ("from", first["next"]))
    assert rest["accounts"] == everything[3:]


def test_connection_filter_may_repeat(tenant: Tenant, token: str) -> None:
    tenant.add_connected_accounts("auth0|alice", 2, connection="github")
    tenant.add_connected_accounts("auth0|alice", 1, connection="windowslive")
    github = _list(tenant, token, ("connection", "github"))["accounts"]
    assert [a["connection"] for a in github] == ["github", "github"]
    both = _list(tenant, token, ("connection", "github"), ("connection", "google-oauth2"))
    assert sorted(a["connection"] for a in both["accounts"]) == [
        "github",
        "github",
        "google-oauth2",
    ]
    assert _list(tenant, token, ("connection", "nothing"))["accounts"] == []


def test_accounts_are_per_user(tenant: Tenant, token: str) -> None:
    tenant.add_connected_accounts("auth0|bob", 3)
    assert len(_list(tenant, token)["accounts"]) == 1
    bob = my_account_token(tenant, "bob@example.com", "bob-password")
    assert len(_list(tenant, bob)["accounts"]) == 3
    alice_account = tenant.connected_accounts("auth0|alice")[0]["id"]
    response = call(tenant, "DELETE", f"/accounts/{alice_account}", bob)
    assert response.status == 404
    assert len(tenant.connected_accounts("auth0|alice")) == 1


def test_expires_at_and_org_id_appear_when_known(tenant: Tenant, token: str) -> None:
    [added] = tenant.add_connected_accounts("auth0|alice", expires_at=1_798_761_600)
    assert added["expires_at"] == "2027-01-01T00:00:00Z"
    assert "org_id" not in added


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ([("take", "21")], "must be <= 20"),
        ([("take", "0")], "must be >= 1"),
        ([("take", "-1")], "must be integer"),
        ([("take", "ten")], "must be integer"),
        ([("take", "1.5")], "must be integer"),
        ([("take", "")], "must be integer"),
        ([("take", "1"), ("take", "2")], "must not be repeated"),
        ([("from", "")], "fewer than 1"),
        ([("from", "garbage!")], "not a valid cursor"),
        ([("from", "Zm9vOjE")], "not a valid cursor"),
        ([("from", "x" * 300)], "not a valid cursor"),
        ([("connection", "")], "1 to 128"),
        ([("connection", f"c{n}") for n in range(21)], "more than 20"),
    ],
)
def test_bad_query_parameters_are_400_with_validation_errors(
    tenant: Tenant, token: str, query: list[tuple[str, str]], detail: str
) -> None:
    response = call(tenant, "GET", "/accounts", token, query=query)
    assert response.status == 400
    problem = problem_of(response)
    assert problem["detail"] == "Invalid request query input"
    [error] = problem["validation_errors"]
    assert detail in error["detail"]
    assert error["source"] == "query"
    assert error["pointer"] == f"/{error['field']}"


def test_a_cursor_of_the_other_list_or_tenant_is_refused(clock: FixedClock, token: str) -> None:
    tenant = make_tenant(clock)
    tenant.add_connected_accounts("auth0|alice", 3)
    next_accounts = _list(tenant, token, ("take", "1"))["next"]
    next_connections = body(call(tenant, "GET", "/connections", token, query=[("take", "1")]))[
        "next"
    ]
    wrong = call(tenant, "GET", "/accounts", token, query=[("from", next_connections)])
    assert wrong.status == 400
    wrong = call(tenant, "GET", "/connections", token, query=[("from", next_accounts)])
    assert wrong.status == 400
    other = make_tenant(clock)
    other_token = my_account_token(other)
    assert (
        call(other, "GET", "/accounts", other_token, query=[("from", next_accounts)]).status == 400
    )


def test_a_misbehaving_tenant_repeats_the_cursor(tenant: Tenant, token: str) -> None:
    tenant.add_connected_accounts("auth0|alice", 20)
    tenant.settings.repeat_next_cursor = True
    first = _list(tenant, token)
    second = _list(tenant, token, ("from", first["next"]))
    third = _list(tenant, token, ("from", second["next"]))
    assert first["next"] == second["next"] == third["next"]
    assert second["accounts"] == third["accounts"]
    tenant.settings.repeat_next_cursor = False
    assert "next" in _list(tenant, token, ("from", first["next"]))  # 21 accounts: 3 pages


def test_delete_answers_204_and_the_vault_forgets(tenant: Tenant) -> None:
    refresh_token = login_tokens(tenant)["refresh_token"]
    token = my_account_token(tenant)
    exchange = {
        "grant_type": GRANT,
        "subject_token": refresh_token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:refresh_token",
        "requested_token_type": FEDERATED,
        "connection": "google-oauth2",
    }
    assert token_request(tenant, exchange).status == 200
    [account] = tenant.connected_accounts("auth0|alice")
    response = call(tenant, "DELETE", f"/accounts/{account['id']}", token)
    assert (response.status, response.body) == (204, b"")
    assert tenant.connected_accounts("auth0|alice") == []
    assert tenant.vault_token("auth0|alice", "google-oauth2") is None
    refused = token_request(tenant, exchange)
    assert (refused.status, body(refused)["error"]) == (
        401,
        "federated_connection_refresh_token_not_found",
    )
    again = call(tenant, "DELETE", f"/accounts/{account['id']}", token)
    assert again.status == 404
    assert "not found" in problem_of(again)["detail"]


def test_connect_after_delete_gives_a_new_account(tenant: Tenant, token: str) -> None:
    first = connect_account(tenant, token)
    assert call(tenant, "DELETE", f"/accounts/{first['id']}", token).status == 204
    second = connect_account(tenant, token)
    assert second["id"] != first["id"]


@pytest.mark.parametrize("account_id", ["nope", "cac_", "cac_a-b", "cac_%0A"])
def test_delete_checks_the_id_pattern(tenant: Tenant, token: str, account_id: str) -> None:
    response = call(tenant, "DELETE", f"/accounts/{account_id}", token)
    assert response.status == 400
    [error] = problem_of(response)["validation_errors"]
    assert (error["field"], error["source"]) == ("id", "path")


def test_connections_list_and_paging(tenant: Tenant, token: str) -> None:
    response = call(tenant, "GET", "/connections", token)
    assert response.status == 200
    assert body(response) == {
        "connections": [
            {
                "name": "google-oauth2",
                "strategy": "google-oauth2",
                "scopes": ["openid", "email", "profile", CALENDAR],
            },
            {"name": "github", "strategy": "github", "scopes": ["read:user", "repo"]},
            {
                "name": "windowslive",
                "strategy": "windowslive",
                "scopes": ["openid", "offline_access", "User.Read", "Calendars.Read"],
            },
        ]
    }
    names = [c["name"] for c in _all_pages(tenant, token, 2, "/connections")]
    assert names == ["google-oauth2", "github", "windowslive"]
    assert len(_all_pages(tenant, token, 1, "/connections")) == 3


def test_connections_come_from_the_configuration(clock: FixedClock) -> None:
    config = TenantConfig.from_dict(
        {
            "connections": [{"name": "github", "strategy": "github"}],
            "connected_account_connections": [
                {"name": "github", "scopes": ["repo"]},
                {"name": "my-oidc", "strategy": "oidc"},
            ],
        }
    )
    tenant = make_tenant(clock, config)
    token = my_account_token(tenant)
    assert body(call(tenant, "GET", "/connections", token))["connections"] == [
        {"name": "github", "strategy": "github", "scopes": ["repo"]},
        {"name": "my-oidc", "strategy": "oidc", "scopes": []},
    ]
