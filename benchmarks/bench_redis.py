"""The Redis stores: session reads next to the cookie store, logins per second with one and two
instances, back-channel logout latency.

    .venv/bin/python benchmarks/bench_redis.py [--iterations N] [--json PATH] [--md PATH]

The benchmark starts its own ``redis-server`` (a free loopback port, ``--save "" --appendonly
no``, a temporary directory) and stops it by its PID. Every client talks to the emulated tenant
**in process** (``auth0_requests.HandlerAdapter`` / ``auth0_anyio.handler_transport``: no socket
to the tenant), so Redis is the only network hop. Three parts:

- **reads**: ``get_session`` and cached ``get_access_token`` through ``RedisStateStore`` (sync),
  ``AsyncRedisStateStore`` (asyncio) and ``CookieStateStore`` (both), interleaved in rounds;
  median and p95 per call, and the Redis commands each call costs (``INFO commandstats``).
- **logins**: full logins (start, the tenant's login page and form, complete) with the session
  and the transaction in Redis; logins per second with one client instance, with two instances
  in two processes (the deployment: instances are processes) and, to show the GIL, two in one
  process (two threads, or two tasks on one event loop); the cookie stores as a baseline.
- **back-channel logout**: ``handle_backchannel_logout`` for a user with 1 and with 100
  sessions among other users' sessions, by ``sid`` and by ``sub``, through Redis and through the
  memory store, on both facades.

See benchmarks/README.md ("What bench_redis.py measures") for how to read the numbers.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import math
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis.asyncio
import requests
from _harness import OURS, SECRET, WARMUP, Stats, argument_parser, machine_info, write_results

import auth0_anyio
import auth0_requests
import redis
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.effects import Effect, run
from auth0_core.stores import (
    CookieRequest,
    CookieResponse,
    CookieStateStore,
    CookieTransactionStore,
    MemoryStateStore,
)
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_redis import (
    AsyncRedisStateStore,
    AsyncRedisTransactionStore,
    RedisStateStore,
    RedisTransactionStore,
)

BASE = "https://tenant.example"  # the in-process tenant's base URL (never resolved)
CLIENT_ID = OURS["client_id"]
USER = ("alice@example.com", "alice-password")
NAME = "_a0_session"
OTHER_USERS = 1_000  # users with a session each, present during the back-channel logout part
MANY = 100  # sessions of the user logged out, in the larger case
READ_BATCH = 20  # calls per series per round (reads)
LOGOUT_BATCH = 5  # calls per series per round (back-channel logout)
Result = dict[str, Any]
K = TypeVar("K")
Handler = Callable[[HttpRequest], HttpResponse]
INSTALL = "apt-get install -y redis-server (scripts/test.sh does it when missing)"


# --- the Redis server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class RedisServer:
    """One ``redis-server`` on 127.0.0.1, no persistence, in a temporary directory; stopped by
    its PID."""

    def __init__(self, binary: str | None = None) -> None:
        found = binary or shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(found).exists():
            raise SystemExit(f"redis-server not found ({found}); the benchmark needs it: {INSTALL}")
        self.binary = found
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="auth0-bench-redis-")
        self.process: subprocess.Popen[bytes] | None = None
        self.version = ""

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def __enter__(self) -> RedisServer:
        directory = Path(self._dir.name)
        command = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--dir", str(directory),
            "--logfile", str(directory / "redis.log"),
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                log = (directory / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"redis-server exited {self.process.returncode}: {log}")
            try:
                with self.client() as probe:
                    self.version = str(probe.info("server")["redis_version"])
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError(f"redis-server did not answer on {self.port}") from None
                time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.process = None
        self._dir.cleanup()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=5)


class CommandCounter:
    """Commands Redis ran (``INFO commandstats``, commands run by scripts included), between
    :meth:`mark` and :meth:`take`, accumulated; ``info`` and ``config`` themselves excluded."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._before: dict[str, int] = {}
        self.total: dict[str, int] = {}
        self.calls = 0

    def _now(self) -> dict[str, int]:
        stats: dict[str, Any] = self._client.info("commandstats")
        return {name.removeprefix("cmdstat_"): int(s["calls"]) for name, s in stats.items()}

    def mark(self) -> None:
        self._before = self._now()

    def take(self, calls: int) -> None:
        for name, count in self._now().items():
            delta = count - self._before.get(name, 0)
            if delta and name not in ("info", "config"):
                self.total[name] = self.total.get(name, 0) + delta
        self.calls += calls

    def per_call(self) -> dict[str, float]:
        return {
            name.upper(): round(count / self.calls, 2)
            for name, count in sorted(self.total.items())
            if self.calls
        }


def commands_text(per_call: dict[str, float]) -> str:
    if not per_call:
        return "none"
    return ", ".join(f"{name} {count:g}" for name, count in per_call.items())


# --- the browser, the tenant and the clients -------------------------------------------------


