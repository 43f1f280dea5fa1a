"""``DELETE /api/v2/users/{id}/sessions``: an administrator ends every session of a user, and
each (session, client) gets a back-channel logout token."""

from __future__ import annotations

import pytest

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import LogoutDelivery, Tenant, TenantConfig

from .tenant_helpers import (
    BASE,
    CLIENT_ID,
    SECRET,
    basic,
    body,
    claims_of,
    client_entry,
    login_tokens,
    make_tenant,
    token_request,
)

MANAGEMENT = BASE + "/api/v2/"
APP_URI = "https://app.example/backchannel-logout"
ALICE = "auth0|alice"
SESSIONS = MANAGEMENT + "users/auth0%7Calice/sessions"


@pytest.fixture
def tenant(clock: FixedClock) -> Tenant:
    config = TenantConfig.from_dict(
        {
            "clients": [
                client_entry(backchannel_logout_uri=APP_URI),
                client_entry(client_id="reader"),
            ],
            "client_grants": [
                {
                    "client_id": CLIENT_ID,
                    "audience": "management",
                    "scope": ["read:users", "update:users", "delete:sessions"],
                },
                {"client_id": "reader", "audience": "management", "scope": ["read:users"]},
            ],
        }
    )
    return make_tenant(clock, config)


def mgmt_token(tenant: Tenant, scope: str, client: str = CLIENT_ID) -> str:
    fields = {"grant_type": "client_credentials", "audience": MANAGEMENT, "scope": scope}
    response = token_request(tenant, fields, basic(client, SECRET))
    assert response.status == 200, response.body
    assert body(response)["scope"] == scope
    return str(body(response)["access_token"])


def delete_sessions(tenant: Tenant, token: str | None, url: str = SESSIONS) -> HttpResponse:
    headers = (("Authorization", f"Bearer {token}"),) if token else ()
    return tenant.handle(HttpRequest(method="DELETE", url=url, headers=headers))


@pytest.mark.parametrize("scope", ["delete:sessions", "update:users"])
def test_ending_every_session_of_a_user(tenant: Tenant, scope: str) -> None:
    sids = [claims_of(login_tokens(tenant)["id_token"])["sid"] for _ in range(3)]
    bob = login_tokens(tenant, "bob@example.com", "bob-password")
    response = delete_sessions(tenant, mgmt_token(tenant, scope))
    assert response.status == 202
    assert response.body == b""
    deliveries = tenant.outbox.messages(LogoutDelivery)
    assert [(d.client_id, d.uri, d.sub, d.sid) for d in deliveries] == [
        (CLIENT_ID, APP_URI, ALICE, sid) for sid in sids
    ]
    for delivery, sid in zip(deliveries, sids, strict=True):
        claims = claims_of(delivery.logout_token)
        assert (claims["sub"], claims["sid"], claims["aud"]) == (ALICE, sid, CLIENT_ID)
    assert tenant.sessions(ALICE) == []
    [left] = tenant.sessions("auth0|bob")  # other users keep theirs
    assert left["sid"] == claims_of(bob["id_token"])["sid"]


def test_a_user_without_sessions_is_accepted_and_sends_nothing(tenant: Tenant) -> None:
    response = delete_sessions(tenant, mgmt_token(tenant, "delete:sessions"))
    assert response.status == 202
    assert tenant.outbox.messages(LogoutDelivery) == []


def test_it_needs_a_token_with_the_scope(tenant: Tenant) -> None:
    login_tokens(tenant)
    missing = delete_sessions(tenant, None)
    assert missing.status == 401
    assert body(missing)["errorCode"] == "invalid_token"
    reader = mgmt_token(tenant, "read:users", client="reader")
    refused = delete_sessions(tenant, reader)
    assert refused.status == 403
    assert body(refused)["errorCode"] == "insufficient_scope"
    assert "delete:sessions" in body(refused)["message"]
    user_token = login_tokens(tenant)["access_token"]  # a user's token: another audience
    assert delete_sessions(tenant, user_token).status == 401
    assert len(tenant.sessions(ALICE)) == 2
    assert tenant.outbox.messages(LogoutDelivery) == []


def test_an_unknown_user_is_404(tenant: Tenant) -> None:
    token = mgmt_token(tenant, "delete:sessions")
    response = delete_sessions(tenant, token, MANAGEMENT + "users/auth0%7Cnobody/sessions")
    assert response.status == 404
    assert body(response)["errorCode"] == "inexistent_user"


def test_other_methods_are_405(tenant: Tenant) -> None:
    response = tenant.handle(HttpRequest(method="GET", url=SESSIONS))
    assert response.status == 405
    assert response.header("allow") == "DELETE"


def test_the_default_demo_client_may_end_sessions(clock: FixedClock) -> None:
    tenant = make_tenant(clock)
    login_tokens(tenant)
    response = delete_sessions(tenant, mgmt_token(tenant, "delete:sessions"))
    assert response.status == 202
    assert tenant.sessions(ALICE) == []
    assert tenant.outbox.messages(LogoutDelivery) == []  # the demo client has no URI
