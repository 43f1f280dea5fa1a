"""Configuration for access tokens: APIs, refresh-token settings, client grants, connections."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from auth0_core import Env, FixedClock
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, TenantConfig, load_config
from auth0_core.tenant.config import (
    ClientGrant,
    ConnectedAccount,
    MrrtPolicy,
    RefreshTokenSettings,
    TenantApi,
    TenantConnection,
)

from .tenant_helpers import BASE, NOW, client_entry

CONNECTED_SCOPES = (
    "create:me:connected_accounts",
    "read:me:connected_accounts",
    "delete:me:connected_accounts",
)
# The demo client's My Account policy (default.toml): connected accounts, then factors and
# authentication methods in both spellings (docs/my-account-authentication-methods.md).
MY_ACCOUNT_POLICY = (
    *CONNECTED_SCOPES,
    "read:me:factors",
    *(f"{action}:me:authentication_methods" for action in ("read", "create", "update", "delete")),
    *(f"{action}:me:authentication-methods" for action in ("read", "create", "update", "delete")),
)


def test_defaults() -> None:
    config = TenantConfig.default()
    assert config.refresh_token_error_status == 400
    assert config.apis == (
        TenantApi(identifier="https://api.example.com", scopes=("read:items", "write:items")),
    )
    [client] = config.clients
    assert client.grant_types is None  # every grant the tenant serves
    assert client.refresh_token == RefreshTokenSettings(
        policies=(
            MrrtPolicy(audience="https://api.example.com", scope=("read:items", "write:items")),
            MrrtPolicy(audience="my-account", scope=MY_ACCOUNT_POLICY),
        )
    )
    assert (client.refresh_token.rotation_type, client.refresh_token.leeway) == (
        "non-rotating",
        0,
    )
    assert (
        client.refresh_token.token_lifetime,
        client.refresh_token.idle_token_lifetime,
    ) == (2_592_000, 1_296_000)
    assert config.client_grants == (
        ClientGrant(
            client_id="demo-client", audience="https://api.example.com", scope=("read:items",)
        ),
        ClientGrant(
            client_id="demo-client",
            audience="management",
            scope=("read:users", "update:users", "delete:sessions"),
        ),
    )
    assert config.connections == (
        TenantConnection(name="Username-Password-Authentication", strategy="auth0"),
        TenantConnection(name="google-oauth2", strategy="google-oauth2", token_lifetime=3600),
        TenantConnection(name="github", strategy="github"),
    )
    alice, bob, _github, _google = config.users
    assert alice.connected_accounts == (
        ConnectedAccount(
            connection="google-oauth2",
            login_hint="alice@gmail.com",
            scopes=("openid", "https://www.googleapis.com/auth/calendar.readonly"),
        ),
    )
    assert bob.connected_accounts == ()


def test_builtin_apis_resolve_against_base_url() -> None:
    tenant = Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=FixedClock(NOW)))
    my_account = tenant.apis.get(BASE + "/me/")
    management = tenant.apis.get(BASE + "/api/v2/")
    assert my_account is not None
    assert set(my_account.scopes) == set(MY_ACCOUNT_POLICY)
    assert management is not None
    assert management.scopes == ("read:users", "update:users", "delete:sessions")
    assert tenant.apis.get("my-account") is None  # a placeholder, not an identifier
    assert tenant.apis.lifetime(BASE + "/me/") == 86400
    client = tenant.config.client("demo-client")
    assert client is not None
    assert tenant.apis.policy_scopes(client, BASE + "/me/") == MY_ACCOUNT_POLICY


def test_toml_with_every_new_key(tmp_path: Path) -> None:
    path = tmp_path / "tenant.toml"
    path.write_text(
        """
[tenant]
access_token_lifetime = 600
refresh_token_error_status = 403

[[apis]]
identifier = "https://orders.example"
scopes = ["read:orders"]
token_lifetime = 300

[[clients]]
client_id = "app"
client_secret = "s3cret"
grant_types = ["authorization_code", "refresh_token"]

