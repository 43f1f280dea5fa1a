"""My Account factors and authentication methods under arbitrary answers: every call of
``MyAccountClient`` (sync and async driver alike run these flows) ends in its result or an
``Auth0Error`` subclass, whatever status, headers and body the API sends, with a Bearer token
or a DPoP key (nonce challenges included); and no error carries the token."""

from __future__ import annotations

import json
from typing import Any

import requests
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error

from ..e2e.conftest import INPROCESS_BASE, START
from ..hypothesis_budget import examples
from .test_only_auth0_errors import json_values

TOKEN = "property-access-token-0123456789"
DPOP_JWK = {  # RFC 7515 appendix A.3's P-256 example key
    "kty": "EC",
    "crv": "P-256",
    "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
    "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
    "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI",
}
METHOD = {
    "id": "totp|dev_abc",
    "type": "totp",
    "created_at": "2026-01-01T00:00:00Z",
    "confirmed": True,
    "usage": ["secondary"],
    "name": "phone app",
}
LOCATION = f"{INPROCESS_BASE}/me/v1/authentication-methods/totp%7Cdev_abc"


class Harness:
    """A MyAccountClient whose every request is answered by ``self.answer``."""

    def __init__(self) -> None:
        self.answer = HttpResponse(status=500)
        self.sent: list[HttpRequest] = []
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.handle))
        self.client = auth0_requests.MyAccountClient(
            domain=INPROCESS_BASE, session=session, env=Env(clock=FixedClock(START))
        )

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        return self.answer


HARNESS = Harness()  # built once: the client keeps nothing between calls but DPoP nonces

near_method = st.fixed_dictionaries(
    {}, optional={k: st.just(v) | json_values for k, v in METHOD.items()}
)
near_factor = st.fixed_dictionaries(
    {}, optional={"type": st.just("totp") | json_values, "usage": json_values}
)
near_problem = st.fixed_dictionaries(
    {},
    optional={
        key: json_values | st.text(max_size=20)
        for key in ("type", "status", "title", "detail", "validation_errors")
    },
)
documents = st.one_of(
    near_method,
    st.fixed_dictionaries({"authentication_methods": st.lists(near_method, max_size=3)}),
    st.fixed_dictionaries({"factors": st.lists(near_factor, max_size=3) | json_values}),
    st.lists(near_factor, max_size=3),
    st.fixed_dictionaries(
        {"auth_session": st.just("session-1") | json_values},
        optional={
            key: json_values | st.text(max_size=20)
            for key in ("authn_params_public_key", "barcode_uri", "manual_input_code")
        },
    ),
    near_problem,
    json_values,
)
bodies = st.one_of(documents.map(json.dumps), st.text(max_size=60)).map(
    lambda text: text.encode("utf-8", "surrogatepass")
)
statuses = st.sampled_from([200, 201, 202, 204, 400, 401, 403, 404, 409, 429, 500, 502])
header_values = st.text(max_size=80).filter(lambda t: "\r" not in t and "\n" not in t)
headers = st.lists(
    st.tuples(
        st.sampled_from(["Content-Type", "Location", "DPoP-Nonce", "WWW-Authenticate"]),
        st.sampled_from(
            [
                "application/json",
                "application/problem+json",
                LOCATION,
                "/me/v1/authentication-methods/",
                'DPoP error="use_dpop_nonce"',
                "nonce-1",
            ]
        )
        | header_values,
    ),
    max_size=4,
)
CALLS: dict[str, dict[str, Any]] = {
    "get_factors": {},
    "list_authentication_methods": {"type_filter": "totp"},
    "get_authentication_method": {"authentication_method_id": "totp|dev_abc"},
    "delete_authentication_method": {"authentication_method_id": "totp|dev_abc"},
    "update_authentication_method": {
        "authentication_method_id": "totp|dev_abc",
        "request": {"name": "renamed"},
    },
    "enroll_authentication_method": {"request": {"type": "totp"}},
    "verify_authentication_method": {
        "authentication_method_id": "totp|dev_abc",
        "request": {"auth_session": "session-1", "otp_code": "123456"},
    },
}


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    status=statuses,
    headers=headers,
    body=bodies,
    call=st.sampled_from(sorted(CALLS)),
    dpop=st.booleans(),
)
@example(status=202, headers=[("Location", LOCATION)], body=b'{"auth_session": "s"}',
         call="enroll_authentication_method", dpop=False)  # fmt: skip
@example(status=200, headers=[], body=json.dumps([{"type": "totp"}]).encode(),
         call="get_factors", dpop=True)  # fmt: skip
@example(status=401, headers=[("DPoP-Nonce", "n"), ("WWW-Authenticate",
         'DPoP error="use_dpop_nonce"')], body=b"{}", call="get_factors", dpop=True)  # fmt: skip
def test_any_answer_is_a_result_or_an_auth0_error(
    status: int, headers: list[tuple[str, str]], body: bytes, call: str, dpop: bool
) -> None:
    HARNESS.answer = HttpResponse(status=status, headers=tuple(headers), body=body)
    HARNESS.sent.clear()
    key = DPOP_JWK if dpop else None
    failure: Auth0Error | None = None
    try:
        getattr(HARNESS.client, call)(access_token=TOKEN, dpop_key=key, **CALLS[call])
    except Auth0Error as error:
        failure = error
    if failure is not None:
        assert TOKEN not in str(failure)
        assert TOKEN not in repr(failure)
    # One request; a read is retried (3 attempts), each attempt may answer one nonce challenge.
    assert 1 <= len(HARNESS.sent) <= 6
    for request in HARNESS.sent:
        scheme = "DPoP" if dpop else "Bearer"
        assert request.header("authorization") == f"{scheme} {TOKEN}"
        assert (request.header("dpop") is not None) == dpop
