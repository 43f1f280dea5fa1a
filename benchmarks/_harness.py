"""Shared pieces for the benchmarks: the tenant served over HTTPS, the scripted browser, timing.

- :class:`ServedTenant`: the emulated tenant on 127.0.0.1 behind a ``trustme`` CA, with the CA
  written to a PEM file (for ``SSL_CERT_FILE`` / ``requests``) and a client ``SSLContext``.
- :meth:`ServedTenant.browser_login`: the user's browser (GET the login page, POST the form),
  returning the callback URL to hand to an SDK.
- :func:`time_sync` / :func:`time_async`: per-call samples, with an untimed ``setup`` before
  and ``teardown`` after each call.
- :func:`official_time`: points the official SDK's ``time.time()`` at an injected clock (the
  tenant's and ours), so tokens can expire without sleeping.
- :class:`Stats`, :func:`comparison_table` and :func:`machine_info` for the report;
  :func:`argument_parser` and :func:`write_results` for the command line and the JSON file.
- Minimal stores the official SDK needs (its core package has none): in-memory ones, and a
  cookie-string one that unseals on every read like auth0-fastapi's stateless store.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import ssl
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import httpx
import requests
import trustme
from auth0_server_python.store.abstract import (  # type: ignore[import-untyped]
    StateStore as _OfficialStateStore,
)
from auth0_server_python.store.abstract import (
    TransactionStore as _OfficialTransactionStore,
)

from auth0_core import Env, HttpRequest, HttpResponse
from auth0_core.effects import Effect, Flow, run
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_core.tenant.records import LogEntry
from auth0_tenant_server._server import ServerThread

with warnings.catch_warnings():
    # Authlib 1.9 warns on import that its httpx glue is deprecated (and, on import of
    # authlib.deprecate, sets its warnings to "always"): noise for a benchmark.
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from auth0_server_python.auth_server import (  # type: ignore[import-untyped]
        server_client as _official_client,
    )
    from auth0_server_python.utils import helpers as _official_helpers  # type: ignore[import-untyped]
OfficialClient = _official_client.ServerClient

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
SCOPE = "openid profile email offline_access"
SECRET = "a-session-secret-of-at-least-32-characters"
USER = ("alice@example.com", "alice-password")
WARMUP = 5  # untimed calls before the timed ones (pools, caches, lazy imports)
OURS: dict[str, Any] = {  # the client settings every SDK gets (the official takes them too)
    "client_id": CLIENT_ID,
    "client_secret": CLIENT_SECRET,
    "secret": SECRET,
    # Explicit: our default scope is this; auth0-server-python 1.0.0b20 sends none by default.
    "authorization_params": {"redirect_uri": CALLBACK, "scope": SCOPE},
}
RATIO_NOTE = (
    "official / ours: official median over ours (sync / asyncio); above 1 means ours is faster"
)

T = TypeVar("T")


def run_sync(flow: Flow[T], send: Callable[[HttpRequest], HttpResponse]) -> T:
    """Run a flow that only yields HttpRequests (the scripted browser) with ``send``."""

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        return send(effect)

    return run(flow, perform)


class ServedTenant:
    """An emulated tenant served over HTTPS on loopback, for one benchmark run.

    Args:
        config: the tenant configuration (default: ``TenantConfig.default()``).
        env: the tenant's clock and randomness (default: real time).
    """

    def __init__(self, config: TenantConfig | None = None, env: Env | None = None) -> None:
        self._config = config if config is not None else TenantConfig.default()
        self._env = env
        ca = trustme.CA()
        server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(server_ssl)
        self.client_ssl = ssl.create_default_context()
        ca.configure_trust(self.client_ssl)
        self._dir = tempfile.TemporaryDirectory(prefix="auth0-bench-")
        self.ca_pem = str(Path(self._dir.name) / "ca.pem")
        ca.cert_pem.write_to_path(self.ca_pem)
        self._tenants: list[Tenant] = []
        self._server = ServerThread(make_handler=self._make_handler, ssl_context=server_ssl)
        self._browser = httpx.Client(verify=self.client_ssl)

    def _make_handler(self, base_url: str) -> Callable[[HttpRequest], HttpResponse]:
        self._tenants.append(Tenant(self._config, base_url=base_url, env=self._env))
        return self._tenants[0].handle

    def __enter__(self) -> ServedTenant:
        self._server.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._browser.close()
        self._server.__exit__(kind, exc, tb)
        self._dir.cleanup()

    @property
    def tenant(self) -> Tenant:
        return self._tenants[0]

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:<port>``, also the tenant's issuer without the trailing slash."""
        return self._server.base_url

    @property
    def host_port(self) -> str:
        """``127.0.0.1:<port>``: a domain as the official SDK expects it (it adds https://)."""
        return self.base_url.removeprefix("https://")

    def _send(self, request: HttpRequest) -> HttpResponse:
        answer = self._browser.request(
            request.method, request.url, headers=list(request.headers), content=request.body
        )
        return HttpResponse(
            status=answer.status_code,
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
        )

    def browser_login(self, authorize_url: str) -> str:
        """Log in as alice on the tenant's login page; the callback URL for the SDK."""
        return run_sync(browser_login_flow(authorize_url, *USER), self._send)

    def log_since(self, mark: int) -> list[LogEntry]:
        """Requests the tenant handled since ``mark = len(tenant.log)``."""
        return list(self.tenant.log[mark:])

    def requests_session(self) -> requests.Session:
        """A ``requests.Session`` trusting the test CA (for ``auth0_requests``)."""
        session = requests.Session()
        session.verify = self.ca_pem
        session.trust_env = False  # else the REQUESTS_CA_BUNDLE variable beats Session.verify
        return session


