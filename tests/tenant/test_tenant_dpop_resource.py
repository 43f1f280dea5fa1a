"""DPoP (RFC 9449 §7) at the tenant's resource servers: the My Account API and /userinfo."""

from __future__ import annotations

import json

import pytest

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig, browser_connect_flow

from .tenant_helpers import (
    BASE,
    MY_ACCOUNT,
    MY_ACCOUNT_SCOPES,
    NOW,
    body,
    claims_of,
    login_tokens,
    make_tenant,
    pkce,
    query_of,
    refresh,
    run_flow,
)
from .test_my_account_support import API_ROOT, complete_payload, connect_payload, connect_url
from .test_tenant_dpop_support import TOKEN_URL, ProofKey, challenges, resource_get, token_post

ACCOUNTS_URL = f"{BASE}{API_ROOT}/accounts"
USERINFO_URL = BASE + "/userinfo"


@pytest.fixture(scope="module")
def key() -> ProofKey:
    return ProofKey.es256()


def bound_token(
    tenant: Tenant, key: ProofKey, audience: str = MY_ACCOUNT, scope: str = MY_ACCOUNT_SCOPES
) -> str:
    """A DPoP-bound access token: login, then an MRRT refresh with a proof."""
    refresh_token = login_tokens(tenant)["refresh_token"]
    fields = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    fields.update({"audience": audience, "scope": scope})
    response = token_post(tenant, fields, (key.proof("POST", TOKEN_URL),))
    if response.status == 400 and body(response)["error"] == "use_dpop_nonce":
        proof = key.proof("POST", TOKEN_URL, nonce=response.header("dpop-nonce"))
        response = token_post(tenant, fields, (proof,))
    assert response.status == 200, response.body
    assert body(response)["token_type"] == "DPoP"
    token = str(body(response)["access_token"])
    assert claims_of(token)["cnf"] == {"jkt": key.jkt}
    return token


def bearer_token(tenant: Tenant) -> str:
    refresh_token = login_tokens(tenant)["refresh_token"]
    response = refresh(tenant, refresh_token, audience=MY_ACCOUNT, scope=MY_ACCOUNT_SCOPES)
    return str(body(response)["access_token"])


def _dpop_error(response: HttpResponse) -> str:
    """The ``error`` of the response's DPoP challenge (and it is a 401)."""
    assert response.status == 401
    [dpop] = [c for c in challenges(response) if c.startswith("DPoP ")]
    assert 'algs="' in dpop
    return dpop.split('error="', 1)[1].split('"', 1)[0]


def test_a_bound_token_with_its_proof_opens_the_api(tenant: Tenant, key: ProofKey) -> None:
    token = bound_token(tenant, key)
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token)
    response = resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,))
    assert response.status == 200, response.body
    assert len(body(response)["accounts"]) == 1
    assert response.header("dpop-nonce") is None  # nonces are off


@pytest.mark.parametrize("proof_url", [ACCOUNTS_URL, ACCOUNTS_URL + "?take=5", ACCOUNTS_URL + "#x"])
def test_htu_ignores_the_query_of_the_request_and_of_the_proof(
    tenant: Tenant, key: ProofKey, proof_url: str
) -> None:
    token = bound_token(tenant, key)
    proof = key.proof("GET", proof_url, access_token=token)
    response = resource_get(tenant, ACCOUNTS_URL + "?take=5", token, proofs=(proof,))
    assert response.status == 200, response.body


def test_a_bound_token_sent_as_bearer_is_refused(tenant: Tenant, key: ProofKey) -> None:
    token = bound_token(tenant, key)
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token)
    response = resource_get(tenant, ACCOUNTS_URL, token, scheme="Bearer", proofs=(proof,))
    assert _dpop_error(response) == "invalid_token"
    assert body(response)["title"] == "Unauthorized"


def test_an_unbound_token_sent_as_dpop_is_refused(tenant: Tenant, key: ProofKey) -> None:
    token = bearer_token(tenant)
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token)
    assert _dpop_error(resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,))) == (
        "invalid_token"
    )


def test_each_bad_proof_is_refused(tenant: Tenant, key: ProofKey, clock: FixedClock) -> None:
    token = bound_token(tenant, key)
    stranger = ProofKey.es256()
    cases = {
        "no proof": (),
        "wrong ath": (key.proof("GET", ACCOUNTS_URL, access_token=token + "x"),),
        "no ath": (key.proof("GET", ACCOUNTS_URL),),
        "another key": (stranger.proof("GET", ACCOUNTS_URL, access_token=token),),
        "htm POST": (key.proof("POST", ACCOUNTS_URL, access_token=token),),
        "htu other path": (key.proof("GET", f"{BASE}{API_ROOT}/connections", access_token=token),),
        "htu token endpoint": (key.proof("GET", TOKEN_URL, access_token=token),),
        "stale iat": (key.proof("GET", ACCOUNTS_URL, access_token=token, iat=NOW - 61),),
        "alg none": (key.proof("GET", ACCOUNTS_URL, access_token=token, header={"alg": "none"}),),
        "two proofs": (
            key.proof("GET", ACCOUNTS_URL, access_token=token),
            key.proof("GET", ACCOUNTS_URL, access_token=token),
        ),
    }
    for name, proofs in cases.items():
        response = resource_get(tenant, ACCOUNTS_URL, token, proofs=proofs)
        assert _dpop_error(response) == "invalid_dpop_proof", name
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token)
    assert resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,)).status == 200
    replay = resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,))
    assert _dpop_error(replay) == "invalid_dpop_proof"
    assert "jti" in body(replay)["detail"]


