"""The Management API users and identities endpoints (protocol doc 5.2)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig

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
GITHUB = ("alice.gh@example.com", "alice-github-password")
GOOGLE = ("alice@gmail.com", "alice-google-password")
ALICE = "auth0%7Calice"


def mgmt_token(tenant: Tenant, scope: str | None = None, client: str = CLIENT_ID) -> str:
    fields = {"grant_type": "client_credentials", "audience": MANAGEMENT}
    if scope is not None:
        fields["scope"] = scope
    response = token_request(tenant, fields, basic(client, SECRET))
    assert response.status == 200, response.body
    return str(body(response)["access_token"])


def call(
    tenant: Tenant, method: str, path: str, token: str | None = None, payload: Any = None
) -> HttpResponse:
    headers: list[tuple[str, str]] = []
    if token is not None:
        headers.append(("Authorization", f"Bearer {token}"))
    data = b""
    if payload is not None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers.append(("Content-Type", "application/json"))
    request = HttpRequest(method=method, url=MANAGEMENT + path, headers=tuple(headers), body=data)
    return tenant.handle(request)


def identities(response: HttpResponse) -> list[dict[str, Any]]:
    value = json.loads(response.body)
    assert isinstance(value, list)
    return value


def error(response: HttpResponse) -> tuple[int, str]:
    value = body(response)
    assert value["statusCode"] == response.status
    assert isinstance(value["error"], str)
    assert isinstance(value["message"], str)
    return response.status, value["errorCode"]


@pytest.fixture
def token(tenant: Tenant) -> str:
    return mgmt_token(tenant)


def test_get_user(tenant: Tenant, token: str) -> None:
    response = call(tenant, "GET", f"users/{ALICE}", token)
    assert response.status == 200
    user = body(response)
    assert (user["user_id"], user["email"], user["name"]) == (
        "auth0|alice",
        "alice@example.com",
        "Alice Example",
    )
    assert user["identities"] == [
        {
            "connection": "Username-Password-Authentication",
            "user_id": "alice",
            "provider": "auth0",
            "isSocial": False,
        }
    ]
    assert (user["user_metadata"], user["app_metadata"]) == ({"theme": "light"}, {})
    # An unencoded "|" works too; the social users exist with their metadata.
    github = body(call(tenant, "GET", "users/github|4242", token))
    assert github["identities"][0]["isSocial"] is True
    assert github["user_metadata"] == {"theme": "dark", "newsletter": True}
    assert body(call(tenant, "GET", "users/google-oauth2%7C1001", token))["user_metadata"] == {
        "locale": "fr"
    }
    assert error(call(tenant, "GET", "users/auth0%7Cnobody", token)) == (404, "inexistent_user")
    assert tenant.count("/api/v2/users/auth0%7Calice", method="GET") == 1


def test_authentication_and_scopes(tenant: Tenant, clock: FixedClock) -> None:
    assert error(call(tenant, "GET", f"users/{ALICE}")) == (401, "invalid_token")
    assert error(call(tenant, "GET", f"users/{ALICE}", "garbage")) == (401, "invalid_token")
    # A user token for another audience, and a forged one.
    user_token = login_tokens(tenant)["access_token"]
    assert error(call(tenant, "GET", f"users/{ALICE}", user_token)) == (401, "invalid_token")
    reader = mgmt_token(tenant, "read:users")
    assert call(tenant, "GET", f"users/{ALICE}", reader).status == 200
    for method, path, payload in [
        ("PATCH", f"users/{ALICE}", {"user_metadata": {}}),
        ("POST", f"users/{ALICE}/identities", {"provider": "github", "user_id": "4242"}),
        ("DELETE", f"users/{ALICE}/identities/github/4242", None),
    ]:
        assert error(call(tenant, method, path, reader, payload)) == (403, "insufficient_scope")
    writer = mgmt_token(tenant, "update:users")
    assert error(call(tenant, "GET", f"users/{ALICE}", writer)) == (403, "insufficient_scope")
    clock.advance(86400)  # the Management API's token lifetime
    assert error(call(tenant, "GET", f"users/{ALICE}", reader)) == (401, "invalid_token")


def test_routes_and_methods(tenant: Tenant, token: str) -> None:
    assert error(call(tenant, "GET", "clients", token)) == (404, "inexistent_route")
    assert error(call(tenant, "GET", "users", token)) == (404, "inexistent_route")
    response = call(tenant, "PUT", f"users/{ALICE}", token)
    assert response.status == 405
    assert response.header("allow") == "GET, PATCH"
    assert call(tenant, "GET", f"users/{ALICE}/identities", token).status == 405


def test_patch_merges_metadata_at_the_first_level(tenant: Tenant, token: str) -> None:
    call(tenant, "PATCH", f"users/{ALICE}", token, {"user_metadata": {"prefs": {"a": 1, "b": 2}}})
    response = call(
        tenant,
        "PATCH",
        f"users/{ALICE}",
        token,
        {
            "user_metadata": {"theme": None, "prefs": {"c": 3}, "lang": "en"},
            "app_metadata": {"plan": "pro"},
        },
    )
    assert response.status == 200
    user = body(response)
    # null removes a key; nested objects are replaced, not merged.
    assert user["user_metadata"] == {"prefs": {"c": 3}, "lang": "en"}
    assert user["app_metadata"] == {"plan": "pro"}
    assert tenant.user("auth0|alice") == user
    for bad in ({"user_metadata": "x"}, {"email": "a@b"}, [1], b"{not json", b"[" * 100_000):
        assert error(call(tenant, "PATCH", f"users/{ALICE}", token, bad)) == (400, "invalid_body")
    nobody = call(tenant, "PATCH", "users/auth0%7Cnobody", token, {"user_metadata": {}})
    assert error(nobody) == (404, "inexistent_user")


def _link(tenant: Tenant, token: str, payload: Any, user: str = ALICE) -> HttpResponse:
    return call(tenant, "POST", f"users/{user}/identities", token, payload)


@pytest.mark.parametrize(
    "payload",
    [
        {"provider": "github", "user_id": "4242"},
        {"provider": "github", "user_id": "github|4242"},
        {"provider": "github", "user_id": 4242},
        {"provider": "github", "user_id": "4242", "connection_id": "<github>"},
    ],
)
def test_link_by_provider_and_user_id(tenant: Tenant, token: str, payload: dict[str, Any]) -> None:
    github = tenant.config.connection("github")
    assert github is not None
    assert github.id.startswith("con_")
    assert len(github.id) == 20
    if payload.get("connection_id") == "<github>":
        payload["connection_id"] = github.id
    response = _link(tenant, token, payload)
    assert response.status == 201
    assert identities(response) == [
        {
            "connection": "Username-Password-Authentication",
            "user_id": "alice",
            "provider": "auth0",
            "isSocial": False,
        },
        {
            "connection": "github",
            "user_id": "4242",
            "provider": "github",
            "isSocial": True,
            "profileData": {
                "email": "alice.gh@example.com",
                "email_verified": True,
                "name": "Alice on GitHub",
            },
        },
    ]
    alice = body(call(tenant, "GET", f"users/{ALICE}", token))
    assert alice["identities"] == identities(response)
    assert alice["user_metadata"] == {"theme": "light"}
    assert error(call(tenant, "GET", "users/github%7C4242", token)) == (404, "inexistent_user")
    # Linking it again: 409.
    assert error(_link(tenant, token, payload)) == (409, "identity_already_linked")


def test_link_with_an_id_token(tenant: Tenant, token: str) -> None:
    id_token = login_tokens(tenant, *GOOGLE, connection="google-oauth2")["id_token"]
    response = _link(tenant, token, {"link_with": id_token})
    assert response.status == 201
    assert [i["provider"] for i in identities(response)] == ["auth0", "google-oauth2"]
    assert error(_link(tenant, token, {"link_with": id_token})) == (409, "identity_already_linked")


def test_link_with_an_id_token_of_another_client_is_refused() -> None:
    other = client_entry(client_id="other-client")
    config = TenantConfig.from_dict(
        {
            "clients": [client_entry(), other],
            "client_grants": [
                {"client_id": CLIENT_ID, "audience": "management", "scope": ["update:users"]},
                {"client_id": "other-client", "audience": "management", "scope": ["update:users"]},
            ],
        }
    )
    tenant = make_tenant(FixedClock(1_767_225_600), config)
    id_token = login_tokens(tenant, *GITHUB, connection="github")["id_token"]
    response = _link(tenant, mgmt_token(tenant, client="other-client"), {"link_with": id_token})
    assert error(response) == (400, "invalid_body")
    assert "azp" in body(response)["message"]
    assert _link(tenant, mgmt_token(tenant), {"link_with": id_token}).status == 201


def test_link_errors(tenant: Tenant, token: str, clock: FixedClock) -> None:
    github = {"provider": "github", "user_id": "4242"}
    id_token = login_tokens(tenant, *GITHUB, connection="github")["id_token"]
    bad_bodies: list[Any] = [
        {},
        {"link_with": id_token, "provider": "github"},
        {"provider": "github"},
        {"user_id": "4242"},
        {"provider": "github", "user_id": "4242", "connection_id": "con_short"},
        {"provider": "github", "user_id": "4242", "extra": 1},
        {"link_with": 42},
        {"link_with": "not.a.jwt"},
        {"link_with": tenant.sign({**claims_of(id_token), "iss": "https://evil.example/"})},
        [github],
        b"not json",
    ]
    for payload in bad_bodies:
        assert error(_link(tenant, token, payload)) == (400, "invalid_body"), payload
    assert error(_link(tenant, token, github, "auth0%7Cnobody")) == (404, "inexistent_user")
    unknown = {"provider": "github", "user_id": "9999"}
    assert error(_link(tenant, token, unknown)) == (404, "inexistent_user")
    other_connection = {"provider": "github", "user_id": "4242", "connection_id": "con_" + "A" * 16}
    assert error(_link(tenant, token, other_connection)) == (404, "inexistent_user")
    itself = {"provider": "auth0", "user_id": "alice"}
    assert error(_link(tenant, token, itself)) == (400, "invalid_body")
    # Bob cannot take an identity already linked to alice.
    assert _link(tenant, token, github).status == 201
    assert error(_link(tenant, token, github, "auth0%7Cbob")) == (409, "identity_already_linked")
    # Expired ID tokens are refused.
    clock.advance(36000)
    google = login_tokens(tenant, *GOOGLE, connection="google-oauth2")["id_token"]
    clock.advance(36000)
    assert error(_link(tenant, mgmt_token(tenant), {"link_with": google})) == (400, "invalid_body")


def test_unlink(tenant: Tenant, token: str) -> None:
    assert _link(tenant, token, {"provider": "github", "user_id": "4242"}).status == 201
    assert _link(tenant, token, {"provider": "google-oauth2", "user_id": "1001"}).status == 201
    response = call(tenant, "DELETE", f"users/{ALICE}/identities/github/4242", token)
    assert response.status == 200
    assert [i["provider"] for i in identities(response)] == ["auth0", "google-oauth2"]
    github = body(call(tenant, "GET", "users/github%7C4242", token))
    assert github["identities"][0]["user_id"] == "4242"
    assert (github["user_metadata"], github["app_metadata"]) == ({}, {})
    again = call(tenant, "DELETE", f"users/{ALICE}/identities/github/4242", token)
    assert error(again) == (404, "inexistent_identity")
    main = call(tenant, "DELETE", f"users/{ALICE}/identities/auth0/alice", token)
    assert error(main) == (400, "operation_not_supported")
    nobody = call(tenant, "DELETE", "users/auth0%7Cnobody/identities/github/4242", token)
    assert error(nobody) == (404, "inexistent_user")
    # Percent-encoded segments are decoded one by one.
    encoded = call(tenant, "DELETE", f"users/{ALICE}/identities/google%2Doauth2/1001", token)
    assert encoded.status == 200
    assert [i["provider"] for i in identities(encoded)] == ["auth0"]


def test_seed_002_merge_then_link(tenant: Tenant, token: str) -> None:
    """Read the secondary's metadata, merge it into the primary (primary wins), link."""
    secondary = body(call(tenant, "GET", "users/github%7C4242", token))["user_metadata"]
    primary = body(call(tenant, "GET", f"users/{ALICE}", token))["user_metadata"]
    merged = {**secondary, **primary}
    patched = call(tenant, "PATCH", f"users/{ALICE}", token, {"user_metadata": merged})
    assert body(patched)["user_metadata"] == {"theme": "light", "newsletter": True}
    id_token = login_tokens(tenant, *GITHUB, connection="github")["id_token"]
    assert _link(tenant, token, {"link_with": id_token}).status == 201
    alice = tenant.user("auth0|alice")
    assert alice is not None
    assert alice["user_metadata"] == {"theme": "light", "newsletter": True}
