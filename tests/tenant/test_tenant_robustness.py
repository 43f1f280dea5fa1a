"""Tenant.handle never raises and answers malformed input with a 4xx, never a 5xx."""

from __future__ import annotations

from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from auth0_core import FixedClock, HttpRequest
from auth0_core.tenant import Tenant

from .tenant_helpers import BASE, make_tenant

PATHS = [
    "/.well-known/openid-configuration",
    "/.well-known/jwks.json",
    "/authorize",
    "/u/login",
    "/oauth/par",
    "/oauth/token",
    "/oauth/revoke",
    "/userinfo",
    "/v2/logout",
    "/oidc/logout",
    "/nope",
]
NAMES = [
    "client_id", "redirect_uri", "response_type", "code_challenge", "code_challenge_method",
    "grant_type", "code", "code_verifier", "refresh_token", "client_secret", "client_assertion",
    "client_assertion_type", "token", "request_uri", "tx", "username", "password", "organization",
    "max_age", "prompt", "returnTo", "id_token_hint", "post_logout_redirect_uri", "scope",
]  # fmt: skip

Pairs = list[tuple[str, str]]
_TENANT = make_tenant(FixedClock(1_767_225_600))

texts = st.text(max_size=40)
params = st.lists(st.tuples(st.sampled_from(NAMES), texts), max_size=6)
headers = st.lists(
    st.tuples(
        st.sampled_from(["Authorization", "Content-Type", "Host", "X-Other"]),
        st.one_of(texts, st.sampled_from(["Basic ZGVtbzpz", "Bearer a.b.c", "application/json"])),
    ),
    max_size=3,
)


def _encode(pairs: list[tuple[str, str]]) -> str:
    return urlencode(pairs)


@settings(max_examples=300, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "HEAD", "get", ""]),
    path=st.one_of(st.sampled_from(PATHS), texts),
    query=params,
    body=st.one_of(params.map(lambda p: _encode(p).encode()), st.binary(max_size=60)),
    header_list=headers,
)
def test_handle_never_raises_and_never_fails_server_side(
    method: str,
    path: str,
    query: list[tuple[str, str]],
    body: bytes,
    header_list: list[tuple[str, str]],
) -> None:
    request = HttpRequest(
        method=method, url=f"{BASE}{path}?{_encode(query)}", headers=header_list, body=body
    )
    response = _TENANT.handle(request)
    assert 200 <= response.status < 500


def test_garbage_urls(tenant: Tenant) -> None:
    for url in ["", "::::", "http://[bad", "/authorize?%zz=%zz", "relative/path"]:
        response = tenant.handle(HttpRequest(method="GET", url=url))
        assert 400 <= response.status < 500
