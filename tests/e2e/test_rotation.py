"""Refresh-token rotation through the SDK: the rotated token replaces the stored one, 50
concurrent callers never break the family, and a reused token is caught by the tenant."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from auth0_core import Env, FixedClock
from auth0_core.errors import InvalidGrantError
from auth0_core.stores import CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.config_types import RotationType

from .conftest import INPROCESS_BASE, SECRET, START, App

pytestmark = pytest.mark.anyio
DAY = 86_400


@pytest.fixture(params=["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def rotating_app(
    mode: str, rotation: RotationType = "rotating", lifetime: int = DAY, **options: Any
) -> App:
    config = attrs.evolve(TenantConfig.default(), access_token_lifetime=lifetime)
    client = config.clients[0]
    rotating = attrs.evolve(client.refresh_token, rotation_type=rotation)
    config = attrs.evolve(config, clients=(attrs.evolve(client, refresh_token=rotating),))
    clock = FixedClock(START)
    return App(
        mode,
        Tenant(config, base_url=INPROCESS_BASE, env=Env(clock=clock)),
        INPROCESS_BASE,
        clock,
        **options,
    )


async def test_rotated_refresh_token_replaces_the_stored_one(mode: str) -> None:
    app = rotating_app(mode)
    app.client = app.make_client()
    url = await app.call("start_interactive_login")
    await app.call("complete_interactive_login", app.browser_login(url))
    first_rt = (await app.call("get_session"))["refresh_token"]
    for _ in range(3):
        app.clock.advance(DAY - 59)
        await app.call("get_access_token")
        current = (await app.call("get_session"))["refresh_token"]
        assert current != first_rt
        first_rt = current


async def test_fifty_concurrent_callers_with_rotation(mode: str) -> None:
    app = rotating_app(mode)
    app.client = app.make_client()
    url = await app.call("start_interactive_login")
    await app.call("complete_interactive_login", app.browser_login(url))
    for _round in range(2):  # a second round proves the family survived the first
        app.clock.advance(DAY - 59)
        before = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
        results = await app.concurrently(50, "get_access_token")
        assert len(results) == 50
        assert len(set(results)) == 1
        assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == before + 1


async def test_stale_cookie_within_the_window_gets_the_shared_answer(mode: str) -> None:
    # Two requests of one browser carry the same (old) session cookie: the second arrives
    # after the first rotated the token. It must not present the old token again.
    app = rotating_app(mode)
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False, clock=app.clock)
    )
    await app.login()
    app.clock.advance(DAY - 59)
    stale = dict(app.browser.cookies)
    first = await app.call("get_access_token", store_options=app.browser.store_options())
    before = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    app.browser.cookies = stale
    second = await app.call("get_access_token", store_options=app.browser.store_options())
    assert second == first
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == before


async def test_reused_refresh_token_revokes_the_family(mode: str) -> None:
    app = rotating_app(mode, rolling_duration=7 * DAY)
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False, clock=app.clock)
    )
    await app.login()
    stolen = dict(app.browser.cookies)  # an attacker's copy of the session
    app.clock.advance(DAY - 59)
    store = app.browser.store_options()
    await app.call("get_access_token", store_options=store)
    app.browser.absorb(store)
    app.clock.advance(60)  # past the single-flight window: the attacker is not served from it
    attacker = App(mode, app.tenant, INPROCESS_BASE, app.clock, rolling_duration=7 * DAY)
    attacker.client = attacker.make_client(
        state_store=CookieStateStore(SECRET, secure=False, clock=app.clock)
    )
    attacker.browser.cookies = stolen
    with pytest.raises(InvalidGrantError):
        await attacker.call("get_access_token", store_options=attacker.browser.store_options())
    app.clock.advance(DAY - 59)
    with pytest.raises(InvalidGrantError):  # reuse detection revoked the legitimate user too
        await app.call("get_access_token", store_options=app.browser.store_options())


@pytest.mark.parametrize("rotation", ["rotating", "non-rotating"])
async def test_short_lived_tokens_are_never_replayed_stale(
    mode: str, rotation: RotationType
) -> None:
    # Tokens living less than the single-flight memory (30 s) must be refreshed each time
    # they expire, never answered from a remembered response.
    app = rotating_app(mode, rotation, lifetime=10)
    await app.login()
    seen = {await app.call("get_access_token", store_options=app.browser.store_options())}
    for _ in range(3):
        app.clock.advance(11)
        store = app.browser.store_options()
        fresh = await app.call("get_access_token", store_options=store)
        app.browser.absorb(store)
        assert fresh not in seen
        seen.add(fresh)
