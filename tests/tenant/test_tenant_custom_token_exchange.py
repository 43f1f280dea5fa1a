"""The emulated tenant's Custom Token Exchange grant and its profiles."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest

from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, TenantConfig

BASE = "https://tenant.example"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
TYPE = "urn:acme:legacy-token"
AUTH = (
    "Basic " + base64.b64encode(b"demo-client:demo-client-secret-please-change-0123456789").decode()
)


def post(tenant: Tenant, **fields: str) -> HttpResponse:
    return tenant.handle(
        HttpRequest(
            method="POST",
            url=BASE + "/oauth/token",
            headers=(
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Authorization", AUTH),
            ),
            body=urlencode({"grant_type": GRANT, **fields}).encode(),
        )
    )


def body(response: HttpResponse) -> dict[str, Any]:
    return dict(json.loads(response.body))


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@pytest.fixture
def tenant() -> Tenant:
    return Tenant(TenantConfig.default(), base_url=BASE)


def test_a_known_subject_token_answers_the_mapped_user(tenant: Tenant) -> None:
    answer = post(tenant, subject_token="legacy-token-bob", subject_token_type=TYPE, scope="openid")
    assert answer.status == 200
    document = body(answer)
    assert claims(document["access_token"])["sub"] == "auth0|bob"
    assert claims(document["id_token"])["aud"] == "demo-client"
    assert "refresh_token" not in document


@pytest.mark.parametrize(
    ("fields", "status", "error"),
    [
        ({"subject_token": "nope", "subject_token_type": TYPE}, 400, "invalid_grant"),
        (
            {"subject_token": "legacy-token-bob", "subject_token_type": "urn:x:y"},
            400,
            "invalid_request",
        ),
        ({"subject_token_type": TYPE}, 400, "invalid_request"),
        (
            {
                "subject_token": "legacy-token-bob",
                "subject_token_type": TYPE,
                "actor_token": "bad",
                "actor_token_type": "urn:ietf:params:oauth:token-type:id_token",
            },
            400,
            "invalid_grant",
        ),
        (
            {
                "subject_token": "legacy-token-bob",
                "subject_token_type": TYPE,
                "audience": "urn:tenant.example:session_transfer",
            },
            400,
            "setactor_required",
        ),
        (
            {
                "subject_token": "legacy-token-bob",
                "subject_token_type": TYPE,
                "audience": "https://nope",
            },
            403,
            "access_denied",
        ),
    ],
)
def test_refusals(tenant: Tenant, fields: dict[str, str], status: int, error: str) -> None:
    answer = post(tenant, **fields)
    assert (answer.status, body(answer)["error"]) == (status, error)


def test_an_actor_profile_token_mints_a_session_transfer_token(tenant: Tenant) -> None:
    answer = post(
        tenant,
        subject_token="legacy-token-bob",
        subject_token_type=TYPE,
        actor_token="legacy-token-alice",
        actor_token_type=TYPE,
        audience="urn:tenant.example:session_transfer",
    )
    document = body(answer)
    assert document["issued_token_type"] == (
        "urn:auth0:params:oauth:token-type:session_transfer_token"
    )
    assert document["token_type"] == "N_A"


def test_session_transfer_can_be_disabled() -> None:
    config = TenantConfig.from_dict(
        {"token_exchange_profiles": [{"subject_token_type": TYPE, "tokens": {"t": "auth0|bob"}}]}
    )
    answer = post(
        Tenant(config, base_url=BASE),
        subject_token="t",
        subject_token_type=TYPE,
        actor_token="t",
        actor_token_type=TYPE,
        audience="urn:tenant.example:session_transfer",
    )
    assert body(answer)["error"] == "session_transfer_disabled"


@pytest.mark.parametrize(
    "profile",
    [
        {"subject_token_type": "urn:ietf:params:x"},
        {"subject_token_type": "legacy"},
        {"subject_token_type": TYPE, "tokens": {"t": 1}},
        {"subject_token_type": TYPE, "typo": True},
    ],
)
def test_bad_profiles_are_refused(profile: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        TenantConfig.from_dict({"token_exchange_profiles": [profile]})


def test_an_organization_goes_into_both_tokens_for_its_members_only() -> None:
    document = {
        "organizations": [
            {"id": "org_acme1", "name": "acme", "members": ["auth0|bob"]},
            {"id": "org_other", "name": "other"},
        ]
    }
    tenant = Tenant(TenantConfig.from_dict(document), base_url=BASE)
    fields = {"subject_token": "legacy-token-bob", "subject_token_type": TYPE, "scope": "openid"}
    answer = body(post(tenant, organization="acme", **fields))
    for token in (answer["access_token"], answer["id_token"]):
        assert (claims(token)["org_id"], claims(token)["org_name"]) == ("org_acme1", "acme")
    assert "org_id" not in claims(body(post(tenant, **fields))["access_token"])
    refused = post(tenant, organization="other", **fields)
    assert (refused.status, body(refused)["error"]) == (403, "access_denied")
    unknown = post(tenant, organization="org_nope", **fields)
    assert (unknown.status, body(unknown)["error"]) == (400, "invalid_request")
