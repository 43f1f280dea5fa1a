"""The tenant's MFA on the wire: the ``[mfa]`` configuration, ``mfa_required`` on a refresh,
``mfa_token``s bound to their client, and the MFA API's refusals (the happy paths and the
client's side are tests/e2e/test_mfa.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auth0_core import FixedClock, HttpRequest
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.authentication.mfa_state import hotp, totp

from ..hypothesis_budget import examples
from .tenant_helpers import (
    API,
    CALLBACK,
    NOW,
    basic,
    body,
    client_entry,
    error_of,
    login_tokens,
    make_tenant,
    refresh,
    token_request,
)

OTHER = "other-client"
OTHER_SECRET = "other-client-secret-0123456789-abcdef"
OTP = "http://auth0.com/oauth/grant-type/mfa-otp"


def tenant_with_mfa(clock: FixedClock) -> Tenant:
    config = TenantConfig.from_dict(
        {
            "clients": [
                client_entry(
                    refresh_token={"policies": [{"audience": API, "scope": ["read:items"]}]}
                ),
                {"client_id": OTHER, "client_secret": OTHER_SECRET, "callbacks": [CALLBACK]},
            ],
            "mfa": {"audiences": [API], "max_attempts": 2},
        }
    )
    return make_tenant(clock, config)


def mfa_token(tenant: Tenant) -> str:
    tokens = login_tokens(tenant, scope="openid offline_access")
    assert refresh(tenant, tokens["refresh_token"]).status == 200  # the login audience
    answer = refresh(tenant, tokens["refresh_token"], audience=API)
    assert error_of(answer) == (403, "mfa_required")
    document = body(answer)
    assert document["mfa_requirements"] == {
        "enroll": [{"type": t} for t in ("otp", "sms", "email", "auth0")]
    }
    return str(document["mfa_token"])


def json_post(
    tenant: Tenant, path: str, value: object, bearer: str | None = None
) -> tuple[int, Any]:
    headers = [("Content-Type", "application/json")]
    if bearer is not None:
        headers.append(("Authorization", f"Bearer {bearer}"))
    response = tenant.handle(
        HttpRequest(
            method="POST",
            url=f"{tenant.base_url}{path}",
            headers=tuple(headers),
            body=json.dumps(value).encode(),
        )
    )
    return response.status, json.loads(response.body)


def test_config_table_and_its_checks() -> None:
    config = TenantConfig.from_dict({"mfa": {"users": ["auth0|alice"], "factors": ["otp"]}})
    assert config.mfa.users == ("auth0|alice",)
    assert config.mfa.factors == ("otp",)
    with pytest.raises(ConfigurationError):
        TenantConfig.from_dict({"mfa": {"factors": ["carrier-pigeon"]}})
    with pytest.raises(ConfigurationError):
        TenantConfig.from_dict({"mfa": {"unknown": 1}})
    assert TenantConfig.default().mfa.users == ()


def test_totp_matches_rfc_6238() -> None:
    # RFC 6238 appendix B, SHA-1 seed "12345678901234567890", T = 59 s: 94287082 (8 digits).
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    assert totp(secret, 59) == "287082"
    assert hotp(secret, 1) == "287082"


def test_the_mfa_token_belongs_to_its_client() -> None:
    tenant = tenant_with_mfa(FixedClock(NOW))
    token = mfa_token(tenant)
    other = basic(OTHER, OTHER_SECRET)
    answer = token_request(tenant, {"grant_type": OTP, "mfa_token": token, "otp": "1"}, other)
    assert error_of(answer) == (403, "invalid_grant")
    status, document = json_post(
        tenant,
        "/mfa/challenge",
        {"client_id": OTHER, "client_secret": OTHER_SECRET, "mfa_token": token,
         "challenge_type": "otp"},
    )  # fmt: skip
    assert (status, document["error"]) == (403, "invalid_grant")


def test_enrollment_needs_the_token_and_happens_once() -> None:
    clock = FixedClock(NOW)
    tenant = tenant_with_mfa(clock)
    token = mfa_token(tenant)
    status, _ = json_post(tenant, "/mfa/associate", {"authenticator_types": ["otp"]}, "nope")
    assert status == 401
    status, enrolled = json_post(tenant, "/mfa/associate", {"authenticator_types": ["otp"]}, token)
    assert status == 200
    secret = enrolled["secret"]
    answer = token_request(
        tenant, {"grant_type": OTP, "mfa_token": token, "otp": totp(secret, NOW)}
    )
    assert answer.status == 200, answer.body
    assert "id_token" in body(answer)
    status, _ = json_post(tenant, "/mfa/associate", {"authenticator_types": ["otp"]}, token)
    assert status == 401  # the token is spent


def test_attempt_limit_locks_the_token() -> None:
    tenant = tenant_with_mfa(FixedClock(NOW))
    token = mfa_token(tenant)
    fields = {"grant_type": OTP, "mfa_token": token, "otp": "000000"}
    assert error_of(token_request(tenant, fields)) == (403, "invalid_grant")
    assert error_of(token_request(tenant, fields)) == (403, "invalid_grant")
    assert error_of(token_request(tenant, fields)) == (429, "too_many_attempts")


def test_expired_token() -> None:
    clock = FixedClock(NOW)
    tenant = tenant_with_mfa(clock)
    token = mfa_token(tenant)
    clock.advance(301)
    answer = token_request(tenant, {"grant_type": OTP, "mfa_token": token, "otp": "000000"})
    assert error_of(answer) == (403, "expired_token")


def test_the_docs_example_gives_the_default_mfa_and_passwordless_settings() -> None:
    import tomllib
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "tenant.md").read_text("utf-8")
    example = text.split("```toml", 1)[1].split("```", 1)[0]
    config = TenantConfig.from_dict(tomllib.loads(example))
    default = TenantConfig.default()
    assert (config.mfa, config.passwordless) == (default.mfa, default.passwordless)
    assert "[mfa]" in example
    assert "[passwordless]" in example


json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
json_documents = st.dictionaries(
    st.sampled_from(
        ["client_id", "client_secret", "mfa_token", "challenge_type", "authenticator_id",
         "authenticator_types", "oob_channels", "phone_number", "email", "connection", "send",
         "authParams", "x"]
    ),
    json_scalars
    | st.lists(json_scalars, max_size=3)
    | st.dictionaries(st.text(max_size=5), json_scalars, max_size=3),
    max_size=8,
)  # fmt: skip
PATHS = ["/mfa/authenticators", "/mfa/associate", "/mfa/challenge", "/passwordless/start"]
GRANTS = [
    OTP,
    "http://auth0.com/oauth/grant-type/mfa-oob",
    "http://auth0.com/oauth/grant-type/mfa-recovery-code",
    "http://auth0.com/oauth/grant-type/passwordless/otp",
]
FIELD_NAMES = ["mfa_token", "otp", "oob_code", "binding_code", "recovery_code", "realm",
               "username", "scope", "audience"]  # fmt: skip
FUZZ_TENANT = tenant_with_mfa(FixedClock(NOW))
FUZZ_TOKEN = mfa_token(FUZZ_TENANT)


@settings(max_examples=examples(200), deadline=None)
@given(
    path=st.sampled_from(PATHS),
    document=json_documents,
    raw=st.binary(max_size=40) | st.none(),
    bearer=st.sampled_from(["real", "none", "junk"]),
)
def test_the_mfa_and_passwordless_endpoints_answer_anything_without_failing(
    path: str, document: dict[str, Any], raw: bytes | None, bearer: str
) -> None:
    headers = [("Content-Type", "application/json")]
    if bearer != "none":
        headers.append(("Authorization", f"Bearer {FUZZ_TOKEN if bearer == 'real' else 'x y'}"))
    response = FUZZ_TENANT.handle(
        HttpRequest(
            method="GET" if path == "/mfa/authenticators" else "POST",
            url=f"{FUZZ_TENANT.base_url}{path}",
            headers=tuple(headers),
            body=raw if raw is not None else json.dumps(document).encode(),
        )
    )
    assert response.status < 500, response.body


@settings(max_examples=examples(200), deadline=None)
@given(
    grant=st.sampled_from(GRANTS),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "mfa_token",
                "otp",
                "oob_code",
                "binding_code",
                "recovery_code",
                "realm",
                "username",
                "scope",
                "audience",
            ]
        ),
        st.text(max_size=20) | st.sampled_from([FUZZ_TOKEN, "email", "sms"]),
        max_size=6,
    ),
)
def test_the_grants_answer_anything_without_failing(grant: str, fields: dict[str, str]) -> None:
    response = token_request(FUZZ_TENANT, {"grant_type": grant, **fields})
    assert response.status < 500, response.body
