"""Custom Token Exchange and Session Transfer Tokens end to end, through both facades in every
mode, against the emulated tenant's ``[[token_exchange_profiles]]`` (default.toml)."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.auth_types import (
    CustomTokenExchangeOptions,
    LoginWithCustomTokenExchangeOptions,
    SessionTransferTokenResult,
    TokenExchangeResponse,
)
from auth0_core.errors import CustomTokenExchangeError, InvalidArgumentError

from .conftest import App

pytestmark = pytest.mark.anyio

TYPE = "urn:acme:legacy-token"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def test_exchange_answers_tokens_for_the_mapped_user(app: App) -> None:
    result = await app.call(
        "custom_token_exchange",
        CustomTokenExchangeOptions(
            subject_token="legacy-token-bob",
            subject_token_type=TYPE,
            audience="https://api.example.com",
            scope="openid read:items",
        ),
    )
    assert isinstance(result, TokenExchangeResponse)
    assert claims(result.access_token)["sub"] == "auth0|bob"
    assert claims(result.access_token)["aud"][0] == "https://api.example.com"
    assert result.id_token is not None
    assert result.act is None
    assert result.expires_in > 0
    assert "legacy-token" not in repr(result)
    assert result.access_token not in repr(result)


async def test_login_writes_a_session_for_the_mapped_user(app: App) -> None:
    store = app.browser.store_options()
    result = await app.call(
        "login_with_custom_token_exchange",
        LoginWithCustomTokenExchangeOptions(
            subject_token="legacy-token-bob", subject_token_type=TYPE
        ),
        store_options=store,
    )
    app.browser.absorb(store)
    assert result.state_data["user"]["sub"] == "auth0|bob"
    user = await app.call("get_user", store_options=app.browser.store_options())
    assert user is not None
    assert user["sub"] == "auth0|bob"


async def test_an_actor_token_is_carried_into_act(app: App) -> None:
    await app.login("alice")
    session = await app.call("get_session", store_options=app.browser.store_options())
    result = await app.call(
        "custom_token_exchange",
        {
            "subject_token": "legacy-token-bob",
            "subject_token_type": TYPE,
            "scope": "openid",
            "actor_token": session["id_token"],
            "actor_token_type": "urn:ietf:params:oauth:token-type:id_token",
        },
    )
    assert result.act == {"sub": "auth0|alice"}
    assert claims(result.access_token)["act"] == {"sub": "auth0|alice"}
    assert result.refresh_token is None


async def test_a_refusal_is_a_typed_error(app: App) -> None:
    with pytest.raises(CustomTokenExchangeError) as caught:
        await app.call(
            "custom_token_exchange",
            {"subject_token": "not-a-known-token", "subject_token_type": TYPE},
        )
    assert caught.value.code == "invalid_grant"
    assert caught.value.status == 400
    with pytest.raises(InvalidArgumentError):
        await app.call(
            "custom_token_exchange",
            {"subject_token": "x", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt"},
        )


async def test_session_transfer_round_trip(app: App) -> None:
    await app.login("alice")
    result = await app.call(
        "request_session_transfer_token",
        "legacy-token-bob",
        TYPE,
        store_options=app.browser.store_options(),
    )
    assert isinstance(result, SessionTransferTokenResult)
    assert result.issued_token_type == "urn:auth0:params:oauth:token-type:session_transfer_token"
    assert result.token_type == "N_A"
    assert result.expires_in > 0
    url = app.client.build_session_transfer_redirect(
        "https://target.example/login?x=1", result, "acme"
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "x": ["1"],
        "session_transfer_token": [result.session_transfer_token],
        "organization": ["acme"],
    }


async def test_session_transfer_without_an_actor_is_refused_before_sending(app: App) -> None:
    with pytest.raises(CustomTokenExchangeError) as caught:
        await app.call(
            "request_session_transfer_token",
            "legacy-token-bob",
            TYPE,
            store_options=app.browser.store_options(),
        )
    assert caught.value.code == "actor_unavailable"
