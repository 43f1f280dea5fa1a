"""TenantConfig: defaults, TOML loading, and typed errors for anything unknown or mistyped."""

from __future__ import annotations

from pathlib import Path

import pytest

from auth0_core.errors import ConfigurationError
from auth0_core.tenant import TenantConfig, load_config


def test_default_config_matches_documented_defaults() -> None:
    config = TenantConfig.default()
    assert config.pushed_authorization_requests is True
    assert (config.access_token_lifetime, config.id_token_lifetime) == (86400, 36000)
    assert (config.authorization_code_lifetime, config.par_lifetime) == (60, 90)
    [client] = config.clients
    assert client.client_id == "demo-client"
    assert client.client_secret == "demo-client-secret-please-change-0123456789"
    assert client.callbacks == (
        "http://127.0.0.1:3000/auth/callback",
        "http://localhost:3000/auth/callback",
    )
    assert client.allowed_logout_urls == ("http://127.0.0.1:3000/", "http://localhost:3000/")
    assert client.token_endpoint_auth_method == "client_secret_basic"
    alice = config.user_by_email("ALICE@example.com")
    assert alice is not None
    assert (alice.user_id, alice.name, alice.password) == (
        "auth0|alice",
        "Alice Example",
        "alice-password",
    )
    bob = config.user_by_id("auth0|bob")
    assert bob is not None
    assert bob.email == "bob@example.com"
    assert config.organizations == ()


def test_load_config_none_is_default() -> None:
    assert load_config(None) == TenantConfig.default()


def test_secrets_not_in_repr() -> None:
    text = repr(TenantConfig.default())
    assert "demo-client-secret" not in text
    assert "alice-password" not in text


def test_load_config_from_toml(tmp_path: Path) -> None:
    path = tmp_path / "tenant.toml"
    path.write_text(
        """
[tenant]
pushed_authorization_requests = false
access_token_lifetime = 600

[[clients]]
client_id = "app"
client_secret = "s3cret"
callbacks = ["https://app.example/cb"]

[[users]]
email = "carol@example.org"
password = "pw"

[[organizations]]
id = "org_123"
name = "acme"
members = ["auth0|carol"]
""",
        encoding="utf-8",
    )
    config = load_config(str(path))
    assert config.pushed_authorization_requests is False
    assert config.access_token_lifetime == 600
    assert config.id_token_lifetime == 36000  # untouched keys keep their defaults
    [client] = config.clients
    assert (client.client_id, client.name, client.allowed_logout_urls) == ("app", "app", ())
    [carol] = config.users
    # user_id, name and nickname default from the email
    assert (carol.user_id, carol.name, carol.nickname) == (
        "auth0|carol",
        "carol@example.org",
        "carol",
    )
    assert carol.email_verified is True
    org = config.organization("ACME")
    assert org is not None
    assert org is config.organization("org_123")
    assert org.display_name == "acme"


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"bogus": 1}, "unknown key(s) in the tenant configuration: bogus"),
        ({"tenant": {"par": True}}, "unknown key(s) in [tenant]: par"),
        ({"clients": [{"client_id": "a", "client_secret": "s", "colour": 1}]}, "colour"),
        ({"users": [{"email": "a@b", "password": "p", "age": 3}]}, "age"),
        ({"organizations": [{"id": "org_1", "name": "n", "x": 1}]}, "x"),
        ({"tenant": {"access_token_lifetime": "long"}}, "must be of type int"),
        ({"tenant": {"access_token_lifetime": True}}, "must be of type int"),
        ({"tenant": {"id_token_lifetime": 0}}, "positive integer"),
        ({"tenant": {"pushed_authorization_requests": "yes"}}, "must be of type bool"),
        ({"tenant": []}, "must be of type dict"),
        ({"clients": {"client_id": "a"}}, "array of tables"),
        ({"clients": [{"client_secret": "s"}]}, "client_id is required"),
        ({"clients": [{"client_id": "a", "client_secret": "s", "callbacks": [1]}]}, "strings"),
        ({"clients": [{"client_id": "a"}]}, "without a client_secret"),
        (
            {"clients": [{"client_id": "a", "token_endpoint_auth_method": "private_key_jwt"}]},
            "without a public key",
        ),
        (
            {"clients": [{"client_id": "a", "token_endpoint_auth_method": "magic"}]},
            "must be one of",
        ),
        (
            {
                "clients": [
                    {"client_id": "a", "client_secret": "s", "client_assertion_public_key": "x"}
                ]
            },
            "neither an RSA nor an EC key",
        ),
        ({"users": [{"email": "a@b"}]}, "password is required"),
        ({"users": [{"email": "a@b", "password": "p"}, {"email": "A@b", "password": "q"}]}, "dup"),
        ({"organizations": [{"id": "acme", "name": "acme"}]}, "must start with 'org_'"),
    ],
)
def test_invalid_documents_raise_configuration_error(
    document: dict[str, object], fragment: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        TenantConfig.from_dict(document)
    assert fragment in str(caught.value)


def test_load_config_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_config(str(tmp_path / "missing.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_text("[tenant\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not TOML"):
        load_config(str(bad))