[clients.refresh_token]
rotation_type = "rotating"
leeway = 10
token_lifetime = 7200
idle_token_lifetime = 3600
policies = [{ audience = "https://orders.example", scope = ["read:orders"] }]

[[client_grants]]
client_id = "app"
audience = "management"
scope = ["read:users"]

[[connections]]
name = "github"
token_lifetime = 120

[[users]]
email = "carol@example.org"
password = "pw"
connected_accounts = [{ connection = "github" }]
""",
        encoding="utf-8",
    )
    config = load_config(str(path))
    assert config.refresh_token_error_status == 403
    assert config.apis == (
        TenantApi(identifier="https://orders.example", scopes=("read:orders",), token_lifetime=300),
    )
    [client] = config.clients
    assert client.grant_types == ("authorization_code", "refresh_token")
    assert not client.allows_grant("client_credentials")
    settings = client.refresh_token
    assert (settings.rotating, settings.leeway, settings.token_lifetime) == (True, 10, 7200)
    assert settings.idle_token_lifetime == 3600
    assert config.client_grants == (
        ClientGrant(client_id="app", audience="management", scope=("read:users",)),
    )
    assert config.connections == (
        TenantConnection(name="github", strategy="github", token_lifetime=120),
    )
    [carol] = config.users
    assert carol.connected_accounts == (ConnectedAccount(connection="github"),)


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"apis": [{"scopes": ["a"]}]}, "identifier is required"),
        ({"apis": [{"identifier": "x", "scope": ["a"]}]}, "unknown key(s) in [[apis]] #1: scope"),
        ({"apis": [{"identifier": "x", "token_lifetime": 0}]}, "positive integer"),
        ({"apis": [{"identifier": "x"}, {"identifier": "x"}]}, "duplicate API identifier"),
        ({"apis": {"identifier": "x"}}, "array of tables"),
        ({"clients": [client_entry(refresh_token={"rotation_type": "sometimes"})]}, "one of"),
        ({"clients": [client_entry(refresh_token={"leeway": -1})]}, "integer >= 0"),
        ({"clients": [client_entry(refresh_token={"reuse": True})]}, "refresh_token: reuse"),
        ({"clients": [client_entry(refresh_token="rotating")]}, "must be of type dict"),
        ({"clients": [client_entry(refresh_token={"policies": [{"scope": []}]})]}, "audience"),
        (
            {"clients": [client_entry(refresh_token={"policies": [{"audience": "a", "x": 1}]})]},
            "policies #1: x",
        ),
        ({"clients": [client_entry(grant_types="all")]}, "must be of type list"),
        ({"client_grants": [{"client_id": "a"}]}, "audience is required"),
        (
            {"client_grants": [{"client_id": "a", "audience": "b"}] * 2},
            "duplicate client grant",
        ),
        ({"connections": [{"strategy": "auth0"}]}, "name is required"),
        ({"connections": [{"name": "a"}, {"name": "a"}]}, "duplicate connection name"),
        (
            {"users": [{"email": "a@b", "password": "p", "connected_accounts": [{}]}]},
            "connection is required",
        ),
        (
            {
                "users": [
                    {
                        "email": "a@b",
                        "password": "p",
                        "connected_accounts": [{"connection": "g", "y": 1}],
                    }
                ]
            },
            "connected_accounts #1: y",
        ),
        ({"tenant": {"refresh_token_error_status": 401}}, "400 or 403"),
    ],
)
def test_invalid_documents(document: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        TenantConfig.from_dict(document)
    assert fragment in str(caught.value)


def test_docs_example_parses_to_the_defaults() -> None:
    text = (Path(__file__).parents[2] / "docs" / "tenant.md").read_text("utf-8")
    example = text.split("```toml", 1)[1].split("```", 1)[0]
    config = TenantConfig.from_dict(tomllib.loads(example))
    default = TenantConfig.default()
    assert config.clients[0].refresh_token == default.clients[0].refresh_token
    assert (config.apis, config.client_grants, config.connections) == (
        default.apis,
        default.client_grants,
        default.connections,
    )
    assert config.users[0].connected_accounts == default.users[0].connected_accounts
