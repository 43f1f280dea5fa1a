"""Back-channel logout in the demo: the tenant ends the user's sessions (the app's End-my-sessions
button, ``auth0-core logout-user``, a logout), posts a logout token to the app over HTTP, and the
next page shows the browser logged out; with the memory store and with Redis."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
import attrs
import httpx
import pytest

import auth0_demo._app
import auth0_demo._run
import redis
from auth0_core.tenant import LogoutDelivery, Tenant, TenantConfig
from auth0_demo import DemoAddresses, serve_demo
from auth0_demo._run import REDIS_PREFIX
from auth0_tenant_server._cli import main

from ..redis.servers import RedisServer, free_port
from .test_demo import USER, log_in_as, submit_login

ENDED = 'id="session-ended"'
LOGGED_OUT = "You are not logged in"
BUTTON = "End my sessions at Auth0 (back-channel)"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The test Redis, emptied: every key a test sees is the demo's."""
    with redis_server.client() as raw:
        raw.flushall()
    return redis_server.url


@asynccontextmanager
async def running_demo(store: str = "memory") -> AsyncIterator[DemoAddresses]:
    async with anyio.create_task_group() as group:
        addresses = await group.start(partial(serve_demo, app_port=0, access_log=None, store=store))
        try:
            yield addresses
        finally:
            group.cancel_scope.cancel()


async def delivered(tenant: Tenant) -> list[LogoutDelivery]:
    """Every logout delivery of the tenant, once each has its answer (from a thread: the app
    must keep answering while this waits)."""
    return await anyio.to_thread.run_sync(tenant.wait_for_deliveries)


def browser() -> httpx.AsyncClient:
    return httpx.AsyncClient(follow_redirects=True)


def record_key(session_id: str) -> str:
    """The Redis key of the session whose id the cookie carries (docs/redis.md, key layout)."""
    user, _, nonce = session_id.partition(".")
    return f"{REDIS_PREFIX}{{{user}}}:s:{nonce}"


def demo_keys(raw: redis.Redis, kind: str = "*") -> list[str]:
    return sorted(key.decode() for key in raw.scan_iter(match=f"{REDIS_PREFIX}{kind}"))


# --- with the memory store ----------------------------------------------------------------


@pytest.mark.anyio
async def test_end_my_sessions_logs_this_browser_out_through_the_tenant() -> None:
    async with running_demo() as demo, browser() as alice, browser() as bob:
        app, tenant = demo.app.base_url, demo.tenant_model
        home = await log_in_as(alice, app, "alice")
        assert USER in home.text
        assert BUTTON in home.text
        assert '<span id="store">memory (this process)</span>' in home.text
        await log_in_as(bob, app, "bob")
        assert len(tenant.sessions("auth0|alice")) == 1

        ended = await alice.post(f"{app}/end-sessions")

        # The button waits for the delivery: the page it lands on shows the session gone.
        assert ended.url == httpx.URL(f"{app}/")
        assert LOGGED_OUT in ended.text
        assert ENDED in ended.text
        assert "the session store, memory (this process), no longer holds" in ended.text
        [delivery] = await delivered(tenant)
        assert delivery.client_id == "demo-client"
        assert delivery.uri == f"{app}/auth/backchannel-logout"
        assert delivery.sub == "auth0|alice"
        assert delivery.result is not None
        assert delivery.result.status == 200
        assert tenant.sessions("auth0|alice") == []

        # The note comes once: the stale session cookie is cleared with it.
        assert "_a0_session" not in alice.cookies
        again = await alice.get(f"{app}/")
        assert LOGGED_OUT in again.text
        assert ENDED not in again.text
        profile = await alice.get(f"{app}/profile", follow_redirects=False)
        assert profile.status_code == 302
        assert profile.headers["location"].startswith("/auth/login?")

        # Only alice's sessions ended.
        assert '<h2 id="user-name">Bob Example</h2>' in (await bob.get(app)).text
        assert len(tenant.sessions("auth0|bob")) == 1


