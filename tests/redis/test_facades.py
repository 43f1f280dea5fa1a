"""End to end through both facades (sync, asyncio, trio) against the emulated tenant, with the
sessions and transactions in Redis (standalone and cluster): login, session, refresh under the
store's lock, logout and back-channel logout clear the Redis record."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from typing import Any

import anyio
import pytest

from auth0_core import Env, FixedClock
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_redis import (
    AsyncRedisStateStore,
    AsyncRedisTransactionStore,
    RedisStateStore,
    RedisTransactionStore,
)

from ..e2e.conftest import INPROCESS_BASE, SECRET, START, App
from .conftest import Backend
from .helpers import SESSION_ID

pytestmark = pytest.mark.anyio

DAY = 86_400


@pytest.fixture(params=["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode.startswith("trio") else "asyncio"


@pytest.fixture
async def app(mode: str, backend: Backend) -> AsyncIterator[App]:
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
    options: dict[str, Any] = {"secret": SECRET, "cluster": backend.cluster, "clock": clock}
    if mode.startswith("sync"):
        stores: list[Any] = [
            RedisStateStore(backend.url, secure=False, **options),
            RedisTransactionStore(backend.url, **options),
        ]
    else:
        stores = [
            AsyncRedisStateStore(backend.url, secure=False, **options),
            AsyncRedisTransactionStore(backend.url, **options),
        ]
    yield App(
        mode, tenant, INPROCESS_BASE, clock, state_store=stores[0], transaction_store=stores[1]
    )
    for store in stores:
        result = store.aclose() if hasattr(store, "aclose") else store.close()
        if result is not None:
            await result


def records(backend: Backend) -> set[str]:
    return {key for key in backend.all_keys() if ":s:" in key}


async def call(app: App, method: str, *args: Any) -> Any:
    store = app.browser.store_options()
    result = await app.call(method, *args, store_options=store)
    app.browser.absorb(store)
    return result


async def test_login_session_refresh_logout(app: App, backend: Backend) -> None:
    await app.login()
    session_id = app.browser.cookies["_a0_session"]
    assert SESSION_ID.fullmatch(session_id)
    assert len(records(backend)) == 1
    assert not [key for key in backend.all_keys() if ":tx:" in key]  # consumed at the callback

    session = await call(app, "get_session")
    assert session["user"]["sub"] == "auth0|alice"
    first = session["token_sets"][0]["access_token"]

    before = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    app.clock.advance(DAY - 59)  # the access token is (nearly) expired: refreshed
    second = await call(app, "get_access_token")
    assert second != first
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == before + 1
    assert app.browser.cookies["_a0_session"] == session_id  # updated in place
    stored = (await call(app, "get_session"))["token_sets"]
    assert second in [token_set["access_token"] for token_set in stored]
    assert not [key for key in backend.all_keys() if ":lock:" in key]  # the lock was released

    await call(app, "logout", {"return_to": "http://127.0.0.1:3000/"})
    assert "_a0_session" not in app.browser.cookies
    assert records(backend) == set()
    assert await call(app, "get_user") is None


async def test_back_channel_logout_ends_the_session_everywhere(app: App, backend: Backend) -> None:
    await app.login()
    other = App(app.mode, app.tenant, app.base_url, app.clock)
    other.client = app.client  # a second browser of the same user, same app
    await other.login()
    assert len(records(backend)) == 2
    user = await call(app, "get_user")
    store = app.client._stores["state"]
    result = store.delete_by_logout_token({"iss": user["iss"], "sub": user["sub"]})
    if result is not None:
        await result
    assert records(backend) == set()
    assert await call(app, "get_user") is None
    assert await call(other, "get_user") is None


async def test_a_session_rolls_and_expires_with_its_record(app: App, backend: Backend) -> None:
    await app.login()
    (record,) = records(backend)
    assert DAY * 1000 - 5_000 < backend.raw.pttl(record) <= DAY * 1000  # rolling: 1 day
    app.clock.advance(DAY // 2)
    assert await call(app, "get_user") is not None  # read more than a minute later: rolled
    assert DAY * 1000 - 5_000 < backend.raw.pttl(record) <= DAY * 1000
    app.clock.advance(DAY + 1)  # unused for a day: over (Redis's real-time TTL is not)
    assert await call(app, "get_user") is None
    assert records(backend) == set()  # the store deletes a record it reads as expired


async def test_the_transaction_store_keeps_logout_stamps(
    app: App, backend: Backend, anyio_backend: str
) -> None:
    stamps: Any = (
        RedisTransactionStore if app.mode.startswith("sync") else AsyncRedisTransactionStore
    )(backend.url, secret=SECRET, cluster=backend.cluster, prefix="stamps:", clock=app.clock)
    app.client = app.make_client(logout_stamp_store=stamps)
    other = App(app.mode, app.tenant, app.base_url, app.clock)
    other.client = app.client
    await other.login()  # the user's session on another device
    app.clock.advance(2)
    await app.login()
    await call(app, "logout", {"return_to": "http://127.0.0.1:3000/"})
    assert [key for key in backend.all_keys() if key.startswith("stamps:tx:")]
    assert len(records(backend)) == 1  # the other device's record is still there ...
    assert await call(other, "get_user") is None  # ... but older than the user's stamp
    assert records(backend) == set()
    result = stamps.close() if hasattr(stamps, "close") else stamps.aclose()
    if result is not None:
        await result


async def test_many_callers_of_one_session_take_the_lock_in_turn_without_polling(
    app: App, backend: Backend
) -> None:
    """60 requests of one browser at once, its access token due: one refresh, one token for
    all, and each caller takes the store's lock once. They queue in the process for it
    instead of polling Redis, which served them a poll (tens of ms) apart, so a burst of 100
    used to run into the lock's wait and fail."""
    await app.login()
    app.clock.advance(DAY - 59)
    cookies = dict(app.browser.cookies)
    before = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    backend.flush_stats()
    callers = 60
    tokens: list[str] = []

    def one() -> None:
        store = {"request": CookieRequest(dict(cookies)), "response": CookieResponse()}
        tokens.append(app.client.get_access_token(store_options=store))

    async def one_async() -> None:
        store = {"request": CookieRequest(dict(cookies)), "response": CookieResponse()}
        tokens.append(await app.client.get_access_token(store_options=store))

    if app.mode.startswith("sync"):
        threads = [threading.Thread(target=one) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        async with anyio.create_task_group() as tasks:
            for _ in range(callers):
                tasks.start_soon(one_async)
    assert len(tokens) == callers
    assert len(set(tokens)) == 1
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == before + 1
    scripts = sum(n for name, n in backend.calls().items() if name in ("eval", "evalsha"))
    # A take and a release each, and the session's writes (120 to 240 scripts in all): no
    # polling, which made 390 to 1,900 here (sync, trio, asyncio).
    assert scripts <= 5 * callers, backend.calls()
    assert not [key for key in backend.all_keys() if ":lock:" in key]
