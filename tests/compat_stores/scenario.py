"""One scenario for a database-backed, official-style session store, through
``auth0_anyio.ServerClient`` against the emulated tenant in process: login, ``get_session``, a
refresh (checked in the database), a back-channel logout, login again, logout.

Used by ``test_database_stores.py`` (our own Redis and PostgreSQL stores, in CI) and by
``scripts/official_store_examples.py`` (the official docs' examples, where their page is at
hand). Login transactions go to our ``CookieTransactionStore``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from auth0_core import Env, FixedClock
from auth0_core.stores import CookieTransactionStore
from auth0_core.tenant import Tenant, TenantConfig

from ..e2e.conftest import CLIENT_ID, INPROCESS_BASE, SECRET, START, App

DAY = 86_400
ALICE = "auth0|alice"

# What the database holds for the one session of the scenario, decoded; None when absent.
Stored = Callable[[], Awaitable[dict[str, Any] | None]]


def make_app(backend: str, state_store: Any) -> App:
    """An app on ``backend`` ("asyncio", "trio" or "sync") keeping sessions in ``state_store``."""
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
    return App(
        f"{backend}-inprocess",
        tenant,
        INPROCESS_BASE,
        clock,
        state_store=state_store,
        transaction_store=CookieTransactionStore(SECRET),
    )


async def whole_session(app: App, stored: Stored, cookie: str) -> None:
    """Run the scenario; ``cookie`` is the browser cookie the store keeps its session under.

    Raises AssertionError at the first step that does not hold.
    """
    await app.login()
    assert cookie in app.browser.cookies, f"no {cookie!r} cookie after login"
    session = await app.call("get_session", store_options=app.browser.store_options())
    assert session is not None, "no session after login"
    assert session["user"]["sub"] == ALICE
    kept = await stored()
    assert kept is not None, "the database holds no session after login"
    assert kept["user"]["sub"] == ALICE
    refreshes = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    first = session["token_sets"][0]["access_token"]
    app.clock.advance(DAY - 59)
    options = app.browser.store_options()
    token = await app.call("get_access_token", store_options=options)
    app.browser.absorb(options)
    assert token != first, "the access token was not refreshed"
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == refreshes + 1
    kept = await stored()
    assert kept is not None, "the session left the database on refresh"
    assert token in [each["access_token"] for each in kept["token_sets"]], "refresh not stored"
    logout_token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=session["user"]["sid"])
    await app.call("handle_backchannel_logout", logout_token)
    assert await stored() is None, "the back-channel logout left the session in the database"
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    await app.login()
    assert (await app.call("get_user", store_options=app.browser.store_options()))["sub"] == ALICE
    options = app.browser.store_options()
    url = await app.call("logout", store_options=options)
    app.browser.absorb(options)
    assert str(url).startswith(INPROCESS_BASE)
    assert cookie not in app.browser.cookies, f"the {cookie!r} cookie survived logout"
    assert await stored() is None, "logout left the session in the database"
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