class Jar:
    """One browser's cookies between requests (what ``CookieResponse`` set or deleted)."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.response = CookieResponse()

    def options(self) -> dict[str, Any]:
        self.response = CookieResponse()
        return {"request": CookieRequest(self.cookies), "response": self.response}

    def absorb(self) -> None:
        self.cookies.update(self.response.cookies)
        for name in self.response.deleted:
            self.cookies.pop(name, None)


class TimedTenant:
    """The in-process tenant, with the time spent inside it counted (its share of a login)."""

    def __init__(self, env: Env | None = None) -> None:
        self.env = env
        self.tenant = Tenant(TenantConfig.default(), base_url=BASE, env=env)
        self.seconds = 0.0

    def reset(self) -> None:
        """A new tenant, the same signing key (the process-wide pooled one), so the clients'
        cached discovery and JWKS stay valid. The emulated tenant remembers every used code for
        a day and scans them on every request: without this, its share of a login would grow
        with the logins before it (+0.2 ms per 1,000 logins), and later rounds would be slower."""
        self.tenant = Tenant(TenantConfig.default(), base_url=BASE, env=self.env)

    def handle(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        try:
            return self.tenant.handle(request)
        finally:
            self.seconds += time.perf_counter() - started

    def browser_login(self, authorize_url: str) -> str:
        """Alice on the tenant's login page (GET it, POST the form): the callback URL."""

        def perform(effect: Effect) -> HttpResponse:
            assert isinstance(effect, HttpRequest), effect
            return self.handle(effect)

        callback: str = run(browser_login_flow(authorize_url, *USER), perform)
        return callback


def sync_client(handler: Handler, **stores: Any) -> auth0_requests.ServerClient:
    session = requests.Session()
    session.mount(BASE, auth0_requests.HandlerAdapter(handler))
    return auth0_requests.ServerClient(session=session, domain=BASE, **OURS, **stores)


def async_client(handler: Handler, **stores: Any) -> auth0_anyio.ServerClient:
    http = httpx.AsyncClient(transport=auth0_anyio.handler_transport(handler))
    return auth0_anyio.ServerClient(http_client=http, domain=BASE, **OURS, **stores)


def login_sync(client: auth0_requests.ServerClient, tenant: TimedTenant, jar: Jar) -> None:
    url = client.start_interactive_login(store_options=jar.options())
    jar.absorb()
    client.complete_interactive_login(tenant.browser_login(url), store_options=jar.options())
    jar.absorb()


async def login_async(client: auth0_anyio.ServerClient, tenant: TimedTenant, jar: Jar) -> None:
    url = await client.start_interactive_login(store_options=jar.options())
    jar.absorb()
    callback = tenant.browser_login(url)
    await client.complete_interactive_login(callback, store_options=jar.options())
    jar.absorb()


@contextmanager
def gc_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def rotated(names: list[K], round_: int) -> list[K]:
    shift = round_ % len(names)
    return names[shift:] + names[:shift]


# --- part 1: reads ---------------------------------------------------------------------------

READ_OPS = ("get_session", "get_access_token")
READ_SERIES = ("cookie (sync)", "redis (sync)", "cookie (asyncio)", "redis (asyncio)")
PING_SYNC, PING_ASYNC = "PING (sync)", "PING (asyncio)"


@dataclass
class ReadSeries:
    """One store on one facade, and the calls timed through it."""

    sync: Callable[[str, dict[str, Any]], object] | None
    asyn: Callable[[str, dict[str, Any]], Awaitable[object]] | None
    jar: Jar
    samples: dict[str, list[float]] = field(default_factory=lambda: {op: [] for op in READ_OPS})


def sync_reader(client: auth0_requests.ServerClient) -> Callable[[str, dict[str, Any]], object]:
    def call(op: str, options: dict[str, Any]) -> object:
        if op == "get_session":
            return client.get_session(store_options=options)
        return client.get_access_token(store_options=options)

    return call


def async_reader(
    client: auth0_anyio.ServerClient,
) -> Callable[[str, dict[str, Any]], Awaitable[object]]:
    async def call(op: str, options: dict[str, Any]) -> object:
        if op == "get_session":
            return await client.get_session(store_options=options)
        return await client.get_access_token(store_options=options)

    return call


def read_batch(runner: asyncio.Runner, series: ReadSeries, op: str, calls: int) -> list[Any]:
    """``calls`` timed calls (GC off); the answers, for the checks."""
    answers: list[Any] = []
    samples = series.samples[op]
    if series.sync is not None:
        reader = series.sync
        with gc_off():
            for _ in range(calls):
                options = series.jar.options()
                started = time.perf_counter()
                answer = reader(op, options)
                samples.append(time.perf_counter() - started)
                answers.append(answer)
        return answers
    assert series.asyn is not None
    areader = series.asyn

    async def batch() -> None:
        for _ in range(calls):
            options = series.jar.options()
            started = time.perf_counter()
            answer = await areader(op, options)
            samples.append(time.perf_counter() - started)
            answers.append(answer)

    with gc_off():
        runner.run(batch())
    return answers


