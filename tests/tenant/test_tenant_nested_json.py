"""JSON nested too deeply for the parser (its RecursionError) is malformed input: every
endpoint that reads JSON from a request (a body, a JWT segment, a JSON-valued parameter)
answers 4xx, and ``Tenant.handle`` never raises."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core.tenant import Tenant
from auth0_core.tenant.dpop.proof import _REGISTRY as DPOP_REGISTRY
from auth0_core.tenant.params import load_json

from .tenant_helpers import BASE, CLIENT_ID, NOW, SECRET, basic, body, make_tenant, post_form

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
DEEP = {"array": DEEP_ARRAY, "object": DEEP_OBJECT}
CREDENTIALS = {"client_id": CLIENT_ID, "client_secret": SECRET}
# Every endpoint that takes a JSON body, and what it answers a body that is no JSON object.
JSON_ENDPOINTS = [
    "/oauth/token",
    "/mtls/oauth/token",
    "/oauth/revoke",
    "/mfa/challenge",
    "/passwordless/start",
    "/passkey/register",
    "/passkey/challenge",
    "/anonymous/token",
]
WEBAUTHN = "urn:okta:params:oauth:grant-type:webauthn"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def handle(tenant: Tenant, request: HttpRequest) -> HttpResponse:
    """``tenant.handle``, failing the test (not erroring) if it raises."""
    try:
        return tenant.handle(request)
    except RecursionError:  # pragma: no cover - the bug this file is about
        pytest.fail(f"Tenant.handle raised RecursionError for {request.url}")


def post_json(tenant: Tenant, path: str, raw: bytes) -> HttpResponse:
    headers = (("Content-Type", "application/json"),)
    return handle(tenant, HttpRequest(method="POST", url=BASE + path, headers=headers, body=raw))


def error_of(response: HttpResponse) -> tuple[int, str]:
    return response.status, str(body(response)["error"])


@pytest.fixture
def tenant() -> Tenant:
    return make_tenant(FixedClock(NOW))


@pytest.mark.parametrize("path", JSON_ENDPOINTS)
@pytest.mark.parametrize("shape", sorted(DEEP))
def test_a_deep_json_body_is_invalid_request(tenant: Tenant, path: str, shape: str) -> None:
    assert error_of(post_json(tenant, path, DEEP[shape])) == (400, "invalid_request")
    assert tenant.log[-1].status == 400


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_a_deep_body_at_the_management_api_is_invalid_body(tenant: Tenant, shape: str) -> None:
    fields = {"grant_type": "client_credentials", "audience": BASE + "/api/v2/"}
    token = body(post_form(tenant, "/oauth/token", fields, basic()))["access_token"]
    request = HttpRequest(
        method="POST",
        url=BASE + "/api/v2/users/auth0%7Calice/identities",
        headers=(("Content-Type", "application/json"), ("Authorization", f"Bearer {token}")),
        body=DEEP[shape],
    )
    response = handle(tenant, request)
    assert (response.status, body(response)["errorCode"]) == (400, "invalid_body")


@pytest.mark.parametrize("part", [0, 1])
def test_a_client_assertion_with_a_deep_segment_is_invalid_client(
    tenant: Tenant, part: int
) -> None:
    segments = [b64(b'{"alg":"RS256"}'), b64(b"{}"), "c2ln"]
    segments[part] = b64(DEEP_ARRAY)
    fields = {
        "grant_type": "client_credentials",
        "client_id": CLIENT_ID,
        "audience": BASE + "/api/v2/",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": ".".join(segments),
    }
    response = handle(tenant, post_request("/oauth/token", fields))
    # What any assertion that is not a JWT answers.
    assert error_of(response) == (401, "invalid_client")


def post_request(path: str, fields: dict[str, str], *headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=BASE + path,
        headers=(("Content-Type", "application/x-www-form-urlencoded"), *headers),
        body=urlencode(fields).encode(),
    )


def test_a_deep_ciba_login_hint_is_invalid_request(tenant: Tenant) -> None:
    fields = {"scope": "openid", "login_hint": DEEP_ARRAY.decode(), "binding_message": "4711"}
    response = post_form(tenant, "/bc-authorize", fields, basic())
    assert error_of(response) == (400, "invalid_request")


def test_a_dpop_proof_with_deep_claims_is_invalid_dpop_proof(tenant: Tenant) -> None:
    # Signed by its own key, so the tenant reads the claims: 2,500 levels fit in a proof.
    key = ECKey.generate_key("P-256")
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    payload = b"[" * 2_500 + b"]" * 2_500
    proof = jws.serialize_compact(header, payload, key, registry=DPOP_REGISTRY)
    fields = {"grant_type": "client_credentials", "audience": BASE + "/api/v2/"}
    response = post_form(tenant, "/oauth/token", fields, (*basic(), ("DPoP", proof)))
    assert error_of(response) == (400, "invalid_dpop_proof")


def _ceremony(tenant: Tenant) -> str:
    response = post_json(tenant, "/passkey/challenge", json.dumps(CREDENTIALS).encode())
    assert response.status == 200, response.body
    return str(body(response)["auth_session"])


def test_a_deep_authn_response_in_a_form_is_invalid_request(tenant: Tenant) -> None:
    fields = {
        "grant_type": WEBAUTHN,
        **CREDENTIALS,
        "auth_session": _ceremony(tenant),
        "authn_response": DEEP_ARRAY.decode(),
    }
    response = handle(tenant, post_request("/oauth/token", fields))
    assert error_of(response) == (400, "invalid_request")


def test_a_deep_client_data_json_is_refused(tenant: Tenant) -> None:
    credential: dict[str, Any] = {
        "id": "x",
        "rawId": "x",
        "type": "public-key",
        "response": {"clientDataJSON": b64(DEEP_ARRAY), "authenticatorData": "", "signature": ""},
    }
    document = {
        "grant_type": WEBAUTHN,
        **CREDENTIALS,
        "auth_session": _ceremony(tenant),
        "authn_response": credential,
    }
    response = post_json(tenant, "/oauth/token", json.dumps(document).encode())
    assert 400 <= response.status < 500, response.body


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_load_json_raises_value_error(shape: str) -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        load_json(DEEP[shape])
    with pytest.raises(UnicodeDecodeError):
        load_json(b"\xff")
    assert load_json(b'{"a": [1]}') == {"a": [1]}