@pytest.mark.anyio
async def test_logout_user_from_a_terminal_ends_the_browser_session() -> None:
    async with running_demo() as demo, browser() as alice:
        app, tenant_url = demo.app.base_url, demo.tenant.base_url
        home = await log_in_as(alice, app, "alice")
        shown = re.search(r'<code id="logout-user">([^<]+)</code>', home.text)
        assert shown is not None
        command = html.unescape(shown.group(1))
        assert command == f"auth0-core logout-user 'auth0|alice' --tenant {tenant_url}"

        # What the page tells an administrator to run, as a separate process.
        done = await anyio.run_process(
            [sys.executable, "-m", "auth0_tenant_server", "logout-user", "auth0|alice",
             "--tenant", tenant_url],
            check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert b"ended every session of auth0|alice" in done.stdout

        [delivery] = await delivered(demo.tenant_model)
        assert delivery.result is not None
        assert delivery.result.status == 200
        page = await alice.get(f"{app}/")
        assert ENDED in page.text
        assert LOGGED_OUT in page.text


@pytest.mark.anyio
async def test_a_plain_logout_is_delivered_too_and_shows_no_note() -> None:
    async with running_demo() as demo, browser() as alice:
        app = demo.app.base_url
        await log_in_as(alice, app, "alice")
        after = await alice.get(f"{app}/auth/logout")
        assert after.url == httpx.URL(f"{app}/")
        assert LOGGED_OUT in after.text
        assert ENDED not in after.text  # the app ended the session itself and said so
        # The tenant session ended at /v2/logout: its logout token reaches the app, which
        # accepts it (the session it names is already gone).
        [delivery] = await delivered(demo.tenant_model)
        assert delivery.result is not None
        assert delivery.result.status == 200


@pytest.mark.anyio
async def test_the_endpoint_is_the_sdks_contract() -> None:
    async with running_demo() as demo, browser() as alice, httpx.AsyncClient() as tenant_side:
        app, tenant = demo.app.base_url, demo.tenant_model
        endpoint = f"{app}/auth/backchannel-logout"

        wrong_method = await tenant_side.get(endpoint)
        assert wrong_method.status_code == 405
        assert wrong_method.headers["allow"] == "POST"
        assert wrong_method.headers["cache-control"] == "no-store"
        for body in ({}, {"logout_token": "a.b.c"}, {"logout_token": "not a token"}):
            refused = await tenant_side.post(endpoint, data=body)
            assert refused.status_code == 400, body
            assert refused.json()["error"] == "invalid_request"

        # A token the tenant signs ends the sessions it names, and only once.
        await log_in_as(alice, app, "alice")
        token = tenant.mint_logout_token("demo-client", sub="auth0|alice", sid=None)
        accepted = await tenant_side.post(endpoint, data={"logout_token": token})
        assert accepted.status_code == 200
        assert accepted.content == b""
        assert ENDED in (await alice.get(f"{app}/")).text
        replayed = await tenant_side.post(endpoint, data={"logout_token": token})
        assert replayed.status_code == 400
        assert "already used" in replayed.json()["error_description"]
        # The endpoint neither needs nor sets a session cookie.
        assert "set-cookie" not in accepted.headers


@pytest.mark.anyio
async def test_without_a_delivery_the_button_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    original = auth0_demo._run._tenant_config

    def without_backchannel_uri(app_url: str) -> TenantConfig:
        config = original(app_url)
        clients = tuple(attrs.evolve(c, backchannel_logout_uri=None) for c in config.clients)
        return attrs.evolve(config, clients=clients)

    monkeypatch.setattr(auth0_demo._run, "_tenant_config", without_backchannel_uri)
    monkeypatch.setattr(auth0_demo._app, "DELIVERY_WAIT", 0.3)
    async with running_demo() as demo, browser() as alice:
        app = demo.app.base_url
        await log_in_as(alice, app, "alice")
        page = await alice.post(f"{app}/end-sessions")
        assert page.url == httpx.URL(f"{app}/end-sessions")
        assert 'id="not-yet"' in page.text
        assert demo.tenant_model.sessions("auth0|alice") == []  # ended at the tenant only
        assert 'id="user-name"' in (await alice.get(f"{app}/")).text


# --- with Redis -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_with_redis_the_session_record_is_in_redis_until_the_tenant_ends_it(
    redis_url: str,
) -> None:
    raw = redis.Redis.from_url(redis_url)
    try:
        async with running_demo(redis_url) as demo, browser() as alice:
            app, tenant = demo.app.base_url, demo.tenant_model
            login_page = await alice.get(f"{app}/auth/login")
            # The login transaction waits in Redis, sealed, while the user is at the tenant.
            [transaction] = demo_keys(raw, "tx:*")
            assert b"returnTo" not in (raw.get(transaction) or b"")
            home = await submit_login(alice, login_page, "alice@example.com", "alice-password")
            assert USER in home.text
            assert f'<span id="store">Redis ({redis_url})</span>' in home.text
            assert demo_keys(raw, "tx:*") == []

            session_id = alice.cookies["_a0_session"]
            key = record_key(session_id)
            assert raw.exists(key) == 1
            sealed = raw.hget(key, "v") or b""
            assert sealed
            assert b"alice" not in sealed

            ended = await alice.post(f"{app}/end-sessions")
            assert LOGGED_OUT in ended.text
            assert ENDED in ended.text
            assert f"the session store, Redis ({redis_url}), no longer holds" in ended.text
            [delivery] = await delivered(tenant)
            assert delivery.result is not None
            assert delivery.result.status == 200
            assert raw.exists(key) == 0
            assert not any(":s:" in k or k.endswith(":sub") for k in demo_keys(raw))
            # The logout token's jti is claimed in Redis: shared by every instance.
            assert len(demo_keys(raw, "claim:*")) == 1
        # The demo closed its Redis connections on the way out.
        assert await wait_for(lambda: others(raw) == [])
    finally:
        raw.close()