def bench_reads(server: RedisServer, runner: asyncio.Runner, calls: int) -> Result:
    """get_session and cached get_access_token, four series interleaved in rounds."""
    clock = FixedClock(int(time.time()))  # nothing expires or rolls during the part
    tenant = TimedTenant(Env(clock=clock))
    env = Env(clock=clock)
    redis_sync_store = RedisStateStore(server.url, secret=SECRET, secure=False, clock=clock)
    redis_async_store = AsyncRedisStateStore(server.url, secret=SECRET, secure=False, clock=clock)
    cookie_store = CookieStateStore(SECRET, secure=False, clock=clock)
    cookie_sync = sync_client(tenant.handle, env=env, state_store=cookie_store)
    redis_sync = sync_client(tenant.handle, env=env, state_store=redis_sync_store)
    cookie_async = async_client(tenant.handle, env=env, state_store=cookie_store)
    redis_async = async_client(tenant.handle, env=env, state_store=redis_async_store)

    # One login per store, the sessions then read by both facades: the same sealed payload.
    cookie_jar, redis_jar = Jar(), Jar()
    login_sync(cookie_sync, tenant, cookie_jar)
    login_sync(redis_sync, tenant, redis_jar)
    # One bare round trip to the same server (PING), for scale: it is most of the difference.
    ping_sync = server.client()
    ping_async = redis.asyncio.Redis(port=server.port, socket_timeout=5)

    def sync_ping(op: str, options: dict[str, Any]) -> object:
        return ping_sync.ping()

    async def async_ping(op: str, options: dict[str, Any]) -> object:
        return await ping_async.ping()

    series = {
        "cookie (sync)": ReadSeries(sync_reader(cookie_sync), None, cookie_jar),
        "redis (sync)": ReadSeries(sync_reader(redis_sync), None, redis_jar),
        "cookie (asyncio)": ReadSeries(None, async_reader(cookie_async), cookie_jar),
        "redis (asyncio)": ReadSeries(None, async_reader(redis_async), redis_jar),
        PING_SYNC: ReadSeries(sync_ping, None, Jar()),
        PING_ASYNC: ReadSeries(None, async_ping, Jar()),
    }
    tokens = {}
    for jar, client in ((cookie_jar, cookie_sync), (redis_jar, redis_sync)):
        session = client.get_session(store_options=jar.options())
        assert session is not None
        tokens[id(jar)] = session["token_sets"][0]["access_token"]
    refreshes = tenant.tenant.count(path="/oauth/token", grant_type="refresh_token")

    def check(op: str, one: ReadSeries, answers: list[Any]) -> None:
        for answer in answers:
            if one.sync is sync_ping or one.asyn is async_ping:
                assert answer is True
            elif op == "get_session":
                assert answer["user"]["sub"] == "auth0|alice", answer
            else:
                assert answer == tokens[id(one.jar)], "not the session's cached token"

    for one in series.values():  # warm-up: pools, connections, the event loop, scripts
        for op in READ_OPS:
            check(op, one, read_batch(runner, one, op, WARMUP))
    batch = min(READ_BATCH, calls)
    rounds = math.ceil(calls / batch)
    names = list(series)
    gc.collect()
    for round_ in range(rounds):
        ops = READ_OPS if round_ % 2 == 0 else READ_OPS[::-1]
        for op in ops:
            for name in rotated(names, round_):
                check(op, series[name], read_batch(runner, series[name], op, batch))
    assert tenant.tenant.count(path="/oauth/token", grant_type="refresh_token") == refreshes

    results: Result = {
        op: {name: Stats.of(series[name].samples[op]).as_dict() for name in READ_SERIES}
        for op in READ_OPS
    }
    results["round_trip"] = {
        name: Stats.of([x for op in READ_OPS for x in series[name].samples[op]]).as_dict()
        for name in (PING_SYNC, PING_ASYNC)
    }
    monitor = server.client()
    for op in READ_OPS:  # after the timed rounds: what one call costs in Redis commands
        for name in ("redis (sync)", "redis (asyncio)"):
            counter = CommandCounter(monitor)
            counter.mark()
            read_batch(runner, series[name], op, READ_BATCH)
            counter.take(READ_BATCH)
            results[op][name]["redis_commands_per_call"] = counter.per_call()
    (record,) = monitor.scan_iter(match="auth0:*:s:*")  # the one session in Redis
    sealed = "".join(value for _, value in sorted(cookie_jar.cookies.items()))
    results["sizes"] = {
        "sealed_cookie_bytes": len(sealed),
        "redis_record_bytes": int(monitor.hstrlen(record, "v")),
    }
    results["rounds"] = rounds
    results["calls_per_round"] = batch

    cookie_sync.close()
    redis_sync.close()
    redis_sync_store.close()

    async def close_async() -> None:
        await cookie_async.aclose()
        await redis_async.aclose()
        await redis_async_store.aclose()

    runner.run(close_async())
    runner.run(ping_async.aclose())
    ping_sync.close()
    monitor.close()
    return results


# --- part 2: logins per second ---------------------------------------------------------------

