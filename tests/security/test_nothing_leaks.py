"""No token or secret in a log line, an error message or a repr, across every flow."""

from __future__ import annotations

import logging
from typing import Any

import pytest
import requests

import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.errors import InvalidGrantError, MissingTransactionError
from auth0_core.stores import CookieRequest, CookieResponse, CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from ..e2e.conftest import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INPROCESS_BASE,
    SECRET,
    START,
    run_sync,
)


def test_no_secret_in_logs_errors_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
    session = requests.Session()
    session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(tenant.handle))
    store = CookieStateStore(SECRET, secure=False, clock=clock)
    client = auth0_requests.ServerClient(
        session=session,
        domain=INPROCESS_BASE,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": CALLBACK},
        state_store=store,
        env=Env(clock=clock),
    )
    cookies: dict[str, str] = {}

    def options() -> dict[str, Any]:
        return {"request": CookieRequest(dict(cookies)), "response": CookieResponse()}

    def absorb(used: dict[str, Any]) -> None:
        cookies.update(used["response"].cookies)

    shown: list[str] = []  # everything the SDK hands back or raises, as a person would see it
    used = options()
    url = client.start_interactive_login(store_options=used)
    absorb(used)  # the browser keeps the login's binding cookie
    callback = run_sync(
        browser_login_flow(url, "alice@example.com", "alice-password"), tenant.handle
    )
    used = options()
    shown.append(repr(client.complete_interactive_login(callback, store_options=used)))
    absorb(used)
    clock.advance(86_400 - 59)
    used = options()
    refreshed = client.get_access_token(store_options=used)
    absorb(used)
    used = options()
    vault = client.get_access_token_for_connection(
        {"connection": "google-oauth2"}, store_options=used
    )
    absorb(used)
    session_view = client.get_session(store_options=options())
    assert session_view is not None
    secrets = {
        CLIENT_SECRET,
        SECRET,
        refreshed,
        vault,
        str(session_view["refresh_token"]),
        str(session_view["id_token"]),
        callback.split("code=")[1].split("&")[0],
        *cookies.values(),
    }
    shown += [repr(client), repr(client.config), repr(store)]

    tenant.revoke_refresh_tokens("auth0|alice")
    clock.advance(86_400 - 59)
    for call, error in (
        (lambda: client.get_access_token(store_options=options()), InvalidGrantError),
        (
            lambda: client.complete_interactive_login(callback, store_options=options()),
            MissingTransactionError,
        ),
        (
            lambda: client.get_access_token(audience="https://other", store_options=options()),
            InvalidGrantError,
        ),
    ):
        with pytest.raises(error) as info:
            call()
        shown += [str(info.value), repr(info.value)]
    tampered = {name: value[:-4] + "AAAA" for name, value in cookies.items()}
    assert (
        client.get_user(
            store_options={"request": CookieRequest(tampered), "response": CookieResponse()}
        )
        is None
    )

    visible = "\n".join([caplog.text, *shown])
    assert caplog.records, "the flows above log something (e.g. the tampered cookie)"
    for secret in secrets:
        assert len(secret) >= 16
        assert secret not in visible
