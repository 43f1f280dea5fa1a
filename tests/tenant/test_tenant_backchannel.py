"""Back-channel logout at the tenant: sessions and ``sid``, logout tokens, logouts that queue
deliveries, and delivering them in process."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import ECKey, KeySet, OctKey

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.tenant import (
    DeliveryResult,
    LogoutDelivery,
    Tenant,
    TenantConfig,
    browser_login_flow,
    browser_logout_flow,
    generate_signing_key,
)

from .tenant_helpers import (
    BASE,
    CALLBACK,
    CLIENT_ID,
    NOW,
    authorize_params,
    basic,
    body,
    claims_of,
    client_entry,
    get,
    header_of,
    login_tokens,
    make_tenant,
    pkce,
    post_form,
    query_of,
    refresh,
    run_flow,
)

EVENT = "http://schemas.openid.net/event/backchannel-logout"
APP_URI = "https://app.example/backchannel-logout"
OTHER_URI = "https://other.example/backchannel-logout"
OTHER_ID = "other-client"
ALICE = "auth0|alice"
RETURN_TO = "http://127.0.0.1:3000/"


def tenant_with(clock: FixedClock, *clients: dict[str, Any], **tenant: Any) -> Tenant:
    config = TenantConfig.from_dict(
        {"clients": list(clients) or [client_entry()], "tenant": tenant}
    )
    return make_tenant(clock, config)


def two_clients(**demo: Any) -> tuple[dict[str, Any], ...]:
    """The demo client and another one with back-channel URIs, and a third without."""
    return (
        client_entry(backchannel_logout_uri=APP_URI, allowed_logout_urls=[RETURN_TO], **demo),
        client_entry(client_id=OTHER_ID, backchannel_logout_uri=OTHER_URI),
        client_entry(client_id="no-uri-client"),
    )


def browser_login(
    tenant: Tenant, cookies: dict[str, str], client_id: str = CLIENT_ID
) -> dict[str, Any]:
    """Log in with the browser's ``cookies``; exchange the code as ``client_id``."""
    verifier, challenge = pkce()
    url = f"{BASE}/authorize?{urlencode(authorize_params(challenge, client_id=client_id))}"
    flow = browser_login_flow(url, "alice@example.com", "alice-password", cookies=cookies)
    code = query_of(run_flow(flow, tenant.handle))["code"]
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    response = post_form(tenant, "/oauth/token", fields, basic(client_id))
    assert response.status == 200, response.body
    return body(response)


def logout(tenant: Tenant, url: str, cookies: dict[str, str] | None = None) -> str | None:
    result: str | None = run_flow(browser_logout_flow(url, cookies=cookies), tenant.handle)
    return result


def verify(tenant: Tenant, token: str) -> dict[str, Any]:
    """The token's claims, verified against the tenant's published JWKS."""
    keys = KeySet.import_key_set(body(get(tenant, "/.well-known/jwks.json")))  # type: ignore[arg-type]
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


# --- sessions and sid ----------------------------------------------------------------------


def test_a_login_starts_a_session_whose_sid_the_id_tokens_carry(tenant: Tenant) -> None:
    tokens = login_tokens(tenant)
    sid = claims_of(tokens["id_token"])["sid"]
    assert isinstance(sid, str)
    assert len(sid) >= 32
    assert tenant.sessions(ALICE) == [
        {"sid": sid, "user_id": ALICE, "created_at": NOW, "clients": [CLIENT_ID]}
    ]
    refreshed = body(refresh(tenant, tokens["refresh_token"]))
    assert claims_of(refreshed["id_token"])["sid"] == sid
    again = login_tokens(tenant)  # another browser (no cookie): another session
    assert claims_of(again["id_token"])["sid"] != sid
    assert len(tenant.sessions(ALICE)) == 2
    assert tenant.sessions("auth0|bob") == []


def test_the_login_sets_the_session_cookie_and_one_browser_keeps_one_session(
    clock: FixedClock,
) -> None:
    tenant = tenant_with(clock, *two_clients())
    cookies: dict[str, str] = {}
    first = browser_login(tenant, cookies)
    sid = claims_of(first["id_token"])["sid"]
    assert cookies == {"auth0": sid}
    second = browser_login(tenant, cookies, client_id=OTHER_ID)
    assert claims_of(second["id_token"])["sid"] == sid
    [session] = tenant.sessions(ALICE)
    assert session["clients"] == [CLIENT_ID, OTHER_ID]