# (label, facade, store, worker processes, instances per process)
LOGIN_CONFIGS: list[tuple[str, str, str, int, int]] = [
    ("sync, redis, 1 instance", "sync", "redis", 1, 1),
    ("sync, redis, 2 processes", "sync", "redis", 2, 1),
    ("sync, redis, 2 threads", "sync", "redis", 1, 2),
    ("sync, cookie, 1 instance", "sync", "cookie", 1, 1),
    ("asyncio, redis, 1 instance", "asyncio", "redis", 1, 1),
    ("asyncio, redis, 2 processes", "asyncio", "redis", 2, 1),
    ("asyncio, redis, 2 tasks", "asyncio", "redis", 1, 2),
    ("asyncio, cookie, 1 instance", "asyncio", "cookie", 1, 1),
]


class LoginWorker:
    """One process's client instances (two per facade and store kind), on one in-process
    tenant (real time), the sessions and transactions in the shared Redis."""

    def __init__(self, url: str) -> None:
        self.tenant = TimedTenant()
        self.url = url
        self.runner = asyncio.Runner()
        self.sync_stores: list[Any] = []
        self.sync: dict[str, list[auth0_requests.ServerClient]] = {"redis": [], "cookie": []}
        for _ in range(2):
            state = RedisStateStore(url, secret=SECRET, secure=False)
            transactions = RedisTransactionStore(url, secret=SECRET)
            self.sync_stores += [state, transactions]
            self.sync["redis"].append(self._sync("redis", state, transactions))
            self.sync["cookie"].append(self._sync("cookie", None, None))
        self.asyn: dict[str, list[auth0_anyio.ServerClient]] = {"redis": [], "cookie": []}
        self.async_stores: list[Any] = []
        self.runner.run(self._make_async())
        self._check_shared()

    def _check_shared(self) -> None:
        """A session one instance wrote is read by the others (sync and asyncio)."""
        jar = Jar()
        login_sync(self.sync["redis"][0], self.tenant, jar)
        readers: list[Callable[[], Any]] = [
            lambda: self.sync["redis"][1].get_session(store_options=jar.options()),
            lambda: self.runner.run(self.asyn["redis"][1].get_session(store_options=jar.options())),
        ]
        for read in readers:
            session = read()
            assert session is not None
            assert session["user"]["sub"] == "auth0|alice", session

    def _sync(self, kind: str, state: Any, transactions: Any) -> auth0_requests.ServerClient:
        if kind == "cookie":
            state = CookieStateStore(SECRET, secure=False)
            transactions = CookieTransactionStore(SECRET, secure=False)
        return sync_client(self.tenant.handle, state_store=state, transaction_store=transactions)

    async def _make_async(self) -> None:  # inside the loop the redis.asyncio pools belong to
        for _ in range(2):
            state = AsyncRedisStateStore(self.url, secret=SECRET, secure=False)
            transactions = AsyncRedisTransactionStore(self.url, secret=SECRET)
            self.async_stores += [state, transactions]
            self.asyn["redis"].append(
                async_client(self.tenant.handle, state_store=state, transaction_store=transactions)
            )
            self.asyn["cookie"].append(
                async_client(
                    self.tenant.handle,
                    state_store=CookieStateStore(SECRET, secure=False),
                    transaction_store=CookieTransactionStore(SECRET, secure=False),
                )
            )

    def run(self, facade: str, store: str, instances: int, logins: int, start_at: float) -> Result:
        """``logins`` full logins per instance, the instances at once, from ``start_at``
        (``time.monotonic``, system-wide); every login's duration and the run's span."""
        self.tenant.reset()
        gc.collect()
        latencies: list[float] = []
        tenant_before = self.tenant.seconds
        time.sleep(max(0.0, start_at - time.monotonic()))
        started = time.monotonic()
        if facade == "sync":
            clients = self.sync[store][:instances]
            if instances == 1:
                self._sync_logins(clients[0], logins, latencies)
            else:
                done: list[list[float]] = [[] for _ in clients]
                threads = [
                    threading.Thread(target=self._sync_logins, args=(client, logins, out))
                    for client, out in zip(clients, done, strict=True)
                ]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                for out in done:
                    latencies += out
        else:
            aclients = self.asyn[store][:instances]

            async def all_logins() -> None:
                done = await asyncio.gather(*(self._async_logins(c, logins) for c in aclients))
                for one in done:
                    latencies.extend(one)

            self.runner.run(all_logins())
        ended = time.monotonic()
        assert len(latencies) == logins * instances
        return {
            "start": started,
            "end": ended,
            "latencies": latencies,
            "tenant_seconds": self.tenant.seconds - tenant_before,
        }

    def _sync_logins(
        self, client: auth0_requests.ServerClient, logins: int, latencies: list[float]
    ) -> None:
        for _ in range(logins):
            jar = Jar()
            started = time.perf_counter()
            login_sync(client, self.tenant, jar)
            latencies.append(time.perf_counter() - started)
            assert NAME in jar.cookies or f"{NAME}_0" in jar.cookies, jar.cookies

    async def _async_logins(self, client: auth0_anyio.ServerClient, logins: int) -> list[float]:
        latencies = []
        for _ in range(logins):
            jar = Jar()
            started = time.perf_counter()
            await login_async(client, self.tenant, jar)
            latencies.append(time.perf_counter() - started)
            assert NAME in jar.cookies or f"{NAME}_0" in jar.cookies, jar.cookies
        return latencies

    def close(self) -> None:
        for client in self.sync["redis"] + self.sync["cookie"]:
            client.close()
        for store in self.sync_stores:
            store.close()

        async def close_async() -> None:
            for client in self.asyn["redis"] + self.asyn["cookie"]:
                await client.aclose()
            for store in self.async_stores:
                await store.aclose()

        self.runner.run(close_async())
        self.runner.close()