def others(raw: redis.Redis) -> list[dict[str, Any]]:
    """The Redis clients connected besides ``raw`` itself."""
    mine = raw.client_id()
    return [client for client in raw.client_list() if int(client["id"]) != mine]


async def wait_for(condition: Any, timeout: float = 3.0) -> bool:
    with anyio.move_on_after(timeout):
        while not condition():
            await anyio.sleep(0.02)
        return True
    return False


@pytest.mark.anyio
async def test_with_redis_a_logout_elsewhere_ends_only_that_users_sessions(
    redis_url: str,
) -> None:
    raw = redis.Redis.from_url(redis_url)
    try:
        async with running_demo(redis_url) as demo, browser() as alice, browser() as bob:
            app = demo.app.base_url
            await log_in_as(alice, app, "alice")
            await log_in_as(bob, app, "bob")
            bob_key = record_key(bob.cookies["_a0_session"])
            await alice.post(f"{app}/end-sessions")
            assert raw.exists(record_key(alice.cookies.get("_a0_session") or "x.y")) == 0
            assert raw.exists(bob_key) == 1
            assert "Bob Example" in (await bob.get(app)).text
    finally:
        raw.close()


def test_demo_command_with_redis_serves_and_stops_on_sigterm(
    redis_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "auth0_tenant_server", "demo", "--port", "0",
             "--store", redis_url],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("tenant listening on http://127.0.0.1:")
        found = re.search(r"demo app on (http://127\.0\.0\.1:\d+)/", process.stdout.readline())
        assert found is not None
        app = found.group(1)
        sessions = process.stdout.readline()
        assert sessions.startswith(f"sessions in Redis at {redis_url};"), sessions
        assert f"{app}/auth/backchannel-logout" in sessions
        anyio.run(browse_with_redis, app, redis_url)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    # The command's tenant delivered over HTTP and said so on stderr.
    lines = log.read_text().splitlines()
    assert f"back-channel logout demo-client -> {app}/auth/backchannel-logout: HTTP 200" in lines


async def browse_with_redis(app: str, redis_url: str) -> None:
    raw = redis.Redis.from_url(redis_url)
    try:
        async with browser() as alice:
            home = await log_in_as(alice, app, "alice")
            assert USER in home.text
            key = record_key(alice.cookies["_a0_session"])
            assert raw.exists(key) == 1
            ended = await alice.post(f"{app}/end-sessions")
            assert ENDED in ended.text
            assert raw.exists(key) == 0
    finally:
        raw.close()


# --- the command's --store option -----------------------------------------------------------


def test_an_unreachable_redis_stops_the_demo_at_start_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = free_port()  # nothing listens there
    url = f"redis://:s3cret-password@127.0.0.1:{port}/0"
    started = time.monotonic()
    assert main(["demo", "--port", "0", "--store", url]) == 2
    assert time.monotonic() - started < 10
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was served
    [line] = captured.err.splitlines()
    assert line.startswith(f"auth0-core: cannot use Redis at redis://127.0.0.1:{port}/0: ")
    assert "s3cret" not in captured.err


@pytest.mark.parametrize("store", ["cookie", "postgres://127.0.0.1/0", "127.0.0.1:6379", ""])
def test_store_is_memory_or_a_redis_url(store: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--store", store])
    assert exited.value.code == 2
    assert "must be 'memory' or a Redis URL" in capsys.readouterr().err


def test_a_redis_store_without_the_redis_extra_prints_the_hint() -> None:
    code = (
        "import sys; sys.modules['redis'] = None\n"
        "from auth0_tenant_server._cli import main\n"
        "sys.exit(main(['demo', '--port', '0', '--store', 'redis://127.0.0.1:1/0']))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("auth0-core: auth0-core demo --store redis://")
    assert "pip install 'auth0-core[redis]'" in line
    assert done.stdout == ""


def test_a_malformed_redis_url_stops_the_demo_at_start_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--port", "0", "--store", "redis://127.0.0.1:notaport/0"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("auth0-core: redis://127.0.0.1:notaport/0 is not a usable Redis URL")
