"""Passkeys under arbitrary answers and arbitrary credentials.

- Whatever ``/passkey/register``, ``/passkey/challenge`` or the WebAuthn grant answer (any
  status, any body, near-valid challenge options and token responses), each of
  ``passkey_signup_challenge``, ``passkey_login_challenge`` and ``signin_with_passkey`` ends
  in a result or an Auth0Error subclass, the ``auth_session`` is in no error's text, and a
  failed call leaves the session as it was.
- Whatever credential a browser sends (an honest one spoiled at any byte, or any JSON), the
  emulated tenant answers a refusal, never a failure of its own, and the call raises an
  Auth0Error subclass with nothing written.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import AccessTokenError, Auth0Error, InvalidArgumentError, PasskeyError
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.testing.passkeys import SoftwareAuthenticator, b64url, unb64url

from ..e2e.conftest import CLIENT_ID, CLIENT_SECRET, INPROCESS_BASE, SECRET, START
from ..hypothesis_budget import examples
from .test_only_auth0_errors import json_values

AUTH_SESSION = "the-auth-session-value-0123456789"


class Harness:
    """A client whose passkey requests are answered by ``self.answer`` (when set), everything
    else (discovery, JWKS) by the emulated tenant; a cookie session per call."""

    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.tenant = Tenant(
            TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=self.clock)
        )
        self.answer: HttpResponse | None = None
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.handle))
        self.client = auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            env=Env(clock=self.clock),
        )
        self.responses: list[HttpResponse] = []

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.url.removeprefix(INPROCESS_BASE)
        if self.answer is not None and (
            path.startswith("/passkey/") or (path == "/oauth/token" and b"webauthn" in request.body)
        ):
            return self.answer
        response = self.tenant.handle(request)
        self.responses.append(response)
        return response

    def store(self) -> dict[str, Any]:
        return {"request": CookieRequest({}), "response": CookieResponse()}


HARNESS = Harness()
DEVICE = SoftwareAuthenticator()
SERIAL = itertools.count()

statuses = st.sampled_from([200, 201, 400, 401, 403, 404, 429, 500])
text = st.text(max_size=12)
near_options = st.fixed_dictionaries(
    {"challenge": st.just("Y2hhbGxlbmdl") | json_values},
    optional={
        "rp": st.fixed_dictionaries({"id": text | json_values, "name": text}) | json_values,
        "rpId": text | json_values,
        "user": st.fixed_dictionaries({"id": text, "name": text | json_values}) | json_values,
        "pubKeyCredParams": st.lists(
            st.fixed_dictionaries({"type": text, "alg": st.integers(-300, 5) | json_values}),
            max_size=2,
        )
        | json_values,
        "authenticatorSelection": st.fixed_dictionaries(
            {}, optional={"residentKey": text | json_values, "userVerification": text}
        )
        | json_values,
        "timeout": st.integers(-1, 10**6) | json_values,
        "userVerification": text | json_values,
    },
)
near_challenge = st.fixed_dictionaries(
    {"auth_session": st.just(AUTH_SESSION) | json_values, "authn_params_public_key": near_options},
    optional={"verification_required": st.lists(text, max_size=2) | json_values},
)
near_token = st.fixed_dictionaries(
    {"access_token": st.just("at") | json_values},
    optional={
        "token_type": st.sampled_from(["Bearer", "DPoP"]) | json_values,
        "expires_in": st.integers(-5, 90_000) | json_values,
        "id_token": text | json_values,
        "scope": text | json_values,
        "error": st.sampled_from(["mfa_required", "invalid_grant", "too_many_requests"]) | text,
        "verification_required": st.lists(text, max_size=2) | json_values,
        "error_description": text | json_values,
        "auth_session": st.just(AUTH_SESSION) | json_values,
        "mfa_token": text | json_values,
    },
)
bodies = st.one_of(
    near_challenge.map(json.dumps),
    near_token.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
).map(lambda body: body.encode())
retry_after = st.none() | st.sampled_from(["5", "-1", "soon", "99999999999"])
CALLS = ["signup", "login", "signin"]
CREDENTIAL = {"id": "aWQ", "rawId": "aWQ", "type": "public-key", "response": {"a": "b"}}


def _answer(status: int, body: bytes, wait: str | None) -> HttpResponse:
    headers = [("Content-Type", "application/json")]
    if wait is not None:
        headers.append(("Retry-After", wait))
    return HttpResponse(status=status, headers=tuple(headers), body=body)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(status=statuses, body=bodies, call=st.sampled_from(CALLS), wait=retry_after)
@example(
    status=200,
    body=json.dumps(
        {"auth_session": AUTH_SESSION, "authn_params_public_key": {"challenge": "Y2g"}}
    ).encode(),
    call="login",
    wait=None,
)
@example(status=403, body=b'{"error": "invalid_grant"}', call="signin", wait="7")
def test_any_passkey_answer_is_a_result_or_an_auth0_error(
    status: int, body: bytes, call: str, wait: str | None
) -> None:
    HARNESS.answer = _answer(status, body, wait)
    store = HARNESS.store()
    failed: Auth0Error | None = None
    try:
        if call == "signup":
            result: Any = HARNESS.client.passkey_signup_challenge(
                user_profile={"email": "a@b.example"}, store_options=store
            )
            assert isinstance(result.auth_session, str)
            assert result.auth_session not in repr(result)
        elif call == "login":
            result = HARNESS.client.passkey_login_challenge(store_options=store)
            assert isinstance(result.authn_params_public_key.challenge, str)
        else:
            result = HARNESS.client.signin_with_passkey(
                AUTH_SESSION, CREDENTIAL, store_options=store
            )
            assert result.state_data["user"]["sub"]
    except Auth0Error as error:
        failed = error
    finally:
        HARNESS.answer = None
    if failed is not None:
        assert AUTH_SESSION not in str(failed)
        assert AUTH_SESSION not in repr(failed)
        if isinstance(failed, PasskeyError):
            assert failed.retry_after is None or failed.retry_after >= 0
            assert failed.code.isprintable()  # the server's word, as one printable line
            assert all(item.isprintable() for item in failed.verification_required or [])
        assert store["response"].headers() == []  # nothing written


def test_a_token_for_another_api_is_refused_as_at_login() -> None:
    import base64

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    other = part({"alg": "none"}) + "." + part({"aud": "https://other.example"}) + ".x"
    body = {"access_token": other, "token_type": "Bearer", "expires_in": 60, "id_token": "x"}
    HARNESS.answer = _answer(200, json.dumps(body).encode(), None)
    store = HARNESS.store()
    try:
        with pytest.raises(AccessTokenError) as refused:
            HARNESS.client.signin_with_passkey(
                AUTH_SESSION, CREDENTIAL, store, audience="https://api.example.com"
            )
    finally:
        HARNESS.answer = None
    assert refused.value.code == "incorrect_audience"
    assert store["response"].headers() == []


def _spoil(credential: dict[str, Any], member: str, position: int, byte: int) -> dict[str, Any]:
    response = dict(credential["response"])
    raw = bytearray(unb64url(response[member]))
    if raw:
        raw[position % len(raw)] ^= byte or 1
    response[member] = b64url(bytes(raw))
    return {**credential, "response": response}


def _signed_up() -> None:
    if not HARNESS.tenant.state.passkeys.credentials:
        challenge = HARNESS.client.passkey_signup_challenge(
            user_profile={"email": "fuzz@passkeys.example"}
        )
        credential = DEVICE.create(challenge.authn_params_public_key, attestation="packed")
        HARNESS.client.signin_with_passkey(challenge.auth_session, credential)


@settings(max_examples=examples(120), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    kind=st.sampled_from(["assertion", "registration"]),
    member=st.sampled_from(
        ["clientDataJSON", "authenticatorData", "signature", "attestationObject"]
    ),
    position=st.integers(0, 400),
    byte=st.integers(0, 255),
    garbage=st.none() | json_values,
)
def test_a_spoiled_or_arbitrary_credential_is_refused_by_the_tenant(
    kind: str, member: str, position: int, byte: int, garbage: Any
) -> None:
    _signed_up()
    if kind == "assertion":
        challenge: Any = HARNESS.client.passkey_login_challenge()
        honest = DEVICE.get(challenge.authn_params_public_key)
    else:
        challenge = HARNESS.client.passkey_signup_challenge(
            user_profile={"email": f"spoiled-{next(SERIAL)}@passkeys.example"}
        )
        honest = SoftwareAuthenticator().create(challenge.authn_params_public_key)
    if member not in honest["response"]:
        member = "clientDataJSON"
    credential: Any = _spoil(honest, member, position, byte)
    if garbage is not None:
        credential = {**honest, "response": {**honest["response"], member: garbage}}
    store = HARNESS.store()
    HARNESS.responses.clear()
    refused: Auth0Error | None = None
    try:
        HARNESS.client.signin_with_passkey(challenge.auth_session, credential, store_options=store)
    except (PasskeyError, InvalidArgumentError) as error:
        refused = error
    if refused is not None:
        assert challenge.auth_session not in str(refused)
        assert store["response"].headers() == []
    else:  # a flipped bit the verifier need not see (a JSON member it ignores): still valid
        assert store["response"].headers() != []
    assert all(r.status < 500 for r in HARNESS.responses)


arguments = st.none() | json_values | st.builds(object) | st.just(float("nan"))
credential_members = st.dictionaries(
    st.sampled_from(
        ["id", "rawId", "raw_id", "type", "response", "authenticatorAttachment",
         "clientExtensionResults", "other"]
    ),
    arguments,
    max_size=6,
)  # fmt: skip


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    call=st.sampled_from(["signup", "login", "signin"]),
    first=arguments | credential_members,
    second=arguments,
    third=arguments,
)
def test_any_arguments_are_a_result_or_an_auth0_error(
    call: str, first: Any, second: Any, third: Any
) -> None:
    """Whatever the caller passes (JSON or not), a passkey call returns or raises an
    Auth0Error subclass (never a bare TypeError or ValueError), and writes no session."""
    store = HARNESS.store()
    try:
        if call == "signup":
            HARNESS.client.passkey_signup_challenge(first, second, None, third, store_options=store)
        elif call == "login":
            HARNESS.client.passkey_login_challenge(first, second, third, store_options=store)
        else:
            HARNESS.client.signin_with_passkey(
                second if isinstance(second, str) else "session", first, store, verification=third
            )
    except Auth0Error:
        assert store["response"].headers() == []
