"""Linking and unlinking through /authorize (protocol doc 5.1): link_account, unlink_account."""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core import FixedClock
from auth0_core.tenant import BrowserLoginError, Tenant, TenantConfig, browser_login_flow
from auth0_core.tenant.authentication.linking import HINT_LEEWAY

from .tenant_helpers import (
    BASE,
    CALLBACK,
    authorize_params,
    body,
    claims_of,
    exchange,
    get,
    login,
    login_tokens,
    pkce,
    query_of,
    run_flow,
)

GITHUB = ("alice.gh@example.com", "alice-github-password")
GOOGLE = ("alice@gmail.com", "alice-google-password")


def _alice_hint(tenant: Tenant) -> str:
    return str(login_tokens(tenant)["id_token"])


def _link_params(hint: str | None, connection: str | None, **extra: str) -> dict[str, str]:
    params = {"scope": "openid link_account", "audience": "my-account"}
    if hint is not None:
        params["id_token_hint"] = hint
    if connection is not None:
        params["requested_connection"] = connection
    params.update(extra)
    return params


def _link(
    tenant: Tenant, hint: str | None, connection: str | None, credentials: tuple[str, str]
) -> tuple[dict[str, str], str]:
    """Run a link through the browser; the callback query and the PKCE verifier."""
    verifier, challenge = pkce()
    query = login(tenant, challenge, *credentials, **_link_params(hint, connection))
    return query, verifier


def _unlink(tenant: Tenant, hint: str | None, connection: str | None) -> tuple[dict[str, str], str]:
    verifier, challenge = pkce()
    params = _link_params(hint, connection, scope="openid unlink_account")
    response = get(tenant, "/authorize", authorize_params(challenge, **params))
    assert response.status == 302
    return query_of(response.header("location") or ""), verifier


def _identities(tenant: Tenant, user_id: str) -> list[tuple[str, str]]:
    user = tenant.user(user_id)
    assert user is not None
    return [(i["provider"], i["user_id"]) for i in user["identities"]]


@pytest.mark.parametrize(
    ("connection", "credentials", "identity", "secondary_id"),
    [
        ("github", GITHUB, ("github", "4242"), "github|4242"),
        ("google-oauth2", GOOGLE, ("google-oauth2", "1001"), "google-oauth2|1001"),
    ],
)
def test_link_adds_the_identity_and_keeps_the_primary_subject(
    tenant: Tenant,
    connection: str,
    credentials: tuple[str, str],
    identity: tuple[str, str],
    secondary_id: str,
) -> None:
    query, verifier = _link(tenant, _alice_hint(tenant), connection, credentials)
    assert query["state"] == "state-123"
    assert "error" not in query
    tokens = body(exchange(tenant, query["code"], verifier))
    id_claims = claims_of(tokens["id_token"])
    assert id_claims["sub"] == "auth0|alice"
    assert id_claims["nonce"] == "nonce-456"
    assert "identities" not in id_claims
    # The linking verb is no grant; my-account stands for the My Account API.
    assert tokens["scope"] == "openid"
    assert claims_of(tokens["access_token"])["aud"] == [BASE + "/me/", BASE + "/userinfo"]
    assert _identities(tenant, "auth0|alice") == [("auth0", "alice"), identity]
    alice = tenant.user("auth0|alice")
    assert alice is not None
    assert alice["user_metadata"] == {"theme": "light"}  # the secondary's is discarded
    assert alice["identities"][1]["isSocial"] is True
    assert alice["identities"][1]["profileData"]["email"] == credentials[0]
    assert tenant.user(secondary_id) is None  # no longer a separate user


def test_a_linked_login_signs_in_as_the_primary(tenant: Tenant) -> None:
    _link(tenant, _alice_hint(tenant), "github", GITHUB)
    tokens = login_tokens(tenant, *GITHUB, connection="github")
    assert claims_of(tokens["id_token"])["sub"] == "auth0|alice"


def test_login_page_authenticates_the_users_of_the_connection(tenant: Tenant) -> None:
    github = login_tokens(tenant, *GITHUB, connection="github")
    assert claims_of(github["id_token"])["sub"] == "github|4242"
    _, challenge = pkce()
    with pytest.raises(BrowserLoginError):  # a social user is not on the database login page
        login(tenant, challenge, *GITHUB)
    with pytest.raises(BrowserLoginError):  # nor alice on the github one
        login(tenant, challenge, connection="github")
    with pytest.raises(BrowserLoginError, match="invalid_request"):
        login(tenant, challenge, connection="gitlab")


