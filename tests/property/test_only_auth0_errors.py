"""h11's fuzz invariant, as properties: a public call returns a result or raises an
Auth0Error subclass, never KeyError, TypeError, JSONDecodeError or anything else; and which
result or error it is follows the protocol doc."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth0_core._http import HttpResponse
from auth0_core.endpoints.authentication.token import TokenResponse, process_token_response
from auth0_core.errors import Auth0Error, InvalidResponse, OAuthError, printable

from ..hypothesis_budget import examples
from ..security.test_callback_matrix import Harness

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
token_members = st.sampled_from(
    [
        "access_token",
        "id_token",
        "refresh_token",
        "expires_in",
        "scope",
        "token_type",
        "error",
        "error_description",
        "authorization_details",
    ]
)
token_documents = st.dictionaries(token_members, json_values, max_size=9)
# Near a success: an access token, and the other members well typed or not.
near_success = st.fixed_dictionaries(
    {"access_token": st.text(min_size=1, max_size=20)},
    optional={
        "token_type": st.sampled_from(["Bearer", "DPoP"]) | json_values,
        "expires_in": st.integers(-5, 90_000) | st.sampled_from(["3600", "x"]) | json_values,
        "scope": st.text(max_size=20) | json_values,
        "id_token": st.text(max_size=20) | json_values,
        "refresh_token": st.text(max_size=20) | json_values,
    },
)
bodies = st.one_of(
    near_success.map(lambda d: json.dumps(d).encode()),
    token_documents.map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


def _json_or_none(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:  # UnicodeDecodeError included
        return None


@given(
    status=st.just(200) | st.sampled_from([400, 401, 403, 429]) | st.integers(100, 599),
    body=bodies,
    json_type=st.booleans(),
)
def test_token_responses(status: int, body: bytes, json_type: bool) -> None:
    """Protocol doc §0.2 and §2.5: branch on the ``error`` member, never on the status alone; a
    body that is not the expected JSON is a typed InvalidResponse carrying the status."""
    headers = (("Content-Type", "application/json" if json_type else "text/html"),)
    result: TokenResponse | Auth0Error
    try:
        result = process_token_response(HttpResponse(status=status, headers=headers, body=body))
    except Auth0Error as error:
        result = error
    document = _json_or_none(body)
    if not 200 <= status < 300:
        if isinstance(document, dict) and isinstance(document.get("error"), str):
            assert type(result) is OAuthError
            assert (result.error, result.status) == (printable(document["error"], 100), status)
        else:
            assert type(result) is InvalidResponse
            assert result.status == status
        return
    access_token = document.get("access_token") if isinstance(document, dict) else None
    if status != 200 or not isinstance(access_token, str) or not access_token:
        assert type(result) is InvalidResponse
        return
    # A 200 with an access token: accepted with every member copied, or refused as malformed.
    if isinstance(result, TokenResponse):
        assert isinstance(document, dict)
        assert result.access_token == access_token
        assert result.token_type == document.get("token_type", "Bearer")
        assert (result.id_token, result.refresh_token, result.scope) == (
            document.get("id_token"),
            document.get("refresh_token"),
            document.get("scope"),
        )
    else:
        assert type(result) is InvalidResponse


callback_params = st.dictionaries(
    st.sampled_from(["code", "state", "error", "error_description", "iss", "connect_code", "x"]),
    st.text(max_size=30),
    max_size=6,
)


def _callback_failures(params: dict[str, str], real_state: str) -> set[tuple[str, str | None]]:
    """Protocol doc §2.4 for a login whose browser never signed in (so no code was issued)."""
    state = params.get("state")
    if not state:
        return {("MissingRequiredArgumentError", "state")}
    if params.get("connect_code") and not params.get("code"):
        return {("WrongCallbackError", None)}  # a Connected Accounts callback, nothing consumed
    if state != real_state:
        return {("MissingTransactionError", None)}
    iss = [("IssuerValidationError", "iss")] if "iss" in params else []  # never the issuer
    if "error" in params:
        return {("AuthorizationError", printable(params["error"], 100)), *iss}
    if not params.get("code"):
        return {("MissingRequiredArgumentError", "code"), *iss}
    return set(iss) or {("OAuthError", "invalid_grant")}


def _failure(error: Auth0Error) -> tuple[str, str | None]:
    detail = next(
        (getattr(error, a) for a in ("claim", "argument", "error") if hasattr(error, a)), None
    )
    return (type(error).__name__, detail)


@settings(max_examples=examples(60), suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    params=callback_params,
    keep_state=st.booleans(),
    raw=st.text(max_size=60),
    use_raw=st.booleans(),
)
def test_callback_urls(params: dict[str, str], keep_state: bool, raw: str, use_raw: bool) -> None:
    harness = Harness()
    url = harness.start()
    real_state = url.split("state=")[1].split("&")[0]
    if keep_state:
        params["state"] = real_state
    callback: Any = raw if use_raw else f"https://app.example/cb?{urlencode(params)}"
    try:
        harness.client.complete_interactive_login(callback)
    except Auth0Error as error:
        failure = _failure(error)
    else:
        failure = ("success", None)
    if use_raw:  # text that names no live transaction: refused before any exchange
        assert failure[0] in (
            "InvalidArgumentError",
            "MissingRequiredArgumentError",
            "MissingTransactionError",
        )
    else:
        assert failure in _callback_failures(params, real_state)
    assert harness.client.get_session() is None
