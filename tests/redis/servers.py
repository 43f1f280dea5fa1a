"""Real Redis servers for the tests: one standalone, one three-node cluster, on loopback.

Each runs in a temporary directory from ``redis-server`` (Debian's ``redis-server`` package;
``scripts/test.sh`` installs it when missing) and is stopped by its PID. Without the binary the
tests fail, saying what to install: they are never skipped.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import redis.cluster

import redis

INSTALL = "apt-get install -y redis-server redis-tools (scripts/test.sh does it when missing)"


def binary(name: str) -> str:
    found = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else "")
    if not found:
        pytest.fail(f"{name} is not installed; the Redis tests need it: {INSTALL}", pytrace=False)
    return found


def _bindable(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, with_bus: bool = False) -> int:
    """A free loopback port (and its cluster bus port, +10000, when ``with_bus``)."""
    for _ in range(200):
        port = random.randint(20_000, 50_000)
        if _bindable(port) and (not with_bus or _bindable(port + 10_000)):
            return port
    raise RuntimeError("no free loopback port")


class RedisServer:
    """One ``redis-server`` process on 127.0.0.1:``port``, its files in ``directory``."""

    def __init__(self, directory: Path, port: int, *options: str) -> None:
        self.directory = directory
        self.port = port
        self.options = options
        self.process: subprocess.Popen[bytes] | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            binary("redis-server"),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(self.directory),
            "--logfile", str(self.directory / "redis.log"),
            "--daemonize", "no",
            *self.options,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited {self.process.returncode}: {log}")
            try:
                with redis.Redis(port=self.port, socket_timeout=1) as client:
                    client.ping()
                return self
            except redis.ConnectionError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, sig)
            self.process.wait(timeout=15)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)


class RedisCluster:
    """Three masters, no replicas, every slot covered."""

    def __init__(self, directory: Path) -> None:
        self.ports = [free_port(with_bus=True) for _ in range(3)]
        self.nodes = [self._node(directory, port) for port in self.ports]

    @staticmethod
    def _node(directory: Path, port: int) -> RedisServer:
        options = {
            "--save": "",
            "--appendonly": "no",
            "--cluster-enabled": "yes",
            "--cluster-config-file": str(directory / str(port) / "nodes.conf"),
            "--cluster-node-timeout": "5000",
        }
        return RedisServer(directory / str(port), port, *(x for o in options.items() for x in o))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def start(self) -> RedisCluster:
        for node in self.nodes:
            node.start()
        addresses = [f"127.0.0.1:{port}" for port in self.ports]
        subprocess.run(
            [binary("redis-cli"), "--cluster", "create", *addresses,
             "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
            timeout=60,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            states = [node.client().cluster("info") for node in self.nodes]
            if all(state.get("cluster_state") == "ok" for state in states):
                return self
            time.sleep(0.05)
        raise RuntimeError("the Redis cluster did not become ready")

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def client(self) -> Any:
        return redis.cluster.RedisCluster.from_url(self.url, socket_timeout=5)
