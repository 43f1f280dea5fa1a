"""Helpers shared by the tenant tests: running the browser flow, PKCE values and a full login."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._http import form_request
from auth0_core.effects import Effect, Flow, run
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow

NOW = 1_767_225_600
BASE = "https://tenant.example"
CLIENT_ID = "demo-client"
SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"


def make_tenant(clock: FixedClock, config: TenantConfig | None = None) -> Tenant:
    env = Env(clock=clock)
    return Tenant(config or TenantConfig.default(), base_url=BASE, env=env)


def run_flow(flow: Flow[Any], handler: Callable[[HttpRequest], HttpResponse]) -> Any:
    """Run a flow that yields only HTTP requests (the scripted browser) with ``handler``."""

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        return handler(effect)

    return run(flow, perform)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(challenge: str, **extra: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "scope": "openid profile email offline_access",
        "state": "state-123",
        "nonce": "nonce-456",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v != ""}


def get(
    tenant: Tenant, path: str, params: Mapping[str, str] | None = None, **headers: str
) -> HttpResponse:
    query = f"?{urlencode(params)}" if params else ""
    header_items = tuple((k.replace("_", "-"), v) for k, v in headers.items())
    return tenant.handle(
        HttpRequest(method="GET", url=f"{BASE}{path}{query}", headers=header_items)
    )


def post_form(
    tenant: Tenant, path: str, fields: Mapping[str, str], headers: tuple[tuple[str, str], ...] = ()
) -> HttpResponse:
    return tenant.handle(form_request(f"{BASE}{path}", fields, headers))


def basic(client_id: str = CLIENT_ID, secret: str = SECRET) -> tuple[tuple[str, str], ...]:
    token = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return (("Authorization", f"Basic {token}"),)


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def login(
    tenant: Tenant,
    challenge: str,
    username: str = "alice@example.com",
    password: str = "alice-password",
    **extra: str,
) -> dict[str, str]:
    """Run the browser login; return the callback's query parameters."""
    url = f"{BASE}/authorize?{urlencode(authorize_params(challenge, **extra))}"
    return query_of(run_flow(browser_login_flow(url, username, password), tenant.handle))


def exchange(tenant: Tenant, code: str, verifier: str, **extra: str) -> HttpResponse:
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    fields.update(extra)
    return post_form(tenant, "/oauth/token", {k: v for k, v in fields.items() if v}, basic())


def body(response: HttpResponse) -> dict[str, Any]:
    value = json.loads(response.body)
    assert isinstance(value, dict)
    return value


def claims_of(token: str) -> dict[str, Any]:
    """Decode a JWT payload without verifying it (tests verify against the JWKS separately)."""
    payload = token.split(".")[1]
    value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(value, dict)
    return value


def header_of(token: str) -> dict[str, Any]:
    part = token.split(".")[0]
    value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    assert isinstance(value, dict)
    return value


API = "https://api.example.com"
MY_ACCOUNT = BASE + "/me/"
# The default demo client's MRRT policy for the My Account API: connected accounts, factors
# and authentication methods (each method scope in both spellings, protocol doc 8.12).
MY_ACCOUNT_SCOPES = (
    "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts "
    "read:me:factors read:me:authentication_methods create:me:authentication_methods "
    "update:me:authentication_methods delete:me:authentication_methods "
    "read:me:authentication-methods create:me:authentication-methods "
    "update:me:authentication-methods delete:me:authentication-methods"
)


def client_entry(**overrides: Any) -> dict[str, Any]:
    """A ``[[clients]]`` table like the default demo client, with ``overrides`` applied."""
    entry: dict[str, Any] = {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "callbacks": [CALLBACK],
    }
    entry.update(overrides)
    return entry


def config_with_client(**overrides: Any) -> TenantConfig:
    """The default configuration with the demo client replaced by ``client_entry(**overrides)``."""
    return TenantConfig.from_dict({"clients": [client_entry(**overrides)]})


def login_tokens(
    tenant: Tenant,
    username: str = "alice@example.com",
    password: str = "alice-password",
    **extra: str,
) -> dict[str, Any]:
    """Log in through the browser and exchange the code; the token response body."""
    verifier, challenge = pkce()
    code = login(tenant, challenge, username, password, **extra)["code"]
    response = exchange(tenant, code, verifier)
    assert response.status == 200, response.body
    return body(response)


def token_request(
    tenant: Tenant, fields: Mapping[str, str], headers: tuple[tuple[str, str], ...] | None = None
) -> HttpResponse:
    """``POST /oauth/token`` with ``fields``, authenticated as the demo client by default."""
    return post_form(tenant, "/oauth/token", fields, basic() if headers is None else headers)


def refresh(tenant: Tenant, refresh_token: str, **extra: str) -> HttpResponse:
    """A ``refresh_token`` grant request with extra fields (``audience``, ``scope``)."""
    return token_request(
        tenant, {"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}
    )


def error_of(response: HttpResponse) -> tuple[int, str]:
    """``(status, error)`` of an OAuth error response."""
    return response.status, body(response)["error"]
