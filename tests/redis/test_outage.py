"""Redis going away: typed errors within the configured timeout, recovery once it is back,
nothing acknowledged lost (append-only file, fsync on every write), no key or value in errors.
"""

from __future__ import annotations

import signal
import socket
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import pytest

from auth0_core.errors import StoreUnavailableError, TransportError
from auth0_redis import AsyncRedisStateStore, RedisStateStore, RedisTransactionStore

from .helpers import NAME, NOW, SECRET, Jar, clock, login, read, session, write
from .servers import RedisServer, free_port

TIMEOUT = 0.5


@pytest.fixture
def durable(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(
        tmp_path / "aof",
        free_port(),
        "--save",
        "",
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ).start()
    try:
        yield server
    finally:
        server.stop()


def fails_fast(call: Callable[[], Any], limit: float = TIMEOUT * 2 + 0.5) -> StoreUnavailableError:
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as caught:
        call()
    assert time.monotonic() - started < limit
    return caught.value


def test_a_restart_loses_nothing_acknowledged(durable: RedisServer) -> None:
    time_ = clock()
    sessions = RedisStateStore(
        durable.url,
        secret=SECRET,
        secure=False,
        clock=time_,
        timeout=TIMEOUT,
        connect_timeout=TIMEOUT,
    )
    transactions = RedisTransactionStore(
        durable.url, secret=SECRET, clock=time_, timeout=TIMEOUT, connect_timeout=TIMEOUT
    )
    jars = [Jar() for _ in range(20)]
    for number, jar in enumerate(jars):
        login(sessions, jar, session(f"auth0|user{number}", sid=f"sid{number}"))
    transactions.set("_a0_tx:kept", {"state": "kept", "expires_at": NOW + 600})
    assert sessions.claim("jti-1", NOW + 600)
    durable.stop(signal.SIGKILL)  # no shutdown save: only the append-only file survives

    down = [
        fails_fast(lambda: read(sessions, jars[0])),
        fails_fast(lambda: write(sessions, jars[1], session("auth0|user1", sid="sid1"))),
        fails_fast(lambda: login(sessions, Jar(), session("auth0|new"))),
        fails_fast(lambda: sessions.delete_by_logout_token({"sub": "auth0|user2"})),
        fails_fast(lambda: sessions.claim("jti-2", NOW + 600)),
        fails_fast(lambda: sessions.acquire_lock("refresh", ttl=5, wait=5)),
        fails_fast(lambda: transactions.get("_a0_tx:kept")),
    ]
    for error in down:
        assert isinstance(error, TransportError)
        assert error.code == "store_unavailable"
        assert error.store in ("RedisStateStore", "RedisTransactionStore")
        text = f"{error} {error!r}"
        for leaked in ("auth0:", "127.0.0.1", str(durable.port), "user", "kept", "jti"):
            assert leaked not in text
    assert jars[1].id is not None  # a failed write changes no cookie

    durable.start()
    for number, jar in enumerate(jars):  # every acknowledged write is back
        assert read(sessions, jar) == session(f"auth0|user{number}", sid=f"sid{number}")
    assert transactions.get("_a0_tx:kept") == {"state": "kept", "expires_at": NOW + 600}
    assert sessions.claim("jti-1", NOW + 600) is False
    login(sessions, Jar(), session("auth0|after"))
    sessions.close()
    transactions.close()


def test_a_server_that_never_answers_fails_within_the_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with RedisStateStore(url, secret=SECRET, timeout=TIMEOUT, connect_timeout=TIMEOUT) as store:
            error = fails_fast(lambda: read(store, jar_with_id()), limit=TIMEOUT + 0.4)
            assert "did not answer in time" in str(error)

        async def main() -> None:
            async with AsyncRedisStateStore(
                url, secret=SECRET, timeout=TIMEOUT, connect_timeout=TIMEOUT
            ) as async_store:
                await async_store.get(NAME, options=jar_with_id().options())

        fails_fast(partial(anyio.run, main, backend="asyncio"), TIMEOUT + 0.4)
        fails_fast(partial(anyio.run, main, backend="trio"), TIMEOUT + 0.4)


def test_nothing_listening_fails_at_once() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    with RedisStateStore(url, secret=SECRET, timeout=5, connect_timeout=5) as store:
        fails_fast(lambda: store.claim("jti", NOW + 60), limit=1.0)


def jar_with_id() -> Jar:
    jar = Jar()
    jar.cookies[NAME] = "A" * 22 + "." + "B" * 22
    return jar
