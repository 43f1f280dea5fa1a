"""The My Account API's gatekeeping and error shapes: tokens (401), scopes (403), bodies (400,
413, 415), unknown routes (404, 405), and never a crash."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth0_core import FixedClock, HttpRequest
from auth0_core.tenant import Tenant, generate_signing_key

from .tenant_helpers import (
    API,
    BASE,
    MY_ACCOUNT,
    body,
    login_tokens,
    make_tenant,
    pkce,
    token_request,
)
from .test_my_account_support import (
    API_ROOT,
    PROBLEM_JSON,
    call,
    connect_payload,
    my_account_token,
    problem_of,
)

# (method, path, scope it needs, a body good enough to get past the scope check)
ENDPOINTS = [
    ("POST", "/connect", "create:me:connected_accounts"),
    ("POST", "/complete", "create:me:connected_accounts"),
    ("GET", "/accounts", "read:me:connected_accounts"),
    ("GET", "/connections", "read:me:connected_accounts"),
    ("DELETE", "/accounts/cac_abc123", "delete:me:connected_accounts"),
]


@pytest.fixture
def token(tenant: Tenant) -> str:
    return my_account_token(tenant)


def _payload(method: str) -> Any:
    return {} if method == "POST" else None


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_no_token_is_401_with_a_challenge(
    tenant: Tenant, method: str, path: str, scope: str
) -> None:
    response = call(tenant, method, path, payload=_payload(method))
    assert response.status == 401
    assert problem_of(response)["title"] == "Unauthorized"
    assert response.header("www-authenticate") == f'Bearer realm="{MY_ACCOUNT}"'
    assert response.header("cache-control") == "no-store"


def _bad_tokens(tenant: Tenant, clock: FixedClock) -> dict[str, str]:
    tokens = login_tokens(tenant, audience=API)
    client_credentials = body(
        token_request(tenant, {"grant_type": "client_credentials", "audience": API})
    )["access_token"]
    foreign = Tenant(tenant.config, base_url=BASE, signing_key=generate_signing_key())
    return {
        "garbage": "not-a-jwt",
        "id token": tokens["id_token"],
        "other audience": tokens["access_token"],
        "client credentials": client_credentials,
        "other tenant's key": my_account_token(foreign),
    }


def test_invalid_tokens_are_401_invalid_token(tenant: Tenant, clock: FixedClock) -> None:
    for name, bad in _bad_tokens(tenant, clock).items():
        response = call(tenant, "GET", "/accounts", bad)
        assert response.status == 401, name
        challenge = response.header("www-authenticate") or ""
        assert challenge.startswith(f'Bearer realm="{MY_ACCOUNT}", error="invalid_token"'), name


def test_an_expired_token_is_401(tenant: Tenant, token: str, clock: FixedClock) -> None:
    assert call(tenant, "GET", "/accounts", token).status == 200
    clock.advance(86400)
    response = call(tenant, "GET", "/accounts", token)
    assert response.status == 401
    assert 'error="invalid_token"' in (response.header("www-authenticate") or "")


@pytest.mark.parametrize("scheme", ["Basic", "Token", ""])
def test_other_schemes_count_as_no_token(tenant: Tenant, token: str, scheme: str) -> None:
    response = call(tenant, "GET", "/accounts", token, scheme=scheme)
    assert response.status == 401


@pytest.mark.parametrize(("method", "path", "scope"), ENDPOINTS)
def test_a_token_without_the_scope_is_403(
    tenant: Tenant, method: str, path: str, scope: str
) -> None:
    others = [s for s in {e[2] for e in ENDPOINTS} if s != scope]
    narrow = my_account_token(tenant, scope=" ".join(others))
    response = call(tenant, method, path, narrow, _payload(method))
    assert response.status == 403
    problem = problem_of(response)
    assert problem["title"] == "Forbidden"
    assert scope in problem["detail"]
    assert 'error="insufficient_scope"' in (response.header("www-authenticate") or "")


def test_unknown_paths_under_me_are_problem_404(tenant: Tenant, token: str) -> None:
    for path in ("/me/v1/nope", "/me/v1/connected-accounts", "/me/v2/connected-accounts/accounts"):
        response = tenant.handle(HttpRequest(method="GET", url=BASE + path))
        assert response.status == 404
        assert problem_of(response)["title"] == "Not Found"


def test_a_method_no_route_serves_is_problem_405(tenant: Tenant) -> None:
    response = call(tenant, "PUT", "/accounts")
    assert response.status == 405
    assert problem_of(response)["title"] == "Method Not Allowed"
    assert response.header("allow") == "GET"
    assert call(tenant, "GET", "/accounts/cac_abc").header("allow") == "DELETE"


@pytest.mark.parametrize("path", ["/connect", "/complete"])
def test_bodies_must_be_json_objects(tenant: Tenant, token: str, path: str) -> None:
    url = f"{BASE}{API_ROOT}{path}"
    auth = ("Authorization", f"Bearer {token}")
    cases = [
        ((), b"{}", 415),
        ((("Content-Type", "application/x-www-form-urlencoded"),), b"a=b", 415),
        ((("Content-Type", "text/plain"),), b"{}", 415),
        ((("Content-Type", "application/json"),), b"{", 400),
        ((("Content-Type", "application/json"),), b"\xff\xfe", 400),
        ((("Content-Type", "application/json"),), b"[1]", 400),
        ((("Content-Type", "application/json"),), b"[" * 100_000, 413),
        ((("Content-Type", "application/json"),), b"[" * 50_000, 400),
        ((("Content-Type", "application/json; charset=utf-8"),), b"{}", 400),
    ]
    for headers, data, status in cases:
        request = HttpRequest(method="POST", url=url, headers=(auth, *headers), body=data)
        response = tenant.handle(request)
        assert response.status == status, (headers, data[:10])
        problem_of(response)


def _connect_errors(tenant: Tenant, token: str, payload: dict[str, Any]) -> list[dict[str, str]]:
    response = call(tenant, "POST", "/connect", token, payload)
    assert response.status == 400, response.body
    problem = problem_of(response)
    assert problem["detail"] == "Invalid request payload input"
    errors: list[dict[str, str]] = problem["validation_errors"]
    assert all(e["source"] == "body" and e["pointer"] == "/" + e["field"] for e in errors)
    return errors


CHALLENGE = pkce()[1]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"connection": None}, "connection"),
        ({"connection": ""}, "connection"),
        ({"connection": "c" * 129}, "connection"),
        ({"connection": 7}, "connection"),
        ({"redirect_uri": None}, "redirect_uri"),
        ({"redirect_uri": "https://app.example/" + "x" * 2048}, "redirect_uri"),
        ({"state": ""}, "state"),
        ({"state": "s" * 4097}, "state"),
        ({"code_challenge": "short"}, "code_challenge"),
        ({"code_challenge": "c" * 129}, "code_challenge"),
        ({"code_challenge": "!" * 43}, "code_challenge"),
        ({"code_challenge_method": "plain"}, "code_challenge_method"),
        ({"code_challenge_method": None}, "code_challenge_method"),
        ({"scopes": []}, "scopes"),
        ({"scopes": "openid"}, "scopes"),
        ({"scopes": ["a", "a"]}, "scopes"),
        ({"scopes": [""]}, "scopes"),
        ({"scopes": ["s" * 256]}, "scopes"),
        ({"scopes": [1]}, "scopes"),
        ({"scopes": [f"s{n}" for n in range(101)]}, "scopes"),
        ({"authorization_params": {"scope": "openid"}}, "authorization_params/scope"),
        ({"authorization_params": {"redirect_uri": "x"}}, "authorization_params/redirect_uri"),
        ({"authorization_params": {"display": "tv"}}, "authorization_params/display"),
        ({"authorization_params": {"prompt": "always"}}, "authorization_params/prompt"),
        ({"authorization_params": {"login_hint": "h" * 256}}, "authorization_params/login_hint"),
        ({"authorization_params": {"max_age": "10"}}, "authorization_params/max_age"),
        ({"authorization_params": {"max_age": -1}}, "authorization_params/max_age"),
        ({"authorization_params": {"acr_values": 3}}, "authorization_params/acr_values"),
        ({"authorization_params": ["prompt"]}, "authorization_params"),
        ({"extra": True}, "extra"),
        ({"app_state": {}}, "app_state"),
    ],
)
def test_connect_schema_violations(
    tenant: Tenant, token: str, overrides: dict[str, Any], field: str
) -> None:
    payload = connect_payload(CHALLENGE, **overrides)
    for name, value in overrides.items():
        if value is None:
            payload.pop(name, None)
    fields = [e["field"] for e in _connect_errors(tenant, token, payload)]
    assert field in fields


def test_every_violation_is_reported_at_once(tenant: Tenant, token: str) -> None:
    payload = {"connection": "", "state": "", "scopes": [], "x": 1}
    fields = sorted(e["field"] for e in _connect_errors(tenant, token, payload))
    assert fields == ["connection", "redirect_uri", "scopes", "state", "x"]


def test_every_allowed_authorization_param_is_accepted(tenant: Tenant, token: str) -> None:
    params = {
        "acr_values": "urn:mace:incommon:iap:silver",
        "audience": "https://api.github.example",
        "resource": "https://api.github.example",
        "display": "popup",
        "id_token_hint": "eyJ...",
        "login_hint": "me@example.com",
        "max_age": 0,
        "prompt": "select_account",
        "ui_locales": "fr-CA fr",
    }
    response = call(
        tenant, "POST", "/connect", token, connect_payload(CHALLENGE, authorization_params=params)
    )
    assert response.status == 201, response.body


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, ["auth_session", "connect_code", "redirect_uri"]),
        (
            {"auth_session": "a" * 65, "connect_code": "c" * 47, "redirect_uri": "x"},
            ["auth_session", "connect_code"],
        ),
        (
            {"auth_session": "a", "connect_code": "c", "redirect_uri": "x", "code_verifier": "v"},
            ["code_verifier"],
        ),
        (
            {"auth_session": "a", "connect_code": "c", "redirect_uri": "x", "state": "s"},
            ["state"],
        ),
    ],
)
def test_complete_schema_violations(
    tenant: Tenant, token: str, payload: dict[str, Any], fields: list[str]
) -> None:
    response = call(tenant, "POST", "/complete", token, payload)
    assert response.status == 400
    assert sorted(e["field"] for e in problem_of(response)["validation_errors"]) == fields


def test_every_my_account_request_is_logged(tenant: Tenant, token: str) -> None:
    call(tenant, "GET", "/accounts", token)
    call(tenant, "GET", "/accounts")
    call(tenant, "DELETE", "/accounts/cac_unknown1", token)
    entries = [(e.method, e.path, e.status) for e in tenant.log if e.path.startswith("/me/")]
    assert entries == [
        ("GET", "/me/v1/connected-accounts/accounts", 200),
        ("GET", "/me/v1/connected-accounts/accounts", 401),
        ("DELETE", "/me/v1/connected-accounts/accounts/cac_unknown1", 404),
    ]
    assert tenant.count("/me/v1/connected-accounts/accounts") == 2


_TENANT = make_tenant(FixedClock(1_767_225_600))
_TOKEN = my_account_token(_TENANT)
_PATHS = ["/connect", "/complete", "/accounts", "/connections", "/accounts/cac_x1", "/x"]
_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
_members = st.sampled_from(
    ["connection", "redirect_uri", "state", "scopes", "authorization_params", "auth_session",
     "connect_code", "code_verifier", "code_challenge", "code_challenge_method", "max_age"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PATCH"]),
    path=st.sampled_from(_PATHS),
    document=st.dictionaries(_members, _json, max_size=5) | _json,
    query=st.lists(
        st.tuples(st.sampled_from(["take", "from", "connection"]), st.text(max_size=12)), max_size=3
    ),
    authorized=st.booleans(),
)
def test_never_crashes_and_never_fails_server_side(
    method: str,
    path: str,
    document: Any,
    query: list[tuple[str, str]],
    authorized: bool,
) -> None:
    headers = [("Content-Type", "application/json")]
    if authorized:
        headers.append(("Authorization", f"Bearer {_TOKEN}"))
    request = HttpRequest(
        method=method,
        url=f"{BASE}{API_ROOT}{path}?" + "&".join(f"{k}={v}" for k, v in query),
        headers=headers,
        body=json.dumps(document).encode(),
    )
    response = _TENANT.handle(request)
    assert 200 <= response.status < 500
    if response.status >= 400:
        assert response.header("content-type") == PROBLEM_JSON
