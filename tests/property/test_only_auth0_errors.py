"""h11's fuzz invariant, as properties: a public call returns a result or raises an
Auth0Error subclass, never KeyError, TypeError, JSONDecodeError or anything else."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth0_core._http import HttpResponse
from auth0_core._token import process_token_response
from auth0_core.errors import Auth0Error

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
bodies = st.one_of(
    token_documents.map(lambda d: json.dumps(d).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


@given(status=st.integers(100, 599), body=bodies, json_type=st.booleans())
def test_token_responses(status: int, body: bytes, json_type: bool) -> None:
    headers = (("Content-Type", "application/json" if json_type else "text/html"),)
    with contextlib.suppress(Auth0Error):
        process_token_response(HttpResponse(status=status, headers=headers, body=body))


callback_params = st.dictionaries(
    st.sampled_from(["code", "state", "error", "error_description", "iss", "connect_code", "x"]),
    st.text(max_size=30),
    max_size=6,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    params=callback_params,
    keep_state=st.booleans(),
    raw=st.text(max_size=60),
    use_raw=st.booleans(),
)
def test_callback_urls(params: dict[str, str], keep_state: bool, raw: str, use_raw: bool) -> None:
    harness = Harness()
    url = harness.start()
    if keep_state:
        params["state"] = url.split("state=")[1].split("&")[0]
    callback: Any = raw if use_raw else f"https://app.example/cb?{urlencode(params)}"
    with contextlib.suppress(Auth0Error):
        harness.client.complete_interactive_login(callback)
