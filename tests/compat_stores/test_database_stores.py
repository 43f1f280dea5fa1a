"""Database-backed session stores written the way the official SDK's docs describe them
(a subclass of ``StateStore``, ``async`` methods, ``set(identifier, state, options=None)``
without ``remove_if_expires``, values sealed with ``self.encrypt``/``self.decrypt``), run
through ``auth0_anyio.ServerClient`` against a real redis-server and a real PostgreSQL.

The stores are ours, written from the base class's contract: each browser gets a random
session id in a cookie (``options["request"]``/``options["response"]``), the database keeps
the sealed session under that id, and ``delete_by_logout_token`` deletes what
:func:`session_matches` says the token names. ``redis.asyncio`` and ``asyncpg`` run on asyncio
only, so these run on the asyncio backend; the sync facade refuses them (they are async).
``scripts/official_store_examples.py`` runs the official docs' own examples the same way,
where their page is available (not in CI).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

import redis
from auth0_core.errors import ConfigurationError
from auth0_core.stores import StateStore, session_matches
from redis import asyncio as redis_asyncio

from ..e2e.conftest import SECRET
from ..redis.servers import RedisServer
from .postgres import PostgresServer
from .scenario import ALICE, make_app, whole_session

pytestmark = pytest.mark.anyio
COOKIE = "app_session"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _session_id(options: dict[str, Any] | None, cookie: str) -> str | None:
    request = (options or {}).get("request")
    value = getattr(request, "cookies", {}).get(cookie)
    return value if isinstance(value, str) and value else None


def _issue_session_id(options: dict[str, Any] | None, cookie: str) -> str:
    """The browser's session id, or a new one sent to it in ``cookie``."""
    found = _session_id(options, cookie)
    if found is not None:
        return found
    new = secrets.token_urlsafe(24)
    response = (options or {}).get("response")
    if response is not None:
        response.set_cookie(cookie, new, httponly=True, samesite="lax")
    return new


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _forget_cookie(options: dict[str, Any] | None, cookie: str) -> None:
    response = (options or {}).get("response")
    if response is not None:
        response.delete_cookie(cookie)


