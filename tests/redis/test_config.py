"""Building the Redis stores: what they accept and refuse, what they own and close, and that
neither their repr nor their errors show a secret, a password or a key."""

from __future__ import annotations

import time
from typing import Any

import pytest

from auth0_core.errors import ConfigurationError
from auth0_redis import (
    DEFAULT_PREFIX,
    AsyncRedisStateStore,
    AsyncRedisTransactionStore,
    RedisStateStore,
    RedisTransactionStore,
)

from .conftest import Backend
from .helpers import SECRET, Jar, clock, login, read, session


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


URL = "redis://user:hunter2-password@127.0.0.1:1/0"
CLASSES = [RedisStateStore, RedisTransactionStore, AsyncRedisStateStore, AsyncRedisTransactionStore]


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize(
    ("target", "options", "message"),
    [
        (URL, {"secret": ""}, "non-empty secret"),
        (URL, {"secret": []}, "non-empty secret"),
        (URL, {"secret": ["ok", ""]}, "non-empty secret"),
        (URL, {"secret": SECRET, "prefix": "app{1}:"}, "braces"),
        (URL, {"secret": SECRET, "prefix": "has space"}, "braces"),
        (URL, {"secret": SECRET, "prefix": "x" * 65}, "braces"),
        (URL, {"secret": SECRET, "timeout": 0}, "'timeout'"),
        (URL, {"secret": SECRET, "connect_timeout": float("inf")}, "'connect_timeout'"),
        ("http://127.0.0.1:6379", {"secret": SECRET}, "redis://"),
        (object(), {"secret": SECRET}, "URL or a client"),
    ],
)
def test_bad_options_are_refused(
    cls: Any, target: Any, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        cls(target, **options)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"path": "/a;b"},
        {"domain": "evil.example\r\nSet-Cookie: x=y"},
        {"same_site": "sometimes"},
        {"same_site": "None", "secure": False},
    ],
)
@pytest.mark.parametrize("cls", [RedisStateStore, AsyncRedisStateStore])
def test_cookie_attributes_are_checked(cls: Any, options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        cls(URL, secret=SECRET, **options)


@pytest.mark.parametrize("cls", CLASSES)
def test_the_repr_shows_neither_the_url_nor_the_secret(cls: Any) -> None:
    store = cls(URL, secret=SECRET)
    assert repr(store) == f"{cls.__name__}(prefix={DEFAULT_PREFIX!r})"


def connection_ids(backend: Backend) -> set[tuple[int, str]]:
    """Every client connection of every node, by node and id: a store's own are the ids that
    appear once it runs (a count would be disturbed by an earlier test's connections still
    closing)."""
    return {
        (index, str(client["id"]))
        for index, node in enumerate(backend.nodes)
        for client in node.client_list()
    }


def all_closed(backend: Backend, opened: set[tuple[int, str]]) -> bool:
    deadline = time.monotonic() + 2
    while opened & connection_ids(backend) and time.monotonic() < deadline:
        time.sleep(0.01)
    return not opened & connection_ids(backend)


def test_a_store_built_from_a_url_closes_its_pool(backend: Backend) -> None:
    before = connection_ids(backend)
    store = RedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster, secure=False)
    login(store, Jar(), session())
    opened = connection_ids(backend) - before
    assert opened
    store.close()
    store.close()
    assert all_closed(backend, opened)


@pytest.mark.anyio
async def test_an_async_store_built_from_a_url_closes_its_pools(
    backend: Backend, anyio_backend: str
) -> None:
    before = connection_ids(backend)
    store = AsyncRedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster)
    await store.claim("jti", 2_000_000_000)
    opened = connection_ids(backend) - before
    assert opened
    await store.aclose()
    assert all_closed(backend, opened)


def test_a_given_client_is_left_open(backend: Backend) -> None:
    client = backend.store_client()
    with RedisStateStore(client, secret=SECRET, secure=False, clock=clock()) as store:
        jar = Jar()
        login(store, jar, session())
        assert read(store, jar) == session()
    assert client.ping()


def test_the_cookie_attributes_are_those_configured(backend: Backend) -> None:
    with RedisStateStore(
        backend.url,
        secret=SECRET,
        cluster=backend.cluster,
        path="/app",
        domain="app.example",
        same_site="strict",
        clock=clock(),
    ) as store:
        jar = Jar()
        login(store, jar, session())
        (line,) = jar.lines()
        assert "Path=/app" in line
        assert "Domain=app.example" in line
        assert "Secure" in line
        assert "HttpOnly" in line
        assert "SameSite=Strict" in line
        store.delete("_a0_session", options=jar.options())
        assert "Max-Age=0" in jar.lines()[0]
        assert "Path=/app" in jar.lines()[0]


def test_keys_follow_the_prefix(backend: Backend) -> None:
    with RedisStateStore(
        backend.url, secret=SECRET, cluster=backend.cluster, prefix="shop:", clock=clock()
    ) as store:
        login(store, Jar(), session())
    assert backend.all_keys()
    assert all(key.startswith("shop:") for key in backend.all_keys())
