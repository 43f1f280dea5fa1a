"""Focused tests for mutants the mutation run left alive (scripts/mutants.toml)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core._authorize import build_authorize_url
from auth0_core._client_auth import authenticate
from auth0_core._config import make_config
from auth0_core._http import HttpRequest, HttpResponse, body_excerpt
from auth0_core._metadata import DEFAULT_TTL, cache_ttl
from auth0_core._session import expires_at, is_live
from auth0_core._single_flight import RecentResponses
from auth0_core._token import unverified_audiences
from auth0_core.endpoints.authentication.discovery import ServerMetadata
from auth0_core.flows.management import merged_metadata, split_user_id
from auth0_core.records import Session, SessionInternal

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHwxMjMifQ.c2lnbmF0dXJlLXBhcnQtb2YtdGhlLXRva2Vu"
NOW = 1_767_139_200


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwt(claims: dict[str, Any]) -> str:
    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64url(json.dumps(claims).encode())
    return f"{header}.{payload}.{_b64url(b'signature')}"


# --- excerpt-cut-before-redaction / excerpt-redaction-threshold-40 ---------------------------


def test_excerpt_redacts_token_cut_by_the_limit() -> None:
    excerpt = body_excerpt(("<" * 62 + TOKEN).encode())
    for start in range(len(TOKEN) - 11):
        assert TOKEN[start : start + 12] not in excerpt


def test_excerpt_redacts_runs_of_twenty_keeps_nineteen() -> None:
    twenty, nineteen = "A" * 20, "B" * 19
    assert twenty not in body_excerpt(f"x {twenty} y".encode())
    assert "<redacted>" in body_excerpt(f"x {twenty} y".encode())
    assert body_excerpt(f"x {nineteen} y".encode()) == f"x {nineteen} y"


# --- http-repr-shows-cookie ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Authorization", "Cookie", "Set-Cookie", "DPoP", "cookie"])
def test_request_repr_hides_credential_headers(name: str) -> None:
    secret = "secret-value-xyz"
    request = HttpRequest(method="GET", url="https://t/", headers=((name, secret),))
    assert secret not in repr(request)
    assert "<redacted>" in repr(request)
    response = HttpResponse(status=200, headers=((name, secret),))
    assert secret not in repr(response)


def test_request_repr_shows_other_headers() -> None:
    request = HttpRequest(method="GET", url="https://t/", headers=(("Accept", "text/plain"),))
    assert "text/plain" in repr(request)


# --- token-audience-string-split ----------------------------------------------------------------


def test_unverified_audiences_of_a_string_aud() -> None:
    assert unverified_audiences(_jwt({"aud": "https://api/"})) == ["https://api/"]
    assert unverified_audiences(_jwt({"aud": ["a", "b"]})) == ["a", "b"]


# --- metadata-ttl-unbounded ---------------------------------------------------------------------


def _cached(value: str | None) -> HttpResponse:
    headers = () if value is None else (("Cache-Control", value),)
    return HttpResponse(status=200, headers=headers)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("max-age=0", 60),
        ("public, max-age=5", 60),
        ("max-age=3600", 3600),
        ("max-age=10000000", 86_400),
        (None, DEFAULT_TTL),
        ("no-store", DEFAULT_TTL),
    ],
)
def test_metadata_cache_ttl_bounds(header: str | None, expected: int) -> None:
    assert cache_ttl(_cached(header)) == expected


# --- single-flight-evicts-newest ----------------------------------------------------------------


def test_recent_responses_evicts_oldest() -> None:
    memory = RecentResponses(max_entries=2)
    ok = HttpResponse(status=200, body=b"{}")
    for key in ("a", "b", "c"):
        memory.remember(key, ok, NOW)
    assert memory.get("a", NOW) is None
    assert memory.get("b", NOW) is ok
    assert memory.get("c", NOW) is ok


# --- management-merge-shallow / management-user-id-last-bar --------------------------------------


def test_merged_metadata_is_recursive_primary_wins() -> None:
    primary = {"prefs": {"theme": "dark", "deep": {"x": 1}}, "plan": "pro"}
    secondary = {
        "prefs": {"theme": "light", "lang": "fr", "deep": {"y": 2}},
        "plan": "free",
        "z": 3,
    }
    assert merged_metadata(primary, secondary) == {
        "prefs": {"theme": "dark", "lang": "fr", "deep": {"x": 1, "y": 2}},
        "plan": "pro",
        "z": 3,
    }


def test_split_user_id_on_first_bar() -> None:
    assert split_user_id("oauth2|acme|123", None) == ("oauth2", "acme|123")
    assert split_user_id("github|4242", None) == ("github", "4242")


# --- authorize-endpoint-query-clobbered ---------------------------------------------------------


def test_authorize_url_keeps_endpoint_query() -> None:
    metadata = ServerMetadata(
        issuer="https://t/",
        authorization_endpoint="https://t/authorize?tenant=acme",
        token_endpoint="https://t/oauth/token",
        jwks_uri="https://t/jwks",
    )
    url = build_authorize_url(metadata, {"scope": "openid", "state": "s1"})
    assert url.count("?") == 1
    assert parse_qs(urlsplit(url).query) == {
        "tenant": ["acme"],
        "scope": ["openid"],
        "state": ["s1"],
    }


# --- client-auth-basic-not-form-encoded ---------------------------------------------------------


def test_client_secret_basic_form_encodes_id_and_secret() -> None:
    config = make_config(
        domain="tenant.example",
        client_id="my:id",
        client_secret="s%e+c:r",
        secret="s" * 32,
        client_auth_method="client_secret_basic",
    )
    body, headers = authenticate(config, {"grant_type": "x"}, "https://tenant.example/")
    assert "client_secret" not in body
    (name, value), *_ = headers
    assert name == "Authorization"
    scheme, encoded = value.split(" ", 1)
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "my%3Aid:s%25e%2Bc%3Ar"


# --- session-live-boundary ----------------------------------------------------------------------


def test_session_not_live_at_exactly_expires_at() -> None:
    config = make_config(
        domain="tenant.example", client_id="cid", client_secret="x", secret="s" * 32
    )
    session = Session(
        user={"sub": "auth0|1"},
        id_token=None,
        refresh_token=None,
        domain=None,
        internal=SessionInternal(sid="S1", created_at=NOW),
    )
    deadline = expires_at(config, session.internal)
    assert is_live(config, session, deadline - 1)
    assert not is_live(config, session, deadline)
