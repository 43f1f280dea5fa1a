"""``grant_type=client_credentials``: client grants, errors and the token's claims."""

from __future__ import annotations

from typing import Any

from auth0_core import FixedClock, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import (
    API,
    BASE,
    CLIENT_ID,
    NOW,
    body,
    claims_of,
    client_entry,
    config_with_client,
    error_of,
    get,
    make_tenant,
    token_request,
)


def client_credentials(tenant: Tenant, **extra: str) -> HttpResponse:
    return token_request(tenant, {"grant_type": "client_credentials", **extra})


def test_success(tenant: Tenant) -> None:
    response = client_credentials(tenant, audience=API)
    assert response.status == 200
    assert response.header("cache-control") == "no-store"
    tokens = body(response)
    assert set(tokens) == {"access_token", "token_type", "expires_in", "scope"}
    assert (tokens["token_type"], tokens["expires_in"], tokens["scope"]) == (
        "Bearer",
        86400,
        "read:items",
    )
    claims = claims_of(tokens["access_token"])
    assert claims["iss"] == BASE + "/"
    assert claims["sub"] == f"{CLIENT_ID}@clients"
    assert claims["aud"] == API
    assert (claims["azp"], claims["gty"], claims["scope"]) == (
        CLIENT_ID,
        "client-credentials",
        "read:items",
    )
    assert (claims["iat"], claims["exp"]) == (NOW, NOW + 86400)
    assert tenant.count("/oauth/token", grant_type="client_credentials") == 1


def test_access_token_does_not_open_userinfo(tenant: Tenant) -> None:
    token = body(client_credentials(tenant, audience=API))["access_token"]
    response = get(tenant, "/userinfo", Authorization=f"Bearer {token}")
    assert response.status == 401


def test_missing_audience(tenant: Tenant) -> None:
    response = client_credentials(tenant)
    assert body(response) == {
        "error": "invalid_request",
        "error_description": "Missing required parameter: audience",
    }
    assert response.status == 400


def test_no_client_grant_is_access_denied(tenant: Tenant) -> None:
    response = client_credentials(tenant, audience=BASE + "/me/")  # an API, but no grant
    assert error_of(response) == (403, "access_denied")
    assert "has not been granted" in body(response)["error_description"]
    unknown = client_credentials(tenant, audience="https://nowhere.example")
    assert error_of(unknown) == (403, "access_denied")


def test_scope_beyond_the_grant_is_refused(tenant: Tenant) -> None:
    assert body(client_credentials(tenant, audience=API, scope="read:items"))["scope"] == (
        "read:items"
    )
    refused = client_credentials(tenant, audience=API, scope="read:items write:items")
    assert error_of(refused) == (403, "access_denied")
    assert body(refused)["error_description"] == "Client has not been granted scopes: write:items"


def test_placeholder_audience_and_organization(clock: FixedClock) -> None:
    config = TenantConfig.from_dict(
        {
            "client_grants": [
                {"client_id": CLIENT_ID, "audience": "management", "scope": ["read:users", "x"]}
            ],
            "organizations": [{"id": "org_acme1", "name": "acme"}],
            "apis": [{"identifier": "management", "scopes": ["read:users"], "token_lifetime": 60}],
        }
    )
    tenant = make_tenant(clock, config)
    management = BASE + "/api/v2/"
    tokens = body(client_credentials(tenant, audience=management, organization="acme"))
    assert (tokens["scope"], tokens["expires_in"]) == ("read:users", 60)  # x is no API scope
    claims = claims_of(tokens["access_token"])
    assert (claims["aud"], claims["org_id"]) == (management, "org_acme1")
    bad_org = client_credentials(tenant, audience=management, organization="org_nope")
    assert error_of(bad_org) == (400, "invalid_request")
    # the default API is gone: the configured list replaced it
    assert error_of(client_credentials(tenant, audience=API)) == (403, "access_denied")


def test_grant_not_enabled(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client(grant_types=["authorization_code"]))
    response = client_credentials(tenant, audience=API)
    assert body(response) == {
        "error": "unauthorized_client",
        "error_description": "Grant type 'client_credentials' not allowed for the client.",
    }


def test_public_client_is_refused(clock: FixedClock) -> None:
    public: dict[str, Any] = client_entry(token_endpoint_auth_method="none")
    del public["client_secret"]
    tenant = make_tenant(clock, TenantConfig.from_dict({"clients": [public]}))
    response = token_request(
        tenant, {"grant_type": "client_credentials", "client_id": CLIENT_ID, "audience": API}, ()
    )
    assert error_of(response) == (400, "unauthorized_client")


def test_wrong_secret_is_invalid_client(tenant: Tenant) -> None:
    response = token_request(
        tenant,
        {"grant_type": "client_credentials", "audience": API},
        (("Authorization", "Basic ZGVtby1jbGllbnQ6d3Jvbmc="),),
    )
    assert error_of(response) == (401, "invalid_client")
