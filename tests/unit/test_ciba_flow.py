"""The CIBA flows, pure: driven by a test driver whose Sleep advances a FixedClock, against the
emulated tenant. No test waits: the polling rules are checked on the injected clock."""

from __future__ import annotations

import base64
import inspect
import json
from collections.abc import Callable
from typing import Any

import pytest

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._http import json_response, parse_form
from auth0_core.effects import (
    Effect,
    Flow,
    SharedRequest,
    Sleep,
    StoreDelete,
    StoreGet,
    StoreSet,
    run,
)
from auth0_core.errors import (
    AccessTokenError,
    ConfigurationError,
    IdTokenError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
    PollingApiError,
)
from auth0_core.flows import api
from auth0_core.tenant import Tenant, TenantConfig

BASE = "https://tenant.example"
CIBA = "urn:openid:params:grant-type:ciba"
START = 1_800_000_000
ALICE = {"login_hint": {"sub": "auth0|alice"}, "binding_message": "Kiosk 4711"}


class Stop(Exception):
    """A caller giving up (a cancellation) while the flow waits."""


class Driver:
    """Performs effects: HTTP to the tenant (through ``intercept`` first), stores in a dict,
    and Sleep by advancing the clock, then calling ``on_sleep(n)`` (n: sleeps so far)."""

    def __init__(self, tenant: Tenant, clock: FixedClock) -> None:
        self.tenant = tenant
        self.clock = clock
        self.sleeps: list[float] = []
        self.requests: list[HttpRequest] = []
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.on_sleep: Callable[[int], None] = lambda n: None
        self.intercept: Callable[[HttpRequest, int], HttpResponse | None] = lambda r, n: None

    def polls(self) -> int:
        return sum(1 for r in self.requests if parse_form(r.body).get("grant_type") == [CIBA])

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.intercept(request, self.polls()) or self.tenant.handle(request)

    def perform(self, effect: Effect) -> object:
        if isinstance(effect, Sleep):
            self.sleeps.append(effect.seconds)
            self.clock.advance(effect.seconds)
            self.on_sleep(len(self.sleeps))
            return None
        if isinstance(effect, SharedRequest):
            return self.send(effect.request)
        if isinstance(effect, HttpRequest):
            return self.send(effect)
        if isinstance(effect, StoreGet):
            return self.store.get((effect.store, effect.identifier))
        if isinstance(effect, StoreSet):
            self.store[(effect.store, effect.identifier)] = dict(effect.value)
            return None
        if isinstance(effect, StoreDelete):
            self.store.pop((effect.store, effect.identifier), None)
            return None
        return ""  # a lock: none kept

    def run(self, flow: Flow[Any]) -> Any:
        return run(flow, self.perform)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def tenant(clock: FixedClock) -> Tenant:
    return Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=clock))


@pytest.fixture
def driver(tenant: Tenant, clock: FixedClock) -> Driver:
    return Driver(tenant, clock)


def core(clock: FixedClock, **options: Any) -> CoreClient:
    return CoreClient(
        make_config(
            domain=BASE,
            client_id="demo-client",
            client_secret="demo-client-secret-please-change-0123456789",
            secret="a-session-secret-of-at-least-32-characters",
            env=Env(clock=clock),
            **options,
        )
    )


def approve_at(driver: Driver, sleep: int, *, deny: bool = False) -> None:
    def on_sleep(n: int) -> None:
        if n == sleep:
            answer = driver.tenant.deny_backchannel if deny else driver.tenant.approve_backchannel
            assert answer(user_id="auth0|alice")

    driver.on_sleep = on_sleep


def oauth(error: str, **headers: str) -> HttpResponse:
    response = json_response(400, {"error": error, "error_description": error})
    return HttpResponse(
        status=400, headers=(*response.headers, *headers.items()), body=response.body
    )


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


# --- polling rules ---------------------------------------------------------------------------


def test_waits_the_interval_before_each_poll_until_approved(
    driver: Driver, clock: FixedClock
) -> None:
    approve_at(driver, 3)
    result = driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert driver.sleeps == [5, 5, 5]
    assert driver.polls() == 3  # pending, pending, tokens
    assert claims(result["id_token"])["sub"] == "auth0|alice"
    assert result["expires_at"] == START + 15 + result["expires_in"]
    assert {"access_token", "refresh_token", "token_type", "scope"} <= set(result)


def test_slow_down_adds_five_seconds_to_every_later_wait(driver: Driver, clock: FixedClock) -> None:
    driver.intercept = lambda request, polls: oauth("slow_down") if polls == 2 else None
    approve_at(driver, 4)
    driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert driver.sleeps == [5, 5, 10, 10]


