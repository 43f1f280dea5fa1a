"""A refresh in flight while a logout ends the session (the default memory store): the
refresh's write must not bring the session back, under its id or a new one. The token
endpoint holds its answer (already rotated) for a second while the logout, or a back-channel
logout for the session's ``sid``, runs; the browser then takes both answers in the order
they arrive."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import pytest

from auth0_core import Env, FixedClock, HttpRequest
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant

from ..e2e.conftest import CLIENT_ID, START, App
from ..e2e.holding import rotating_config
from .faults import FaultServer, serialize
from .test_faults import DAY, TOKEN

pytestmark = pytest.mark.anyio


@contextmanager
def rotating(mode: str) -> Iterator[tuple[App, FaultServer]]:
    with FaultServer() as server:
        clock = FixedClock(START)
        tenant = Tenant(rotating_config(0), base_url=server.base_url, env=Env(clock=clock))
        server.tenant = tenant
        yield App(mode, tenant, server.base_url, clock), server


def answered_late(server: FaultServer, conn: socket.socket, request: HttpRequest) -> None:
    """The tenant's answer (the refresh token rotated already), a second late."""
    assert server.tenant is not None
    answer = server.tenant.handle(request)
    time.sleep(1.0)
    server.send(conn, serialize(answer))


def options(cookies: dict[str, str]) -> dict[str, Any]:
    return {"request": CookieRequest(dict(cookies)), "response": CookieResponse()}


@pytest.mark.parametrize("ending", ["logout", "backchannel"])
async def test_a_refresh_racing_a_logout_does_not_bring_the_session_back(
    mode: str, ending: str
) -> None:
    with rotating(mode) as (app, server):
        await app.login()
        user = await app.user()
        app.clock.advance(DAY - 59)  # due for a refresh
        server.fail("POST", TOKEN, answered_late, times=1)
        cookies = dict(app.browser.cookies)
        refreshing, ending_options = options(cookies), options(cookies)
        logout_token = app.tenant.mint_logout_token(CLIENT_ID, sub=user["sub"], sid=user["sid"])

        def refresh() -> object:
            return app.client.get_access_token(store_options=refreshing)

        def end() -> object:
            if ending == "logout":
                return app.client.logout(store_options=ending_options)
            return app.client.handle_backchannel_logout(logout_token)

        if app.mode.startswith("sync"):
            threads = [threading.Thread(target=refresh)]
            threads[0].start()
            time.sleep(0.3)
            end()
            threads[0].join(30)
        else:

            async def later() -> None:
                await anyio.sleep(0.3)
                await end()  # type: ignore[misc]

            async with anyio.create_task_group() as tasks:
                tasks.start_soon(refresh)  # type: ignore[arg-type]
                tasks.start_soon(later)
        app.browser.cookies = dict(cookies)
        if ending == "logout":
            app.browser.absorb(ending_options)
        app.browser.absorb(refreshing)  # the refresh's answer comes last
        assert await app.call("get_session", store_options=app.browser.store_options()) is None
