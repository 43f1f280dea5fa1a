"""The Redis servers (session-scoped) and, per test, a flushed backend: standalone or cluster."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .servers import RedisCluster, RedisServer, free_port


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    directory = tmp_path_factory.mktemp("redis")
    server = RedisServer(directory, free_port(), "--save", "", "--appendonly", "no").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisCluster]:
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


class Backend:
    """What a test needs of the server it runs against, standalone or cluster."""

    def __init__(self, name: str, url: str, raw: Any, nodes: list[Any]) -> None:
        self.name = name
        self.url = url
        self.cluster = name == "cluster"
        self.raw = raw  # a client for looking at keys (decode_responses=False)
        self.nodes = nodes  # one plain client per master

    def store_client(self) -> Any:
        """A client a test may give a store (not owned by it)."""
        return self.raw

    def all_keys(self) -> set[str]:
        """Every key, on every node (tests only: the stores never list keys)."""
        return {key.decode() for node in self.nodes for key in node.scan_iter(count=1000)}

    def dbsize(self) -> int:
        return sum(int(node.dbsize()) for node in self.nodes)

    def calls(self) -> dict[str, int]:
        """Commands executed so far, by name, summed over the nodes (INFO commandstats)."""
        total: dict[str, int] = {}
        for node in self.nodes:
            for name, stats in node.info("commandstats").items():
                command = name.removeprefix("cmdstat_")
                total[command] = total.get(command, 0) + int(stats["calls"])
        return total

    def flush_stats(self) -> None:
        """Start counting :meth:`calls` from zero."""
        for node in self.nodes:
            node.config_resetstat()

    def flush(self) -> None:
        for node in self.nodes:
            node.flushall()
            node.config_resetstat()


@pytest.fixture(params=["standalone", "cluster"])
def backend(
    request: pytest.FixtureRequest,
) -> Iterator[Backend]:
    if request.param == "standalone":
        server: RedisServer = request.getfixturevalue("redis_server")
        raw = server.client()
        chosen = Backend("standalone", server.url, raw, [raw])
    else:
        cluster: RedisCluster = request.getfixturevalue("redis_cluster")
        nodes = [node.client() for node in cluster.nodes]
        chosen = Backend("cluster", cluster.url, cluster.client(), nodes)
    chosen.flush()
    try:
        yield chosen
    finally:
        chosen.raw.close()
        for node in chosen.nodes:
            node.close()


@pytest.fixture
def standalone(redis_server: RedisServer) -> Iterator[Backend]:
    raw = redis_server.client()
    chosen = Backend("standalone", redis_server.url, raw, [raw])
    chosen.flush()
    try:
        yield chosen
    finally:
        raw.close()