def test_a_nonce_is_required_when_set(tenant: Tenant, key: ProofKey, clock: FixedClock) -> None:
    token = bound_token(tenant, key)
    tenant.settings.dpop_require_nonce = True
    first = resource_get(
        tenant, ACCOUNTS_URL, token, proofs=(key.proof("GET", ACCOUNTS_URL, access_token=token),)
    )
    assert _dpop_error(first) == "use_dpop_nonce"
    assert "Resource server requires nonce in DPoP proof" in challenges(first)[0]
    nonce = first.header("dpop-nonce")
    assert nonce
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token, nonce=nonce)
    second = resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,))
    assert second.status == 200
    assert second.header("dpop-nonce") == nonce
    # The authorization server's nonce is another one, and is no good here.
    as_nonce = token_post(tenant, {"grant_type": "client_credentials"}).header("dpop-nonce")
    assert as_nonce not in (None, nonce)
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token, nonce=as_nonce)
    assert _dpop_error(resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,))) == (
        "use_dpop_nonce"
    )
    # Bearer callers are not concerned, but learn the nonce too.
    plain = bearer_token(tenant)
    response = resource_get(tenant, ACCOUNTS_URL, plain, scheme="Bearer")
    assert response.status == 200
    assert response.header("dpop-nonce") == nonce


def test_the_api_may_require_dpop(clock: FixedClock, key: ProofKey) -> None:
    config = TenantConfig.from_dict({"my_account": {"require_dpop": True}})
    tenant = make_tenant(clock, config)
    assert tenant.settings.my_account_require_dpop is True
    refused = resource_get(tenant, ACCOUNTS_URL, bearer_token(tenant), scheme="Bearer")
    assert _dpop_error(refused) == "invalid_token"
    assert challenges(refused)[0].startswith(f'DPoP realm="{MY_ACCOUNT}"')
    anonymous = tenant.handle(HttpRequest(method="GET", url=ACCOUNTS_URL))
    assert [c.split(" ", 1)[0] for c in challenges(anonymous)] == ["DPoP"]
    token = bound_token(tenant, key)
    proof = key.proof("GET", ACCOUNTS_URL, access_token=token)
    assert resource_get(tenant, ACCOUNTS_URL, token, proofs=(proof,)).status == 200


def test_without_a_token_both_schemes_are_offered(tenant: Tenant) -> None:
    response = tenant.handle(HttpRequest(method="GET", url=ACCOUNTS_URL))
    assert response.status == 401
    assert [c.split(" ", 1)[0] for c in challenges(response)] == ["Bearer", "DPoP"]
    assert 'error="' not in " ".join(challenges(response))


def test_insufficient_scope_names_the_dpop_scheme(tenant: Tenant, key: ProofKey) -> None:
    token = bound_token(tenant, key, scope="read:me:connected_accounts")
    url = f"{BASE}{API_ROOT}/accounts/cac_abc"
    proof = key.proof("DELETE", url, access_token=token)
    headers = (("Authorization", f"DPoP {token}"), ("DPoP", proof))
    response = tenant.handle(HttpRequest(method="DELETE", url=url, headers=headers))
    assert response.status == 403
    assert challenges(response)[0].startswith("DPoP ")
    assert 'error="insufficient_scope"' in challenges(response)[0]


def _dpop_post(
    tenant: Tenant, key: ProofKey, token: str, path: str, payload: object
) -> HttpResponse:
    url = f"{BASE}{API_ROOT}{path}"
    headers = (
        ("Authorization", f"DPoP {token}"),
        ("DPoP", key.proof("POST", url, access_token=token)),
        ("Content-Type", "application/json"),
    )
    return tenant.handle(
        HttpRequest(method="POST", url=url, headers=headers, body=json.dumps(payload).encode())
    )


def test_connecting_an_account_with_dpop_tokens(tenant: Tenant, key: ProofKey) -> None:
    token = bound_token(tenant, key)
    verifier, challenge = pkce()
    started = _dpop_post(tenant, key, token, "/connect", connect_payload(challenge))
    assert started.status == 201, started.body
    callback = query_of(run_flow(browser_connect_flow(connect_url(body(started))), tenant.handle))
    payload = complete_payload(body(started), callback, verifier)
    completed = _dpop_post(tenant, key, token, "/complete", payload)
    assert completed.status == 201
    assert body(completed)["connection"] == "github"


def test_userinfo_accepts_dpop_too(tenant: Tenant, key: ProofKey) -> None:
    token = bound_token(tenant, key, audience=MY_ACCOUNT, scope="openid profile")
    assert USERINFO_URL in claims_of(token)["aud"]
    proof = key.proof("GET", USERINFO_URL, access_token=token)
    response = resource_get(tenant, USERINFO_URL, token, proofs=(proof,))
    assert response.status == 200, response.body
    assert body(response)["sub"] == "auth0|alice"
    as_bearer = resource_get(tenant, USERINFO_URL, token, scheme="Bearer")
    assert (as_bearer.status, body(as_bearer)["error"]) == (401, "invalid_token")
    assert challenges(as_bearer)[0].startswith('DPoP realm="auth0", error="invalid_token"')