class RedisSessions(StateStore):
    """Sessions in Redis: ``<prefix><session id>`` -> the sealed session."""

    def __init__(
        self, secret: str, client: redis_asyncio.Redis, cookie: str = COOKIE, prefix: str = "s:"
    ) -> None:
        super().__init__({"secret": secret})
        self.client = client
        self.cookie = cookie
        self.prefix = prefix

    async def set(  # type: ignore[override]  # the official docs' signature, on purpose
        self, identifier: str, state: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        key = self.prefix + _issue_session_id(options, self.cookie)
        await self.client.set(key, self.encrypt(identifier, state))

    async def get(
        self, identifier: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        session_id = _session_id(options, self.cookie)
        if session_id is None:
            return None
        sealed = await self.client.get(self.prefix + session_id)
        return None if sealed is None else self.decrypt(identifier, _text(sealed))

    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        session_id = _session_id(options, self.cookie)
        if session_id is not None:
            await self.client.delete(self.prefix + session_id)
        _forget_cookie(options, self.cookie)

    async def delete_by_logout_token(
        self, claims: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        async for key in self.client.scan_iter(match=self.prefix + "*"):
            sealed = await self.client.get(key)
            # The facades' identifier for the session store is "_a0_session" (the default).
            if sealed is not None and session_matches(
                self.decrypt("_a0_session", _text(sealed)), claims
            ):
                await self.client.delete(key)


TABLE = """CREATE TABLE app_sessions (
    id text PRIMARY KEY,
    sid text,
    sub text,
    sealed text NOT NULL
)"""


class PostgresSessions(StateStore):
    """Sessions in PostgreSQL: one row per session id, the sealed session plus its ``sid`` and
    ``sub`` in clear so a logout token finds its rows without opening every one."""

    def __init__(self, secret: str, dsn: str, cookie: str = COOKIE) -> None:
        super().__init__({"secret": secret})
        self.dsn = dsn
        self.cookie = cookie
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(self.dsn, min_size=1, max_size=2)

    def _pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("PostgresSessions.open() was not awaited")
        return self.pool

    async def set(  # type: ignore[override]  # the official docs' signature, on purpose
        self, identifier: str, state: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        session_id = _issue_session_id(options, self.cookie)
        user = state.get("user") or {}
        internal = state.get("internal") or {}
        await self._pool().execute(
            "INSERT INTO app_sessions (id, sid, sub, sealed) VALUES ($1, $2, $3, $4) "
            "ON CONFLICT (id) DO UPDATE SET sid = $2, sub = $3, sealed = $4",
            session_id,
            internal.get("sid"),
            user.get("sub"),
            self.encrypt(identifier, state),
        )

    async def get(
        self, identifier: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        session_id = _session_id(options, self.cookie)
        if session_id is None:
            return None
        sealed = await self._pool().fetchval(
            "SELECT sealed FROM app_sessions WHERE id = $1", session_id
        )
        return None if sealed is None else self.decrypt(identifier, sealed)

    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        session_id = _session_id(options, self.cookie)
        if session_id is not None:
            await self._pool().execute("DELETE FROM app_sessions WHERE id = $1", session_id)
        _forget_cookie(options, self.cookie)

    async def delete_by_logout_token(
        self, claims: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        rows = await self._pool().fetch(
            "SELECT id, sealed FROM app_sessions WHERE sid = $1 OR sub = $2",
            claims.get("sid"),
            claims.get("sub"),
        )
        for row in rows:
            if session_matches(self.decrypt("_a0_session", row["sealed"]), claims):
                await self._pool().execute("DELETE FROM app_sessions WHERE id = $1", row["id"])


@pytest.fixture
def plain_redis(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis_server.client()
    client.flushall()
    try:
        yield client
    finally:
        client.close()


async def test_our_redis_store_through_auth0_anyio(
    redis_server: RedisServer, plain_redis: redis.Redis
) -> None:
    store = RedisSessions(SECRET, redis_asyncio.Redis.from_url(redis_server.url))

    async def stored() -> dict[str, Any] | None:
        keys = list(plain_redis.scan_iter(match="s:*"))
        assert len(keys) <= 1, keys
        if not keys:
            return None
        raw = plain_redis.get(keys[0])
        assert isinstance(raw, bytes)
        assert ALICE.encode() not in raw  # sealed, not plain JSON
        return store.decrypt("_a0_session", raw.decode())

    try:
        await whole_session(make_app("asyncio", store), stored, COOKIE)
        assert plain_redis.dbsize() == 0
    finally:
        await store.client.aclose()


async def test_our_postgres_store_through_auth0_anyio(postgres_server: PostgresServer) -> None:
    postgres_server.psql(f"DROP TABLE IF EXISTS app_sessions; {TABLE}")
    store = PostgresSessions(SECRET, postgres_server.dsn)
    await store.open()

    async def stored() -> dict[str, Any] | None:
        rows = postgres_server.psql("SELECT sub || ' ' || sealed FROM app_sessions").splitlines()
        assert len(rows) <= 1, rows
        if not rows:
            return None
        sub, sealed = rows[0].split(" ")
        assert sub == ALICE
        assert ALICE not in sealed  # sealed, not plain JSON
        return store.decrypt("_a0_session", sealed)

    try:
        await whole_session(make_app("asyncio", store), stored, COOKIE)
        assert postgres_server.psql("SELECT count(*) FROM app_sessions") == "0"
    finally:
        await store._pool().close()


async def test_a_logout_token_spares_other_users_sessions(postgres_server: PostgresServer) -> None:
    """``delete_by_logout_token`` deletes the named session only (one row per browser)."""
    postgres_server.psql(f"DROP TABLE IF EXISTS app_sessions; {TABLE}")
    store = PostgresSessions(SECRET, postgres_server.dsn)
    await store.open()
    try:
        for session_id, sid, sub in (("a", "S1", ALICE), ("b", "S2", "auth0|bob")):
            state = {"user": {"sub": sub, "sid": sid}, "internal": {"sid": sid}}
            await store.set(  # the browser already holds its cookie
                "_a0_session", state, options={"request": _Request({COOKIE: session_id})}
            )
        await store.delete_by_logout_token({"sid": "S1", "sub": None, "iss": None})
        assert postgres_server.psql("SELECT id FROM app_sessions") == "b"
    finally:
        await store._pool().close()


class _Request:
    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = cookies


def test_the_sync_facade_refuses_the_async_stores(redis_server: RedisServer) -> None:
    for store in (
        RedisSessions(SECRET, redis_asyncio.Redis.from_url(redis_server.url)),
        PostgresSessions(SECRET, "postgresql://unused"),
    ):
        with pytest.raises(ConfigurationError, match=r"async.*auth0_anyio\.ServerClient"):
            make_app("sync", store)