def test_unlink_removes_the_identity_and_recreates_the_user(tenant: Tenant) -> None:
    hint = _alice_hint(tenant)
    _link(tenant, hint, "github", GITHUB)
    query, verifier = _unlink(tenant, hint, "github")
    assert "error" not in query
    assert query["state"] == "state-123"
    tokens = body(exchange(tenant, query["code"], verifier))
    assert claims_of(tokens["id_token"])["sub"] == "auth0|alice"
    assert _identities(tenant, "auth0|alice") == [("auth0", "alice")]
    github = tenant.user("github|4242")
    assert github is not None
    assert github["user_metadata"] == {}
    assert github["app_metadata"] == {}
    assert claims_of(login_tokens(tenant, *GITHUB, connection="github")["id_token"])["sub"] == (
        "github|4242"
    )


def test_unlink_through_the_scripted_browser(tenant: Tenant) -> None:
    hint = _alice_hint(tenant)
    _link(tenant, hint, "google-oauth2", GOOGLE)
    _, challenge = pkce()
    params = _link_params(hint, "google-oauth2", scope="openid unlink_account")
    url = f"{BASE}/authorize?" + "&".join(
        f"{k}={v}" for k, v in authorize_params(challenge, **params).items()
    )
    callback = run_flow(browser_login_flow(url, "unused", "unused"), tenant.handle)
    assert "code" in query_of(callback)


def test_unlink_stays_in_the_browsers_tenant_session(tenant: Tenant) -> None:
    """Found by the browser tests: an unlink started a second tenant session that no cookie
    named, so the user's logout left it alive."""
    hint = _alice_hint(tenant)
    _link(tenant, hint, "github", GITHUB)
    before = tenant.sessions("auth0|alice")
    sid = claims_of(hint)["sid"]
    assert sid in [s["sid"] for s in before]
    verifier, challenge = pkce()
    params = _link_params(hint, "github", scope="openid unlink_account")
    response = get(
        tenant, "/authorize", authorize_params(challenge, **params), Cookie=f"auth0={sid}"
    )
    query = query_of(response.header("location") or "")
    tokens = body(exchange(tenant, query["code"], verifier))
    assert claims_of(tokens["id_token"])["sid"] == sid
    assert tenant.sessions("auth0|alice") == before


def _error(query: dict[str, Any]) -> tuple[str, str]:
    assert "code" not in query
    assert query["state"] == "state-123"
    return query["error"], query["error_description"]


def _authorize_error(tenant: Tenant, **params: str) -> tuple[str, str]:
    _, challenge = pkce()
    response = get(tenant, "/authorize", authorize_params(challenge, **params))
    assert response.status == 302
    location = response.header("location") or ""
    assert location.startswith(CALLBACK)
    return _error(query_of(location))


@pytest.mark.parametrize("scope", ["openid link_account", "openid unlink_account"])
def test_bad_requests_are_redirected_as_invalid_request(
    tenant: Tenant, clock: FixedClock, scope: str
) -> None:
    hint = _alice_hint(tenant)
    cases: list[tuple[dict[str, str], str]] = [
        (_link_params(None, "github"), "id_token_hint"),
        (_link_params(hint, None), "requested_connection"),
        (_link_params(hint, "gitlab"), "requested_connection"),
        (_link_params("not-a-jwt", "github"), "Invalid id_token_hint"),
        (_link_params(hint + "x", "github"), "Invalid id_token_hint"),
        (
            _link_params(hint, "github", scope="openid link_account unlink_account"),
            "together",
        ),
    ]
    forged = tenant.sign({**claims_of(hint), "aud": "another-client"})
    cases.append((_link_params(forged, "github"), "Invalid id_token_hint"))
    other_issuer = tenant.sign({**claims_of(hint), "iss": "https://evil.example/"})
    cases.append((_link_params(other_issuer, "github"), "Invalid id_token_hint"))
    ghost = tenant.sign({**claims_of(hint), "sub": "auth0|nobody"})
    cases.append((_link_params(ghost, "github"), "does not exist"))
    for params, fragment in cases:
        params.setdefault("scope", scope)
        error, description = _authorize_error(tenant, **params)
        assert (error, fragment in description) == ("invalid_request", True), description
    assert _identities(tenant, "auth0|alice") == [("auth0", "alice")]


