"""MFA and passwordless under arbitrary answers: whatever the MFA API, the MFA grants,
``/passwordless/start`` or the passwordless OTP grant answer (any status, any body), every
call of ``server_client.mfa`` and ``server_client.passwordless`` ends in a result or an
Auth0Error subclass, and a failed call leaves the session as it was. Any string given as an
``mfa_token`` is a result or an Auth0Error too."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error
from auth0_core.flows.mfa import seal_mfa_token
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from ..e2e.conftest import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INPROCESS_BASE,
    SECRET,
    START,
    run_sync,
)
from ..hypothesis_budget import examples
from .test_only_auth0_errors import json_values

API = "https://api.example.com"


class Harness:
    """A logged-in user; the MFA and passwordless requests are answered by ``self.answer``,
    everything else (discovery, JWKS, login) by the emulated tenant."""

    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.tenant = Tenant(
            TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=self.clock)
        )
        self.answer = HttpResponse(status=500)
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.handle))
        self.client = auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            authorization_params={"redirect_uri": CALLBACK},
            env=Env(clock=self.clock),
        )
        url = self.client.start_interactive_login()
        flow = browser_login_flow(url, "alice@example.com", "alice-password")
        self.client.complete_interactive_login(str(run_sync(flow, self.tenant.handle)))
        self.sealed = seal_mfa_token(
            self.client.config, "raw-mfa-token", audience=API, scope="", requirements=None
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.url.removeprefix(INPROCESS_BASE)
        if path.startswith(("/mfa/", "/passwordless/")):
            return self.answer
        if path == "/oauth/token":
            grant = parse_qs(request.body.decode()).get("grant_type", [""])[0]
            if "mfa-" in grant or "passwordless" in grant:
                return self.answer
        return self.tenant.handle(request)

    def session(self) -> Any:
        return self.client.get_session()


HARNESS = Harness()  # built once: a failed call writes nothing

statuses = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500, 502])
text = st.text(max_size=16)
near_token = st.fixed_dictionaries(
    {"access_token": st.just("at") | json_values},
    optional={
        "token_type": st.sampled_from(["Bearer", "DPoP"]) | json_values,
        "expires_in": st.integers(-5, 90_000) | json_values,
        "id_token": text | json_values,
        "recovery_code": text | json_values,
        "error": st.sampled_from(["mfa_required", "invalid_grant", "authorization_pending"]),
        "mfa_token": text | json_values,
        "mfa_requirements": json_values,
    },
)
near_authenticators = st.lists(
    st.fixed_dictionaries(
        {"id": text | json_values, "authenticator_type": text | json_values},
        optional={"active": st.booleans() | json_values, "oob_channel": text | json_values},
    ),
    max_size=3,
)
near_enrollment = st.fixed_dictionaries(
    {"authenticator_type": st.sampled_from(["otp", "oob", "x"]) | json_values},
    optional={
        key: text | json_values
        for key in ("secret", "barcode_uri", "oob_channel", "oob_code", "binding_method")
    }
    | {"recovery_codes": st.lists(text, max_size=2) | json_values},
)
near_challenge = st.fixed_dictionaries(
    {"challenge_type": st.sampled_from(["otp", "oob"]) | json_values},
    optional={"oob_code": text | json_values, "expires_in": st.integers(-5, 999) | json_values},
)
near_start = st.fixed_dictionaries(
    {},
    optional={"_id": text | json_values, "email": text, "error": text, "error_description": text},
)
bodies = st.one_of(
    near_token.map(json.dumps),
    near_authenticators.map(json.dumps),
    near_enrollment.map(json.dumps),
    near_challenge.map(json.dumps),
    near_start.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
).map(lambda body: body.encode())
retry_after = st.none() | st.sampled_from(["5", "-1", "soon", "99999999999"])


def _answer(status: int, body: bytes, wait: str | None) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if wait is not None:
        headers.append(("Retry-After", wait))
    return HttpResponse(status=status, headers=tuple(headers), body=body)


MFA_CALLS = ["list", "enroll", "challenge", "verify", "verify_persist", "verify_oob"]


@settings(max_examples=examples(120), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(status=statuses, body=bodies, call=st.sampled_from(MFA_CALLS), wait=retry_after)
@example(
    status=200, body=b'{"access_token": "at", "expires_in": 60}', call="verify_persist", wait=None
)
def test_any_mfa_answer_is_a_result_or_an_auth0_error(
    status: int, body: bytes, call: str, wait: str | None
) -> None:
    HARNESS.answer = _answer(status, body, wait)
    mfa = HARNESS.client.mfa
    token = HARNESS.sealed
    before = HARNESS.session()
    try:
        if call == "list":
            mfa.list_authenticators({"mfa_token": token})
        elif call == "enroll":
            mfa.enroll_authenticator(
                {"mfa_token": token, "factor_type": "sms", "phone_number": "+14155550100"}
            )
        elif call == "challenge":
            mfa.challenge_authenticator({"mfa_token": token, "factor_type": "otp"})
        elif call == "verify_oob":
            mfa.verify({"mfa_token": token, "oob_code": "oob", "binding_code": "123456"})
        else:
            mfa.verify({"mfa_token": token, "otp": "123456", "persist": call == "verify_persist"})
    except Auth0Error:
        assert HARNESS.session() == before
        return
    if call == "verify_persist":  # it succeeded: the token set went into the session, undo
        HARNESS.client.logout()
        HARNESS.__init__()  # type: ignore[misc]
        return
    assert HARNESS.session() == before


@settings(max_examples=examples(120), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    status=statuses,
    body=bodies,
    call=st.sampled_from(["start", "link", "verify"]),
    wait=retry_after,
)
def test_any_passwordless_answer_is_a_result_or_an_auth0_error(
    status: int, body: bytes, call: str, wait: str | None
) -> None:
    HARNESS.answer = _answer(status, body, wait)
    passwordless = HARNESS.client.passwordless
    before = HARNESS.session()
    try:
        if call == "start":
            passwordless.start({"email": "pat@example.org"})
        elif call == "link":
            passwordless.start({"email": "pat@example.org", "send": "link"}, store_options={})
        else:
            passwordless.verify(
                {"connection": "email", "email": "pat@example.org", "verification_code": "1"}
            )
    except Auth0Error as error:
        retry = getattr(error, "retry_after", None)
        assert retry is None or (isinstance(retry, int) and retry >= 0)
    # No answer generated here carries a valid ID token: verify never writes a session.
    assert HARNESS.session() == before


@settings(max_examples=examples(150), deadline=None)
@given(token=st.text(max_size=80) | st.just(""), kind=st.sampled_from(["decrypt", "list"]))
def test_any_mfa_token_is_a_result_or_an_auth0_error(token: str, kind: str) -> None:
    HARNESS.answer = _answer(200, b"[]", None)
    try:
        if kind == "decrypt":
            HARNESS.client.mfa.decrypt_mfa_token(token)
        else:
            assert HARNESS.client.mfa.list_authenticators({"mfa_token": token}) == []
    except Auth0Error:
        pass
