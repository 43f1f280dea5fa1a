"""A shared refresh belongs to the client, not to the caller that started it.

The tenant rotates the refresh token as soon as it processes the refresh; here it then holds
its answer back. Whatever happens to the callers meanwhile (the leader cancelled by a browser
that went away, every caller cancelled, a call out of time), the answer must reach the waiting
callers and be remembered, so that the next request with the same (old) session cookie gets
the rotated tokens instead of presenting the old refresh token again, which would revoke the
whole family (InvalidGrantError).
"""

from __future__ import annotations

import asyncio

import anyio
import pytest

from auth0_core.errors import InvalidGrantError, TransportError

from .conftest import MODES, App
from .holding import STUCK, held_app, is_grant, rotating_config, use_cookie_sessions

pytestmark = pytest.mark.anyio

ASYNC_MODES = [m for m in MODES if not m.startswith("sync")]
ASYNCIO_MODES = [m for m in MODES if m.startswith("asyncio")]
LOOPBACK_MODES = [m for m in MODES if m.endswith("loopback")]
DAY = 86_400
is_refresh = is_grant("refresh_token")


async def expired_session(app: App, **client_options: object) -> dict[str, str]:
    """Log in with cookie sessions, let the access token expire; the (soon stale) cookies."""
    use_cookie_sessions(app)
    await app.login()
    app.clock.advance(DAY - 59)
    use_cookie_sessions(app, **client_options)  # a new client: nothing remembered yet
    return dict(app.browser.cookies)


async def token_with(app: App, cookies: dict[str, str]) -> str:
    app.browser.cookies = dict(cookies)
    token: str = await app.call("get_access_token", store_options=app.browser.store_options())
    return token


def refreshes(app: App) -> int:
    return app.tenant.count(path="/oauth/token", grant_type="refresh_token")


@pytest.mark.parametrize("mode", ASYNC_MODES)
async def test_a_cancelled_leader_leaves_followers_the_rotated_tokens(mode: str) -> None:
    with held_app(mode, rotating_config(), is_refresh) as (app, hold):
        stale = await expired_session(app)
        leader_scope = anyio.CancelScope()
        followers: list[str] = []

        async def leader() -> None:
            with leader_scope:
                await token_with(app, stale)

        async def follower() -> None:
            followers.append(await token_with(app, stale))

        with anyio.fail_after(STUCK):
            async with anyio.create_task_group() as group:
                group.start_soon(leader)
                await hold.until_arrived()  # the tenant has rotated the refresh token
                for _ in range(3):
                    group.start_soon(follower)
                await anyio.sleep(0.1)  # they reach the shared refresh and wait on it
                leader_scope.cancel()
                hold.released.set()
        assert leader_scope.cancelled_caught
        assert len(followers) == 3
        assert len(set(followers)) == 1
        assert await token_with(app, stale) == followers[0]  # the next page load
        assert refreshes(app) == 1


@pytest.mark.parametrize("mode", ASYNC_MODES)
async def test_with_every_caller_cancelled_the_next_one_gets_the_answer(mode: str) -> None:
    with held_app(mode, rotating_config(), is_refresh) as (app, hold):
        stale = await expired_session(app)
        with anyio.fail_after(STUCK):
            async with anyio.create_task_group() as group:
                group.start_soon(token_with, app, stale)
                await hold.until_arrived()
                group.cancel_scope.cancel()  # the browser went away
        hold.released.set()
        await anyio.sleep(0.2)  # the refresh ends with no caller left
        assert await token_with(app, stale)
        assert refreshes(app) == 1


@pytest.mark.parametrize("mode", ASYNCIO_MODES)
async def test_a_natively_cancelled_asyncio_task_leaves_the_answer(mode: str) -> None:
    # Frameworks cancel a request's task with task.cancel(), which an anyio shield does not stop.
    with held_app(mode, rotating_config(), is_refresh) as (app, hold):
        stale = await expired_session(app)
        task = asyncio.ensure_future(token_with(app, stale))
        await hold.until_arrived()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        hold.released.set()
        with anyio.fail_after(STUCK):
            assert await token_with(app, stale)
        assert refreshes(app) == 1


async def test_a_call_out_of_time_leaves_the_refresh_to_finish(mode: str) -> None:
    with held_app(mode, rotating_config(), is_refresh) as (app, hold):
        stale = await expired_session(app, call_timeout=0.5)
        with pytest.raises(TransportError, match="call_timeout"):
            await token_with(app, stale)
        assert hold.arrived.is_set()
        hold.released.set()
        with anyio.fail_after(STUCK):
            assert await token_with(app, stale)
        assert refreshes(app) == 1


@pytest.mark.parametrize("mode", LOOPBACK_MODES)
@pytest.mark.parametrize("leeway", [0, 60])
async def test_an_exchange_out_of_time_relies_on_the_rotation_overlap(
    mode: str, leeway: int
) -> None:
    # No answer within `timeout`: whether the tenant rotated is unknown, so nothing is
    # remembered and nothing retried. The next request presents the old refresh token: within
    # the tenant's overlap period that is answered, without one the family is revoked.
    with held_app(mode, rotating_config(leeway), is_refresh) as (app, hold):
        stale = await expired_session(app, timeout=0.2)
        with pytest.raises(TransportError, match="timed out"):
            await token_with(app, stale)
        hold.released.set()
        await anyio.sleep(0.2)  # the timed-out exchange has ended
        if leeway:
            assert await token_with(app, stale)
        else:
            with pytest.raises(InvalidGrantError):
                await token_with(app, stale)
        assert refreshes(app) == 2
