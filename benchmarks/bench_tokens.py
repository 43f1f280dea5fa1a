"""Access tokens: auth0-core (sync and asyncio) vs auth0-server-python.

    .venv/bin/python benchmarks/bench_tokens.py [--iterations N] [--json PATH]

One run serves the emulated tenant over HTTPS on 127.0.0.1, logs one user in per SDK (session
in an in-memory store) and measures, per SDK:

- ``get_access_token`` with a cached, fresh token (no network): the official's store (a plain
  dict) holds the ``StateData`` model its own login stored, which its ``get_access_token``
  dumps (``.dict()``) on every call, as bench_hot_paths.py's memory rows now do too;
- ``get_access_token`` that must refresh: before each timed call, untimed, the shared clock
  moves past the token's expiry; the timed call does one refresh-token grant over loopback TLS
  and writes the session;
- 50 concurrent callers on one session whose token has just expired (asyncio tasks for the
  async SDKs, threads for ours-sync): wall time until all 50 hold a token, and how many refresh
  requests the tenant received.

Time is one injected clock (``auth0_core.FixedClock``) shared by the tenant, our clients
(``env=Env(clock=clock)``) and the official SDK (its ``time.time()`` calls, see
``_harness.official_time``). See benchmarks/README.md for why and how to read the numbers.
"""

from __future__ import annotations

import asyncio
import math
import os
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import attrs
import httpx
from _harness import (
    OURS,
    RATIO_NOTE,
    WARMUP,
    OfficialClient,
    OfficialMemoryStates,
    OfficialMemoryTransactions,
    ServedTenant,
    Stats,
    argument_parser,
    comparison_table,
    official_time,
    time_async,
    time_sync,
    write_results,
)

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.tenant import TenantConfig

# Access tokens live LIFETIME seconds; each "expire" step moves the clock by STEP. STEP must
# exceed ours' 30 s memory of a shared refresh response (auth0_core._single_flight), else ours
# would replay the previous refresh instead of sending one. CACHE_TTL is the discovery/JWKS
# cache lifetime of both SDKs (600 s: the tenant's max-age, the official's fixed TTL).
LIFETIME = 30
STEP = LIFETIME + 1
CACHE_TTL = 600
CALLERS = 50
REFRESH = {"path": "/oauth/token", "grant_type": "refresh_token"}
Result = dict[str, Any]


class Expiry:
    """Moves the shared clock so a session's access token has expired before each timed call.

    Every ``STEP`` moves the discovery/JWKS caches of the SDK closer to their TTL; before they
    would go stale inside a timed call, the clock jumps past the TTL and :meth:`expire` asks for
    one untimed call (which refetches them and refreshes the token), then steps again. Both
    SDKs are treated alike, and every timed refresh runs with warm caches.
    """

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.filled_at = -math.inf

    def expire(self) -> bool:
        """Step past the token's expiry; True when the caller must make one untimed call and
        then call :meth:`refilled`."""
        self.clock.advance(STEP)
        if self.clock() < self.filled_at + CACHE_TTL:
            return False
        self.clock.advance(CACHE_TTL)
        return True

    def refilled(self) -> None:
        self.filled_at = self.clock()
        self.clock.advance(STEP)


class Recorder:
    """Requests the tenant received during timed calls, by ``METHOD /path``."""

    def __init__(self, served: ServedTenant) -> None:
        self.served = served
        self.mark = len(served.tenant.log)
        self.timed: Counter[str] = Counter()
        self.calls = 0

    def start(self) -> None:
        self.mark = len(self.served.tenant.log)

    def stop(self, _answer: object, timed: bool) -> None:
        if timed:
            self.calls += 1
            self.timed.update(f"{e.method} {e.path}" for e in self.served.log_since(self.mark))

    def per_call(self) -> dict[str, float]:
        return {path: count / max(1, self.calls) for path, count in sorted(self.timed.items())}


