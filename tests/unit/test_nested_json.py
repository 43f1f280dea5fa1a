"""JWTs whose payload is JSON nested too deeply for the parser (a RecursionError inside
``json.loads``) are unreadable tokens, never an untyped error: the client-credentials
audience check, ``link_user_accounts(secondary_id_token=...)`` and the anonymous session's
``sub``. Both facades, against the in-process emulated tenant."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from tests.facade_calls import BASE, START, Handler, call

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._token import unverified_audiences, unverified_claims
from auth0_core.errors import AccessTokenError, InvalidArgumentError
from auth0_core.flows.anonymous import anonymous_sub
from auth0_core.stores import MemoryStateStore
from auth0_core.tenant import Tenant, TenantConfig

API = "https://api.example.com"
FACADES = ["requests", "anyio"]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


# ~13 KB: far past the parser's recursion limit, far below any size limit.
DEEP_ARRAY = b"[" * 5_000 + b"]" * 5_000
DEEP_OBJECT = b'{"a":' * 5_000 + b"1" + b"}" * 5_000
DEEP_TOKENS = [f"{b64(b'{}')}.{b64(deep)}.c2ln" for deep in (DEEP_ARRAY, DEEP_OBJECT)]


def answering(token: str, path: str) -> tuple[Tenant, Handler]:
    """The emulated tenant, except that a 200 from ``path`` carries ``token`` as its
    access token."""
    tenant = Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=FixedClock(START)))

    def handler(request: HttpRequest) -> HttpResponse:
        if request.url == BASE + path and path == "/oauth/token":
            # Answered here: the standard dialect asks with RFC 8707 ``resource``.
            document: dict[str, Any] = {"token_type": "Bearer", "expires_in": 3600}
        else:
            response = tenant.handle(request)
            if request.url != BASE + path or response.status != 200:
                return response
            document = json.loads(response.body)
        document["access_token"] = token
        body = json.dumps(document).encode()
        return HttpResponse(status=200, headers=(("Content-Type", "application/json"),), body=body)

    return tenant, handler


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", DEEP_TOKENS, ids=["array", "object"])
def test_client_credentials_auth0_dialect_accepts_it_as_unreadable(facade: str, token: str) -> None:
    # check_audience: in Auth0's dialect a token that cannot be read is accepted.
    _, handler = answering(token, "/oauth/token")
    assert call(facade, handler, "get_client_credentials_token", audience=API) == token


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", DEEP_TOKENS, ids=["array", "object"])
def test_client_credentials_standard_dialect_refuses_it_as_unreadable(
    facade: str, token: str
) -> None:
    _, handler = answering(token, "/oauth/token")
    with pytest.raises(AccessTokenError) as info:
        call(
            facade,
            handler,
            "get_client_credentials_token",
            audience=API,
            options={"dialect": "standard"},
        )
    assert type(info.value) is AccessTokenError
    assert info.value.code == "incorrect_audience"
    assert token not in str(info.value)


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", DEEP_TOKENS, ids=["array", "object"])
def test_link_with_a_deep_secondary_id_token_is_refused(facade: str, token: str) -> None:
    tenant, handler = answering(token, "/nowhere")
    with pytest.raises(InvalidArgumentError) as info:
        call(facade, handler, "link_user_accounts", "auth0|alice", secondary_id_token=token)
    assert type(info.value) is InvalidArgumentError
    assert info.value.argument == "secondary_id_token"
    assert token not in str(info.value)
    assert tenant.log == []


@pytest.mark.parametrize("facade", FACADES)
@pytest.mark.parametrize("token", DEEP_TOKENS, ids=["array", "object"])
def test_an_anonymous_session_with_a_deep_token_has_no_sub(facade: str, token: str) -> None:
    _, handler = answering(token, "/anonymous/token")
    session = call(
        facade,
        handler,
        "anonymous.create_session",
        options={"anonymous_store": MemoryStateStore()},
    )
    assert session.access_token == token
    assert session.sub is None


@pytest.mark.parametrize("token", DEEP_TOKENS, ids=["array", "object"])
def test_the_readers_say_unreadable(token: str) -> None:
    assert unverified_claims(token) is None
    assert unverified_audiences(token) is None
    assert anonymous_sub(token) is None


def test_the_readers_still_read_a_plain_jwt() -> None:
    claims = {"aud": [API, "b"], "sub": "anon@x"}
    token = f"{b64(b'{}')}.{b64(json.dumps(claims).encode())}.c2ln"
    assert unverified_claims(token) == claims
    assert unverified_audiences(token) == [API, "b"]
    assert anonymous_sub(token) == "anon@x"
