"""What the integrations' tests share: the emulated tenant (in-process), its scripted login
page, and reading the ``Set-Cookie`` lines an app answered with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs

from auth0_core import HttpRequest, HttpResponse
from auth0_core.effects import Effect, run
from auth0_core.tenant import Tenant, TenantConfig, browser_connect_flow, browser_login_flow

TENANT = "https://tenant.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"
ORIGINS = (
    "http://testserver",
    "https://testserver",
    "http://localhost",
    "https://localhost",
    "http://127.0.0.1",
)
PREFIXES = ("/auth", "/sso")
ALICE = "auth0|alice"


def tenant_config(extra_origins: Iterable[str] = ()) -> TenantConfig:
    """The default tenant, whose demo client allows the test apps' callbacks and logouts."""
    config = TenantConfig.default()
    origins = (*ORIGINS, *extra_origins)
    callbacks = tuple(f"{o}{p}/callback" for o in origins for p in PREFIXES)
    logouts = tuple(f"{o}/" for o in origins)
    clients = tuple(
        attrs.evolve(c, callbacks=c.callbacks + callbacks, allowed_logout_urls=logouts)
        if c.client_id == CLIENT_ID
        else c
        for c in config.clients
    )
    return attrs.evolve(config, clients=clients)


def make_tenant(extra_origins: Iterable[str] = ()) -> Tenant:
    return Tenant(tenant_config(extra_origins), base_url=TENANT)


def client_options(**overrides: Any) -> dict[str, Any]:
    """ServerClient options for the demo client, with no redirect_uri: the integration's
    callback route is the one sent."""
    return {
        "domain": TENANT,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        **overrides,
    }


def tenant_login(
    tenant: Tenant,
    authorize_url: str,
    user: str = "alice",
    *,
    allow_error: bool = False,
    email: str | None = None,
    password: str | None = None,
) -> str:
    """What the user does on the tenant's login page; returns the callback URL the browser is
    sent back to."""

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        return tenant.handle(effect)

    flow = browser_login_flow(
        authorize_url,
        email or f"{user}@example.com",
        password or f"{user}-password",
        allow_error=allow_error,
    )
    return str(run(flow, perform))


def tenant_consent(tenant: Tenant, connect_url: str, *, allow: bool = True) -> str:
    """What the user does on the provider's consent page (emulated by the tenant); returns the
    callback URL (``connect_code`` after Allow, ``error=access_denied`` after Deny)."""

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        return tenant.handle(effect)

    return str(
        run(browser_connect_flow(connect_url, decision="allow" if allow else "deny"), perform)
    )


def denied_callback(callback_url: str) -> str:
    """The callback the tenant sends when the user refuses: same state, ``error=``."""
    parts = urlsplit(callback_url)
    state = parse_qs(parts.query)["state"][0]
    return parts._replace(
        query=f"error=access_denied&error_description=User+refused&state={state}"
    ).geturl()


@attrs.frozen
class SetCookie:
    name: str
    value: str
    attributes: dict[str, str]

    @property
    def deleted(self) -> bool:
        return self.attributes.get("max-age") == "0" or not self.value

    def flag(self, name: str) -> bool:
        return name in self.attributes


def parse_set_cookies(lines: Iterable[str]) -> list[SetCookie]:
    """Each ``Set-Cookie`` line, with its attribute names in lower case."""
    found = []
    for line in lines:
        pair, *rest = line.split(";")
        name, _, value = pair.strip().partition("=")
        attributes = {}
        for attribute in rest:
            key, _, val = attribute.strip().partition("=")
            attributes[key.lower()] = val
        found.append(SetCookie(name, value.strip('"'), attributes))
    return found


def assert_cookie_flags(cookies: list[SetCookie], *, secure: bool) -> None:
    """Every cookie is HttpOnly, SameSite=Lax, and Secure exactly when ``secure``."""
    assert cookies
    for cookie in cookies:
        assert cookie.flag("httponly"), cookie
        assert cookie.attributes.get("samesite", "").lower() == "lax", cookie
        assert cookie.flag("secure") is secure, cookie


def session_set(cookies: list[SetCookie]) -> bool:
    """Whether a session cookie was written (not deleted)."""
    return any(c.name.startswith("_a0_session") and not c.deleted for c in cookies)