def test_slow_down_with_a_longer_retry_after_waits_that_long(
    driver: Driver, clock: FixedClock
) -> None:
    driver.intercept = lambda r, polls: (
        oauth("slow_down", **{"Retry-After": "30"}) if polls == 1 else None
    )
    approve_at(driver, 2)
    driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert driver.sleeps == [5, 30]


def test_the_tenant_enforces_slow_down_and_the_flow_honours_it(
    driver: Driver, tenant: Tenant, clock: FixedClock
) -> None:
    # The tenant asks for 5 s but a client waiting less would be told to slow down; the flow
    # waits the interval, so the tenant never has to say it.
    approve_at(driver, 6)
    driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert driver.sleeps == [5] * 6
    assert not any(b'"slow_down"' in r.body for r in driver.requests)


def test_no_poll_after_expiry_by_the_injected_clock(driver: Driver, clock: FixedClock) -> None:
    options = {**ALICE, "authorization_params": {"requested_expiry": 30}}
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication(core(clock), options))
    assert raised.value.code == "expired_token"
    assert raised.value.error is None  # our clock said so, not the tenant
    assert driver.sleeps == [5] * 5
    assert driver.polls() == 5
    assert clock.now == START + 25


def test_expired_token_from_the_tenant_ends_polling(driver: Driver, clock: FixedClock) -> None:
    driver.intercept = lambda r, polls: oauth("expired_token") if polls == 2 else None
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert (raised.value.code, raised.value.error) == ("expired_token", "expired_token")
    assert driver.polls() == 2


def test_denial_is_a_typed_error(driver: Driver, clock: FixedClock) -> None:
    approve_at(driver, 2, deny=True)
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert (raised.value.code, raised.value.error, raised.value.status) == (
        "access_denied",
        "access_denied",
        400,
    )


def test_any_other_refusal_is_auth_req_id_error(driver: Driver, clock: FixedClock) -> None:
    driver.intercept = lambda r, polls: oauth("invalid_grant") if polls == 1 else None
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication(core(clock), ALICE))
    assert (raised.value.code, raised.value.error) == ("auth_req_id_error", "invalid_grant")


def test_cancellation_while_waiting_closes_the_flow_and_polls_no_more(
    driver: Driver, clock: FixedClock
) -> None:
    def cancel(n: int) -> None:
        if n == 2:
            raise Stop

    driver.on_sleep = cancel
    flow = api.backchannel_authentication(core(clock), ALICE)
    with pytest.raises(Stop):
        driver.run(flow)
    assert driver.polls() == 1
    assert inspect.getgeneratorstate(flow) == inspect.GEN_CLOSED


# --- one poll, initiate ----------------------------------------------------------------------


def test_initiate_then_single_polls(driver: Driver, tenant: Tenant, clock: FixedClock) -> None:
    client = core(clock)
    started = driver.run(api.initiate_backchannel_authentication(client, ALICE))
    assert set(started) == {"auth_req_id", "expires_in", "interval"}
    auth_req_id = started["auth_req_id"]
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication_grant(client, auth_req_id))
    assert raised.value.code == "authorization_pending"
    tenant.approve_backchannel(auth_req_id)
    clock.advance(5)
    tokens = driver.run(api.backchannel_authentication_grant(client, auth_req_id))
    assert claims(tokens["id_token"])["sub"] == "auth0|alice"
    assert driver.sleeps == []
    with pytest.raises(MissingRequiredArgumentError):
        driver.run(api.backchannel_authentication_grant(client, ""))


