"""CIBA end to end through both facades (sync, asyncio, trio; in process and on loopback): the
user approves or refuses from another thread or task while the call polls.

The waits between polls advance the shared FixedClock instead of passing (the facade's
``_sleep`` is replaced); the last tests wait for real, briefly, on a real clock.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from auth0_core import Env, FixedClock
from auth0_core.errors import IdTokenError, PollingApiError, TransportError
from auth0_core.tenant import Tenant, TenantConfig

from .conftest import INPROCESS_BASE, App

pytestmark = pytest.mark.anyio

ALICE = {"login_hint": {"sub": "auth0|alice"}, "binding_message": "Kiosk 4711"}


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def fake_time(app: App) -> None:
    """Waits advance the app's clock (and let the approver run) instead of passing."""
    clock = app.clock
    if app.mode.startswith("sync"):

        def sleep(seconds: float) -> None:
            clock.advance(seconds)
            time.sleep(0.005)

        app.client._sleep = sleep
    else:

        async def asleep(seconds: float) -> None:
            clock.advance(seconds)
            await anyio.sleep(0.005)

        app.client._sleep = asleep


def answer_when_polled(tenant: Tenant, user_id: str, *, deny: bool = False) -> Callable[[], bool]:
    """A user who answers on their device once the app has polled a new request of theirs."""
    known = {r["auth_req_id"] for r in tenant.backchannel_requests(user_id)}
    answer = tenant.deny_backchannel if deny else tenant.approve_backchannel

    def step() -> bool:
        for request in tenant.backchannel_requests(user_id):
            if request["auth_req_id"] not in known and int(str(request["polls"])) >= 1:
                answer(str(request["auth_req_id"]))
                return True
        return False

    return step


async def with_user(app: App, step: Callable[[], bool], call: Callable[[], Awaitable[Any]]) -> Any:
    """Run ``call`` while ``step`` is retried from another thread (sync) or task (async)."""
    deadline = time.monotonic() + 10
    if app.mode.startswith("sync"):

        def user() -> None:
            while not step() and time.monotonic() < deadline:
                time.sleep(0.002)

        thread = threading.Thread(target=user)
        thread.start()
        try:
            return await call()
        finally:
            thread.join()
    result: list[Any] = []
    async with anyio.create_task_group() as group:

        async def auser() -> None:
            while not step() and time.monotonic() < deadline:
                await anyio.sleep(0.002)

        group.start_soon(auser)
        try:
            result.append(await call())
        except Exception as error:  # raised below, outside the task group's ExceptionGroup
            result.append(error)
    if isinstance(result[0], Exception):
        raise result[0]
    return result[0]


async def test_backchannel_authentication_returns_the_approved_users_tokens(app: App) -> None:
    fake_time(app)
    step = answer_when_polled(app.tenant, "auth0|alice")
    tokens = await with_user(app, step, lambda: app.call("backchannel_authentication", ALICE))
    assert claims(tokens["id_token"])["sub"] == "auth0|alice"
    assert {"access_token", "refresh_token", "expires_at", "scope"} <= set(tokens)


async def test_login_backchannel_writes_the_approved_users_session(app: App) -> None:
    fake_time(app)
    step = answer_when_polled(app.tenant, "auth0|alice")
    store = app.browser.store_options()
    result = await with_user(
        app, step, lambda: app.call("login_backchannel", ALICE, store_options=store)
    )
    app.browser.absorb(store)
    assert result == {"authorization_details": None}
    user = await app.user()
    assert user["sub"] == "auth0|alice"
    assert user["email"] == "alice@example.com"


async def test_a_bad_id_token_writes_no_session(app: App) -> None:
    fake_time(app)
    app.tenant.id_token_hook = lambda c, h: ({**c, "aud": "another-client"}, h)
    try:
        step = answer_when_polled(app.tenant, "auth0|alice")
        store = app.browser.store_options()
        with pytest.raises(IdTokenError):
            await with_user(
                app, step, lambda: app.call("login_backchannel", ALICE, store_options=store)
            )
        app.browser.absorb(store)
    finally:
        app.tenant.id_token_hook = None
    assert await app.user() is None


async def test_denial_is_access_denied(app: App) -> None:
    fake_time(app)
    step = answer_when_polled(app.tenant, "auth0|alice", deny=True)
    with pytest.raises(PollingApiError) as raised:
        await with_user(app, step, lambda: app.call("backchannel_authentication", ALICE))
    assert raised.value.code == "access_denied"


async def test_one_poll_at_a_time(app: App) -> None:
    started = await app.call("initiate_backchannel_authentication", ALICE)
    with pytest.raises(PollingApiError) as raised:
        await app.call("backchannel_authentication_grant", started["auth_req_id"])
    assert raised.value.code == "authorization_pending"
    app.tenant.approve_backchannel(started["auth_req_id"])
    app.clock.advance(started["interval"])
    tokens = await app.call("backchannel_authentication_grant", started["auth_req_id"])
    assert claims(tokens["id_token"])["sub"] == "auth0|alice"


async def test_a_waiting_call_is_cancelled_promptly(app: App) -> None:
    """The real wait (5 s interval) ends at once: a cancel scope (asyncio, trio), or closing
    the sync client from another thread."""
    began = time.monotonic()
    if app.mode.startswith("sync"):
        timer = threading.Timer(0.3, app.client.close)
        timer.start()
        with pytest.raises(TransportError, match="closed while the call was waiting"):
            await app.call("backchannel_authentication", ALICE)
        timer.join()
    else:
        with anyio.move_on_after(0.3) as scope:
            await app.call("backchannel_authentication", ALICE)
        assert scope.cancelled_caught
    assert time.monotonic() - began < 2


@pytest.mark.parametrize("mode", ["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
async def test_real_waits_of_one_second_on_a_real_clock(mode: str) -> None:
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env())
    tenant.state.ciba.interval = 1
    app = App(mode, tenant, INPROCESS_BASE, FixedClock(0), env=Env())
    step = answer_when_polled(tenant, "auth0|alice")
    began = time.monotonic()
    tokens = await with_user(app, step, lambda: app.call("backchannel_authentication", ALICE))
    assert claims(tokens["id_token"])["sub"] == "auth0|alice"
    assert 2 <= time.monotonic() - began < 5  # pending after 1 s, tokens after 2 s
