"""Cache and single-flight keys that need a tenant of their own (issue 10, item 13), in the
three in-process modes: each test fails when the key part it names is dropped."""

from __future__ import annotations

import attrs
import pytest

from auth0_core import Env, FixedClock
from auth0_core.tenant import Tenant, TenantConfig, TenantOrganization

from .conftest import INPROCESS_BASE, START, App
from .test_cache_keys import claims
from .test_tokens import API

pytestmark = pytest.mark.anyio
VAULT_GRANT = "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"


@pytest.fixture(params=["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def app_with(mode: str, config: TenantConfig) -> App:
    clock = FixedClock(START)
    return App(
        mode, Tenant(config, base_url=INPROCESS_BASE, env=Env(clock=clock)), INPROCESS_BASE, clock
    )


async def test_client_credentials_are_cached_per_organization(mode: str) -> None:
    organization = TenantOrganization(
        id="org_abc123", name="acme", display_name="Acme", members=("auth0|alice",)
    )
    app = app_with(mode, attrs.evolve(TenantConfig.default(), organizations=(organization,)))
    grant = {"path": "/oauth/token", "grant_type": "client_credentials"}
    before = app.tenant.count(**grant)
    for_org = await app.call("get_client_credentials_token", API, "org_abc123")
    plain = await app.call("get_client_credentials_token", API)
    assert claims(for_org).get("org_id") == "org_abc123"
    assert "org_id" not in claims(plain)
    assert await app.call("get_client_credentials_token", API, "org_abc123") == for_org
    assert app.tenant.count(**grant) == before + 2


async def test_short_lived_vault_tokens_are_never_handed_back_stale(mode: str) -> None:
    # Upstream tokens living 20 s, less than the 30 s a shared response is remembered.
    config = TenantConfig.default()
    google = next(c for c in config.connections if c.name == "google-oauth2")
    connections = tuple(
        attrs.evolve(c, token_lifetime=20) if c is google else c for c in config.connections
    )
    app = app_with(mode, attrs.evolve(config, connections=connections))
    clock, tenant = app.clock, app.tenant
    await app.login()
    seen = []
    for _ in range(3):
        store = app.browser.store_options()
        seen.append(
            await app.call(
                "get_access_token_for_connection",
                {"connection": "google-oauth2"},
                store_options=store,
            )
        )
        app.browser.absorb(store)
        clock.advance(21)
    assert len(set(seen)) == 3
    assert tenant.count(path="/oauth/token", grant_type=VAULT_GRANT) == 3
