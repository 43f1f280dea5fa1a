"""Helpers for the My Account API tests (no tests here): tokens, requests, a whole connect."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from auth0_core import HttpRequest, HttpResponse
from auth0_core.tenant import Tenant, browser_connect_flow

from .tenant_helpers import (
    BASE,
    CALLBACK,
    MY_ACCOUNT,
    MY_ACCOUNT_SCOPES,
    body,
    login_tokens,
    pkce,
    query_of,
    refresh,
    run_flow,
)

__test__ = False  # helpers only

API_ROOT = "/me/v1/connected-accounts"
CALENDAR = "https://www.googleapis.com/auth/calendar.readonly"
PROBLEM_JSON = "application/problem+json"


def my_account_token(
    tenant: Tenant,
    username: str = "alice@example.com",
    password: str = "alice-password",
    scope: str = MY_ACCOUNT_SCOPES,
) -> str:
    """A My Account access token for the user, through login and an MRRT refresh (as the SDK)."""
    refresh_token = login_tokens(tenant, username, password)["refresh_token"]
    response = refresh(tenant, refresh_token, audience=MY_ACCOUNT, scope=scope)
    assert response.status == 200, response.body
    return str(body(response)["access_token"])


def call(
    tenant: Tenant,
    method: str,
    path: str,
    token: str | None = None,
    payload: Any = None,
    *,
    query: list[tuple[str, str]] | None = None,
    scheme: str = "Bearer",
    headers: tuple[tuple[str, str], ...] = (),
) -> HttpResponse:
    """``method {BASE}/me/v1/connected-accounts{path}`` with the token and a JSON body."""
    url = f"{BASE}{API_ROOT}{path}" + (f"?{urlencode(query)}" if query else "")
    sent = list(headers)
    if token is not None:
        sent.append(("Authorization", f"{scheme} {token}"))
    data = b""
    if payload is not None:
        sent.append(("Content-Type", "application/json"))
        data = json.dumps(payload).encode()
    return tenant.handle(HttpRequest(method=method, url=url, headers=tuple(sent), body=data))


def connect_payload(challenge: str, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "connection": "github",
        "redirect_uri": CALLBACK,
        "state": "connect-state-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def start_connect(tenant: Tenant, token: str, **overrides: Any) -> tuple[dict[str, Any], str]:
    """``POST .../connect``; the 201 body and the PKCE verifier."""
    verifier, challenge = pkce()
    response = call(tenant, "POST", "/connect", token, connect_payload(challenge, **overrides))
    assert response.status == 201, response.body
    return body(response), verifier


def connect_url(started: dict[str, Any]) -> str:
    """Where the app sends the browser: ``connect_uri`` with the ticket."""
    return f"{started['connect_uri']}?{urlencode(started['connect_params'])}"


def consent(tenant: Tenant, started: dict[str, Any]) -> dict[str, str]:
    """Allow on the consent page; the callback's query parameters."""
    return query_of(run_flow(browser_connect_flow(connect_url(started)), tenant.handle))


def complete_payload(
    started: dict[str, Any], callback: dict[str, str], verifier: str, **overrides: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "auth_session": started["auth_session"],
        "connect_code": callback["connect_code"],
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not None}


def connect_account(tenant: Tenant, token: str, **overrides: Any) -> dict[str, Any]:
    """Connect, consent, complete: the connected account (201 body)."""
    started, verifier = start_connect(tenant, token, **overrides)
    callback = consent(tenant, started)
    response = call(
        tenant, "POST", "/complete", token, complete_payload(started, callback, verifier)
    )
    assert response.status == 201, response.body
    return body(response)


def problem_of(response: HttpResponse) -> dict[str, Any]:
    """The RFC 7807 body, after checking the shape every My Account error has."""
    assert response.header("content-type") == PROBLEM_JSON
    value = body(response)
    assert value["status"] == response.status
    assert {"type", "title", "detail"} <= set(value)
    return value