def test_the_request_sent(driver: Driver, clock: FixedClock) -> None:
    client = core(
        clock,
        authorization_params={
            "redirect_uri": "https://app.example/callback",
            "audience": "https://api.example.com",
            "scope": "read:items",
            "prompt": "login",
        },
    )
    options = {
        **ALICE,
        "authorization_params": {"scope": "offline_access", "requested_expiry": 120},
    }
    driver.run(api.initiate_backchannel_authentication(client, options))
    [request] = [r for r in driver.requests if r.url.endswith("/bc-authorize")]
    form = {k: v[0] for k, v in parse_form(request.body).items()}
    assert "redirect_uri" not in form
    assert "prompt" not in form
    assert "client_secret" not in form
    assert form["scope"] == "openid read:items offline_access"
    assert form["audience"] == "https://api.example.com"
    assert form["requested_expiry"] == "120"
    assert form["binding_message"] == "Kiosk 4711"
    assert json.loads(form["login_hint"]) == {
        "format": "iss_sub",
        "iss": BASE + "/",
        "sub": "auth0|alice",
    }


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"binding_message": "x"}, MissingRequiredArgumentError),
        ({"login_hint": {}, "binding_message": "x"}, MissingRequiredArgumentError),
        ({"login_hint": {"sub": "auth0|alice"}}, MissingRequiredArgumentError),
        ({**ALICE, "binding_message": "x" * 65}, InvalidArgumentError),
        ({**ALICE, "authorization_params": {"redirect_uri": "https://x"}}, InvalidArgumentError),
        ({**ALICE, "authorization_params": {"requested_expiry": 0}}, InvalidArgumentError),
        ({**ALICE, "authorization_params": {"requested_expiry": True}}, InvalidArgumentError),
        ({**ALICE, "authorization_params": {"scope": ["openid"]}}, InvalidArgumentError),
        ({**ALICE, "authorization_params": {"authorization_details": "[]"}}, InvalidArgumentError),
        ({**ALICE, "login_hnt": {}}, InvalidArgumentError),
        ({**ALICE, "login_hint": {"sub": "auth0|" + "a" * 1020}}, InvalidArgumentError),
    ],
)
def test_bad_options_raise_before_any_request(
    driver: Driver, clock: FixedClock, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        driver.run(api.backchannel_authentication(core(clock), options))
    assert not any(r.url.endswith("/bc-authorize") for r in driver.requests)


def test_a_tenant_without_ciba_is_a_configuration_error(driver: Driver, clock: FixedClock) -> None:
    def no_ciba(request: HttpRequest, polls: int) -> HttpResponse | None:
        if request.url.endswith("/openid-configuration"):
            document = json.loads(driver.tenant.handle(request).body)
            del document["backchannel_authentication_endpoint"]
            return json_response(200, document)
        return None

    driver.intercept = no_ciba
    with pytest.raises(ConfigurationError, match="backchannel_authentication_endpoint"):
        driver.run(api.initiate_backchannel_authentication(core(clock), ALICE))


# --- login_backchannel -----------------------------------------------------------------------


def test_login_writes_a_session_from_the_validated_id_token(
    driver: Driver, tenant: Tenant, clock: FixedClock
) -> None:
    approve_at(driver, 1)
    result = driver.run(api.login_backchannel(core(clock), ALICE))
    assert result == {"authorization_details": None}
    session = driver.store[("state", "_a0_session")]
    assert session["user"]["sub"] == "auth0|alice"
    assert session["user"]["email"] == "alice@example.com"
    [tenant_session] = tenant.sessions("auth0|alice")
    assert session["internal"]["sid"] == tenant_session["sid"]
    assert session["refresh_token"]


def test_an_existing_session_is_replaced_not_merged(driver: Driver, clock: FixedClock) -> None:
    driver.store[("state", "_a0_session")] = {"user": {"sub": "auth0|bob"}, "token_sets": []}
    approve_at(driver, 1)
    driver.run(api.login_backchannel(core(clock), ALICE))
    assert driver.store[("state", "_a0_session")]["user"]["sub"] == "auth0|alice"


@pytest.mark.parametrize(
    ("change", "claim"),
    [
        ({"aud": "another-client"}, "aud"),
        ({"sub": "auth0|bob"}, "sub"),
        ({"exp": START - 3600}, "exp"),
    ],
)
def test_a_bad_id_token_writes_no_session(
    driver: Driver, tenant: Tenant, clock: FixedClock, change: dict[str, Any], claim: str
) -> None:
    tenant.id_token_hook = lambda c, h: ({**c, **change}, h)
    approve_at(driver, 1)
    with pytest.raises(IdTokenError) as raised:
        driver.run(api.login_backchannel(core(clock), ALICE))
    assert raised.value.claim == claim
    assert ("state", "_a0_session") not in driver.store


# --- audience safety and the standard dialect ----------------------------------------------------

API = "https://api.example.com"


def unsigned_jwt(**claims: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def access_token_for(driver: Driver, audience: str) -> None:
    """The tenant's CIBA answers with the access token swapped for one naming ``audience``."""

    def swap(request: HttpRequest, polls: int) -> HttpResponse | None:
        if parse_form(request.body).get("grant_type") != [CIBA]:
            return None
        answer = driver.tenant.handle(request)
        if answer.status != 200:
            return answer
        document = json.loads(answer.body)
        return json_response(200, {**document, "access_token": unsigned_jwt(aud=audience)})

    driver.intercept = swap


@pytest.mark.parametrize("call", ["login_backchannel", "backchannel_authentication"])
def test_an_access_token_for_another_api_is_refused(
    driver: Driver, clock: FixedClock, call: str
) -> None:
    access_token_for(driver, "https://other.example.com")
    approve_at(driver, 1)
    options = {**ALICE, "authorization_params": {"audience": API}}
    with pytest.raises(AccessTokenError) as raised:
        driver.run(getattr(api, call)(core(clock), options))
    assert raised.value.code == "incorrect_audience"
    assert ("state", "_a0_session") not in driver.store


def test_the_token_for_the_api_asked_is_kept(driver: Driver, clock: FixedClock) -> None:
    access_token_for(driver, API)
    approve_at(driver, 1)
    driver.run(
        api.login_backchannel(core(clock), {**ALICE, "authorization_params": {"audience": API}})
    )
    [token_set] = driver.store[("state", "_a0_session")]["token_sets"]
    assert token_set["audience"] == API


def standard_forms(driver: Driver) -> list[dict[str, list[str]]]:
    """Answer /bc-authorize as a standard OP would (no interval) and every poll with
    ``authorization_pending``; the forms sent, in order."""

    def answer(request: HttpRequest, polls: int) -> HttpResponse | None:
        if request.url.endswith("/bc-authorize"):
            return json_response(200, {"auth_req_id": "req-1", "expires_in": 60})
        if parse_form(request.body).get("grant_type") == [CIBA]:
            return oauth("authorization_pending")
        return None

    driver.intercept = answer
    return [
        parse_form(r.body)
        for r in driver.requests
        if r.url.endswith("/bc-authorize") or parse_form(r.body).get("grant_type") == [CIBA]
    ]


@pytest.mark.parametrize(
    ("hint", "sent"),
    [({"sub": "auth0|alice"}, "auth0|alice"), ("alice@example.com", "alice@example.com")],
)
def test_the_standard_dialect_request(
    driver: Driver, clock: FixedClock, hint: object, sent: str
) -> None:
    client = core(clock, dialect="standard", authorization_params={"audience": API})
    standard_forms(driver)
    options = {"login_hint": hint, "authorization_params": {"authorization_details": []}}
    with pytest.raises(PollingApiError) as raised:
        driver.run(api.backchannel_authentication(client, options))
    assert raised.value.code == "expired_token"
    bc_authorize, *polls = standard_forms(driver)
    assert bc_authorize["login_hint"] == [sent]  # as it is, not Auth0's iss_sub JSON
    assert bc_authorize["resource"] == [API]
    assert "audience" not in bc_authorize
    assert "binding_message" not in bc_authorize  # optional outside Auth0
    assert bc_authorize["authorization_details"] == ["[]"]  # RAR needs no API here
    assert polls
    assert all(form["resource"] == [API] for form in polls)  # RFC 8707 §2.2, as at login
    assert driver.sleeps[0] == 5  # no interval named: the spec's 5 s


def test_the_standard_dialect_polls_for_the_default_token_when_userinfo_is_merged(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(
        clock,
        dialect="standard",
        fetch_userinfo="login",
        authorization_params={"audience": API},
    )
    standard_forms(driver)
    with pytest.raises(PollingApiError):
        driver.run(api.login_backchannel(client, {"login_hint": "alice"}))
    bc_authorize, *polls = standard_forms(driver)
    assert bc_authorize["resource"] == [API]  # the grant covers the API
    assert polls
    assert all("resource" not in form for form in polls)  # a token userinfo accepts


def test_a_single_poll_in_the_standard_dialect_asks_for_the_configured_api(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard", authorization_params={"audience": API})
    standard_forms(driver)
    with pytest.raises(PollingApiError):
        driver.run(api.backchannel_authentication_grant(client, "req-1"))
    [poll] = standard_forms(driver)
    assert poll["resource"] == [API]


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"login_hint": "  "}, InvalidArgumentError),
        ({"login_hint": "x" * 1025}, InvalidArgumentError),
        ({"login_hint": 7}, InvalidArgumentError),
        ({"login_hint": {"sub": ""}}, MissingRequiredArgumentError),
        ({"login_hint": "alice", "binding_message": "x" * 1025}, InvalidArgumentError),
        (
            {"login_hint": "alice", "authorization_params": {"resource": API}},
            InvalidArgumentError,
        ),
    ],
)
def test_standard_dialect_refusals_before_any_request(
    driver: Driver, clock: FixedClock, options: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        driver.run(api.backchannel_authentication(core(clock, dialect="standard"), options))
    assert not any(r.url.endswith("/bc-authorize") for r in driver.requests)


def test_the_auth0_dialect_takes_no_string_login_hint(driver: Driver, clock: FixedClock) -> None:
    with pytest.raises(InvalidArgumentError, match="login_hint"):
        driver.run(api.backchannel_authentication(core(clock), {**ALICE, "login_hint": "alice"}))
    assert not any(r.url.endswith("/bc-authorize") for r in driver.requests)
