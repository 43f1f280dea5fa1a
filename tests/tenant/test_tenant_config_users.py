"""Configuration of users, connections and identities for linking."""

from __future__ import annotations

import pytest

from auth0_core.errors import ConfigurationError
from auth0_core.tenant import TenantConfig
from auth0_core.tenant.config_types import DATABASE_CONNECTION, connection_id


def test_default_users_and_connections() -> None:
    config = TenantConfig.default()
    alice, bob, github, google = config.users
    assert (alice.connection, alice.user_metadata, alice.app_metadata) == (
        DATABASE_CONNECTION,
        {"theme": "light"},
        {},
    )
    assert (bob.connection, bob.user_metadata) == (DATABASE_CONNECTION, {})
    assert (github.email, github.password, github.user_id, github.connection) == (
        "alice.gh@example.com",
        "alice-github-password",
        "github|4242",
        "github",
    )
    assert github.user_metadata == {"theme": "dark", "newsletter": True}
    assert (google.email, google.password, google.user_id, google.connection) == (
        "alice@gmail.com",
        "alice-google-password",
        "google-oauth2|1001",
        "google-oauth2",
    )
    assert google.user_metadata == {"locale": "fr"}
    strategies = {c.name: (c.strategy, c.is_social) for c in config.connections}
    assert strategies == {
        DATABASE_CONNECTION: ("auth0", False),
        "google-oauth2": ("google-oauth2", True),
        "github": ("github", True),
    }
    ids = [c.id for c in config.connections]
    assert len(set(ids)) == 3
    assert all(i.startswith("con_") and len(i) == 20 and i[4:].isalnum() for i in ids)
    assert config.connections[2].id == connection_id("github")  # stable across runs


def test_explicit_connection_id_and_metadata() -> None:
    config = TenantConfig.from_dict(
        {
            "connections": [{"name": "corp", "strategy": "auth0", "id": "con_ABCDEFGHabcdef12"}],
            "users": [
                {
                    "email": "e@corp.example",
                    "password": "pw",
                    "connection": "corp",
                    "user_metadata": {"nested": {"list": [1, "two", True, 1.5]}},
                    "app_metadata": {"plan": "pro"},
                }
            ],
        }
    )
    [corp] = config.connections
    assert corp.id == "con_ABCDEFGHabcdef12"
    [user] = config.users
    assert user.user_id == "corp|e"
    assert user.user_metadata == {"nested": {"list": [1, "two", True, 1.5]}}
    assert user.app_metadata == {"plan": "pro"}
    assert config.strategy("corp") == "auth0"
    assert config.strategy("unlisted") == "unlisted"


def _user(**extra: object) -> dict[str, object]:
    return {"email": "a@b.example", "password": "p", **extra}


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"users": [_user(user_metadata="x")]}, "user_metadata must be of type dict"),
        ({"users": [_user(app_metadata=[1])]}, "app_metadata must be of type dict"),
        ({"users": [_user(connection=1)]}, "connection must be of type str"),
        ({"users": [_user(user_id="no-pipe")]}, "provider|id"),
        ({"users": [_user(user_id="auth0|")]}, "provider|id"),
        ({"users": [_user(), _user(user_id="auth0|other")]}, "duplicate user email"),
        (
            {"users": [_user(), _user(email="c@d.example", user_id="other|a")]},
            "duplicate user identity",
        ),
        ({"connections": [{"name": "x", "id": "con_short"}]}, "con_ + 16"),
    ],
)
def test_invalid_user_documents(document: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        TenantConfig.from_dict(document)
    assert fragment in str(caught.value)


def test_same_email_on_two_connections_is_fine() -> None:
    config = TenantConfig.from_dict(
        {"users": [_user(), _user(connection="github", user_id="github|1")]}
    )
    assert [u.user_id for u in config.users] == ["auth0|a", "github|1"]
