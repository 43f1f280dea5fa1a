"""The official docs' Redis and PostgreSQL state stores (examples/ConfigureStore.md §3.1, §3.2),
run as written (see official_docs.py for the edits) against a real redis-server and a real
PostgreSQL, through ``auth0_anyio.ServerClient``: login, session, refresh, back-channel logout,
logout, with the emulated tenant in process and our ``CookieTransactionStore`` where the docs'
usage has auth0-fastapi's.

The examples are built on ``redis.asyncio`` and ``asyncpg``, which run on asyncio only, so they
run on the asyncio backend; trio runs the same calls through official-style stores in
test_call_compat.py. The sync facade refuses them at construction (they are async).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

import redis
from auth0_core import Env, FixedClock
from auth0_core.errors import ConfigurationError
from auth0_core.stores import CookieTransactionStore
from auth0_core.tenant import Tenant, TenantConfig

from ..e2e.conftest import CLIENT_ID, INPROCESS_BASE, SECRET, START, App
from ..redis.servers import RedisServer
from . import official_docs
from .postgres import PostgresServer

pytestmark = pytest.mark.anyio
DAY = 86_400
ALICE = "auth0|alice"
COOKIE = "_a0_session"  # the docs' default cookie_name; the value is the state identifier


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_app(backend: str, state_store: Any) -> App:
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


async def whole_session(app: App, stored: Any) -> None:
    """Login, session, refresh, back-channel logout, login again, logout; ``stored()`` is the
    session as the example's database holds it (None when absent)."""
    await app.login()
    assert app.browser.cookies[COOKIE] == "_a0_session"  # the example's cookie: just the id
    session = await app.call("get_session", store_options=app.browser.store_options())
    assert session["user"]["sub"] == ALICE
    assert (await stored())["user"]["sub"] == ALICE  # the example keeps plain JSON
    refreshes = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    app.clock.advance(DAY - 59)
    token = await app.call("get_access_token", store_options=app.browser.store_options())
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == refreshes + 1
    assert token in [each["access_token"] for each in (await stored())["token_sets"]]
    # Back-channel logout: the example's delete_by_logout_token matches sid AND sub.
    logout_token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=session["user"]["sid"])
    await app.call("handle_backchannel_logout", logout_token)
    assert await stored() is None
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    await app.login()
    assert (await app.call("get_user", store_options=app.browser.store_options()))["sub"] == ALICE
    options = app.browser.store_options()
    url = await app.call("logout", store_options=options)
    app.browser.absorb(options)
    assert str(url).startswith(INPROCESS_BASE)
    assert COOKIE not in app.browser.cookies  # the example's delete_cookie
    assert await stored() is None
    assert await app.call("get_session", store_options=app.browser.store_options()) is None


async def test_the_docs_redis_store(redis_server: RedisServer, anyio_backend: str) -> None:
    plain = redis.Redis.from_url(redis_server.url)
    plain.flushall()
    RedisStateStore = official_docs.load("redis")["RedisStateStore"]
    # The docs' usage, placeholders filled:
    redis_state_store = RedisStateStore(
        secret=SECRET, redis_url=redis_server.url, cookie_name="_a0_session"
    )

    async def stored() -> Any:
        raw = plain.get("_a0_session")
        return None if raw is None else json.loads(raw)

    try:
        await whole_session(make_app(anyio_backend, redis_state_store), stored)
        assert plain.dbsize() == 0
    finally:
        await redis_state_store.redis_client.aclose()
        plain.close()


async def test_the_docs_postgres_store(postgres_server: PostgresServer, anyio_backend: str) -> None:
    postgres_server.psql(f"DROP TABLE IF EXISTS auth_sessions; {official_docs.TABLE}")
    PostgresStateStore = official_docs.load("postgres")["PostgresStateStore"]
    # The docs' usage, placeholders filled:
    pg_store = PostgresStateStore(secret=SECRET, dsn=postgres_server.dsn, cookie_name="_a0_session")
    await pg_store.init_pool()

    async def stored() -> Any:
        rows = postgres_server.psql("SELECT session_data FROM auth_sessions")
        return json.loads(rows) if rows else None

    try:
        await whole_session(make_app(anyio_backend, pg_store), stored)
        assert postgres_server.psql("SELECT count(*) FROM auth_sessions") == "0"
    finally:
        await pg_store.pool.close()


def test_the_sync_facade_refuses_the_docs_stores(redis_server: RedisServer) -> None:
    RedisStateStore = official_docs.load("redis")["RedisStateStore"]
    PostgresStateStore = official_docs.load("postgres")["PostgresStateStore"]
    for store in (
        RedisStateStore(secret=SECRET, redis_url=redis_server.url),
        PostgresStateStore(secret=SECRET, dsn="postgresql://unused"),
    ):
        with pytest.raises(ConfigurationError, match=r"async.*auth0_anyio\.ServerClient"):
            make_app("sync", store)


def test_the_listed_edits_are_all_there_is() -> None:
    """Each edit applies exactly once, and the rest of each block is the page's text."""
    for example in ("redis", "postgres"):
        original, edited = (
            official_docs.example_source(example),
            official_docs.edited_source(example),
        )
        for edit in official_docs.EDITS:
            if edit.example == example:
                original = original.replace(edit.old, edit.new)
        assert original == edited
        assert "auth0_server_python" not in edited
