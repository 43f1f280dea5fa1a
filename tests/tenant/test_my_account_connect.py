"""Connecting an account through the My Account API: connect, the consent page, complete."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from auth0_core import FixedClock, HttpRequest
from auth0_core.tenant import (
    BrowserConnectError,
    Tenant,
    browser_connect_flow,
    browser_deny_connect_flow,
)

from .tenant_helpers import (
    BASE,
    CALLBACK,
    body,
    error_of,
    pkce,
    post_form,
    query_of,
    run_flow,
    token_request,
)
from .test_my_account_support import (
    CALENDAR,
    call,
    complete_payload,
    connect_account,
    connect_payload,
    connect_url,
    consent,
    my_account_token,
    problem_of,
    start_connect,
)

GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
FEDERATED = "http://auth0.com/oauth/token-type/federated-connection-access-token"


@pytest.fixture
def token(tenant: Tenant) -> str:
    return my_account_token(tenant)


def _vault_exchange(tenant: Tenant, access_token: str, connection: str) -> tuple[int, str]:
    response = token_request(
        tenant,
        {
            "grant_type": GRANT,
            "subject_token": access_token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "requested_token_type": FEDERATED,
            "connection": connection,
        },
    )
    return response.status, str(body(response).get("error", ""))


def test_connect_answers_a_ticket_for_the_consent_page(tenant: Tenant, token: str) -> None:
    started, _ = start_connect(tenant, token)
    assert set(started) == {"connect_uri", "auth_session", "connect_params", "expires_in"}
    assert started["connect_uri"] == BASE + "/connect"
    assert 1 <= len(started["auth_session"]) <= 64
    assert set(started["connect_params"]) == {"ticket"}
    assert started["expires_in"] == 300
    assert tenant.count("/me/v1/connected-accounts/connect", method="POST") == 1


def test_the_whole_connect_feeds_the_token_vault(tenant: Tenant, token: str) -> None:
    assert _vault_exchange(tenant, token, "github") == (
        401,
        "federated_connection_refresh_token_not_found",
    )
    started, verifier = start_connect(tenant, token, scopes=["read:user", "repo"])
    callback = consent(tenant, started)
    assert callback == {"connect_code": callback["connect_code"], "state": "connect-state-1"}
    assert 1 <= len(callback["connect_code"]) <= 46
    response = call(
        tenant, "POST", "/complete", token, complete_payload(started, callback, verifier)
    )
    assert response.status == 201
    account = body(response)
    assert re.fullmatch(r"cac_[A-Za-z0-9]+", account["id"])
    assert account == {
        "id": account["id"],
        "connection": "github",
        "access_type": "offline",
        "scopes": ["read:user", "repo"],
        "created_at": "2026-01-01T00:00:00Z",
    }
    assert account in tenant.connected_accounts("auth0|alice")
    status, _ = _vault_exchange(tenant, token, "github")
    assert status == 200
    assert tenant.vault_token("auth0|alice", "github") is not None


def test_scopes_default_to_the_connections_and_login_hint_names_the_account(
    tenant: Tenant, token: str
) -> None:
    account = connect_account(
        tenant,
        token,
        connection="google-oauth2",
        authorization_params={"login_hint": "work@corp.example", "prompt": "consent"},
    )
    assert account["scopes"] == ["openid", "email", "profile", CALENDAR]
    assert len(tenant.connected_accounts("auth0|alice")) == 2  # the configured one stays
    assert tenant.vault_token("auth0|alice", "google-oauth2", "work@corp.example") is None
    exchange = token_request(
        tenant,
        {
            "grant_type": GRANT,
            "subject_token": token,
            "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
            "requested_token_type": FEDERATED,
            "connection": "google-oauth2",
            "login_hint": "work@corp.example",
        },
    )
    assert body(exchange)["scope"] == f"openid email profile {CALENDAR}"


def test_a_connection_only_connected_accounts_know_works_with_the_vault(
    tenant: Tenant, token: str
) -> None:
    connect_account(tenant, token, connection="windowslive")
    assert _vault_exchange(tenant, token, "windowslive")[0] == 200
    assert (tenant.vault_token("auth0|alice", "windowslive") or "").startswith("upstream.")


def test_the_consent_page_shows_connection_and_scopes(tenant: Tenant, token: str) -> None:
    started, _ = start_connect(tenant, token, scopes=["read:user", "<b>"])
    page = tenant.handle(HttpRequest(method="GET", url=connect_url(started)))
    assert page.status == 200
    assert page.header("content-type") == "text/html; charset=utf-8"
    text = page.body.decode()
    assert "Demo Client" in text
    assert 'data-connection="github"' in text
    assert "<li>read:user</li>" in text
    assert "&lt;b&gt;" in text
    assert "<b>" not in text.split("<ul", 1)[1]
    assert 'value="allow"' in text
    assert 'value="deny"' in text
    # Opening the page does not use the ticket up.
    assert tenant.handle(HttpRequest(method="GET", url=connect_url(started))).status == 200


def test_deny_redirects_with_access_denied_and_connects_nothing(tenant: Tenant, token: str) -> None:
    started, _ = start_connect(tenant, token)
    callback = run_flow(browser_deny_connect_flow(connect_url(started)), tenant.handle)
    assert callback.startswith(CALLBACK + "?")
    query = query_of(callback)
    assert query["error"] == "access_denied"
    assert query["state"] == "connect-state-1"
    assert "github" in query["error_description"]
    assert len(tenant.connected_accounts("auth0|alice")) == 1
    with pytest.raises(BrowserConnectError):  # the ticket is used up
        run_flow(browser_connect_flow(connect_url(started)), tenant.handle)


def test_a_ticket_is_single_use_and_expires(tenant: Tenant, token: str, clock: FixedClock) -> None:
    started, _ = start_connect(tenant, token)
    consent(tenant, started)
    with pytest.raises(BrowserConnectError) as used:
        consent(tenant, started)
    assert used.value.status == 400
    ticket = started["connect_params"]["ticket"]
    replayed = post_form(tenant, "/connect", {"ticket": ticket, "decision": "allow"})
    assert replayed.status == 400
    late, _ = start_connect(tenant, token)
    clock.advance(300)
    with pytest.raises(BrowserConnectError):
        consent(tenant, late)


@pytest.mark.parametrize(
    "fields",
    [
        {"decision": "allow"},
        {"ticket": "nope", "decision": "allow"},
        {"ticket": "nope", "decision": "maybe"},
        {},
    ],
)
def test_consent_form_without_a_usable_ticket_is_an_error_page(
    tenant: Tenant, fields: dict[str, str]
) -> None:
    response = post_form(tenant, "/connect", fields)
    assert response.status == 400
    assert response.header("content-type") == "text/html; charset=utf-8"


def test_consent_page_without_a_ticket(tenant: Tenant) -> None:
    for url in (f"{BASE}/connect", f"{BASE}/connect?ticket=unknown"):
        assert tenant.handle(HttpRequest(method="GET", url=url)).status == 400


def test_a_typo_in_the_decision_keeps_the_ticket(tenant: Tenant, token: str) -> None:
    started, _ = start_connect(tenant, token)
    ticket = started["connect_params"]["ticket"]
    assert post_form(tenant, "/connect", {"ticket": ticket, "decision": "yes"}).status == 400
    assert "connect_code" in consent(tenant, started)


def _complete(
    tenant: Tenant, token: str, started: dict[str, Any], callback: dict[str, str], verifier: str
) -> Any:
    return call(tenant, "POST", "/complete", token, complete_payload(started, callback, verifier))


def test_a_connect_code_is_single_use(tenant: Tenant, token: str) -> None:
    started, verifier = start_connect(tenant, token)
    callback = consent(tenant, started)
    assert _complete(tenant, token, started, callback, verifier).status == 201
    again = _complete(tenant, token, started, callback, verifier)
    assert again.status == 400
    assert "connect_code" in problem_of(again)["detail"]


def test_a_connect_code_expires(tenant: Tenant, token: str, clock: FixedClock) -> None:
    started, verifier = start_connect(tenant, token)
    callback = consent(tenant, started)
    clock.advance(60)
    assert _complete(tenant, token, started, callback, verifier).status == 400
    assert len(tenant.connected_accounts("auth0|alice")) == 1


@pytest.mark.parametrize(
    ("override", "detail"),
    [
        ({"auth_session": "another-session"}, "auth_session"),
        ({"redirect_uri": "http://localhost:3000/auth/callback"}, "redirect_uri"),
        ({"code_verifier": "x" * 43}, "verifier"),
        ({"code_verifier": None}, "verifier"),
    ],
)
def test_complete_must_match_the_connect(
    tenant: Tenant, token: str, override: dict[str, Any], detail: str
) -> None:
    started, verifier = start_connect(tenant, token)
    callback = consent(tenant, started)
    payload = complete_payload(started, callback, verifier, **override)
    response = call(tenant, "POST", "/complete", token, payload)
    assert response.status == 400
    assert detail in problem_of(response)["detail"]
    # Whatever went wrong, the code is gone.
    retry = call(tenant, "POST", "/complete", token, complete_payload(started, callback, verifier))
    assert retry.status == 400


def test_without_pkce_a_verifier_is_refused(tenant: Tenant, token: str) -> None:
    started, verifier = start_connect(
        tenant, token, code_challenge=None, code_challenge_method=None
    )
    payload = complete_payload(started, consent(tenant, started), verifier)
    assert call(tenant, "POST", "/complete", token, payload).status == 400
    started, _ = start_connect(tenant, token, code_challenge=None, code_challenge_method=None)
    payload = complete_payload(started, consent(tenant, started), "", code_verifier=None)
    assert call(tenant, "POST", "/complete", token, payload).status == 201


def test_only_the_user_who_connected_completes(tenant: Tenant, token: str) -> None:
    bob = my_account_token(tenant, "bob@example.com", "bob-password")
    started, verifier = start_connect(tenant, token)
    callback = consent(tenant, started)
    response = _complete(tenant, bob, started, callback, verifier)
    assert response.status == 400
    assert tenant.connected_accounts("auth0|bob") == []


def test_reconnecting_replaces_the_account(tenant: Tenant, token: str) -> None:
    first = connect_account(tenant, token, scopes=["read:user"])
    assert _vault_exchange(tenant, token, "github")[0] == 200
    old_upstream = tenant.vault_token("auth0|alice", "github")
    second = connect_account(tenant, token, scopes=["read:user", "repo"])
    assert second["id"] == first["id"]
    assert second["scopes"] == ["read:user", "repo"]
    assert tenant.connected_accounts("auth0|alice") == [
        tenant.connected_accounts("auth0|alice")[0],
        second,
    ]
    assert tenant.vault_token("auth0|alice", "github") is None  # the old grant's token is gone
    _vault_exchange(tenant, token, "github")
    assert tenant.vault_token("auth0|alice", "github") != old_upstream


def test_reconnecting_answers_409_when_set_to(tenant: Tenant, token: str) -> None:
    connect_account(tenant, token)
    tenant.settings.reconnect_conflict = True
    started, verifier = start_connect(tenant, token)
    response = _complete(tenant, token, started, consent(tenant, started), verifier)
    assert response.status == 409
    assert problem_of(response)["title"] == "Conflict"
    # Another upstream login of the same connection is another account, not a conflict.
    other = connect_account(tenant, token, authorization_params={"login_hint": "alt@example"})
    assert len(tenant.connected_accounts("auth0|alice")) == 3
    assert other["connection"] == "github"


def test_connect_refuses_a_redirect_uri_the_client_does_not_allow(
    tenant: Tenant, token: str
) -> None:
    _, challenge = pkce()
    payload = connect_payload(challenge, redirect_uri="https://evil.example/callback")
    response = call(tenant, "POST", "/connect", token, payload)
    assert response.status == 400
    assert "redirect_uri" in problem_of(response)["detail"]


@pytest.mark.parametrize("connection", ["Username-Password-Authentication", "gitlab"])
def test_connect_needs_a_connection_enabled_for_connected_accounts(
    tenant: Tenant, token: str, connection: str
) -> None:
    _, challenge = pkce()
    response = call(
        tenant, "POST", "/connect", token, connect_payload(challenge, connection=connection)
    )
    assert response.status == 400
    assert connection in problem_of(response)["detail"]


def test_connect_uri_is_served_where_it_says(tenant: Tenant, token: str) -> None:
    started, _ = start_connect(tenant, token)
    assert urlsplit(started["connect_uri"]).path == "/connect"
    assert error_of(tenant.handle(HttpRequest(method="PUT", url=BASE + "/connect")))[0] == 405
