"""/authorize and the login page: validation order, error pages and error redirects."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from auth0_core import FixedClock, HttpRequest
from auth0_core.tenant import BrowserLoginError, Tenant, browser_login_flow

from .tenant_helpers import (
    BASE,
    CALLBACK,
    authorize_params,
    get,
    pkce,
    post_form,
    query_of,
    run_flow,
)

ALICE = {"username": "alice@example.com", "password": "alice-password"}


def _tx(page: bytes) -> str:
    match = re.search(rb'name="tx" value="([^"]+)"', page)
    assert match is not None
    return match.group(1).decode()


def test_login_page_has_the_form(tenant: Tenant) -> None:
    _, challenge = pkce()
    page = get(tenant, "/authorize", authorize_params(challenge))
    assert page.status == 200
    assert page.header("content-type") == "text/html; charset=utf-8"
    assert b'<form method="post" action="/u/login">' in page.body
    assert b'name="username"' in page.body
    assert b'name="password"' in page.body
    assert _tx(page.body)


@pytest.mark.parametrize(
    "override",
    [
        {"client_id": "nobody"},
        {"client_id": ""},
        {"redirect_uri": "https://evil.example/cb"},
        {"redirect_uri": CALLBACK + "/"},  # exact match only
        {"redirect_uri": ""},
    ],
)
def test_bad_client_or_redirect_uri_shows_page_never_redirects(
    tenant: Tenant, override: dict[str, str]
) -> None:
    _, challenge = pkce()
    params = {**authorize_params(challenge), **override}
    response = get(tenant, "/authorize", {k: v for k, v in params.items() if v})
    assert response.status == 400
    assert response.header("location") is None
    assert b'data-error="invalid_request"' in response.body


def test_duplicated_redirect_uri_shows_page(tenant: Tenant) -> None:
    _, challenge = pkce()
    query = urlencode(authorize_params(challenge)) + "&redirect_uri=https%3A%2F%2Fevil.example"
    response = tenant.handle(HttpRequest(method="GET", url=f"{BASE}/authorize?{query}"))
    assert response.status == 400
    assert response.header("location") is None


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"response_type": ""}, "invalid_request"),
        ({"code_challenge": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge": "short"}, "invalid_request"),
        ({"max_age": "-1"}, "invalid_request"),
        ({"organization": "org_unknown"}, "invalid_request"),
        ({"response_mode": "fragment"}, "invalid_request"),
        ({"prompt": "none"}, "login_required"),
    ],
)
def test_errors_after_redirect_uri_is_valid_redirect_back(
    tenant: Tenant, override: dict[str, str], error: str
) -> None:
    _, challenge = pkce()
    params = {**authorize_params(challenge), **override}
    response = get(tenant, "/authorize", {k: v for k, v in params.items() if v})
    assert response.status == 302
    location = response.header("location") or ""
    assert location.startswith(CALLBACK + "?")
    query = query_of(location)
    assert query["error"] == error
    assert query["error_description"]
    assert query["state"] == "state-123"
    assert "code" not in query


def test_error_redirect_without_state_omits_it(tenant: Tenant) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, state="", response_type="id_token")
    location = get(tenant, "/authorize", params).header("location") or ""
    assert "state" not in query_of(location)


def test_wrong_password_shows_form_again(tenant: Tenant) -> None:
    _, challenge = pkce()
    page = get(tenant, "/authorize", authorize_params(challenge))
    tx = _tx(page.body)
    wrong = post_form(
        tenant, "/u/login", {"tx": tx, "username": "alice@example.com", "password": "nope"}
    )
    assert wrong.status == 401
    assert b"Wrong email or password." in wrong.body
    assert b'action="/u/login"' in wrong.body
    # the same transaction still works after a mistake
    right = post_form(
        tenant,
        "/u/login",
        {"tx": tx, **ALICE},
    )
    assert right.status == 302
    query = query_of(right.header("location") or "")
    assert set(query) == {"code", "state"}
    # and is then used up
    replay = post_form(
        tenant,
        "/u/login",
        {"tx": tx, **ALICE},
    )
    assert replay.status == 400


def test_login_transaction_expires(tenant: Tenant, clock: FixedClock) -> None:
    _, challenge = pkce()
    tx = _tx(get(tenant, "/authorize", authorize_params(challenge)).body)
    clock.advance(600)
    response = post_form(
        tenant,
        "/u/login",
        {"tx": tx, **ALICE},
    )
    assert response.status == 400


def test_unknown_tx_is_rejected(tenant: Tenant) -> None:
    response = post_form(tenant, "/u/login", {"tx": "made-up", "username": "a", "password": "b"})
    assert response.status == 400


def test_browser_login_flow_reports_failures(tenant: Tenant) -> None:
    _, challenge = pkce()
    url = f"{BASE}/authorize?{urlencode(authorize_params(challenge))}"
    with pytest.raises(BrowserLoginError, match="HTTP 401"):
        run_flow(browser_login_flow(url, "alice@example.com", "wrong"), tenant.handle)
    bad = f"{BASE}/authorize?{urlencode(authorize_params(challenge, client_id='x'))}"
    with pytest.raises(BrowserLoginError, match="HTTP 400"):
        run_flow(browser_login_flow(bad, "alice@example.com", "alice-password"), tenant.handle)
    silent = f"{BASE}/authorize?{urlencode(authorize_params(challenge, prompt='none'))}"
    with pytest.raises(BrowserLoginError, match="login_required"):
        run_flow(browser_login_flow(silent, "alice@example.com", "alice-password"), tenant.handle)


def test_callback_without_state_has_only_code(tenant: Tenant) -> None:
    _, challenge = pkce()
    url = f"{BASE}/authorize?{urlencode(authorize_params(challenge, state=''))}"
    location = run_flow(browser_login_flow(url, "bob@example.com", "bob-password"), tenant.handle)
    assert location.startswith(CALLBACK + "?code=")
    assert set(query_of(location)) == {"code"}
