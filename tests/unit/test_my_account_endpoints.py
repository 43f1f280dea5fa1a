"""The My Account API's connected-accounts endpoints (protocol doc §7), pure: what each
``prepare`` refuses before anything is sent, what each ``process`` makes of the answers, and
how a page walk ends."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from auth0_core._config import make_config
from auth0_core._http import HttpResponse, json_response
from auth0_core._my_account_types import ListConnectedAccountsResponse
from auth0_core.effects import Flow
from auth0_core.endpoints.my_account import connected_accounts as ca
from auth0_core.errors import (
    InvalidArgumentError,
    InvalidResponse,
    MissingRequiredArgumentError,
    MyAccountApiError,
)
from auth0_core.flows.connected_accounts import _with_ticket
from auth0_core.flows.paging import PageWalk

CONFIG = make_config(domain="tenant.example", client_id="cid", client_secret="x", secret="s" * 32)
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
ACCOUNT = {
    "id": "cac_abc123",
    "connection": "google-oauth2",
    "access_type": "offline",
    "scopes": ["openid"],
    "created_at": "2025-11-07T05:31:56Z",
}


def connect(**overrides: Any) -> Any:
    arguments: dict[str, Any] = {
        "connection": "google-oauth2",
        "redirect_uri": "https://app.example/callback",
        "state": "s" * 32,
        "code_challenge": CHALLENGE,
        **overrides,
    }
    return ca.prepare_connect_request(CONFIG, **arguments)


def test_a_connect_request_carries_the_schema_members_only() -> None:
    request = connect(scopes=["openid", "email"], authorization_params={"login_hint": "a@b.c"})
    assert (request.method, request.url) == (
        "POST",
        "https://tenant.example/me/v1/connected-accounts/connect",
    )
    assert json.loads(request.body) == {
        "connection": "google-oauth2",
        "redirect_uri": "https://app.example/callback",
        "state": "s" * 32,
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        "scopes": ["openid", "email"],
        "authorization_params": {"login_hint": "a@b.c"},
    }
    assert request.header("Authorization") is None  # the flow adds the token


@pytest.mark.parametrize(
    ("overrides", "error", "argument"),
    [
        ({"connection": None}, MissingRequiredArgumentError, "connection"),
        ({"connection": ""}, InvalidArgumentError, "connection"),
        ({"connection": "  "}, InvalidArgumentError, "connection"),
        ({"connection": "c" * 129}, InvalidArgumentError, "connection"),
        ({"connection": 7}, InvalidArgumentError, "connection"),
        ({"redirect_uri": None}, MissingRequiredArgumentError, "redirect_uri"),
        ({"redirect_uri": "/callback"}, InvalidArgumentError, "redirect_uri"),
        ({"redirect_uri": "https://a.example/cb#x"}, InvalidArgumentError, "redirect_uri"),
        ({"redirect_uri": "https://a.example/" + "x" * 2048}, InvalidArgumentError, "redirect_uri"),
        ({"scopes": "openid email"}, InvalidArgumentError, "scopes"),
        ({"scopes": []}, InvalidArgumentError, "scopes"),
        ({"scopes": ["s"] * 2}, InvalidArgumentError, "scopes"),
        ({"scopes": [f"s{i}" for i in range(101)]}, InvalidArgumentError, "scopes"),
        ({"scopes": ["x" * 256]}, InvalidArgumentError, "scopes"),
        ({"scopes": [""]}, InvalidArgumentError, "scopes"),
        ({"scopes": [3]}, InvalidArgumentError, "scopes"),
        ({"authorization_params": {"scope": "x"}}, InvalidArgumentError, "authorization_params"),
        (
            {"authorization_params": {"redirect_uri": "x"}},
            InvalidArgumentError,
            "authorization_params",
        ),
        ({"authorization_params": ["login_hint"]}, InvalidArgumentError, "authorization_params"),
        ({"authorization_params": {"prompt": "always"}}, InvalidArgumentError, "prompt"),
        ({"authorization_params": {"display": "tv"}}, InvalidArgumentError, "display"),
        ({"authorization_params": {"login_hint": "x" * 256}}, InvalidArgumentError, "login_hint"),
        ({"authorization_params": {"max_age": "60"}}, InvalidArgumentError, "max_age"),
        ({"authorization_params": {"max_age": True}}, InvalidArgumentError, "max_age"),
    ],
)
def test_a_connect_request_outside_the_schema_is_refused_before_sending(
    overrides: dict[str, Any], error: type[InvalidArgumentError], argument: str
) -> None:
    with pytest.raises(error) as caught:
        connect(**overrides)
    assert type(caught.value) is error
    assert caught.value.argument == argument


def test_every_allowed_authorization_param_passes() -> None:
    params = {
        "acr_values": "x",
        "audience": "https://api",
        "resource": "https://api",
        "display": "popup",
        "id_token_hint": "h",
        "login_hint": "l",
        "max_age": 0,
        "prompt": "consent",
        "ui_locales": "fr",
    }
    assert json.loads(connect(authorization_params=params).body)["authorization_params"] == params


@pytest.mark.parametrize("take", [0, 21, -1, True, 1.5, "5"])
def test_take_outside_one_to_twenty_is_refused(take: object) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        ca.prepare_list_connected_accounts_request(CONFIG, take=take)
    assert caught.value.argument == "take"
    with pytest.raises(InvalidArgumentError):
        ca.prepare_list_connected_account_connections_request(CONFIG, take=take)


def test_list_queries() -> None:
    request = ca.prepare_list_connected_accounts_request(
        CONFIG, connection=["a", "b"], take=20, from_param="cur sor"
    )
    assert request.url == (
        "https://tenant.example/me/v1/connected-accounts/accounts"
        "?connection=a&connection=b&from=cur+sor&take=20"
    )
    plain = ca.prepare_list_connected_account_connections_request(CONFIG)
    assert plain.url == "https://tenant.example/me/v1/connected-accounts/connections"
    with pytest.raises(InvalidArgumentError):
        ca.prepare_list_connected_accounts_request(CONFIG, connection=[f"c{i}" for i in range(21)])
    with pytest.raises(InvalidArgumentError):
        ca.prepare_list_connected_accounts_request(CONFIG, from_param="")


@pytest.mark.parametrize(
    ("account_id", "error"),
    [
        (None, MissingRequiredArgumentError),
        ("", MissingRequiredArgumentError),
        ("cac_", InvalidArgumentError),
        ("abc123", InvalidArgumentError),
        ("cac_abc/../../users", InvalidArgumentError),
        ("cac_abc?x=1", InvalidArgumentError),
        (42, InvalidArgumentError),
    ],
)
def test_a_delete_needs_a_connected_account_id(account_id: object, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        ca.prepare_delete_connected_account_request(CONFIG, account_id)
    assert type(caught.value) is error


def test_a_delete_request() -> None:
    request = ca.prepare_delete_connected_account_request(CONFIG, "cac_Ab9")
    assert (request.method, request.url) == (
        "DELETE",
        "https://tenant.example/me/v1/connected-accounts/accounts/cac_Ab9",
    )
    ca.process_delete_connected_account_response(HttpResponse(status=204))  # no error


# --- refusals -------------------------------------------------------------------------------


def problem(status: int, body: object, content_type: str = "application/problem+json") -> Any:
    return HttpResponse(
        status=status,
        headers=(("Content-Type", content_type),),
        body=body if isinstance(body, bytes) else json.dumps(body).encode(),
    )


def test_a_problem_document_fills_every_field() -> None:
    body = {
        "type": "https://auth0.com/api-errors/A0E-400-0003",
        "status": 400,
        "title": "Bad Request",
        "detail": "Invalid request payload input",
        "validation_errors": [{"detail": "must be <= 20", "field": "take", "pointer": "/take"}],
    }
    for content_type in ("application/problem+json", "application/json"):
        with pytest.raises(MyAccountApiError) as caught:
            ca.process_list_connected_accounts_response(problem(400, body, content_type))
        error = caught.value
        assert (error.status, error.title, error.type, error.detail) == (
            400,
            "Bad Request",
            "https://auth0.com/api-errors/A0E-400-0003",
            "Invalid request payload input",
        )
        assert str(error) == "Invalid request payload input"
        assert error.validation_errors == [
            {"detail": "must be \u2039= 20", "field": "take", "pointer": "/take"}
        ]
        assert (error.error, error.error_description) == ("Bad Request", error.detail)


def test_the_http_status_fills_in_when_the_body_has_none() -> None:
    with pytest.raises(MyAccountApiError) as caught:
        ca.process_connect_response(problem(403, {"title": "Forbidden", "detail": "no scope"}))
    assert (caught.value.status, caught.value.validation_errors) == (403, None)


@pytest.mark.parametrize(
    "body", [b"<html><body>502 Bad Gateway</body></html>", b"", b"[1, 2]", b"{not json"]
)
def test_a_body_that_is_no_problem_document(body: bytes) -> None:
    with pytest.raises(MyAccountApiError) as caught:
        ca.process_complete_connect_response(problem(502, body, "text/html"))
    error = caught.value
    assert (error.status, error.title, error.type) == (502, None, None)
    assert "502" in str(error)
    assert "without a problem document" in str(error)
    assert "<" not in str(error)


# --- answers --------------------------------------------------------------------------------


def test_a_connect_answer() -> None:
    answer = ca.process_connect_response(
        json_response(
            201,
            {
                "connect_uri": "https://tenant.example/connect?lang=en",
                "auth_session": "auth-session-value",
                "connect_params": {"ticket": "t k"},
                "expires_in": 300,
            },
        )
    )
    assert "auth-session-value" not in repr(answer)
    url = _with_ticket(answer.connect_uri, answer.ticket)
    assert url == "https://tenant.example/connect?lang=en&ticket=t+k"


@pytest.mark.parametrize(
    "body",
    [
        {"auth_session": "a", "connect_params": {"ticket": "t"}, "expires_in": 1},
        {
            "connect_uri": "javascript:alert(1)",
            "auth_session": "a",
            "connect_params": {"ticket": "t"},
        },
        {
            "connect_uri": "https://[t.example/c",
            "auth_session": "a",
            "connect_params": {"ticket": "t"},
        },
        {
            "connect_uri": "https://t.example:99999/c",
            "auth_session": "a",
            "connect_params": {"ticket": "t"},
        },
        {"connect_uri": "https:///c", "auth_session": "a", "connect_params": {"ticket": "t"}},
        {"connect_uri": "https://t.example/c", "connect_params": {"ticket": "t"}},
        {"connect_uri": "https://t.example/c", "auth_session": "a", "connect_params": {}},
        {"connect_uri": "https://t.example/c", "auth_session": "a", "connect_params": "t"},
        {
            "connect_uri": "https://t.example/c",
            "auth_session": "a",
            "connect_params": {"ticket": "t"},
            "expires_in": "300",
        },
    ],
)
def test_a_malformed_connect_answer(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponse):
        ca.process_connect_response(json_response(201, body))


def test_a_complete_answer_gets_the_app_state() -> None:
    result = ca.process_complete_connect_response(
        json_response(201, {k: v for k, v in ACCOUNT.items() if k != "scopes"}), {"to": "/x"}
    )
    assert (result.id, result.scopes, result.app_state, result.expires_at) == (
        "cac_abc123",
        [],
        {"to": "/x"},
        None,
    )
    assert result.model_dump()["app_state"] == {"to": "/x"}


def test_a_page_of_accounts() -> None:
    page = ca.process_list_connected_accounts_response(
        json_response(200, {"accounts": [ACCOUNT, {**ACCOUNT, "org_id": "org_1"}], "next": "n"})
    )
    assert [a.org_id for a in page.accounts] == [None, "org_1"]
    assert page.next == "n"
    assert page.to_dict()["accounts"][0] == {**ACCOUNT, "expires_at": None, "org_id": None}
    last = ca.process_list_connected_accounts_response(json_response(200, {"accounts": []}))
    assert (last.accounts, last.next) == ([], None)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"accounts": {}},
        {"accounts": [ACCOUNT] * 21},
        {"accounts": [{**ACCOUNT, "id": 5}]},
        {"accounts": [{**ACCOUNT, "scopes": "openid"}]},
        {"accounts": [{**ACCOUNT, "expires_at": 5}]},
        {"accounts": ["cac_1"]},
        {"accounts": [], "next": 5},
    ],
)
def test_a_malformed_page_of_accounts(body: dict[str, Any]) -> None:
    with pytest.raises(InvalidResponse):
        ca.process_list_connected_accounts_response(json_response(200, body))


def test_a_page_of_connections() -> None:
    page = ca.process_list_connected_account_connections_response(
        json_response(
            200,
            {
                "connections": [
                    {"name": "github", "strategy": "github"},
                    {"name": "g", "strategy": "g", "scopes": ["a"]},
                ]
            },
        )
    )
    assert [(c.name, c.scopes) for c in page.connections] == [("github", None), ("g", ["a"])]
    with pytest.raises(InvalidResponse):
        ca.process_list_connected_account_connections_response(
            json_response(200, {"connections": [{"name": "g", "strategy": "g", "scopes": [1]}]})
        )


# --- walking pages --------------------------------------------------------------------------


def scripted(pages: list[dict[str, Any]]) -> tuple[PageWalk[Any, Any], list[str | None]]:
    asked: list[str | None] = []
    answers: Iterator[dict[str, Any]] = iter(pages)

    def fetch(cursor: str | None) -> Flow[ListConnectedAccountsResponse]:
        asked.append(cursor)
        return ca.process_list_connected_accounts_response(json_response(200, next(answers)))
        yield  # a flow that needs no effect

    return PageWalk(fetch, lambda page: page.accounts), asked


def drain(steps: PageWalk[Any, Any], seen: list[str]) -> None:
    while (page := steps.next_page()) is not None:
        try:
            next(page)
        except StopIteration as done:
            seen += [account.id for account in done.value]


def walk(pages: list[dict[str, Any]]) -> tuple[list[str], list[str | None]]:
    steps, asked = scripted(pages)
    seen: list[str] = []
    drain(steps, seen)
    return seen, asked


def account(n: int) -> dict[str, Any]:
    return {**ACCOUNT, "id": f"cac_{n}"}


def test_a_walk_follows_next_until_it_is_absent() -> None:
    seen, asked = walk(
        [
            {"accounts": [account(1)], "next": "a"},
            {"accounts": [account(2)], "next": "b"},
            {"accounts": [account(3)]},
        ]
    )
    assert (seen, asked) == (["cac_1", "cac_2", "cac_3"], [None, "a", "b"])


def test_a_walk_stops_on_an_empty_page_even_with_a_next() -> None:
    seen, asked = walk([{"accounts": [account(1)], "next": "a"}, {"accounts": [], "next": "b"}])
    assert (seen, asked) == (["cac_1"], [None, "a"])


def test_a_repeated_cursor_ends_the_walk_with_an_error_after_its_items() -> None:
    steps, asked = scripted(
        [
            {"accounts": [account(1)], "next": "a"},
            {"accounts": [account(2)], "next": "b"},
            {"accounts": [account(3)], "next": "a"},
        ]
    )
    seen: list[str] = []
    with pytest.raises(InvalidResponse, match="cursor"):
        drain(steps, seen)
    assert (seen, asked) == (["cac_1", "cac_2", "cac_3"], [None, "a", "b"])
    assert steps.next_page() is None  # over for good