class CallerRounds:
    """The 50-caller rounds, one untimed then ``rounds`` timed: wall time, refresh requests
    and distinct tokens per timed round."""

    def __init__(self, served: ServedTenant, rounds: int) -> None:
        self.served = served
        self.rounds = range(1 + rounds)
        self.samples: list[float] = []
        self.counts: list[int] = []
        self.distinct: list[int] = []

    def record(
        self, round_: int, elapsed: float, before: int, tokens: Sequence[str | None]
    ) -> None:
        """One round's wall time and tokens; ``before``: :func:`refreshes` before the round."""
        if round_:
            self.samples.append(elapsed)
            self.counts.append(refreshes(self.served) - before)
            self.distinct.append(len(set(tokens)))

    def result(self) -> Result:
        return {
            **Stats.of(self.samples).as_dict(),
            "callers": CALLERS,
            "refresh_requests_per_round": self.counts,
            "distinct_tokens_per_round": self.distinct,
        }


def refreshes(served: ServedTenant) -> int:
    return served.tenant.count(**REFRESH)


def client_result(
    cached: Stats, refresh: Stats, recorder: Recorder, callers: CallerRounds
) -> Result:
    return {
        "cached": cached.as_dict(),
        "refresh": refresh.as_dict(),
        "requests_per_refresh": recorder.per_call(),
        "callers_50": callers.result(),
    }


# --- ours, sync (threads) --------------------------------------------------------------------


def bench_ours_sync(served: ServedTenant, clock: FixedClock, n: int, rounds: int) -> Result:
    client = auth0_requests.ServerClient(
        session=served.requests_session(), domain=served.base_url, env=Env(clock=clock), **OURS
    )
    client.complete_interactive_login(served.browser_login(client.start_interactive_login()))
    return run_sync_client(served, clock, client, n, rounds)


def run_sync_client(
    served: ServedTenant,
    clock: FixedClock,
    client: auth0_requests.ServerClient,
    n: int,
    rounds: int,
) -> Result:
    client.get_access_token()
    before = refreshes(served)
    cached = time_sync(lambda _: client.get_access_token(), n)
    assert refreshes(served) == before, "a cached get_access_token refreshed"

    expiry = Expiry(clock)
    recorder = Recorder(served)

    def expired() -> None:
        if expiry.expire():
            client.get_access_token()
            expiry.refilled()
        recorder.start()

    refresh = time_sync(lambda _: client.get_access_token(), n, expired, teardown=recorder.stop)
    assert recorder.timed["POST /oauth/token"] == n, recorder.timed

    callers = CallerRounds(served, rounds)
    for round_ in callers.rounds:  # one untimed round first
        expired()
        tokens: list[str | None] = [None] * CALLERS
        errors: list[BaseException] = []
        gate = threading.Barrier(CALLERS + 1)

        def caller(
            i: int,
            gate: threading.Barrier = gate,
            tokens: list[str | None] = tokens,
            errors: list[BaseException] = errors,
        ) -> None:
            gate.wait()
            try:
                tokens[i] = client.get_access_token()
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=caller, args=(i,)) for i in range(CALLERS)]
        for thread in threads:
            thread.start()
        before = refreshes(served)
        gate.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        if errors:
            raise errors[0]
        callers.record(round_, elapsed, before, tokens)
    client.close()
    return client_result(cached, refresh, recorder, callers)


# --- the async clients (ours on asyncio, the official) ---------------------------------------


async def bench_ours_asyncio(
    served: ServedTenant, clock: FixedClock, n: int, rounds: int
) -> Result:
    async with httpx.AsyncClient(verify=served.client_ssl) as http:
        client = auth0_anyio.ServerClient(
            http_client=http, domain=served.base_url, env=Env(clock=clock), **OURS
        )
        url = await client.start_interactive_login()
        await client.complete_interactive_login(served.browser_login(url))
        return await run_async_client(served, clock, client.get_access_token, n, rounds)


async def bench_official(served: ServedTenant, clock: FixedClock, n: int, rounds: int) -> Result:
    with official_time(clock):
        client = OfficialClient(
            domain=served.host_port,
            transaction_store=OfficialMemoryTransactions(),
            state_store=OfficialMemoryStates(),
            **OURS,
        )
        url = await client.start_interactive_login()
        await client.complete_interactive_login(served.browser_login(url))
        return await run_async_client(served, clock, client.get_access_token, n, rounds)