def test_the_session_cookie_is_http_only_and_secure_on_https(tenant: Tenant) -> None:
    _verifier, challenge = pkce()
    url = f"{BASE}/authorize?{urlencode(authorize_params(challenge))}"
    seen: list[HttpResponse] = []

    def handler(request: HttpRequest) -> HttpResponse:
        seen.append(tenant.handle(request))
        return seen[-1]

    run_flow(browser_login_flow(url, "alice@example.com", "alice-password"), handler)
    [cookie] = seen[-1].header_values("set-cookie")
    assert cookie.startswith("auth0=")
    assert {"Path=/", "HttpOnly", "SameSite=Lax", "Secure"} <= {
        part.strip() for part in cookie.split(";")
    }


# --- the logout token ----------------------------------------------------------------------


def test_a_logout_token_verifies_with_the_jwks_and_has_the_documented_claims(
    tenant: Tenant,
) -> None:
    token = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="sid-1")
    header = header_of(token)
    assert header == {"alg": "RS256", "kid": tenant.state.keys.kids[-1], "typ": "logout+jwt"}
    claims = verify(tenant, token)
    assert set(claims) == {"iss", "aud", "iat", "exp", "jti", "sub", "sid", "events"}
    assert claims["iss"] == BASE + "/"
    assert claims["aud"] == CLIENT_ID
    assert (claims["iat"], claims["exp"]) == (NOW, NOW + 120)
    assert uuid.UUID(claims["jti"]).version == 4
    assert (claims["sub"], claims["sid"]) == (ALICE, "sid-1")
    assert claims["events"] == {EVENT: {}}
    other = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="sid-1")
    assert claims_of(other)["jti"] != claims["jti"]


def test_mint_logout_token_overrides_claims_and_header(tenant: Tenant) -> None:
    token = tenant.mint_logout_token(
        CLIENT_ID,
        sub=None,
        sid="s",
        omit=("exp", "jti"),
        header={"typ": None, "cty": "x"},
        iss="https://evil.example/",
        nonce="n",
        aud=[CLIENT_ID, "other"],
        events={EVENT: "not an object"},
    )
    assert header_of(token) == {"alg": "RS256", "kid": tenant.state.keys.kids[-1], "cty": "x"}
    claims = verify(tenant, token)  # still signed by the tenant
    assert "sub" not in claims
    assert "exp" not in claims
    assert "jti" not in claims
    assert claims["iss"] == "https://evil.example/"
    assert claims["nonce"] == "n"
    assert claims["aud"] == [CLIENT_ID, "other"]
    assert claims["events"] == {EVENT: "not an object"}
    nulls = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None, sub_extra=None)
    assert "sid" not in claims_of(nulls)
    assert claims_of(nulls)["sub_extra"] is None


def test_mint_logout_token_signs_with_a_foreign_key_or_none(tenant: Tenant) -> None:
    foreign = generate_signing_key()
    token = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="s", key=foreign)
    assert header_of(token)["kid"] == foreign.kid != tenant.state.keys.kids[-1]
    with pytest.raises(InvalidKeyIdError):
        verify(tenant, token)
    # The tenant's kid over a foreign signature: the key is found, the signature fails.
    disguised = tenant.mint_logout_token(
        CLIENT_ID, sub=ALICE, sid="s", key=foreign, header={"kid": tenant.state.keys.kids[-1]}
    )
    with pytest.raises(BadSignatureError):
        verify(tenant, disguised)
    ec = ECKey.generate_key("P-256", auto_kid=True)
    es256 = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="s", key=ec, header={"alg": "ES256"})
    assert header_of(es256)["alg"] == "ES256"
    hs256 = tenant.mint_logout_token(
        CLIENT_ID, sub=ALICE, sid="s", key=OctKey.generate_key(256), header={"alg": "HS256"}
    )
    assert header_of(hs256)["alg"] == "HS256"
    unsigned = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="s", header={"alg": "none"})
    assert unsigned.endswith(".")
    assert header_of(unsigned)["alg"] == "none"
    assert claims_of(unsigned)["sid"] == "s"