def login_worker(conn: Connection, url: str) -> None:
    """A worker process: runs what the parent sends until ``("stop",)``."""
    worker: LoginWorker | None = None
    try:
        worker = LoginWorker(url)
        conn.send(("ready",))
        while True:
            message = conn.recv()
            if message[0] == "stop":
                break
            conn.send(("done", worker.run(*message[1:])))
    except BaseException:
        conn.send(("error", traceback.format_exc()))
    finally:
        if worker is not None:
            worker.close()
        conn.close()


class Workers:
    """Two worker processes (spawned: a clean interpreter each, no forked Redis connections)."""

    def __init__(self, url: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        for _ in range(2):
            parent, child = context.Pipe()
            process = context.Process(target=login_worker, args=(child, url), daemon=True)
            process.start()
            child.close()
            self.pipes.append(parent)
            self.processes.append(process)
        for pipe in self.pipes:
            self._answer(pipe)

    @staticmethod
    def _answer(pipe: Connection) -> Any:
        message = pipe.recv()
        if message[0] == "error":
            raise RuntimeError(f"a login worker failed:\n{message[1]}")
        return message[1] if len(message) > 1 else None

    def run(self, processes: int, *args: Any) -> list[Result]:
        start_at = time.monotonic() + 0.05
        for pipe in self.pipes[:processes]:
            pipe.send(("run", *args, start_at))
        return [self._answer(pipe) for pipe in self.pipes[:processes]]

    def close(self) -> None:
        for pipe in self.pipes:
            with suppress(OSError):
                pipe.send(("stop",))
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signal.SIGTERM)
                process.join(timeout=10)


def bench_logins(server: RedisServer, rounds: int, logins: int) -> Result:
    """Logins per second, every configuration once per round, the order rotating."""
    monitor = server.client()
    workers = Workers(server.url)
    try:
        for _, facade, store, processes, instances in LOGIN_CONFIGS:  # warm-up, untimed
            workers.run(processes, facade, store, instances, 2)
        runs: dict[str, list[list[Result]]] = {label: [] for label, *_ in LOGIN_CONFIGS}
        counters = {label: CommandCounter(monitor) for label, *_ in LOGIN_CONFIGS}
        labels = list(runs)
        by_label = {config[0]: config for config in LOGIN_CONFIGS}
        for round_ in range(rounds):
            for label in rotated(labels, round_):
                _, facade, store, processes, instances = by_label[label]
                counters[label].mark()
                runs[label].append(workers.run(processes, facade, store, instances, logins))
                counters[label].take(logins * processes * instances)
    finally:
        workers.close()
        monitor.close()
    results: Result = {}
    for label, facade, store, processes, instances in LOGIN_CONFIGS:
        per_round = [
            sum(len(r["latencies"]) for r in one)
            / (max(r["end"] for r in one) - min(r["start"] for r in one))
            for one in runs[label]
        ]
        latencies = [s for one in runs[label] for r in one for s in r["latencies"]]
        tenant = sum(r["tenant_seconds"] for one in runs[label] for r in one)
        results[label] = {
            "facade": facade,
            "store": store,
            "processes": processes,
            "instances_per_process": instances,
            "logins_per_round": logins * processes * instances,
            "logins_per_second": {
                "median": round(statistics.median(per_round), 1),
                "min": round(min(per_round), 1),
                "max": round(max(per_round), 1),
                "rounds": [round(x, 1) for x in per_round],
            },
            "latency": Stats.of(latencies).as_dict(),
            "tenant_ms_per_login": round(tenant / len(latencies) * 1e3, 2),
            "redis_commands_per_login": counters[label].per_call() if store == "redis" else {},
            # How far apart the processes started (the span counts from the first start).
            "start_skew_ms_max": round(
                max(
                    max(r["start"] for r in one) - min(r["start"] for r in one)
                    for one in runs[label]
                )
                * 1e3,
                2,
            ),
        }
    return results


# --- part 3: back-channel logout -------------------------------------------------------------

# Through the facades (the whole call), and the state store's delete_by_logout_token alone.
LOGOUT_SERIES = ("redis (sync)", "redis (asyncio)", "memory (sync)", "memory (asyncio)",
                 "redis: store only", "memory: store only")  # fmt: skip
LOGOUT_CASES = ("1 session, by sid", "1 session, by sub", f"{MANY} sessions, by sid",
                f"{MANY} sessions, by sub")  # fmt: skip
