"""The async stores on asyncio (redis.asyncio) and on trio (a blocking client in worker
threads), standalone and cluster; sessions move freely between the sync and async stores."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest
import redis.asyncio

import redis
from auth0_core.errors import ConfigurationError
from auth0_redis import AsyncRedisStateStore, AsyncRedisTransactionStore, RedisStateStore

from .conftest import Backend
from .helpers import ISS, NAME, NOW, SECRET, SESSION_ID, Jar, clock, read, session

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[AsyncRedisStateStore]:
    async with AsyncRedisStateStore(
        backend.url, secret=SECRET, cluster=backend.cluster, secure=False, clock=clock()
    ) as made:
        yield made


async def alogin(store: Any, jar: Jar, state: dict[str, Any]) -> None:
    await store.set(NAME, state, remove_if_expires=True, options=jar.options())
    jar.absorb()


async def awrite(store: Any, jar: Jar, state: dict[str, Any]) -> None:
    await store.set(NAME, state, options=jar.options())
    jar.absorb()


async def aread(store: Any, jar: Jar) -> Any:
    return await store.get(NAME, options=jar.options())


async def test_a_session_lives_and_dies_as_with_the_sync_store(
    backend: Backend, store: AsyncRedisStateStore, anyio_backend: str
) -> None:
    jar = Jar()
    await alogin(store, jar, session())
    assert SESSION_ID.fullmatch(str(jar.id))
    assert await aread(store, jar) == session()
    await awrite(store, jar, session(refresh_token="rotated"))
    assert (await aread(store, jar))["refresh_token"] == "rotated"
    other = Jar()
    await alogin(store, other, session(sid="s2"))
    await store.delete_by_logout_token({"iss": ISS, "sid": "s2"})
    assert await aread(store, other) is None
    await store.delete(NAME, options=jar.options())
    jar.absorb()
    assert jar.id is None
    await awrite(store, Jar(), session())  # nothing adopted, nothing created
    assert not [key for key in backend.all_keys() if ":s:" in key]
    # asyncio awaits redis.asyncio; trio sends each command from a worker thread.
    connection = store._connection
    if anyio_backend == "asyncio":
        assert connection._native is not None
        assert connection._blocking is None
    else:
        assert connection._blocking is not None
        assert connection._native is None


async def test_claims_locks_and_transactions(backend: Backend, anyio_backend: str) -> None:
    async with AsyncRedisTransactionStore(
        backend.url, secret=SECRET, cluster=backend.cluster, clock=clock()
    ) as transactions:
        await transactions.set("_a0_tx:s", {"state": "s", "expires_at": NOW + 60})
        assert await transactions.get("_a0_tx:s") == {"state": "s", "expires_at": NOW + 60}
        await transactions.delete("_a0_tx:s")
        assert await transactions.get("_a0_tx:s") is None
        assert await transactions.claim("jti", NOW + 60) is True
        assert await transactions.claim("jti", NOW + 60) is False
        token = await transactions.acquire_lock("refresh", ttl=5, wait=0)
        assert token
        started = time.monotonic()
        assert await transactions.acquire_lock("refresh", ttl=5, wait=0.1) is None
        assert time.monotonic() - started < 1.0
        await transactions.release_lock("refresh", token)
        assert await transactions.acquire_lock("refresh", ttl=5, wait=0)


async def test_a_waiting_lock_is_cancelled_promptly(
    store: AsyncRedisStateStore, anyio_backend: str
) -> None:
    assert await store.acquire_lock("refresh", ttl=30, wait=0)
    started = time.monotonic()
    with anyio.move_on_after(0.2):
        await store.acquire_lock("refresh", ttl=30, wait=20)
    assert time.monotonic() - started < 1.0


async def test_sessions_move_between_the_sync_and_async_stores(
    backend: Backend, store: AsyncRedisStateStore, anyio_backend: str
) -> None:
    with RedisStateStore(
        backend.url, secret=SECRET, cluster=backend.cluster, clock=clock()
    ) as sync:
        jar = Jar()
        await alogin(store, jar, session())
        assert read(sync, jar) == session()
        sync.delete_by_logout_token({"iss": ISS, "sub": "auth0|alice"})
        assert await aread(store, jar) is None


async def test_a_given_blocking_client_runs_in_threads_everywhere(
    backend: Backend, anyio_backend: str
) -> None:
    client = backend.store_client()
    async with AsyncRedisStateStore(client, secret=SECRET, secure=False, clock=clock()) as store:
        jar = Jar()
        await alogin(store, jar, session())
        assert await aread(store, jar) == session()
        assert store._connection._native is None
    client.ping()  # the caller's client stays open


async def test_a_given_asyncio_client_runs_on_asyncio_only(
    redis_server: Any, anyio_backend: str
) -> None:
    client = redis.asyncio.Redis.from_url(redis_server.url)
    store = AsyncRedisStateStore(client, secret=SECRET, secure=False, clock=clock())
    jar = Jar()
    if anyio_backend == "asyncio":
        await alogin(store, jar, session())
        assert await aread(store, jar) == session()
        await store.aclose()
        assert await client.ping()  # the caller's client stays open
        await client.aclose()
    else:
        with pytest.raises(ConfigurationError, match="asyncio only"):
            await alogin(store, jar, session())


def test_one_store_per_event_loop(redis_server: Any) -> None:
    store = AsyncRedisStateStore(redis_server.url, secret=SECRET, secure=False, clock=clock())

    async def use() -> None:
        await store.get(NAME, options=Jar().options())
        await alogin(store, Jar(), session())

    anyio.run(use, backend="asyncio")
    with pytest.raises(ConfigurationError, match="one store per event loop"):
        anyio.run(use, backend="asyncio")
    anyio.run(use, backend="trio")  # threads: no loop to belong to
    anyio.run(store.aclose, backend="trio")


def test_a_blocking_store_refuses_an_asyncio_client(redis_server: Any) -> None:
    with pytest.raises(ConfigurationError, match="blocking client"):
        RedisStateStore(redis.asyncio.Redis.from_url(redis_server.url), secret=SECRET)


async def test_a_closed_store_refuses_calls(redis_server: Any, anyio_backend: str) -> None:
    store = AsyncRedisStateStore(redis_server.url, secret=SECRET, clock=clock())
    await store.aclose()
    await store.aclose()
    with pytest.raises(ConfigurationError, match="closed"):
        await store.get(NAME, options=Jar().options())
    sync = RedisStateStore(redis.Redis.from_url(redis_server.url), secret=SECRET)
    sync.close()
    with pytest.raises(ConfigurationError, match="closed"):
        sync.claim("x", NOW + 5)
