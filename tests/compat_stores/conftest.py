"""Servers for the store-compatibility tests: the Redis one of tests/redis, and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..redis.conftest import redis_server  # noqa: F401  (the session's redis-server)
from .postgres import PostgresServer, free_port


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer(free_port()).start()
    try:
        yield server
    finally:
        server.stop()
