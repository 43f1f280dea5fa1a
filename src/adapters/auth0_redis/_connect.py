"""The stores' connection settings, and the clients a store builds (and owns) from a URL."""

from __future__ import annotations

import inspect
import math
from collections.abc import Sequence
from typing import Any

import redis.asyncio
import redis.asyncio.cluster
import redis.cluster
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

import redis
from auth0_core.errors import ConfigurationError

DEFAULT_TIMEOUT = 3.0

# A URL, or a client of redis-py (or anything with its execute_command).
Target = str | redis.Redis | redis.cluster.RedisCluster | Any


def check_seconds(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ConfigurationError(f"'{name}' must be a positive number of seconds.")
    return float(value)


def secret_list(secret: str | Sequence[str]) -> tuple[str, ...]:
    """``secret`` as a non-empty tuple of non-empty strings: the first seals, all unseal.

    Raises:
        ConfigurationError: anything else.
    """
    secrets = (secret,) if isinstance(secret, str) else tuple(secret)
    if not secrets or not all(isinstance(s, str) and s for s in secrets):
        raise ConfigurationError("A Redis store needs a non-empty secret (or list of secrets).")
    return secrets


def check_target(target: object) -> None:
    """A URL, or a client: anything with redis-py's ``execute_command``.

    Raises:
        ConfigurationError: anything else.
    """
    if isinstance(target, str):
        if not target.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigurationError(
                "The Redis URL must start with redis://, rediss:// or unix://."
            )
        return
    if not callable(getattr(target, "execute_command", None)):
        raise ConfigurationError(
            "A Redis store takes a redis:// URL or a client: redis.Redis, "
            "redis.cluster.RedisCluster, or their redis.asyncio twins."
        )


def is_async_client(target: object) -> bool:
    """Whether ``target`` is a ``redis.asyncio`` client (its commands are awaited)."""
    return not isinstance(target, str) and inspect.iscoroutinefunction(
        getattr(target, "execute_command", None)
    )


def _options(timeout: float, connect_timeout: float) -> dict[str, Any]:
    # Each command waits at most `timeout`; no retry on a timeout, one immediate retry on a
    # broken connection (a pooled socket the server closed, as after a restart).
    return {"socket_timeout": timeout, "socket_connect_timeout": connect_timeout}


def sync_client(url: str, *, cluster: bool, timeout: float, connect_timeout: float) -> Any:
    """A blocking client for ``url`` with its own connection pool."""
    options = _options(timeout, connect_timeout)
    retry = Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    if cluster:
        return redis.cluster.RedisCluster.from_url(url, retry=retry, **options)
    return redis.Redis.from_url(url, retry=retry, **options)


def close_sync_client(client: Any) -> None:
    """Close a client this package built, and every connection it opened.

    ``RedisCluster.close()`` leaves its nodes' pools connected (they are not the nodes'
    own), so those are disconnected here.
    """
    if isinstance(client, redis.cluster.RedisCluster):
        nodes: list[Any] = client.get_nodes()  # type: ignore[no-untyped-call]
        for node in nodes:
            if node.redis_connection is not None:
                node.redis_connection.connection_pool.disconnect()
    client.close()


def async_client(url: str, *, cluster: bool, timeout: float, connect_timeout: float) -> Any:
    """A ``redis.asyncio`` client for ``url`` with its own connection pool."""
    options = _options(timeout, connect_timeout)
    retry = AsyncRetry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))
    if cluster:
        return redis.asyncio.cluster.RedisCluster.from_url(url, retry=retry, **options)
    return redis.asyncio.Redis.from_url(url, retry=retry, **options)