async def run_async_client(
    served: ServedTenant,
    clock: FixedClock,
    get_access_token: Callable[[], Awaitable[str]],
    n: int,
    rounds: int,
) -> Result:
    await get_access_token()
    before = refreshes(served)
    cached = await time_async(lambda _: get_access_token(), n)
    assert refreshes(served) == before, "a cached get_access_token refreshed"

    expiry = Expiry(clock)
    recorder = Recorder(served)

    async def expired() -> None:
        if expiry.expire():
            await get_access_token()
            expiry.refilled()
        recorder.start()

    refresh = await time_async(lambda _: get_access_token(), n, expired, teardown=recorder.stop)
    assert recorder.timed["POST /oauth/token"] == n, recorder.timed

    callers = CallerRounds(served, rounds)
    for round_ in callers.rounds:  # one untimed round first
        await expired()
        before = refreshes(served)
        started = time.perf_counter()
        tokens = await asyncio.gather(*(get_access_token() for _ in range(CALLERS)))
        elapsed = time.perf_counter() - started
        callers.record(round_, elapsed, before, tokens)
    return client_result(cached, refresh, recorder, callers)


CONFIG = attrs.evolve(TenantConfig.default(), access_token_lifetime=LIFETIME)
Bench = Callable[[ServedTenant, FixedClock, int, int], Result]
BENCHES: dict[str, Bench] = {
    "ours (sync)": bench_ours_sync,
    "ours (asyncio)": lambda *args: asyncio.run(bench_ours_asyncio(*args)),
    "official": lambda *args: asyncio.run(bench_official(*args)),
}


# --- report ----------------------------------------------------------------------------------

LABELS = {
    "cached": "get_access_token, cached",
    "refresh": "get_access_token, refresh",
    "callers_50": f"{CALLERS} callers, expired (wall)",
}


def spread(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def report(results: dict[str, Result], rounds: int) -> str:
    names = list(results)
    width = 24
    label = 32
    lines = comparison_table(results, "median (p95)", LABELS, label_width=label, width=width)
    row = f"refresh requests per {CALLERS} callers".ljust(label)
    for name in names:
        row += f"{spread(results[name]['callers_50']['refresh_requests_per_round']):>{width}}"
    lines.append(row)
    row = f"distinct tokens per {CALLERS} callers".ljust(label)
    for name in names:
        row += f"{spread(results[name]['callers_50']['distinct_tokens_per_round']):>{width}}"
    lines.append(row)
    lines += [
        "",
        RATIO_NOTE,
        f"{CALLERS} callers: {rounds} timed rounds (after one untimed); counts are min-max over "
        "rounds, from Tenant.count(grant_type='refresh_token')",
        "",
        "requests to the tenant per timed refresh:",
    ]
    lines += [f"  {name:<15} {results[name]['requests_per_refresh']}" for name in names]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(
        "tokens", "timed calls per operation (50-caller rounds: a tenth, at least 5)"
    )
    args = parser.parse_args(argv)
    n, rounds = args.iterations, max(5, args.iterations // 10)

    results: dict[str, Result] = {}
    for name, bench in BENCHES.items():
        # Each SDK gets its own tenant and clock, starting at real time: the official SDK checks
        # the login's ID token with PyJWT on real time, and no session idles while another
        # SDK's benchmark moves the clock by hours.
        clock = FixedClock(float(int(time.time())))
        with ServedTenant(CONFIG, Env(clock=clock)) as served:
            # The official SDK builds its httpx clients itself; httpx reads SSL_CERT_FILE.
            os.environ["SSL_CERT_FILE"] = served.ca_pem
            results[name] = bench(served, clock, n, rounds)
    print(report(results, rounds))
    if args.json:
        extra = {
            "iterations": {"cached_and_refresh": n, "warmup": WARMUP, "callers_50_rounds": rounds},
            "access_token_lifetime_s": LIFETIME,
            "results": results,
        }
        write_results(args.json, "bench_tokens.py", argv, extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
