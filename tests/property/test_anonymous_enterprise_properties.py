"""Anonymous sessions and Enterprise Connect under arbitrary answers: whatever
``POST /anonymous/token`` or ``/.well-known/webfinger`` answer (any status, any body), every call
of ``server_client.anonymous`` and ``start_enterprise_login`` ends in a result or an Auth0Error
subclass; a failed ``create_session`` stores nothing, a failed ``get_token`` leaves the stored
session as it was or (the tenant's word that it is over) deletes it, and a login started with
any transfer answer is a login URL (a ticket is a bonus, never a failure)."""

from __future__ import annotations

import json
import warnings
from typing import Any

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.auth_types import AnonymousSession
from auth0_core.errors import Auth0Error
from auth0_core.stores import MemoryStateStore
from auth0_core.tenant import Tenant, TenantConfig

from ..e2e.conftest import CALLBACK, CLIENT_ID, CLIENT_SECRET, INPROCESS_BASE, SECRET, START
from ..hypothesis_budget import examples
from .test_only_auth0_errors import json_values

API = "https://api.example.com"


class Harness:
    """A client with an anonymous store; ``/anonymous/token`` and WebFinger are answered by
    ``self.answer`` once ``self.fake`` is on, everything else by the emulated tenant."""

    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.tenant = Tenant(
            TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=self.clock)
        )
        self.answer = HttpResponse(status=500)
        self.fake = False
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.handle))
        self.store = MemoryStateStore(clock=self.clock)
        self.client = auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            authorization_params={"redirect_uri": CALLBACK},
            env=Env(clock=self.clock),
            anonymous_store=self.store,
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        path = request.url.removeprefix(INPROCESS_BASE).split("?", 1)[0]
        if self.fake and path in ("/anonymous/token", "/.well-known/webfinger"):
            return self.answer
        return self.tenant.handle(request)

    def real_session(self) -> dict[str, Any]:
        """A session made by the emulated tenant (then the answers are faked)."""
        self.fake = False
        self.store.delete("_a0_anon")
        self.client.anonymous.create_session(audience=API, scope="read:items")
        record = self.store.get("_a0_anon")
        assert record is not None
        self.fake = True
        return record


HARNESS = Harness()

statuses = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500])
text = st.text(max_size=16)
near_answer = st.fixed_dictionaries(
    {"access_token": st.sampled_from(["at", "a.b.c", "x.eyJzdWIiOiJhbm9uQDEifQ.y"]) | json_values},
    optional={
        "expires_in": st.integers(-5, 90_000) | json_values,
        "token_type": text | json_values,
        "session_token": text | json_values,
        "session_expires_in": st.integers(-5, 90_000) | json_values,
        "scope": text | json_values,
        "anon_transfer_token": text | json_values,
        "error": st.sampled_from(["session_expired", "invalid_session_token", "access_denied"])
        | json_values,
        "error_description": text | json_values,
    },
)
bodies = st.one_of(
    near_answer.map(json.dumps), json_values.map(json.dumps), st.text(max_size=40)
).map(lambda body: body.encode())


def _answer(status: int, body: bytes) -> HttpResponse:
    return HttpResponse(status=status, headers=(("Content-Type", "application/json"),), body=body)


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(status=statuses, body=bodies, call=st.sampled_from(["create", "remint", "login"]))
@example(status=200, body=b'{"access_token": "at", "expires_in": 60}', call="create")
@example(status=400, body=b'{"error": "session_expired"}', call="remint")
def test_any_anonymous_answer_is_a_result_or_an_auth0_error(
    status: int, body: bytes, call: str
) -> None:
    before = HARNESS.real_session()
    HARNESS.answer = _answer(status, body)
    anonymous = HARNESS.client.anonymous
    if call == "login":
        url = HARNESS.client.start_interactive_login()
        assert url.startswith(INPROCESS_BASE + "/authorize?")
        assert HARNESS.store.get("_a0_anon") == before
        return
    failure: Auth0Error | None = None
    result: AnonymousSession | None = None
    try:
        if call == "create":
            result = anonymous.create_session(metadata={"k": "v"})
        else:
            result = anonymous.get_token(audience=API, scope="other")
    except Auth0Error as error:
        failure = error
    if failure is not None:
        after = HARNESS.store.get("_a0_anon")
        over = getattr(failure, "code", None) in ("session_expired", "invalid_session_token")
        assert after == before or (call == "remint" and over and after is None)
        assert before["session_token"] not in repr(failure) + str(failure)
        return
    assert isinstance(result, AnonymousSession)
    assert HARNESS.store.get("_a0_anon") is not None


@settings(max_examples=examples(100), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(status=statuses, body=bodies, email=st.sampled_from(["a@b.test", "x@y.example"]))
def test_any_webfinger_answer_is_a_url_none_or_an_auth0_error(
    status: int, body: bytes, email: str
) -> None:
    HARNESS.fake = True
    HARNESS.answer = _answer(status, body)
    HARNESS.client._core.webfinger_cache.clear()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a 429 warns
            url = HARNESS.client.start_enterprise_login({"email": email})
    except Auth0Error:
        return
    if status == 200:
        assert url is not None
        assert url.startswith(INPROCESS_BASE + "/authorize?")
    else:
        assert url is None
