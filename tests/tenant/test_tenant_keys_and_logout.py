"""Discovery, JWKS and rotation, the test hooks, the request log and the logout endpoints."""

from __future__ import annotations

from typing import Any, cast

from joserfc import jwt
from joserfc.jwk import KeySet, KeySetSerialization

from auth0_core.tenant import LogEntry, Tenant

from .tenant_helpers import (
    BASE,
    CLIENT_ID,
    body,
    claims_of,
    exchange,
    get,
    header_of,
    login,
    pkce,
    query_of,
)

Claims = dict[str, Any]


def test_discovery_document(tenant: Tenant) -> None:
    response = get(tenant, "/.well-known/openid-configuration")
    assert response.status == 200
    assert response.header("cache-control") == "public, max-age=600"
    doc = body(response)
    assert doc["issuer"] == BASE + "/"
    expected = {
        "authorization_endpoint": "/authorize",
        "token_endpoint": "/oauth/token",
        "jwks_uri": "/.well-known/jwks.json",
        "userinfo_endpoint": "/userinfo",
        "end_session_endpoint": "/oidc/logout",
        "pushed_authorization_request_endpoint": "/oauth/par",
        "revocation_endpoint": "/oauth/revoke",
    }
    for member, path in expected.items():
        assert doc[member] == BASE + path
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["response_types_supported"] == ["code"]
    assert doc["backchannel_logout_supported"] is True
    assert {"authorization_code", "refresh_token"} <= set(doc["grant_types_supported"])
    assert "openid" in doc["scopes_supported"]


def test_jwks_and_rotation(tenant: Tenant) -> None:
    jwks = body(get(tenant, "/.well-known/jwks.json"))
    [key] = jwks["keys"]
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
    assert "d" not in key  # public only
    old_token = tenant.sign({"sub": "x"})

    new_kid = tenant.rotate_signing_key()
    assert new_kid != key["kid"]
    kids = [k["kid"] for k in body(get(tenant, "/.well-known/jwks.json"))["keys"]]
    assert kids == [key["kid"], new_kid]
    new_token = tenant.sign({"sub": "y"})
    assert header_of(new_token)["kid"] == new_kid
    published = cast(KeySetSerialization, body(get(tenant, "/.well-known/jwks.json")))
    keyset = KeySet.import_key_set(published)
    for token in (old_token, new_token):
        assert jwt.decode(token, keyset, algorithms=["RS256"]).claims["sub"] in ("x", "y")

    tenant.revoke_previous_signing_keys()
    kids = [k["kid"] for k in body(get(tenant, "/.well-known/jwks.json"))["keys"]]
    assert kids == [new_kid]
    # rotating again yields yet another distinct key
    assert tenant.rotate_signing_key() not in (key["kid"], new_kid)


def test_id_token_hook_rewrites_claims_and_header(tenant: Tenant) -> None:
    def hook(
        claims: dict[str, Any], header: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        return {**claims, "aud": "someone-else"}, {**header, "kid": "bogus-kid"}

    tenant.id_token_hook = hook
    verifier, challenge = pkce()
    tokens = body(exchange(tenant, login(tenant, challenge)["code"], verifier))
    assert claims_of(tokens["id_token"])["aud"] == "someone-else"
    assert header_of(tokens["id_token"])["kid"] == "bogus-kid"
    assert claims_of(tokens["access_token"])["azp"] == CLIENT_ID  # access token untouched


def test_request_log(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    exchange(tenant, login(tenant, challenge)["code"], verifier)
    get(tenant, "/nowhere")
    assert tenant.log[0] == LogEntry(method="GET", path="/authorize", status=200)
    assert tenant.log[2] == LogEntry(
        method="POST", path="/oauth/token", status=200, grant_type="authorization_code"
    )
    assert tenant.count("/u/login") == 1
    assert tenant.count(grant_type="authorization_code") == 1
    assert tenant.count(method="get") == 2
    assert tenant.log[-1].status == 404


def test_v2_logout(tenant: Tenant) -> None:
    ok = get(tenant, "/v2/logout", {"client_id": CLIENT_ID, "returnTo": "http://localhost:3000/"})
    assert (ok.status, ok.header("location")) == (302, "http://localhost:3000/")
    evil = get(tenant, "/v2/logout", {"client_id": CLIENT_ID, "returnTo": "https://evil.example/"})
    assert evil.status == 400
    assert evil.header("location") is None
    # without client_id the tenant-level list (empty by default) applies
    no_client = get(tenant, "/v2/logout", {"returnTo": "http://localhost:3000/"})
    assert no_client.status == 400
    plain = get(tenant, "/v2/logout", {"client_id": CLIENT_ID})
    assert plain.status == 200
    assert b"logged out" in plain.body
    assert get(tenant, "/v2/logout", {"client_id": "nobody"}).status == 400


def test_oidc_logout(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    id_token = body(exchange(tenant, login(tenant, challenge)["code"], verifier))["id_token"]
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": "http://127.0.0.1:3000/",
        "state": "s1",
    }
    response = get(tenant, "/oidc/logout", params)
    assert response.status == 302
    location = response.header("location") or ""
    assert location.startswith("http://127.0.0.1:3000/?")
    assert query_of(location) == {"state": "s1"}
    by_client = get(tenant, "/oidc/logout", {"client_id": CLIENT_ID})
    assert by_client.header("location") == "http://127.0.0.1:3000/"  # first allowed URL
    assert get(tenant, "/oidc/logout").status == 200
    bad = get(tenant, "/oidc/logout", {**params, "post_logout_redirect_uri": "https://evil/"})
    assert bad.status == 400
    mismatch = get(tenant, "/oidc/logout", {**params, "client_id": "other"})
    assert mismatch.status == 400
    forged = get(tenant, "/oidc/logout", {**params, "id_token_hint": id_token[:-4] + "AAAA"})
    assert forged.status == 400
