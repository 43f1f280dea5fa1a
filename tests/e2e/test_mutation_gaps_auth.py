"""End-to-end tests for mutants the mutation run left alive (scripts/mutants.toml): login
organizations, linking, JWKS re-fetch, client authentication. Each test names its mutant."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import attrs
import pytest
from joserfc.jwk import RSAKey

from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import IdTokenError, OrganizationTokenValidationError
from auth0_core.tenant import Tenant, TenantConfig

from .conftest import App
from .test_linking import secondary_login
from .test_login_variants import app_with, organizations, with_client
from .test_tokens import API

pytestmark = pytest.mark.anyio
JWKS = "/.well-known/jwks.json"

inprocess = pytest.mark.parametrize(
    "mode", ["sync-inprocess", "asyncio-inprocess", "trio-inprocess"]
)


async def session(app: App) -> Any:
    return await app.call("get_session", store_options=app.browser.store_options())


# --- login-organization-not-checked -----------------------------------------------------------


@inprocess
@pytest.mark.parametrize("org_id", ["org_other", None])
async def test_organization_login_refuses_a_token_for_another_organization(
    mode: str, org_id: str | None
) -> None:
    app = app_with(mode, organizations())

    def hook(claims: dict[str, Any], header: dict[str, Any]) -> Any:
        claims = {k: v for k, v in claims.items() if k != "org_id"}
        if org_id is not None:
            claims["org_id"] = org_id
        return claims, header

    app.tenant.id_token_hook = hook
    try:
        with pytest.raises(OrganizationTokenValidationError) as info:
            await app.login(options={"organization": "org_acme123"})
    finally:
        app.tenant.id_token_hook = None
    assert info.value.claim == "org_id"
    assert await app.user() is None
    assert await session(app) is None


# --- link-session-user-change-unchecked -------------------------------------------------------


@pytest.mark.usefixtures("fresh_user_directory")
async def test_link_completed_after_another_user_logged_in_is_refused(app: App) -> None:
    await app.login("alice")
    store = app.browser.store_options()
    url = await app.call("start_link_user", {"connection": "github"}, store_options=store)
    app.browser.absorb(store)
    # Alice logs out; bob logs in in the same browser; alice's link callback then arrives.
    store = app.browser.store_options()
    await app.call("logout", store_options=store)
    app.browser.absorb(store)
    assert await app.user() is None
    await app.login("bob")
    bob_before = await session(app)
    assert bob_before["user"]["sub"] == "auth0|bob"
    callback = secondary_login(app, url, "alice.gh@example.com", "alice-github-password")
    store = app.browser.store_options()
    with pytest.raises(IdTokenError) as info:
        await app.call("complete_link_user", callback, store_options=store)
    app.browser.absorb(store)
    assert info.value.claim == "sub"
    assert await session(app) == bob_before
    assert (await app.user())["sub"] == "auth0|bob"


# --- discovery-refetch-not-recorded -----------------------------------------------------------


async def test_unknown_kid_refetches_the_jwks_at_most_once_per_interval(app: App) -> None:
    before = app.tenant.count(path=JWKS)
    app.tenant.id_token_hook = lambda claims, header: (claims, {**header, "kid": "no-such-kid"})
    try:
        with pytest.raises(IdTokenError) as first:
            await app.login()
        after_first = app.tenant.count(path=JWKS)
        app.clock.advance(10)
        with pytest.raises(IdTokenError) as second:
            await app.login()
    finally:
        app.tenant.id_token_hook = None
    assert first.value.claim == "kid"
    assert second.value.claim == "kid"
    assert after_first - before == 2  # the first fetch, and one re-fetch for the unknown kid
    assert app.tenant.count(path=JWKS) == after_first  # 10 s later: no re-fetch allowed
    assert await app.user() is None


# --- client-auth-assertion-smuggled -----------------------------------------------------------


@inprocess
async def test_par_body_does_not_carry_client_assertions_from_authorization_params(
    mode: str,
) -> None:
    app = app_with(mode, TenantConfig.default())
    bodies: list[dict[str, list[str]]] = []
    tenant: Tenant = app.tenant

    def handler(request: HttpRequest) -> HttpResponse:
        if request.url.split("?")[0].endswith("/oauth/par"):
            bodies.append(parse_qs((request.body or b"").decode()))
        return tenant.handle(request)

    app.handler = handler
    app.client = app.make_client(pushed_authorization_requests=True)
    smuggled = {
        "client_assertion": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    }
    options = {"authorization_params": {**app.options["authorization_params"], **smuggled}}
    await app.login(options=options)
    assert (await app.user())["sub"] == "auth0|alice"
    assert len(bodies) == 1, "one PAR request"
    assert "client_assertion" not in bodies[0]
    assert "client_assertion_type" not in bodies[0]


# --- client-auth-assertion-constant-jti -------------------------------------------------------


def private_key_jwt_app(mode: str, config: TenantConfig) -> App:
    """An app authenticating with private_key_jwt; ``config`` gives the rest of the tenant."""
    key = RSAKey.generate_key(2048, private=True)
    clients = with_client(
        token_endpoint_auth_method="private_key_jwt",
        client_secret=None,
        client_assertion_public_key=key.as_pem(private=False).decode(),
    ).clients
    return app_with(
        mode,
        attrs.evolve(config, clients=clients),
        client_secret=None,
        client_assertion_signing_key=key.as_pem(private=True).decode(),
    )


@inprocess
async def test_private_key_jwt_assertions_are_not_reused(mode: str) -> None:
    # The tenant refuses an assertion whose jti it has seen: three within seconds must differ.
    app = private_key_jwt_app(mode, organizations())
    await app.login()
    app.clock.advance(5)
    assert await app.call("get_client_credentials_token", API)
    assert await app.call("get_client_credentials_token", API, "org_acme123")
    assert (await app.user())["sub"] == "auth0|alice"