@pytest.mark.parametrize(("typ", "expected"), [("JWT", "JWT"), ("", None)])
def test_the_typ_header_is_configurable(clock: FixedClock, typ: str, expected: str | None) -> None:
    tenant = tenant_with(clock, logout_token_typ=typ)
    header = header_of(tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid="s"))
    assert header.get("typ") == expected


def test_discovery_advertises_back_channel_logout(tenant: Tenant) -> None:
    document = body(get(tenant, "/.well-known/openid-configuration"))
    assert document["backchannel_logout_supported"] is True
    assert document["backchannel_logout_session_supported"] is True


# --- logouts queue deliveries --------------------------------------------------------------


def test_v2_logout_with_the_cookie_queues_one_delivery_per_client_with_a_uri(
    clock: FixedClock,
) -> None:
    tenant = tenant_with(clock, *two_clients())
    cookies: dict[str, str] = {}
    sid = claims_of(browser_login(tenant, cookies)["id_token"])["sid"]
    browser_login(tenant, cookies, client_id=OTHER_ID)
    browser_login(tenant, cookies, client_id="no-uri-client")
    assert tenant.outbox.messages(LogoutDelivery) == []
    url = f"{BASE}/v2/logout?client_id={CLIENT_ID}&returnTo={RETURN_TO}"
    assert logout(tenant, url, cookies) == RETURN_TO
    deliveries = tenant.outbox.messages(LogoutDelivery)
    assert [(d.client_id, d.uri, d.sub, d.sid) for d in deliveries] == [
        (CLIENT_ID, APP_URI, ALICE, sid),
        (OTHER_ID, OTHER_URI, ALICE, sid),
    ]
    assert all(d.result is None for d in deliveries)
    for delivery in deliveries:
        claims = verify(tenant, delivery.logout_token)
        assert (claims["aud"], claims["sub"], claims["sid"]) == (delivery.client_id, ALICE, sid)
    assert cookies == {}  # the answer cleared the cookie
    assert tenant.sessions(ALICE) == []
    logout(tenant, url, {"auth0": sid})  # the session is gone: nothing more to send
    assert len(tenant.outbox.messages(LogoutDelivery)) == 2


