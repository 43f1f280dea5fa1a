"""Multi-Resource Refresh Tokens: which audience and scope a refresh mints (protocol doc 4.5)."""

from __future__ import annotations

import pytest

from auth0_core import FixedClock
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import (
    API,
    BASE,
    CLIENT_ID,
    MY_ACCOUNT,
    MY_ACCOUNT_SCOPES,
    NOW,
    body,
    claims_of,
    client_entry,
    config_with_client,
    login_tokens,
    make_tenant,
    refresh,
)

LOGIN_SCOPE = "openid profile offline_access read:items"


@pytest.fixture
def refresh_token(tenant: Tenant) -> str:
    """Alice logged in for the example API with read:items."""
    return str(login_tokens(tenant, audience=API, scope=LOGIN_SCOPE)["refresh_token"])


def test_omitted_audience_gives_original_audience_with_policy_scopes(
    tenant: Tenant, refresh_token: str
) -> None:
    response = refresh(tenant, refresh_token)
    assert response.status == 200
    tokens = body(response)
    # the login scopes plus the client's MRRT policy scopes for the login audience
    assert tokens["scope"] == LOGIN_SCOPE + " write:items"
    at = claims_of(tokens["access_token"])
    assert at["aud"] == [API, BASE + "/userinfo"]
    assert at["scope"] == tokens["scope"]
    assert (at["sub"], at["azp"]) == ("auth0|alice", CLIENT_ID)
    assert tokens["expires_in"] == 86400
    idt = claims_of(tokens["id_token"])
    assert (idt["sub"], idt["iat"], idt["aud"]) == ("auth0|alice", NOW, CLIENT_ID)
    assert "nonce" not in idt
    assert "refresh_token" not in tokens  # the default client does not rotate


def test_policy_audience_gets_policy_scopes(tenant: Tenant, refresh_token: str) -> None:
    tokens = body(refresh(tenant, refresh_token, audience=MY_ACCOUNT))
    # OIDC scopes the login granted stay; API scopes come from the policy alone
    assert tokens["scope"] == f"openid profile offline_access {MY_ACCOUNT_SCOPES}"
    at = claims_of(tokens["access_token"])
    assert at["aud"] == [MY_ACCOUNT, BASE + "/userinfo"]
    assert "read:items" not in at["scope"].split()
    assert "id_token" in tokens


def test_policy_audience_with_scope_narrows(tenant: Tenant, refresh_token: str) -> None:
    tokens = body(
        refresh(tenant, refresh_token, audience=MY_ACCOUNT, scope="read:me:connected_accounts")
    )
    assert tokens["scope"] == "read:me:connected_accounts"
    at = claims_of(tokens["access_token"])
    assert at["aud"] == MY_ACCOUNT  # no openid, no /userinfo audience
    assert "id_token" not in tokens


def test_unknown_audience_is_silently_ignored(tenant: Tenant, refresh_token: str) -> None:
    response = refresh(tenant, refresh_token, audience="https://other.example/")
    assert response.status == 200
    tokens = body(response)
    # Auth0 answers with a token for the default audience: the SDK must notice
    assert claims_of(tokens["access_token"])["aud"][0] == API
    assert tokens["scope"] == LOGIN_SCOPE + " write:items"


def test_registered_api_without_policy_is_ignored(clock: FixedClock) -> None:
    tenant = make_tenant(clock, config_with_client())  # a client without MRRT policies
    rt = login_tokens(tenant, audience=API, scope=LOGIN_SCOPE)["refresh_token"]
    tokens = body(refresh(tenant, rt, audience=MY_ACCOUNT))
    assert claims_of(tokens["access_token"])["aud"][0] == API
    assert tokens["scope"] == LOGIN_SCOPE  # no policy, no extra scopes


@pytest.mark.parametrize(
    ("requested", "granted"),
    [
        ("read:items", "read:items"),
        ("openid write:items", "openid write:items"),  # a policy scope for the login audience
        ("read:items delete:items", "read:items"),  # not allowed: dropped
        ("email", LOGIN_SCOPE + " write:items"),  # nothing allowed: everything allowed
        ("read:me:connected_accounts openid", "openid"),  # another API's scope: dropped
    ],
)
def test_scope_selection_for_original_audience(
    tenant: Tenant, refresh_token: str, requested: str, granted: str
) -> None:
    tokens = body(refresh(tenant, refresh_token, scope=requested))
    assert tokens["scope"] == granted
    assert claims_of(tokens["access_token"])["scope"] == granted
    assert ("id_token" in tokens) == ("openid" in granted.split())


def test_login_without_audience(tenant: Tenant) -> None:
    rt = login_tokens(tenant, scope="openid offline_access")["refresh_token"]
    tokens = body(refresh(tenant, rt))
    assert claims_of(tokens["access_token"])["aud"] == BASE + "/userinfo"
    assert tokens["scope"] == "openid offline_access"
    api = body(refresh(tenant, rt, audience=API))
    assert claims_of(api["access_token"])["aud"] == [API, BASE + "/userinfo"]
    assert api["scope"] == "openid offline_access read:items write:items"


def test_api_token_lifetime(clock: FixedClock) -> None:
    short = "https://short.example"
    config = TenantConfig.from_dict(
        {
            "apis": [{"identifier": short, "scopes": ["x"], "token_lifetime": 60}],
            "clients": [
                client_entry(refresh_token={"policies": [{"audience": short, "scope": ["x"]}]})
            ],
        }
    )
    tenant = make_tenant(clock, config)
    rt = login_tokens(tenant, scope="openid offline_access")["refresh_token"]
    tokens = body(refresh(tenant, rt, audience=short))
    assert tokens["expires_in"] == 60
    assert claims_of(tokens["access_token"])["exp"] == NOW + 60
    assert body(refresh(tenant, rt))["expires_in"] == 86400  # no API: the tenant default
