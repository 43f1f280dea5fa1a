"""The discovery document's endpoints must be URLs that parse: a hostile or broken document
is an InvalidResponse when it is read, never a ValueError at some later request."""

from __future__ import annotations

import pytest

from auth0_core._http import json_response, url_for_errors
from auth0_core.endpoints.authentication.discovery import process_discovery_response
from auth0_core.errors import InvalidResponse

BASE = "https://tenant.example"
DOCUMENT = {
    "issuer": f"{BASE}/",
    "authorization_endpoint": f"{BASE}/authorize",
    "token_endpoint": f"{BASE}/oauth/token",
    "jwks_uri": f"{BASE}/.well-known/jwks.json",
}


def test_a_sound_document_is_read() -> None:
    metadata = process_discovery_response(json_response(200, DOCUMENT))
    assert metadata.token_endpoint == f"{BASE}/oauth/token"


@pytest.mark.parametrize(
    "url",
    [
        "https://[tenant.example/oauth/token",
        "https://tenant.example:99999/oauth/token",
        "https://tenant.example:port/oauth/token",
        "https:///oauth/token",
        "/oauth/token",
        "ftp://tenant.example/oauth/token",
        "https://tenant.example/oauth/\x00token",
        "https://tenant.example/oauth/ token",
        "https://tenant.example/oauth/token\r\nX: y",
    ],
)
@pytest.mark.parametrize("member", ["token_endpoint", "authorization_endpoint", "jwks_uri"])
def test_an_endpoint_that_does_not_parse_is_refused(member: str, url: str) -> None:
    with pytest.raises(InvalidResponse, match=member):
        process_discovery_response(json_response(200, {**DOCUMENT, member: url}))


def test_an_error_names_a_malformed_url_without_raising() -> None:
    assert url_for_errors("http://[bad/x?code=secret") == "http://(a malformed URL)"
    assert url_for_errors("https://t.example/p?code=secret#x") == "https://t.example/p"
    assert "secret" not in url_for_errors("https://t.example/" + "\x00" * 5 + "?code=secret")
