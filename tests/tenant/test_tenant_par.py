"""Pushed Authorization Requests (RFC 9126) on the emulated tenant."""

from __future__ import annotations

from urllib.parse import urlencode

from auth0_core import FixedClock
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow

from .tenant_helpers import (
    BASE,
    CLIENT_ID,
    authorize_params,
    basic,
    body,
    claims_of,
    exchange,
    get,
    make_tenant,
    pkce,
    post_form,
    query_of,
    run_flow,
)


def _push(tenant: Tenant, **fields: str) -> dict[str, object]:
    response = post_form(tenant, "/oauth/par", fields, basic())
    assert response.status == 201, response.body
    assert response.header("cache-control") == "no-store"
    return body(response)


def test_par_then_authorize_then_exchange(tenant: Tenant) -> None:
    verifier, challenge = pkce()
    pushed = _push(tenant, **authorize_params(challenge, audience="https://api.example"))
    assert pushed["expires_in"] == 90
    request_uri = str(pushed["request_uri"])
    assert request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    url = f"{BASE}/authorize?{urlencode({'client_id': CLIENT_ID, 'request_uri': request_uri})}"
    callback = query_of(
        run_flow(browser_login_flow(url, "alice@example.com", "alice-password"), tenant.handle)
    )
    assert callback["state"] == "state-123"
    tokens = body(exchange(tenant, callback["code"], verifier))
    assert claims_of(tokens["id_token"])["nonce"] == "nonce-456"
    assert claims_of(tokens["access_token"])["aud"][0] == "https://api.example"
    # one-time: the request_uri is gone
    again = get(tenant, "/authorize", {"client_id": CLIENT_ID, "request_uri": request_uri})
    assert again.status == 400


def test_request_uri_expires(tenant: Tenant, clock: FixedClock) -> None:
    _, challenge = pkce()
    request_uri = str(_push(tenant, **authorize_params(challenge))["request_uri"])
    clock.advance(90)
    response = get(tenant, "/authorize", {"client_id": CLIENT_ID, "request_uri": request_uri})
    assert response.status == 400
    assert response.header("location") is None


def test_request_uri_bound_to_client(tenant: Tenant) -> None:
    _, challenge = pkce()
    request_uri = str(_push(tenant, **authorize_params(challenge))["request_uri"])
    response = get(tenant, "/authorize", {"client_id": "other", "request_uri": request_uri})
    assert response.status == 400


def test_par_validation_errors_are_json(tenant: Tenant) -> None:
    _, challenge = pkce()
    cases = [
        (authorize_params(challenge, redirect_uri="https://evil.example/cb"), "invalid_request"),
        (authorize_params(challenge, response_type="token"), "unsupported_response_type"),
        (authorize_params(challenge, code_challenge=""), "invalid_request"),
        ({**authorize_params(challenge), "request_uri": "urn:x"}, "invalid_request"),
    ]
    for fields, error in cases:
        response = post_form(tenant, "/oauth/par", fields, basic())
        assert response.status == 400, fields
        assert body(response)["error"] == error


def test_par_requires_client_authentication(tenant: Tenant) -> None:
    _, challenge = pkce()
    response = post_form(tenant, "/oauth/par", authorize_params(challenge))
    assert (response.status, body(response)["error"]) == (401, "invalid_client")
    wrong = post_form(tenant, "/oauth/par", authorize_params(challenge), basic(secret="nope"))
    assert wrong.status == 401


def test_par_can_be_disabled(clock: FixedClock) -> None:
    config = TenantConfig.from_dict({"tenant": {"pushed_authorization_requests": False}})
    tenant = make_tenant(clock, config)
    assert "pushed_authorization_request_endpoint" not in body(
        get(tenant, "/.well-known/openid-configuration")
    )
    _, challenge = pkce()
    assert post_form(tenant, "/oauth/par", authorize_params(challenge), basic()).status == 404
