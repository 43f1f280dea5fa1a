from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core._authorize import (
    build_authorize_url,
    default_scope,
    merge_scopes,
    resolve_authorization_params,
)
from auth0_core._config import make_config
from auth0_core._http import HttpResponse, json_response
from auth0_core.endpoints.authentication.discovery import ServerMetadata
from auth0_core.endpoints.authentication.par import process_par_response
from auth0_core.errors import (
    InvalidArgumentError,
    InvalidResponse,
    MissingRequiredArgumentError,
    ParError,
)


def config(**params: Any) -> Any:
    return make_config(
        domain="tenant.example",
        client_id="cid",
        client_secret="x",
        secret="s" * 32,
        authorization_params=params,
    )


def test_merge_scopes_keeps_first_occurrence_and_order() -> None:
    assert merge_scopes("openid profile", "email openid", None, "  read:x ") == (
        "openid profile email read:x"
    )


def test_default_scope_includes_offline_access_and_openid() -> None:
    params = resolve_authorization_params(config(redirect_uri="https://app/cb"), None)
    assert params["scope"] == "openid profile email offline_access"
    params = resolve_authorization_params(
        config(redirect_uri="https://app/cb", scope="profile"), {"scope": "read:x"}
    )
    assert params["scope"] == "openid profile read:x"


def test_scope_dict_is_per_audience() -> None:
    cfg = config(
        audience="https://api",
        redirect_uri="https://app/cb",
        scope={"https://api": "openid read:items", "https://tenant.example/me/": "read:me"},
    )
    assert default_scope(cfg, "https://tenant.example/me/") == "read:me"
    assert resolve_authorization_params(cfg, None)["scope"] == "openid read:items"


def test_per_call_params_override_defaults_key_by_key() -> None:
    cfg = config(redirect_uri="https://app/cb", audience="urn:a", foo="1")
    params = resolve_authorization_params(cfg, {"audience": "urn:b", "max_age": 30})
    assert params["audience"] == "urn:b"
    assert params["foo"] == "1"
    assert params["max_age"] == "30"
    assert params["redirect_uri"] == "https://app/cb"


@pytest.mark.parametrize(
    "key",
    ["client_id", "response_type", "state", "nonce", "code_challenge", "code_challenge_method"],
)
def test_reserved_params_are_rejected(key: str) -> None:
    with pytest.raises(InvalidArgumentError):
        resolve_authorization_params(config(redirect_uri="https://app/cb"), {key: "x"})
    with pytest.raises(InvalidArgumentError):
        resolve_authorization_params(config(redirect_uri="https://app/cb", **{key: "x"}), None)


def test_redirect_uri_is_required() -> None:
    with pytest.raises(MissingRequiredArgumentError):
        resolve_authorization_params(config(), None)


def test_authorize_url_is_percent_encoded() -> None:
    metadata = ServerMetadata(
        issuer="https://t/",
        authorization_endpoint="https://t/authorize",
        token_endpoint="https://t/oauth/token",
        jwks_uri="https://t/jwks",
    )
    url = build_authorize_url(metadata, {"redirect_uri": "https://app/cb?x=1&y=2", "scope": "a b"})
    query = parse_qs(urlsplit(url).query)
    assert query == {"redirect_uri": ["https://app/cb?x=1&y=2"], "scope": ["a b"]}


def test_par_response_processing() -> None:
    assert process_par_response(json_response(201, {"request_uri": "urn:x", "expires_in": 90})) == (
        "urn:x"
    )
    with pytest.raises(ParError) as info:
        process_par_response(json_response(400, {"error": "invalid_request"}))
    assert info.value.status == 400
    with pytest.raises(InvalidResponse):
        process_par_response(json_response(201, {"expires_in": 90}))
    with pytest.raises(InvalidResponse):
        process_par_response(HttpResponse(status=502, body=b"<html>bad gateway</html>"))