def test_v2_logout_redirects_and_clears_the_cookie(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    cookies: dict[str, str] = {}
    browser_login(tenant, cookies)
    url = f"{BASE}/v2/logout?client_id={CLIENT_ID}&returnTo={RETURN_TO}"
    response = tenant.handle(
        HttpRequest(method="GET", url=url, headers=(("Cookie", f"x=1; auth0={cookies['auth0']}"),))
    )
    assert response.status == 302
    assert response.header("location") == RETURN_TO
    [cleared] = response.header_values("set-cookie")
    assert cleared.startswith("auth0=;")
    assert "Max-Age=0" in cleared
    assert len(tenant.outbox.messages(LogoutDelivery)) == 1


def test_a_refused_logout_ends_nothing(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    cookies: dict[str, str] = {}
    browser_login(tenant, cookies)
    bad = f"{BASE}/v2/logout?client_id={CLIENT_ID}&returnTo=https://evil.example/"
    response = tenant.handle(
        HttpRequest(method="GET", url=bad, headers=(("Cookie", f"auth0={cookies['auth0']}"),))
    )
    assert response.status == 400
    assert len(tenant.sessions(ALICE)) == 1
    assert tenant.outbox.messages(LogoutDelivery) == []


def test_a_logout_without_a_session_sends_nothing(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    login_tokens(tenant)
    assert logout(tenant, f"{BASE}/v2/logout") is None
    assert logout(tenant, f"{BASE}/v2/logout?logout_hint=unknown-sid") is None
    assert len(tenant.sessions(ALICE)) == 1
    assert tenant.outbox.messages(LogoutDelivery) == []


@pytest.mark.parametrize("path", ["/v2/logout", "/oidc/logout"])
def test_id_token_hint_and_logout_hint_name_the_session(clock: FixedClock, path: str) -> None:
    tenant = tenant_with(clock, *two_clients())
    first, second = login_tokens(tenant), login_tokens(tenant)
    sids = [claims_of(t["id_token"])["sid"] for t in (first, second)]
    logout(tenant, f"{BASE}{path}?{urlencode({'id_token_hint': first['id_token']})}")
    assert [s["sid"] for s in tenant.sessions(ALICE)] == [sids[1]]
    logout(tenant, f"{BASE}{path}?{urlencode({'logout_hint': sids[1]})}")
    assert tenant.sessions(ALICE) == []
    assert [d.sid for d in tenant.outbox.messages(LogoutDelivery)] == sids


def test_oidc_logout_with_the_cookie_redirects_with_state(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    cookies: dict[str, str] = {}
    tokens = browser_login(tenant, cookies)
    query = {"id_token_hint": tokens["id_token"], "state": "xyz"}
    target = logout(tenant, f"{BASE}/oidc/logout?{urlencode(query)}", cookies)
    assert target == RETURN_TO + "?state=xyz"
    assert cookies == {}
    [delivery] = tenant.outbox.messages(LogoutDelivery)
    assert delivery.sid == claims_of(tokens["id_token"])["sid"]


def test_without_session_required_the_token_carries_sub_only(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients(backchannel_logout_session_required=False))
    cookies: dict[str, str] = {}
    browser_login(tenant, cookies)
    logout(tenant, f"{BASE}/v2/logout", cookies)
    [delivery] = tenant.outbox.messages(LogoutDelivery)
    assert (delivery.sub, delivery.sid) == (ALICE, None)
    claims = verify(tenant, delivery.logout_token)
    assert claims["sub"] == ALICE
    assert "sid" not in claims


def test_refresh_tokens_survive_the_logout(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    tokens = login_tokens(tenant)
    sid = claims_of(tokens["id_token"])["sid"]
    logout(tenant, f"{BASE}/v2/logout?logout_hint={sid}")
    refreshed = refresh(tenant, tokens["refresh_token"])
    assert refreshed.status == 200  # as on Auth0: logout does not revoke refresh tokens
    assert tenant.sessions(ALICE) == []  # and the refresh does not revive the session


def test_end_sessions_hook(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    login_tokens(tenant)
    login_tokens(tenant)
    queued = tenant.end_sessions(ALICE)
    assert [d.client_id for d in queued] == [CLIENT_ID, CLIENT_ID]
    assert len({d.sid for d in queued}) == 2
    assert tenant.sessions() == []
    assert tenant.end_sessions(ALICE) == []


# --- delivering in process -----------------------------------------------------------------


def recorder(status: int, answer: bytes = b"") -> tuple[list[HttpRequest], Callable[..., Any]]:
    received: list[HttpRequest] = []

    def send(request: HttpRequest) -> HttpResponse:
        received.append(request)
        return HttpResponse(status=status, body=answer)

    return received, send


def test_deliver_pending_posts_the_form_and_records_the_answer(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    login_tokens(tenant)
    [queued] = tenant.end_sessions(ALICE)
    received, send = recorder(200, b"ok")
    [done] = tenant.deliver_pending(send)
    [request] = received
    assert (request.method, request.url) == ("POST", APP_URI)
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert parse_form(request.body) == {"logout_token": [queued.logout_token]}
    assert done.id == queued.id
    assert done.result == DeliveryResult(status=200, body="ok")
    assert done.result.ok
    assert tenant.outbox.messages(LogoutDelivery) == [done]
    assert tenant.deliver_pending(send) == []  # each delivery is attempted once
    assert len(received) == 1
    assert tenant.wait_for_deliveries(0.1) == [done]


def test_deliver_pending_records_refusals_and_errors(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    login_tokens(tenant)
    tenant.end_sessions(ALICE)
    _, send = recorder(400, b'{"error":"invalid_request","error_description":"' + b"x" * 300)
    [refused] = tenant.deliver_pending(send)
    assert refused.result is not None
    assert refused.result.status == 400
    assert not refused.result.ok
    assert len(refused.result.body) <= 203  # an excerpt

    login_tokens(tenant)
    tenant.end_sessions(ALICE)

    def broken(request: HttpRequest) -> HttpResponse:
        raise ConnectionRefusedError("no one listens")

    [failed] = tenant.deliver_pending(broken)
    assert failed.result == DeliveryResult(error="ConnectionRefusedError: no one listens")
    assert not failed.result.ok


def test_wait_for_deliveries_times_out_while_one_is_pending(clock: FixedClock) -> None:
    tenant = tenant_with(clock, *two_clients())
    login_tokens(tenant)
    tenant.end_sessions(ALICE)
    with pytest.raises(TimeoutError):
        tenant.wait_for_deliveries(0.05)
