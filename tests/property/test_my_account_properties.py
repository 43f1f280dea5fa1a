"""Connected Accounts under arbitrary input: any callback URL and any My Account API answer
end in a result or an Auth0Error subclass, and a failed call leaves the session as it was."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error
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

ME = f"{INPROCESS_BASE}/me/"
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
ACCOUNT = {
    "id": "cac_abc123",
    "connection": "google-oauth2",
    "access_type": "offline",
    "scopes": ["openid"],
    "created_at": "2025-11-07T05:31:56Z",
}
CONNECT = {
    "connect_uri": f"{INPROCESS_BASE}/connect",
    "auth_session": "session-1",
    "connect_params": {"ticket": "ticket-1"},
    "expires_in": 300,
}


class Harness:
    """A logged-in user whose client already holds a My Account token for every scope, so
    the calls below send nothing but My Account requests, answered by ``self.answer``."""

    def __init__(self) -> None:
        clock = FixedClock(START)
        self.tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
        self.answer = HttpResponse(status=500)
        self.connect_state = ""  # the state of the last connect request sent
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.handle))
        self.client = auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            authorization_params={"redirect_uri": CALLBACK, "scope": {ME: ME_SCOPES}},
            env=Env(clock=clock),
        )
        url = self.client.start_interactive_login(
            {"authorization_params": {"scope": "openid profile email offline_access"}}
        )
        flow = browser_login_flow(url, "alice@example.com", "alice-password")
        self.client.complete_interactive_login(str(run_sync(flow, self.tenant.handle)))
        self.client.get_access_token(audience=ME)

    def handle(self, request: HttpRequest) -> HttpResponse:
        if "/me/v1/" in request.url:
            if request.url.endswith("/connect"):
                self.connect_state = json.loads(request.body)["state"]
            return self.answer
        return self.tenant.handle(request)

    def session(self) -> Any:
        return self.client.get_session()


HARNESS = Harness()  # built once: each example only reads, or fails before writing

statuses = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 502])
near_accounts = st.fixed_dictionaries(
    {},
    optional={
        "accounts": st.lists(
            st.fixed_dictionaries({k: st.just(v) | json_values for k, v in ACCOUNT.items()}),
            max_size=3,
        )
        | json_values,
        "next": st.text(max_size=8) | json_values,
    },
)
near_problem = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=20)
        for key in ("type", "status", "title", "detail", "validation_errors")
    },
)
near_connect = st.fixed_dictionaries({k: st.just(v) | json_values for k, v in CONNECT.items()})
bodies = st.one_of(
    near_accounts.map(json.dumps),
    near_problem.map(json.dumps),
    near_connect.map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=60),
).map(lambda text: text.encode())


@settings(max_examples=examples(80), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    status=statuses, body=bodies, call=st.sampled_from(["list", "connections", "delete", "start"])
)
def test_any_my_account_answer_is_a_result_or_an_auth0_error(
    status: int, body: bytes, call: str
) -> None:
    HARNESS.answer = HttpResponse(
        status=status, headers=(("Content-Type", "application/json"),), body=body
    )
    before = HARNESS.session()
    try:
        if call == "list":
            HARNESS.client.list_connected_accounts(take=5)
        elif call == "connections":
            HARNESS.client.list_connected_account_connections()
        elif call == "delete":
            HARNESS.client.delete_connected_account("cac_1")
        else:
            HARNESS.client.start_connect_account({"connection": "google-oauth2"})
    except Auth0Error:
        pass
    assert HARNESS.session() == before


callback_values = st.text(max_size=30) | st.sampled_from(["", "x" * 47])
callback_params = st.dictionaries(
    st.sampled_from(["connect_code", "state", "code", "error", "error_description", "iss", "x"]),
    callback_values,
    max_size=5,
)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    params=callback_params,
    keep_state=st.booleans(),
    raw=st.text(max_size=40),
    use_raw=st.booleans(),
)
@example(params={"connect_code": "code-1"}, keep_state=True, raw="", use_raw=False)  # success
def test_any_connect_callback_is_a_result_or_an_auth0_error(
    params: dict[str, str], keep_state: bool, raw: str, use_raw: bool
) -> None:
    HARNESS.answer = HttpResponse(
        status=201,
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(CONNECT).encode(),
    )
    url = HARNESS.client.start_connect_account(
        {"connection": "google-oauth2", "app_state": {"to": "/"}}
    )
    assert url.endswith("ticket=ticket-1")
    if keep_state:
        params["state"] = HARNESS.connect_state
    HARNESS.answer = HttpResponse(
        status=201,
        headers=(("Content-Type", "application/json"),),
        body=json.dumps(ACCOUNT).encode(),
    )
    before = HARNESS.session()
    callback = raw if use_raw else f"{CALLBACK}?{urlencode(params)}"
    try:
        result = HARNESS.client.complete_connect_account(callback)
    except Auth0Error:
        pass
        succeeded = False
    else:
        assert (result.id, result.app_state) == ("cac_abc123", {"to": "/"})
        succeeded = True
    code = params.get("connect_code", "")
    assert succeeded == (
        not use_raw
        and keep_state
        and bool(code.strip())
        and len(code) <= 46
        and "error" not in params
    )
    assert HARNESS.session() == before
