"""``MyAccountClient`` against the installed official one (1.0.0b20): every factors and
authentication-methods method exists on both facades with the official positional parameters,
in order, with the official defaults, a coroutine on ``auth0_anyio`` and a plain method on
``auth0_requests``; the constructor takes ``domain, headers, ssl_context``; the official
``headers`` reach every request; the connected-accounts methods are ``ServerClient``'s here
(docs/my-account-authentication-methods.md, "Not yet")."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
import requests

import auth0_anyio
import auth0_anyio.my_account_client
import auth0_requests
import auth0_requests.my_account_client
from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import ConfigurationError

official = pytest.importorskip("auth0_server_python.auth_server.my_account_client")
Official = official.MyAccountClient
OURS = (auth0_requests.MyAccountClient, auth0_anyio.MyAccountClient)
# The official client's connected-accounts calls: ServerClient's methods here.
ON_SERVER_CLIENT = {
    "connect_account": "start_connect_account",
    "complete_connect_account": "complete_connect_account",
    "list_connected_accounts": "list_connected_accounts",
    "list_connected_account_connections": "list_connected_account_connections",
    "delete_connected_account": "delete_connected_account",
}


def official_methods() -> list[str]:
    return sorted(
        name
        for name, value in vars(Official).items()
        if not name.startswith("_") and inspect.isfunction(value)
    )


def positional(function: Any) -> list[tuple[str, object]]:
    return [
        (p.name, p.default)
        for p in inspect.signature(function).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.name != "self"
    ]


def test_the_module_paths_the_official_import_is_rewritten_to() -> None:
    assert auth0_requests.my_account_client.MyAccountClient is auth0_requests.MyAccountClient
    assert auth0_anyio.my_account_client.MyAccountClient is auth0_anyio.MyAccountClient


@pytest.mark.parametrize("name", official_methods())
@pytest.mark.parametrize("ours", OURS, ids=["sync", "async"])
def test_every_method_has_the_official_shape(ours: type, name: str) -> None:
    if name in ON_SERVER_CLIENT:
        assert not hasattr(ours, name)
        assert hasattr(auth0_requests.ServerClient, ON_SERVER_CLIENT[name])
        return
    method = getattr(ours, name)
    assert positional(method) == positional(getattr(Official, name))
    assert inspect.iscoroutinefunction(method) == (ours is auth0_anyio.MyAccountClient)


@pytest.mark.parametrize("ours", OURS, ids=["sync", "async"])
def test_the_constructor_and_audience(ours: type) -> None:
    assert positional(ours)[:3] == positional(Official)
    client = ours("tenant.example")
    assert client.audience == Official(domain="tenant.example").audience
    assert "tenant.example" in repr(client)


@pytest.mark.parametrize("name", ["Authorization", "DPoP", "content-type", "Host", "bad name"])
def test_headers_the_client_sets_itself_are_refused(name: str) -> None:
    with pytest.raises(ConfigurationError):
        auth0_requests.MyAccountClient("tenant.example", {name: "x"})
    with pytest.raises(ConfigurationError):
        auth0_requests.MyAccountClient("tenant.example", {"X-Ok": "line\nbreak"})


def test_the_headers_go_with_every_request() -> None:
    seen: list[HttpRequest] = []

    def handle(request: HttpRequest) -> HttpResponse:
        seen.append(request)
        return HttpResponse(
            status=200,
            headers=(("Content-Type", "application/json"),),
            body=b'{"factors": [{"type": "totp"}]}',
        )

    session = requests.Session()
    session.mount("https://tenant.example", auth0_requests.HandlerAdapter(handle))
    client = auth0_requests.MyAccountClient(
        "tenant.example", {"X-Request-Source": "tests"}, session=session
    )
    factors = client.get_factors(access_token="a-token")
    assert [f.type for f in factors.factors] == ["totp"]
    assert factors.factors[0].usage is None
    [request] = seen
    assert request.url == "https://tenant.example/me/v1/factors"
    assert request.header("x-request-source") == "tests"
    assert request.header("authorization") == "Bearer a-token"