def test_expired_hints_are_accepted_for_a_day(tenant: Tenant, clock: FixedClock) -> None:
    hint = _alice_hint(tenant)
    exp = claims_of(hint)["exp"]
    clock.advance(exp + HINT_LEEWAY - 1 - tenant.env.now())
    query, _ = _link(tenant, hint, "github", GITHUB)
    assert "code" in query
    _unlink(tenant, hint, "github")
    clock.advance(exp + HINT_LEEWAY - tenant.env.now())
    error, description = _authorize_error(tenant, **_link_params(hint, "github"))
    assert (error, description) == ("invalid_request", "Invalid id_token_hint.")


def test_link_errors_after_the_login(tenant: Tenant) -> None:
    hint = _alice_hint(tenant)
    _link(tenant, hint, "github", GITHUB)
    verifier, challenge = pkce()
    url = f"{BASE}/authorize?" + "&".join(
        f"{k}={v}" for k, v in authorize_params(challenge, **_link_params(hint, "github")).items()
    )
    # Already linked.
    callback = run_flow(browser_login_flow(url, *GITHUB, allow_error=True), tenant.handle)
    assert _error(query_of(callback))[0] == "invalid_request"
    assert "already linked" in query_of(callback)["error_description"]
    # The primary itself.
    params = _link_params(hint, "Username-Password-Authentication")
    query_url = f"{BASE}/authorize?" + "&".join(
        f"{k}={v}" for k, v in authorize_params(challenge, **params).items()
    )
    callback = run_flow(
        browser_login_flow(query_url, "alice@example.com", "alice-password", allow_error=True),
        tenant.handle,
    )
    assert _error(query_of(callback)) == (
        "invalid_request",
        "Main identity and the new one are the same.",
    )
    assert _identities(tenant, "auth0|alice") == [("auth0", "alice"), ("github", "4242")]
    del verifier


def test_unlink_errors(tenant: Tenant) -> None:
    hint = _alice_hint(tenant)
    query, _ = _unlink(tenant, hint, "github")
    assert _error(query) == ("invalid_request", "No identity of github is linked to this user.")
    query, _ = _unlink(tenant, hint, "Username-Password-Authentication")
    assert _error(query) == ("invalid_request", "Main identity cannot be removed.")


def test_a_hint_of_a_user_linked_away_is_refused(tenant: Tenant) -> None:
    github_hint = str(login_tokens(tenant, *GITHUB, connection="github")["id_token"])
    _link(tenant, _alice_hint(tenant), "github", GITHUB)
    error, description = _authorize_error(tenant, **_link_params(github_hint, "google-oauth2"))
    assert (error, "does not exist" in description) == ("invalid_request", True)


def test_prompt_none_link_needs_a_login(tenant: Tenant) -> None:
    params = _link_params(_alice_hint(tenant), "github", prompt="none")
    assert _authorize_error(tenant, **params)[0] == "login_required"


def test_link_through_par(tenant: Tenant) -> None:
    from .tenant_helpers import basic, post_form

    hint = _alice_hint(tenant)
    verifier, challenge = pkce()
    pushed = post_form(
        tenant, "/oauth/par", authorize_params(challenge, **_link_params(hint, "github")), basic()
    )
    assert pushed.status == 201, pushed.body
    url = f"{BASE}/authorize?client_id=demo-client&request_uri={body(pushed)['request_uri']}"
    callback = run_flow(browser_login_flow(url, *GITHUB), tenant.handle)
    tokens = body(exchange(tenant, query_of(callback)["code"], verifier))
    assert claims_of(tokens["id_token"])["sub"] == "auth0|alice"
    bad = post_form(
        tenant, "/oauth/par", authorize_params(challenge, **_link_params(None, "github")), basic()
    )
    assert (bad.status, body(bad)["error"]) == (400, "invalid_request")


def test_custom_connections_and_default_user_ids() -> None:
    config = TenantConfig.from_dict(
        {
            "connections": [{"name": "gitlab", "strategy": "gitlab"}],
            "users": [
                {"email": "dee@example.com", "password": "pw"},
                {"email": "dee@example.com", "password": "pw2", "connection": "gitlab"},
            ],
        }
    )
    dee_db, dee_gitlab = config.users
    assert (dee_db.user_id, dee_gitlab.user_id) == ("auth0|dee", "gitlab|dee")
    tenant = Tenant(config, base_url=BASE, env=None)
    db = tenant.user("auth0|dee")
    assert db is not None
    # The database connection is not listed, and still counts as one.
    assert db["identities"] == [
        {
            "connection": "Username-Password-Authentication",
            "user_id": "dee",
            "provider": "auth0",
            "isSocial": False,
        }
    ]
    tokens = login_tokens(tenant, "dee@example.com", "pw2", connection="gitlab")
    assert claims_of(tokens["id_token"])["sub"] == "gitlab|dee"
