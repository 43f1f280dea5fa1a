"""CIBA on the emulated tenant: ``/bc-authorize``, the CIBA grant's answers, and the user's
device emulated by ``Tenant.approve_backchannel`` / ``deny_backchannel``."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth0_core import FixedClock, HttpResponse
from auth0_core.tenant import Tenant

from .tenant_helpers import (
    API,
    BASE,
    CLIENT_ID,
    basic,
    body,
    claims_of,
    config_with_client,
    error_of,
    get,
    make_tenant,
    post_form,
    token_request,
)

CIBA = "urn:openid:params:grant-type:ciba"
ISSUER = BASE + "/"


def hint(sub: str = "auth0|alice", iss: str = ISSUER) -> str:
    return json.dumps({"format": "iss_sub", "iss": iss, "sub": sub})


def bc_authorize(tenant: Tenant, **overrides: str | None) -> HttpResponse:
    fields: dict[str, Any] = {
        "scope": "openid profile email offline_access",
        "login_hint": hint(),
        "binding_message": "Sign in to the kiosk: 4711",
        **overrides,
    }
    return post_form(
        tenant, "/bc-authorize", {k: v for k, v in fields.items() if v is not None}, basic()
    )


def poll(tenant: Tenant, auth_req_id: str) -> HttpResponse:
    return token_request(tenant, {"grant_type": CIBA, "auth_req_id": auth_req_id})


def started(tenant: Tenant, **overrides: str | None) -> str:
    response = bc_authorize(tenant, **overrides)
    assert response.status == 200, response.body
    return str(body(response)["auth_req_id"])


def test_discovery_advertises_the_endpoint_and_the_grant(tenant: Tenant) -> None:
    document = body(get(tenant, "/.well-known/openid-configuration"))
    assert document["backchannel_authentication_endpoint"] == BASE + "/bc-authorize"
    assert CIBA in document["grant_types_supported"]
    assert document["backchannel_token_delivery_modes_supported"] == ["poll"]


def test_a_request_is_answered_with_an_id_expiry_and_interval(tenant: Tenant) -> None:
    answer = body(bc_authorize(tenant))
    assert set(answer) == {"auth_req_id", "expires_in", "interval"}
    assert (answer["expires_in"], answer["interval"]) == (300, 5)
    assert body(bc_authorize(tenant, requested_expiry="60"))["expires_in"] == 60
    [pending, _] = tenant.backchannel_requests("auth0|alice")
    assert pending["binding_message"] == "Sign in to the kiosk: 4711"
    assert pending["status"] == "pending"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "profile email"}, "invalid_request"),
        ({"binding_message": None}, "invalid_request"),
        ({"binding_message": "x" * 65}, "invalid_request"),
        ({"binding_message": "<script>"}, "invalid_request"),
        ({"login_hint": None}, "invalid_request"),
        ({"login_hint": "auth0|alice"}, "invalid_request"),
        ({"login_hint": json.dumps({"format": "email", "email": "a@b"})}, "invalid_request"),
        ({"login_hint": hint(iss="https://other.example/")}, "invalid_request"),
        ({"login_hint": hint(sub="auth0|nobody")}, "unknown_user_id"),
        ({"requested_expiry": "0"}, "invalid_request"),
        ({"requested_expiry": "301"}, "invalid_request"),
        ({"requested_expiry": "ten"}, "invalid_request"),
        ({"audience": "https://unknown.example"}, "invalid_request"),
    ],
)
def test_bad_requests_are_refused(
    tenant: Tenant, overrides: dict[str, str | None], error: str
) -> None:
    assert error_of(bc_authorize(tenant, **overrides)) == (400, error)
    assert tenant.backchannel_requests() == []


def test_the_client_must_authenticate_and_be_allowed(clock: FixedClock) -> None:
    tenant = make_tenant(clock)
    response = post_form(
        tenant, "/bc-authorize", {"scope": "openid", "login_hint": hint()}, basic(secret="wrong")
    )
    assert error_of(response) == (401, "invalid_client")
    limited = make_tenant(clock, config_with_client(grant_types=["authorization_code"]))
    assert error_of(bc_authorize(limited)) == (400, "unauthorized_client")


def test_pending_then_slow_down_then_tokens_once(tenant: Tenant, clock: FixedClock) -> None:
    auth_req_id = started(tenant)
    assert error_of(poll(tenant, auth_req_id)) == (400, "authorization_pending")
    clock.advance(2)  # sooner than the interval: slow down, and 5 s more from now on
    assert error_of(poll(tenant, auth_req_id)) == (400, "slow_down")
    clock.advance(5)  # the old interval is not enough any more
    assert error_of(poll(tenant, auth_req_id)) == (400, "slow_down")
    clock.advance(15)
    assert error_of(poll(tenant, auth_req_id)) == (400, "authorization_pending")
    assert tenant.approve_backchannel(auth_req_id) == [auth_req_id]
    clock.advance(15)
    tokens = body(poll(tenant, auth_req_id))
    assert {"access_token", "id_token", "refresh_token", "scope"} <= set(tokens)
    claims = claims_of(tokens["id_token"])
    assert (claims["sub"], claims["aud"], claims["iss"]) == ("auth0|alice", CLIENT_ID, ISSUER)
    assert claims["email"] == "alice@example.com"
    assert "nonce" not in claims
    assert [s["sid"] for s in tenant.sessions("auth0|alice")] == [claims["sid"]]
    assert error_of(poll(tenant, auth_req_id)) == (400, "invalid_grant")  # answered once


def test_an_audience_and_no_offline_access(tenant: Tenant) -> None:
    auth_req_id = started(tenant, scope="openid read:items", audience=API)
    tenant.approve_backchannel(user_id="auth0|alice")
    tokens = body(poll(tenant, auth_req_id))
    assert "refresh_token" not in tokens
    assert API in claims_of(tokens["access_token"])["aud"]


def test_denied(tenant: Tenant) -> None:
    auth_req_id = started(tenant)
    assert tenant.deny_backchannel(user_id="auth0|alice") == [auth_req_id]
    assert error_of(poll(tenant, auth_req_id)) == (400, "access_denied")
    assert error_of(poll(tenant, auth_req_id)) == (400, "invalid_grant")


def test_expired(tenant: Tenant, clock: FixedClock) -> None:
    auth_req_id = started(tenant, requested_expiry="30")
    clock.advance(30)
    assert error_of(poll(tenant, auth_req_id)) == (400, "expired_token")
    assert tenant.backchannel_requests() == []
    with pytest.raises(KeyError):
        tenant.approve_backchannel(auth_req_id)


def test_another_clients_or_an_unknown_id_is_invalid_grant(tenant: Tenant) -> None:
    started(tenant)
    assert error_of(poll(tenant, "nope")) == (400, "invalid_grant")
    missing = token_request(tenant, {"grant_type": CIBA})
    assert error_of(missing) == (400, "invalid_request")


def test_the_face_takes_one_of_id_or_user(tenant: Tenant) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        tenant.approve_backchannel()
    with pytest.raises(ValueError, match="exactly one"):
        tenant.deny_backchannel("x", user_id="auth0|alice")
    assert tenant.approve_backchannel(user_id="auth0|bob") == []
