"""The Redis server of tests/redis (a real ``redis-server`` on a free loopback port, stopped by
PID), for the demo's ``--store redis://`` tests. Without ``redis-server`` they fail, naming the
package to install, as the Redis tests do: they are never skipped."""

from __future__ import annotations

from ..redis.conftest import redis_server

__all__ = ["redis_server"]