Claims = dict[str, str | None]


def clone(template: dict[str, Any], sub: str, sid: str) -> dict[str, Any]:
    """The template session (a real login's) as another user's, in another IdP session."""
    state = copy.deepcopy(template)
    state["user"]["sub"] = sub
    state["internal"]["sid"] = sid
    return state


class Population:
    """Sessions written straight into one store (Redis or memory), each with its own jar;
    None marks one found deleted."""

    def __init__(
        self, store: Any, template: dict[str, Any], redis_client: redis.Redis | None = None
    ) -> None:
        self.store = store
        self.template = template
        self.redis = redis_client  # to check many records in one round trip
        self.users: dict[str, list[Jar | None]] = {}

    @staticmethod
    def sid(sub: str, index: int) -> str:
        return f"{sub}-idp-session-{index}"

    def _add(self, sub: str, index: int) -> Jar:
        jar = Jar()
        state = clone(self.template, sub, self.sid(sub, index))
        self.store.set(NAME, state, remove_if_expires=True, options=jar.options())
        jar.absorb()
        return jar

    def fill(self, sub: str, sessions: int) -> None:
        """``sub`` has ``sessions`` sessions, ``sid`` 0 to ``sessions - 1``: writes the ones
        missing (untimed)."""
        jars = self.users.setdefault(sub, [])
        jars += [None] * (sessions - len(jars))
        for index, jar in enumerate(jars):
            if jar is None:
                jars[index] = self._add(sub, index)

    def settle(self, sub: str) -> int:
        """Marks ``sub``'s deleted sessions; how many are left."""
        jars = self.users[sub]
        live = [(index, jar) for index, jar in enumerate(jars) if jar is not None]
        if self.redis is not None:
            # The record of the session id U.R is {prefix}{U}:s:R (docs/redis.md, Key layout).
            with self.redis.pipeline(transaction=False) as pipe:
                for _, jar in live:
                    user, nonce = jar.cookies[NAME].split(".")
                    pipe.exists(f"auth0:{{{user}}}:s:{nonce}")
                found = [bool(n) for n in pipe.execute()]
        else:
            found = [self.store.get(NAME, options=jar.options()) is not None for _, jar in live]
        for (index, _), there in zip(live, found, strict=True):
            if not there:
                jars[index] = None
        return sum(jar is not None for jar in jars)


Call = Callable[[str, Claims], float]  # (the token, its claims) -> seconds


@dataclass
class LogoutSeries:
    call: Call
    population: Population
    counter: CommandCounter | None
    samples: list[float] = field(default_factory=list)