@dataclass(frozen=True)
class Stats:
    """Per-operation latency summary, in seconds."""

    n: int
    median: float
    p95: float

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        return cls(n=len(ordered), median=statistics.median(ordered), p95=p95)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "n": self.n,
            "median_us": round(self.median * 1e6, 1),
            "p95_us": round(self.p95 * 1e6, 1),
        }


@contextmanager
def _no_gc() -> Iterator[None]:
    """Collect, then keep the cyclic GC off while timing (as ``timeit`` does)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class _Rounds:
    """What :func:`time_sync` and :func:`time_async` share: ``warmup + n`` rounds, the samples
    of the timed ones, and ``teardown(call's result, timed)`` after each (all untimed)."""

    def __init__(self, n: int, warmup: int, teardown: Callable[[Any, bool], object] | None) -> None:
        self.rounds = range(warmup + n)
        self.warmup = warmup
        self.teardown = teardown
        self.samples: list[float] = []

    def record(self, round_: int, elapsed: float, answer: object) -> None:
        timed = round_ >= self.warmup
        if timed:
            self.samples.append(elapsed)
        if self.teardown is not None:
            self.teardown(answer, timed)


def time_sync(
    call: Callable[[Any], object],
    n: int,
    setup: Callable[[], Any] = lambda: None,
    warmup: int = WARMUP,
    teardown: Callable[[Any, bool], object] | None = None,
) -> Stats:
    """Time ``call(setup())`` ``n`` times after ``warmup`` untimed rounds; only ``call`` is
    inside the timed window. ``teardown(call's result, timed)`` runs after each call, untimed."""
    rounds = _Rounds(n, warmup, teardown)
    with _no_gc():
        for round_ in rounds.rounds:
            arg = setup()
            started = time.perf_counter()
            answer = call(arg)
            rounds.record(round_, time.perf_counter() - started, answer)
    return Stats.of(rounds.samples)


async def time_async(
    call: Callable[[Any], Awaitable[object]],
    n: int,
    setup: Callable[[], Awaitable[Any]] | None = None,
    warmup: int = WARMUP,
    teardown: Callable[[Any, bool], object] | None = None,
) -> Stats:
    """The async twin of :func:`time_sync` (``setup`` is awaited, untimed; ``teardown`` is a
    plain function)."""
    rounds = _Rounds(n, warmup, teardown)
    with _no_gc():
        for round_ in rounds.rounds:
            arg = await setup() if setup is not None else None
            started = time.perf_counter()
            answer = await call(arg)
            rounds.record(round_, time.perf_counter() - started, answer)
    return Stats.of(rounds.samples)


class _ClockTime:
    """Stands in for the ``time`` module: ``time()`` reads ``clock``, the rest is ``time``'s."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.time = clock

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


@contextmanager
def official_time(clock: Callable[[], float]) -> Iterator[None]:
    """While inside, the official SDK's ``time.time()`` is ``clock()``.

    auth0-server-python calls ``time.time()`` itself (token expiry, the discovery cache TTL, the
    session timestamps) in ``auth_server.server_client`` and ``utils.helpers``; only those two
    modules' ``time`` name is swapped, the process's ``time`` module is untouched (PyJWT, which
    checks the login's ID token, keeps real time: log in before moving the clock).
    """
    modules = (_official_client, _official_helpers)
    saved = [module.time for module in modules]
    for module in modules:
        module.time = _ClockTime(clock)
    try:
        yield
    finally:
        for module, original in zip(modules, saved, strict=True):
            module.time = original


def format_us(seconds: float) -> str:
    """``123 µs`` below 10 ms, else ``12.3 ms``."""
    return f"{seconds * 1e6:,.0f} µs" if seconds < 0.01 else f"{seconds * 1e3:,.1f} ms"


def machine_info() -> dict[str, Any]:
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": {
            name: metadata.version(name)
            for name in ("auth0-core", "auth0-server-python", "httpx", "requests", "anyio")
        },
    }


def comparison_table(
    results: dict[str, dict[str, Any]],
    title: str,
    labels: dict[str, str],
    label_width: int,
    width: int,
) -> list[str]:
    """The header and one row per operation (``labels``: operation to row label): each SDK's
    median (p95), then the official median over each of ours (``results``' last is official)."""
    names = list(results)
    header = title.ljust(label_width) + "".join(f"{name:>{width}}" for name in names)
    lines = [header + f"{'official / ours':>18}"]
    for op, label in labels.items():
        row = label.ljust(label_width)
        for name in names:
            s = results[name][op]
            cell = f"{format_us(s['median_us'] / 1e6)} ({format_us(s['p95_us'] / 1e6)})"
            row += f"{cell:>{width}}"
        official = results["official"][op]["median_us"]
        ratios = [official / results[name][op]["median_us"] for name in names[:-1]]
        lines.append(row + f"{' / '.join(f'{r:.2f}x' for r in ratios):>18}")
    return lines


def argument_parser(topic: str, iterations_help: str) -> argparse.ArgumentParser:
    """``--iterations N`` (default 200) and ``--json PATH``, as every benchmark takes them."""
    parser = argparse.ArgumentParser(description=f"auth0-core vs auth0-server-python: {topic}")
    parser.add_argument("--iterations", type=int, default=200, help=iterations_help)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    return parser


def write_results(
    path: Path, benchmark: str, argv: list[str] | None, extra: dict[str, Any]
) -> None:
    """Write the run to ``path`` as JSON: ``benchmark``, the ``command`` line, the ``machine``,
    then ``extra``'s keys in order (the iterations, the settings, the results)."""
    document = {
        "benchmark": benchmark,
        "command": " ".join([f"benchmarks/{benchmark}", *(argv or sys.argv[1:])]),
        "machine": machine_info(),
        **extra,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


# --- the official SDK's stores: what an app using auth0-server-python writes itself ---------


class OfficialMemoryTransactions(_OfficialTransactionStore):  # type: ignore[misc]
    """In-memory transactions (the official core package ships no default store)."""

    def __init__(self) -> None:
        super().__init__({"secret": SECRET})
        self.data: dict[str, Any] = {}

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = state

    async def get(self, identifier: str, options: Any = None) -> Any:
        return self.data.get(identifier)

    async def delete(self, identifier: str, options: Any = None) -> None:
        self.data.pop(identifier, None)


class OfficialMemoryStates(OfficialMemoryTransactions, _OfficialStateStore):  # type: ignore[misc]
    """In-memory sessions, one per process."""


class OfficialCookieStates(_OfficialStateStore):  # type: ignore[misc]
    """auth0-fastapi's stateless store, reduced to its cost: the sealed session is a "cookie"
    string in ``store_options["request"]["cookies"]``, decrypted with the store's ``decrypt``
    on every get; ``set`` encrypts into ``store_options["response"]["cookies"]``."""

    def __init__(self) -> None:
        super().__init__({"secret": SECRET})

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        value = state.dict() if hasattr(state, "dict") else state
        options["response"]["cookies"][identifier] = self.encrypt(identifier, value)

    async def get(self, identifier: str, options: Any = None) -> Any:
        sealed = options["request"]["cookies"].get(identifier)
        return self.decrypt(identifier, sealed) if sealed else None

    async def delete(self, identifier: str, options: Any = None) -> None:
        options["response"]["cookies"][identifier] = ""
