"""Redeeming a Session Transfer Token at the tenant's ``/authorize`` (protocol doc §8.5)."""

from __future__ import annotations

from auth0_core import FixedClock, HttpResponse
from auth0_core.tenant import Tenant, TenantConfig

from .tenant_helpers import (
    CALLBACK,
    NOW,
    authorize_params,
    body,
    claims_of,
    client_entry,
    exchange,
    get,
    login_tokens,
    make_tenant,
    pkce,
    query_of,
    token_request,
)

TYPE = "urn:acme:legacy-token"
GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"


def mint(tenant: Tenant, subject: str = "legacy-token-alice") -> str:
    """A Session Transfer Token for the subject's user, with alice's ID token as the actor."""
    id_token = login_tokens(tenant)["id_token"]
    answer = token_request(
        tenant,
        {
            "grant_type": GRANT,
            "subject_token": subject,
            "subject_token_type": TYPE,
            "audience": "urn:tenant.example:session_transfer",
            "actor_token": id_token,
            "actor_token_type": "urn:ietf:params:oauth:token-type:id_token",
        },
    )
    assert answer.status == 200, answer.body
    token = body(answer)["access_token"]
    assert isinstance(token, str)
    assert token.startswith("stt_")
    return token


def redeem(tenant: Tenant, token: str, challenge: str, **headers: str) -> HttpResponse:
    params = authorize_params(challenge, session_transfer_token=token)
    return get(tenant, "/authorize", params, **headers)


def is_login_form(page: HttpResponse) -> bool:
    return page.status == 200 and b'action="/u/login"' in page.body


def test_a_token_logs_its_user_in_without_a_login_form() -> None:
    tenant = make_tenant(FixedClock(NOW))
    token = mint(tenant, "legacy-token-bob")
    verifier, challenge = pkce()
    page = redeem(tenant, token, challenge)
    assert page.status == 302
    location = page.header("location") or ""
    assert location.startswith(CALLBACK)
    query = query_of(location)
    assert query["state"] == "state-123"
    cookie = page.header("set-cookie") or ""
    assert cookie.startswith("auth0=")
    assert "HttpOnly" in cookie
    assert "Secure" in cookie
    tokens = body(exchange(tenant, query["code"], verifier))
    id_claims = claims_of(tokens["id_token"])
    assert id_claims["sub"] == "auth0|bob"
    assert id_claims["nonce"] == "nonce-456"
    sessions = tenant.sessions("auth0|bob")
    assert [s["sid"] for s in sessions] == [id_claims["sid"]]
    assert cookie.split(";")[0] == f"auth0={id_claims['sid']}"


def test_a_token_is_single_use() -> None:
    tenant = make_tenant(FixedClock(NOW))
    token = mint(tenant)
    assert redeem(tenant, token, pkce()[1]).status == 302
    assert is_login_form(redeem(tenant, token, pkce()[1]))


def test_an_expired_token_is_not_honoured_and_is_burnt() -> None:
    clock = FixedClock(NOW)
    tenant = make_tenant(clock)
    token = mint(tenant)
    clock.now += 60
    assert is_login_form(redeem(tenant, token, pkce()[1]))
    clock.now = NOW
    assert is_login_form(redeem(tenant, token, pkce()[1]))


def test_an_unknown_token_shows_the_login_form() -> None:
    tenant = make_tenant(FixedClock(NOW))
    assert is_login_form(redeem(tenant, "stt_never-minted", pkce()[1]))


def test_a_token_minted_for_another_client_is_not_honoured() -> None:
    other = client_entry(client_id="other-client", client_secret="other-secret-" + "x" * 30)
    config = TenantConfig.from_dict({"clients": [client_entry(), other]})
    tenant = make_tenant(FixedClock(NOW), config)
    token = mint(tenant)
    params = authorize_params(pkce()[1], session_transfer_token=token, client_id="other-client")
    page = get(tenant, "/authorize", params)
    assert is_login_form(page)
    assert is_login_form(redeem(tenant, token, pkce()[1]))  # burnt by the refused attempt


def test_the_browsers_session_of_the_same_user_is_joined() -> None:
    tenant = make_tenant(FixedClock(NOW))
    token = mint(tenant)
    (live,) = tenant.sessions("auth0|alice")
    page = redeem(tenant, token, pkce()[1], cookie=f"auth0={live['sid']}")
    assert page.status == 302
    assert [s["sid"] for s in tenant.sessions("auth0|alice")] == [live["sid"]]


def test_a_token_of_another_user_than_the_browsers_session_ends_it() -> None:
    tenant = make_tenant(FixedClock(NOW))
    token = mint(tenant, "legacy-token-bob")
    (live,) = tenant.sessions("auth0|alice")
    page = redeem(tenant, token, pkce()[1], cookie=f"auth0={live['sid']}")
    assert is_login_form(page)
    assert tenant.sessions("auth0|alice") == []
    assert tenant.sessions("auth0|bob") == []