def bench_logouts(server: RedisServer, runner: asyncio.Runner, calls: int) -> Result:
    """handle_backchannel_logout by sid and by sub for a user with 1 and with MANY sessions,
    among OTHER_USERS other users' sessions; the series interleaved in rounds."""
    clock = FixedClock(int(time.time()))
    tenant = TimedTenant(Env(clock=clock))
    env = Env(clock=clock)
    redis_sync_store = RedisStateStore(server.url, secret=SECRET, secure=False, clock=clock)
    redis_async_store = AsyncRedisStateStore(server.url, secret=SECRET, secure=False, clock=clock)
    # The untimed writes and checks.
    populator = RedisStateStore(server.url, secret=SECRET, secure=False, clock=clock)
    memory = MemoryStateStore(secure=False, clock=clock)
    clients_sync = {
        "redis (sync)": sync_client(tenant.handle, env=env, state_store=redis_sync_store),
        "memory (sync)": sync_client(tenant.handle, env=env, state_store=memory),
    }
    clients_async = {
        "redis (asyncio)": async_client(tenant.handle, env=env, state_store=redis_async_store),
        "memory (asyncio)": async_client(tenant.handle, env=env, state_store=memory),
    }
    # A real login gives the template every other session is cloned from.
    jar = Jar()
    login_sync(clients_sync["redis (sync)"], tenant, jar)
    template = populator.get(NAME, options=jar.options())
    assert template is not None
    assert template["internal"].get("sid"), "the tenant's ID token carries no sid"
    issuer = template["user"]["iss"]
    populator.delete(NAME, options=jar.options())
    monitor = server.client()
    populations = {
        "redis": Population(populator, template, monitor),
        "memory": Population(memory, template),
    }
    for population in populations.values():
        for user in range(OTHER_USERS):
            population.fill(f"auth0|other-{user}", 1)

    def sync_call(client: auth0_requests.ServerClient) -> Call:
        def call(token: str, claims: Claims) -> float:
            with gc_off():
                started = time.perf_counter()
                client.handle_backchannel_logout(token)
                return time.perf_counter() - started

        return call

    def async_call(client: auth0_anyio.ServerClient) -> Call:
        async def timed(token: str) -> float:
            started = time.perf_counter()
            await client.handle_backchannel_logout(token)
            return time.perf_counter() - started

        def call(token: str, claims: Claims) -> float:
            with gc_off():
                return runner.run(timed(token))

        return call

    def store_call(store: Any) -> Call:
        def call(token: str, claims: Claims) -> float:
            with gc_off():
                started = time.perf_counter()
                store.delete_by_logout_token(claims)
                return time.perf_counter() - started

        return call

    calls_by_name: dict[str, Call] = {
        **{name: sync_call(client) for name, client in clients_sync.items()},
        **{name: async_call(client) for name, client in clients_async.items()},
        "redis: store only": store_call(redis_sync_store),
        "memory: store only": store_call(memory),
    }
    series: dict[tuple[str, str], LogoutSeries] = {}
    for name in LOGOUT_SERIES:
        kind = name.split()[0].rstrip(":")
        for case in LOGOUT_CASES:
            counter = CommandCounter(monitor) if kind == "redis" else None
            series[name, case] = LogoutSeries(calls_by_name[name], populations[kind], counter)

    def one_call(key: tuple[str, str], timed: bool) -> None:
        name, case = key
        one = series[key]
        sessions = MANY if case.startswith(str(MANY)) else 1
        sub = f"auth0|target-{sessions}"
        one.population.fill(sub, sessions)
        by_sid = case.endswith("by sid")
        # As Auth0 sends them: sub and sid; the by-sub case has no sid (every session ends).
        sid = Population.sid(sub, 0) if by_sid else None
        token = tenant.tenant.mint_logout_token(CLIENT_ID, sub=sub, sid=sid)
        claims: Claims = {"sid": sid, "sub": sub, "iss": issuer}  # what the core passes
        if one.counter is not None and timed:
            one.counter.mark()
        seconds = one.call(token, claims)
        if one.counter is not None and timed:
            one.counter.take(1)
        if timed:
            one.samples.append(seconds)
        left = one.population.settle(sub)
        expected = sessions - 1 if by_sid else 0
        assert left == expected, f"{name}, {case}: {left} sessions left, not {expected}"

    keys = list(series)
    for key in keys:  # warm-up: discovery, the JWKS, connections, scripts
        for _ in range(2):
            one_call(key, timed=False)
    batch = min(LOGOUT_BATCH, calls)
    rounds = math.ceil(calls / batch)
    for round_ in range(rounds):
        for key in rotated(keys, round_):
            for _ in range(batch):
                one_call(key, timed=True)

    for population in populations.values():  # the other users' sessions are all there
        assert all(population.settle(f"auth0|other-{u}") == 1 for u in range(OTHER_USERS))
    results: Result = {
        name: {
            case: {
                **Stats.of(series[name, case].samples).as_dict(),
                "redis_commands_per_call": (
                    counter.per_call() if (counter := series[name, case].counter) else {}
                ),
            }
            for case in LOGOUT_CASES
        }
        for name in LOGOUT_SERIES
    }
    results["setting"] = {
        "other_users": OTHER_USERS,
        "sessions_per_other_user": 1,
        "sessions_in_store": OTHER_USERS + 1 + MANY,
        "rounds": rounds,
        "calls_per_round": batch,
    }
    for client in clients_sync.values():
        client.close()

    async def close_async() -> None:
        for aclient in clients_async.values():
            await aclient.aclose()
        await redis_async_store.aclose()

    runner.run(close_async())
    redis_sync_store.close()
    populator.close()
    monitor.close()
    return results


# --- report ----------------------------------------------------------------------------------


def us(seconds_us: float) -> str:
    return f"{seconds_us:,.0f}" if seconds_us >= 100 else f"{seconds_us:,.1f}"


def cell(stats: Result) -> str:
    return f"{us(stats['median_us'])} ({us(stats['p95_us'])})"


