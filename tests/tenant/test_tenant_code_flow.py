"""The authorization code flow with PKCE, through Tenant.handle with no sockets."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, KeySetSerialization

from auth0_core import FixedClock, HttpRequest
from auth0_core.tenant import BrowserLoginError, Tenant, TenantConfig, browser_login_flow

from .tenant_helpers import (
    BASE,
    CALLBACK,
    CLIENT_ID,
    NOW,
    authorize_params,
    basic,
    body,
    claims_of,
    exchange,
    get,
    header_of,
    login,
    make_tenant,
    pkce,
    post_form,
    run_flow,
)


def verify(tenant: Tenant, token: str) -> dict[str, Any]:
    """Verify ``token`` against the JWKS the tenant publishes, like a client would."""
    jwks = cast(KeySetSerialization, body(get(tenant, "/.well-known/jwks.json")))
    return dict(jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"]).claims)


def test_full_login_issues_verifiable_tokens(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    callback = login(tenant, challenge)
    assert set(callback) == {"code", "state"}
    assert callback["state"] == "state-123"

    response = exchange(tenant, callback["code"], verifier)
    assert response.status == 200
    assert response.header("cache-control") == "no-store"
    tokens = body(response)
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 86400
    assert tokens["scope"] == "openid profile email offline_access"
    assert tokens["refresh_token"].startswith("v1.")

    id_claims = verify(tenant, tokens["id_token"])
    assert id_claims["iss"] == BASE + "/"
    assert id_claims["aud"] == CLIENT_ID
    assert id_claims["sub"] == "auth0|alice"
    assert id_claims["nonce"] == "nonce-456"
    assert (id_claims["iat"], id_claims["exp"], id_claims["auth_time"]) == (NOW, NOW + 36000, NOW)
    assert id_claims["name"] == "Alice Example"
    assert id_claims["email"] == "alice@example.com"
    assert id_claims["email_verified"] is True
    assert id_claims["sid"]
    header = header_of(tokens["id_token"])
    assert header["typ"] == "JWT"
    assert header["alg"] == "RS256"
    assert header["kid"] == body(get(tenant, "/.well-known/jwks.json"))["keys"][0]["kid"]

    at = verify(tenant, tokens["access_token"])
    assert at["aud"] == BASE + "/userinfo"
    assert (at["sub"], at["azp"], at["scope"]) == ("auth0|alice", CLIENT_ID, tokens["scope"])
    assert at["exp"] == NOW + 86400
    assert at["jti"]
    assert tenant.count("/oauth/token", grant_type="authorization_code") == 1


def test_scope_decides_profile_claims_and_refresh_token(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge, scope="openid email", nonce="")["code"]
    tokens = body(exchange(tenant, code, verifier))
    assert "refresh_token" not in tokens
    claims = claims_of(tokens["id_token"])
    assert "nonce" not in claims
    assert "name" not in claims
    assert claims["email"] == "alice@example.com"


def test_audience_and_organization(clock: FixedClock) -> None:
    config = TenantConfig.from_dict(
        {"organizations": [{"id": "org_acme1", "name": "acme", "members": ["auth0|alice"]}]}
    )
    tenant = make_tenant(clock, config)
    verifier, challenge = pkce()
    code = login(tenant, challenge, audience="https://api.example", organization="acme")["code"]
    tokens = body(exchange(tenant, code, verifier))
    at = claims_of(tokens["access_token"])
    assert at["aud"] == ["https://api.example", BASE + "/userinfo"]
    assert at["org_id"] == "org_acme1"
    idt = claims_of(tokens["id_token"])
    assert (idt["org_id"], idt["org_name"]) == ("org_acme1", "acme")

    # bob is not a member: Auth0 answers access_denied on the callback
    _, challenge = pkce()
    url = f"{BASE}/authorize?" + urlencode(authorize_params(challenge, organization="org_acme1"))
    with pytest.raises(BrowserLoginError, match="access_denied"):
        run_flow(browser_login_flow(url, "bob@example.com", "bob-password"), tenant.handle)


def test_code_is_single_use_and_reuse_revokes_refresh_token(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    first = body(exchange(tenant, code, verifier))
    again = exchange(tenant, code, verifier)
    assert again.status == 400
    assert body(again) == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }
    refreshed = post_form(
        tenant,
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        basic(),
    )
    assert body(refreshed)["error"] == "invalid_grant"


def test_code_expires_after_60_seconds(tenant: Tenant, clock: FixedClock) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    clock.advance(60)
    response = exchange(tenant, code, verifier)
    assert (response.status, body(response)["error"]) == (400, "invalid_grant")


def test_code_within_lifetime_still_works(tenant: Tenant, clock: FixedClock) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    clock.advance(59)
    assert exchange(tenant, code, verifier).status == 200


def test_wrong_verifier_is_invalid_grant(tenant: Tenant) -> None:
    _, challenge = pkce()
    other_verifier, _ = pkce()
    code = login(tenant, challenge)["code"]
    response = exchange(tenant, code, other_verifier)
    assert response.status == 400
    assert body(response) == {
        "error": "invalid_grant",
        "error_description": "Failed to verify code verifier",
    }


def test_missing_verifier_and_wrong_redirect_uri(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    assert body(exchange(tenant, code, ""))["error"] == "invalid_grant"
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    response = exchange(tenant, code, verifier, redirect_uri="http://localhost:3000/auth/callback")
    assert (response.status, body(response)["error"]) == (400, "invalid_grant")


def test_code_bound_to_client(clock: FixedClock) -> None:
    config = TenantConfig.from_dict(
        {
            "clients": [
                {"client_id": "demo-client", "client_secret": "a" * 20, "callbacks": [CALLBACK]},
                {"client_id": "other", "client_secret": "b" * 20, "callbacks": [CALLBACK]},
            ]
        }
    )
    tenant = make_tenant(clock, config)
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    response = post_form(
        tenant,
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        basic("other", "b" * 20),
    )
    assert (response.status, body(response)["error"]) == (400, "invalid_grant")


def test_refresh_token_grant(tenant: Tenant, clock: FixedClock) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge, audience="https://api.example")["code"]
    refresh_token = body(exchange(tenant, code, verifier))["refresh_token"]
    clock.advance(3600)
    response = post_form(
        tenant,
        "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": "openid bogus"},
        basic(),
    )
    assert response.status == 200
    tokens = body(response)
    assert tokens["scope"] == "openid"  # narrowed; unknown scopes dropped
    assert "refresh_token" not in tokens  # no rotation yet
    at = claims_of(tokens["access_token"])
    assert at["aud"][0] == "https://api.example"
    assert at["iat"] == NOW + 3600
    idt = claims_of(tokens["id_token"])
    assert "nonce" not in idt
    assert idt["auth_time"] == NOW
    assert tenant.count(grant_type="refresh_token") == 1

    unknown = post_form(
        tenant, "/oauth/token", {"grant_type": "refresh_token", "refresh_token": "v1.nope"}, basic()
    )
    assert unknown.status == 400
    assert body(unknown) == {
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token.",
    }


def test_token_endpoint_accepts_json_body(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge)["code"]
    request = HttpRequest(
        method="POST",
        url=f"{BASE}/oauth/token",
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(
            {
                "grant_type": "authorization_code",
                "client_id": CLIENT_ID,
                "client_secret": "demo-client-secret-please-change-0123456789",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            }
        ).encode(),
    )
    assert tenant.handle(request).status == 200


def test_token_endpoint_errors(tenant: Tenant) -> None:
    unsupported = post_form(tenant, "/oauth/token", {"grant_type": "password"}, basic())
    assert (unsupported.status, body(unsupported)["error"]) == (400, "unsupported_grant_type")
    missing = post_form(tenant, "/oauth/token", {}, basic())
    assert (missing.status, body(missing)["error"]) == (400, "invalid_request")
    no_code = post_form(tenant, "/oauth/token", {"grant_type": "authorization_code"}, basic())
    assert (no_code.status, body(no_code)["error"]) == (400, "invalid_request")
    dup = tenant.handle(
        HttpRequest(
            method="POST",
            url=f"{BASE}/oauth/token",
            headers=(("Content-Type", "application/x-www-form-urlencoded"), *basic()),
            body=b"grant_type=authorization_code&code=a&code=b",
        )
    )
    assert (dup.status, body(dup)["error"]) == (400, "invalid_request")
    for response in (unsupported, missing, no_code, dup):
        assert response.header("cache-control") == "no-store"


def test_userinfo(tenant: Tenant, clock: FixedClock) -> None:
    verifier, challenge = pkce()
    code = login(tenant, challenge, scope="openid profile")["code"]
    access_token = body(exchange(tenant, code, verifier))["access_token"]
    response = get(tenant, "/userinfo", Authorization=f"Bearer {access_token}")
    assert response.status == 200
    assert body(response) == {"sub": "auth0|alice", "name": "Alice Example", "nickname": "alice"}

    missing = get(tenant, "/userinfo")
    assert missing.status == 401
    assert missing.header("www-authenticate") == 'Bearer realm="auth0"'
    forged = get(tenant, "/userinfo", Authorization=f"Bearer {access_token[:-4]}AAAA")
    assert forged.status == 401
    assert 'error="invalid_token"' in (forged.header("www-authenticate") or "")
    clock.advance(86400)
    expired = get(tenant, "/userinfo", Authorization=f"Bearer {access_token}")
    assert expired.status == 401


def test_revoke_refresh_token(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    refresh_token = body(exchange(tenant, login(tenant, challenge)["code"], verifier))[
        "refresh_token"
    ]
    refresh = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    assert post_form(tenant, "/oauth/token", refresh, basic()).status == 200
    # unauthenticated revocation is refused and changes nothing
    assert post_form(tenant, "/oauth/revoke", {"token": refresh_token}).status == 401
    assert post_form(tenant, "/oauth/token", refresh, basic()).status == 200
    assert post_form(tenant, "/oauth/revoke", {}, basic()).status == 400
    revoked = post_form(tenant, "/oauth/revoke", {"token": refresh_token}, basic())
    assert (revoked.status, revoked.body) == (200, b"")
    # unknown tokens answer 200 too (RFC 7009 §2.2)
    assert post_form(tenant, "/oauth/revoke", {"token": "v1.unknown"}, basic()).status == 200
    after = post_form(tenant, "/oauth/token", refresh, basic())
    assert (after.status, body(after)["error"]) == (400, "invalid_grant")
