"""Network limits in every facade: an exchange's deadline, a call's deadline, a body's size,
applied to a slow or oversized tenant (the emulated one behind a wrapping handler, in-process
and on loopback).

Servers that misbehave below HTTP (dripping, endless, resetting, silent) are raw loopback
sockets in the network-fault suite, tests/network/test_faults.py, which lists every fault.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import json_response
from auth0_core.errors import InvalidResponse, ResponseTooLargeError, TransportError
from auth0_core.tenant import Tenant, TenantConfig

from .holding import app_for, held_app, is_discovery, is_grant

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
# Without its limits a client would wait on these servers for far longer than this.
NOT_HUNG = 10.0


@pytest.mark.parametrize(
    ("held", "call"),
    [
        (is_discovery, "get_client_credentials_token"),  # a shared exchange
        (is_grant("authorization_code"), "complete_interactive_login"),  # a plain one
    ],
    ids=["discovery", "code-exchange"],
)
async def test_a_slow_tenant_times_out_the_exchange(mode: str, held: Any, call: str) -> None:
    with held_app(mode, TenantConfig.default(), held, timeout=0.2) as (app, _hold):
        if call == "complete_interactive_login":
            url = await app.call("start_interactive_login")
            args: tuple[str, ...] = (app.browser_login(url),)
        else:
            args = (API,)
        started = time.monotonic()
        with pytest.raises(TransportError, match="timed out") as caught:
            await app.call(call, *args)
        assert time.monotonic() - started < NOT_HUNG
        assert caught.value.url is not None
        assert "?" not in caught.value.url


def replacing(
    matches: Callable[[HttpRequest], bool], change: Callable[[HttpResponse], HttpResponse]
) -> Callable[[Tenant], Callable[[HttpRequest], HttpResponse]]:
    """A wrapper for app_for: the tenant's answers to ``matches`` go through ``change``."""

    def wrap(tenant: Tenant) -> Callable[[HttpRequest], HttpResponse]:
        def handle(request: HttpRequest) -> HttpResponse:
            response = tenant.handle(request)
            return change(response) if matches(request) else response

        return handle

    return wrap


def padded(response: HttpResponse) -> HttpResponse:
    """The same JSON with 5 MB of trailing whitespace: valid, and over the default limit."""
    return attrs.evolve(response, body=response.body + b" " * 5_000_000)


def huge_access_token(response: HttpResponse) -> HttpResponse:
    document = response.json_object()
    return json_response(200, {**document, "access_token": "A" * 1_000_000})


async def test_the_default_limit_refuses_a_five_megabyte_answer(mode: str) -> None:
    wrap = replacing(is_grant("client_credentials"), padded)
    with (
        app_for(mode, TenantConfig.default(), wrap) as app,
        pytest.raises(ResponseTooLargeError, match="oauth/token"),
    ):
        await app.call("get_client_credentials_token", API)


async def test_a_megabyte_access_token_is_refused(mode: str) -> None:
    wrap = replacing(is_grant("client_credentials"), huge_access_token)
    with app_for(mode, TenantConfig.default(), wrap) as app:
        with pytest.raises(InvalidResponse, match="'access_token' is 1000000 characters") as e:
            await app.call("get_client_credentials_token", API)
        assert "AAAAAAAA" not in str(e.value)