def report(results: Result, version: str, load: dict[str, list[float]]) -> str:
    reads, logins, logouts = results["reads"], results["logins"], results["backchannel_logout"]
    lines = [
        f"redis-server {version} on 127.0.0.1 (no persistence); the tenant in process; load "
        f"average (1, 5, 15 min) before {load['before']}, after {load['after']}",
        "",
        f"1. Session reads, µs per call: median (p95); {reads['rounds']} interleaved rounds of "
        f"{reads['calls_per_round']} calls per series",
        "",
        f"{'':<18}" + "".join(f"{name:>20}" for name in READ_SERIES) + f"{'redis / cookie':>18}",
    ]
    for op in READ_OPS:
        row = reads[op]
        ratios = [
            row[f"redis ({facade})"]["median_us"] / row[f"cookie ({facade})"]["median_us"]
            for facade in ("sync", "asyncio")
        ]
        lines.append(
            f"{op:<18}"
            + "".join(f"{cell(row[name]):>20}" for name in READ_SERIES)
            + f"{' / '.join(f'{r:.2f}x' for r in ratios):>18}"
        )
    trip = reads["round_trip"]
    lines += [
        f"{'one Redis round trip':<18}{'':>20}{cell(trip[PING_SYNC]):>20}{'':>20}"
        f"{cell(trip[PING_ASYNC]):>20}   (PING, redis-py / redis.asyncio)",
        "",
        "Redis commands per call:",
    ]
    for op in READ_OPS:
        for facade in ("sync", "asyncio"):
            per_call = reads[op][f"redis ({facade})"]["redis_commands_per_call"]
            lines.append(f"  {op} ({facade}): {commands_text(per_call)}")
    sizes = reads["sizes"]
    lines += [
        f"sealed session: {sizes['sealed_cookie_bytes']:,} bytes in cookies, "
        f"{sizes['redis_record_bytes']:,} bytes in the Redis record",
        "",
        "2. Full logins (start + the tenant's login page and form + complete), tenant in process",
        "",
        f"{'':<30}{'logins/s median (min-max)':>27}{'ms per login (p95)':>22}"
        f"{'tenant ms/login':>17}",
    ]
    for label, row in logins.items():
        rate = row["logins_per_second"]
        latency = f"{row['latency']['median_us'] / 1e3:.2f} ({row['latency']['p95_us'] / 1e3:.2f})"
        lines.append(
            f"{label:<30}"
            + f"{rate['median']:>12,.0f} ({rate['min']:,.0f}-{rate['max']:,.0f})".rjust(27)
            + f"{latency:>22}{row['tenant_ms_per_login']:>17.2f}"
        )
    first = next(iter(logins.values()))
    lines += [
        f"{len(first['logins_per_second']['rounds'])} rounds; per round each instance logs in "
        f"{first['logins_per_round'] // (first['processes'] * first['instances_per_process'])} "
        "times",
        "Redis commands per login:",
    ]
    for row in logins.values():
        if row["store"] == "redis" and row["processes"] * row["instances_per_process"] == 1:
            lines.append(f"  {row['facade']}: {commands_text(row['redis_commands_per_login'])}")
    setting = logouts["setting"]
    lines += [
        "",
        f"3. handle_backchannel_logout, µs per call: median (p95); {setting['other_users']:,} "
        f"other users' sessions present; {setting['rounds']} interleaved rounds of "
        f"{setting['calls_per_round']}",
        "",
        f"{'':<22}" + "".join(f"{name:>19}" for name in LOGOUT_SERIES),
    ]
    for case in LOGOUT_CASES:
        lines.append(
            f"{case:<22}" + "".join(f"{cell(logouts[name][case]):>19}" for name in LOGOUT_SERIES)
        )
    lines += [
        "",
        "Redis commands per call, the whole call (store only: without the jti claim's "
        "EVALSHA, GET, SET):",
    ]
    for case in LOGOUT_CASES:
        per_call = logouts["redis (sync)"][case]["redis_commands_per_call"]
        lines.append(f"  {case}: {commands_text(per_call)}")
    return "\n".join(lines)


def markdown(text: str, argv: list[str] | None) -> str:
    machine = machine_info()
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    args = argv if argv is not None else sys.argv[1:]
    command = " ".join(["benchmarks/bench_redis.py", *args])
    return (
        "# Redis stores: one run\n\n"
        f"`.venv/bin/python {command}` on {machine['nproc']} CPUs, "
        f"{machine['implementation']} {machine['python']}, {machine['platform']}; {packages}, "
        f"redis-py {redis.__version__}.\n"
        "How to read it: benchmarks/README.md.\n\n"
        f"```text\n{text}\n```\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(
        "the Redis stores",
        "reads: 5N timed calls per series; back-channel logout: max(3, N // 2) per series; "
        "logins: max(1, N // 20) rounds of max(2, N // 4) logins per instance (default 200)",
    )
    parser.description = "auth0-core: the Redis stores next to the cookie and memory stores"
    parser.add_argument("--md", type=Path, help="also write the report to this Markdown file")
    parser.add_argument("--redis-server", help="the redis-server binary (default: on PATH)")
    args = parser.parse_args(argv)
    n = max(1, args.iterations)
    read_calls, logout_calls = 5 * n, max(3, n // 2)
    login_rounds, logins = max(1, n // 20), max(2, n // 4)

    load_before = os.getloadavg()
    with RedisServer(args.redis_server) as server, asyncio.Runner() as runner:
        parts: list[tuple[str, Callable[[], Result]]] = [
            ("reads", lambda: bench_reads(server, runner, read_calls)),
            ("logins", lambda: bench_logins(server, login_rounds, logins)),
            ("backchannel_logout", lambda: bench_logouts(server, runner, logout_calls)),
        ]
        results: Result = {}
        seconds: dict[str, float] = {}
        with server.client() as flush:
            for name, part in parts:
                flush.flushall()  # each part on an empty Redis
                started = time.monotonic()
                results[name] = part()
                seconds[name] = round(time.monotonic() - started, 1)
        version = server.version
    load = {"before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    text = report(results, version, load)
    print(text)
    if args.json:
        extra = {
            "iterations": {
                "reads_per_series": read_calls,
                "backchannel_logout_per_series": logout_calls,
                "login_rounds": login_rounds,
                "logins_per_instance_per_round": logins,
            },
            "redis_server": version,
            "seconds_per_part": seconds,
            "load_average": load,
            "redis_py": redis.__version__,
            "results": results,
        }
        write_results(args.json, "bench_redis.py", argv, extra)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(markdown(text, argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
