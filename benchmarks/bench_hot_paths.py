"""The hot paths of issue 14: auth0-core (sync and asyncio) vs auth0-server-python, interleaved.

    .venv/bin/python benchmarks/bench_hot_paths.py [--iterations N] [--import-runs N]
        [--json PATH] [--md PATH]

Everything runs in one process and **interleaved**: every round runs a batch of each series
(ours sync, ours asyncio, the official SDK) in a rotating order, so a noisy neighbour slows all
of them alike. Measured, median and p95 per call and the ratio official / ours:

- ``get_session`` from a cookie session sealed to about 1, 4 and 16 KB (the same JWE for all);
- cached ``get_access_token`` with 1, 10 and 50 audiences' token sets in the session: ours'
  memory store vs the official with a plain dict store, and ours' cookie store vs the official
  with an encrypted (auth0-fastapi style) store;
- ``get_user`` + ``get_session`` + ``get_access_token`` in one request (cookie stores);
- constructing the async client (ours without ``http_client`` vs the official);
- importing each adapter vs the official client (fresh interpreters, ``-X importtime``);
- the sealed size (bytes and cookie chunks) of a typical session, each SDK's own login, and of
  a session with 50 audiences' token sets, with where ours' extra bytes come from.

See benchmarks/README.md for the details and how to read the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import math
import os
import random
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    OURS,
    SCOPE,
    SECRET,
    OfficialClient,
    OfficialCookieStates,
    OfficialMemoryStates,
    OfficialMemoryTransactions,
    ServedTenant,
    Stats,
    _no_gc,
    format_us,
    write_results,
)
from auth0_server_python.encryption import (  # type: ignore[import-untyped]
    decrypt as official_decrypt,
)
from auth0_server_python.encryption import encrypt as official_encrypt

import auth0_anyio
import auth0_requests
from auth0_core._seal import seal
from auth0_core.records import TokenSet
from auth0_core.stores import CookieRequest, CookieResponse, CookieStateStore, MemoryStateStore

IDENTIFIER = "_a0_session"
SIZES_KB = (1, 4, 16)
AUDIENCES = (1, 10, 50)
BATCH = 10  # calls per series per round
SERIES = ("ours (sync)", "ours (asyncio)", "official")
Result = dict[str, Any]
SyncCall = Callable[[], object]
AsyncCall = Callable[[], Awaitable[object]]
ROOT = Path(__file__).resolve().parents[1]


# --- interleaving ----------------------------------------------------------------------------


class Interleaved:
    """Series of calls timed in rounds: per round, ``BATCH`` calls of each series, the series'
    order rotating; per call an untimed ``setup`` (a new request's options) before it."""

    def __init__(self, runner: asyncio.Runner) -> None:
        self.runner = runner

    def run(
        self,
        series: dict[str, tuple[Callable[[Any], Any], Callable[[], Any], bool]],
        calls: int,
    ) -> dict[str, Stats]:
        """``series``: name to (call(setup()), setup, is_async); ``calls`` timed per series."""
        samples: dict[str, list[float]] = {name: [] for name in series}
        names = list(series)
        rounds = 1 + math.ceil(calls / BATCH)  # the first round is warm-up
        for round_ in range(rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                call, setup, is_async = series[name]
                times = (
                    self.runner.run(_async_batch(call, setup))
                    if is_async
                    else _sync_batch(call, setup)
                )
                if round_:
                    samples[name] += times
        return {name: Stats.of(values[:calls]) for name, values in samples.items()}


def _sync_batch(call: Callable[[Any], object], setup: Callable[[], Any]) -> list[float]:
    times = []
    with _no_gc():
        for _ in range(BATCH):
            arg = setup()
            started = time.perf_counter()
            call(arg)
            times.append(time.perf_counter() - started)
    return times


async def _async_batch(
    call: Callable[[Any], Awaitable[object]], setup: Callable[[], Any]
) -> list[float]:
    times = []
    with _no_gc():
        for _ in range(BATCH):
            arg = setup()
            started = time.perf_counter()
            await call(arg)
            times.append(time.perf_counter() - started)
    return times


# --- sessions ----------------------------------------------------------------------------------


def cookie_login(served: ServedTenant) -> dict[str, Any]:
    """Log alice in with ours and a cookie store; the stored session (a dict)."""
    store = CookieStateStore(SECRET, secure=False)
    client = auth0_requests.ServerClient(
        session=served.requests_session(), domain=served.base_url, state_store=store, **OURS
    )
    with client:
        started = CookieResponse()
        url = client.start_interactive_login(
            store_options={"request": CookieRequest(), "response": started}
        )
        response = CookieResponse()
        options = {"request": CookieRequest(started.cookies), "response": response}
        client.complete_interactive_login(served.browser_login(url), store_options=options)
    session = store.get(IDENTIFIER, {"request": CookieRequest(dict(response.cookies))})
    assert session is not None
    return session


async def official_login(served: ServedTenant) -> tuple[dict[str, Any], Callable[[Any], Any]]:
    """Log alice in with the official SDK: its stored session as its stores seal it (a dict),
    and how its login stores a session in a store that keeps what it is given (its
    ``StateData`` model's ``model_validate``)."""
    states = OfficialMemoryStates()
    client = OfficialClient(
        domain=served.host_port,
        transaction_store=OfficialMemoryTransactions(),
        state_store=states,
        **OURS,
    )
    url = await client.start_interactive_login()
    await client.complete_interactive_login(served.browser_login(url))
    state = states.data[IDENTIFIER]
    value: dict[str, Any] = state.model_dump()
    model: Callable[[Any], Any] = type(state).model_validate
    return value, model


def audience(index: int) -> str:
    return "default" if index == 0 else f"https://api-{index:02d}.example.com/"


def access_token_like(template: str, index: int) -> str:
    """A token shaped like the login's (same header and claims) for the index-th audience: its
    own ``aud`` and ``jti`` and a random 2048-bit signature, so sizes and compression are
    those of distinct tenant-issued tokens."""
    header, payload, _ = template.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    draw = random.Random(index)
    claims.update(aud=audience(index), jti=b64url(draw.randbytes(16)))
    body = b64url(json.dumps(claims, separators=(",", ":")).encode())
    return f"{header}.{body}.{b64url(draw.randbytes(256))}"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def with_audiences(base: dict[str, Any], count: int, ours: bool = True) -> dict[str, Any]:
    """``base`` with token sets for ``count`` audiences (the login's own first), all fresh,
    in ours' shape (with ``obtained_at``) or the official's."""
    first = base["token_sets"][0]
    now = int(time.time())
    sets = []
    for index in range(count):
        token = TokenSet(
            audience=audience(index),
            access_token=access_token_like(first["access_token"], index),
            scope=SCOPE,
            expires_at=now + 86_400,
            requested_scope=SCOPE,
            obtained_at=now,
        ).to_dict()
        if not ours:
            token = {key: token[key] for key in ("audience", "access_token", "scope", "expires_at")}
        sets.append(token)
    return {**base, "token_sets": sets}


def sized(base: dict[str, Any], kilobytes: int) -> dict[str, Any]:
    """A session that seals to about ``kilobytes`` KiB: 1 KB without the ID token and access
    token; 4 KB the login's; 16 KB with more audiences; padded with a ``picture`` claim."""
    target = kilobytes * 1024
    if kilobytes <= 1:
        session = {**base, "id_token": None, "token_sets": []}
    else:
        session, count = base, 1
        while len(seal(with_audiences(base, count + 1), SECRET, IDENTIFIER)) < target:
            count += 1
            session = with_audiences(base, count)
    room = (target - len(seal(session, SECRET, IDENTIFIER))) * 3 // 4 - 40
    if room > 0:
        session = {**session, "user": {**session["user"], "picture": "x" * room}}
    return session


def cookies_of(sealed: str, store: CookieStateStore) -> dict[str, str]:
    size = store.chunk_size
    return {f"{IDENTIFIER}_{i // size}": sealed[i : i + size] for i in range(0, len(sealed), size)}


# --- the clients ---------------------------------------------------------------------------------


class Clients:
    """One client per SDK and store kind, all on the served tenant (no request is sent)."""

    def __init__(self, served: ServedTenant, http: httpx.AsyncClient) -> None:
        self.cookie_store = CookieStateStore(SECRET, secure=False)
        self.memory_store = MemoryStateStore(secure=False)
        self.sync_cookie = auth0_requests.ServerClient(
            session=served.requests_session(),
            domain=served.base_url,
            state_store=self.cookie_store,
            **OURS,
        )
        self.async_cookie = auth0_anyio.ServerClient(
            http_client=http, domain=served.base_url, state_store=self.cookie_store, **OURS
        )
        self.sync_memory = auth0_requests.ServerClient(
            session=served.requests_session(),
            domain=served.base_url,
            state_store=self.memory_store,
            **OURS,
        )
        self.async_memory = auth0_anyio.ServerClient(
            http_client=http, domain=served.base_url, state_store=self.memory_store, **OURS
        )
        self.official_dict = OfficialMemoryStates()
        official = {"domain": served.host_port, "transaction_store": OfficialMemoryTransactions()}
        self.official_memory = OfficialClient(state_store=self.official_dict, **official, **OURS)
        self.official_cookie = OfficialClient(
            state_store=OfficialCookieStates(), **official, **OURS
        )

    def close(self) -> None:
        self.sync_cookie.close()
        self.sync_memory.close()


def ours_options(cookies: dict[str, str]) -> Callable[[], dict[str, Any]]:
    return lambda: {"request": CookieRequest(cookies), "response": CookieResponse()}


def official_options(sealed: str) -> Callable[[], dict[str, Any]]:
    return lambda: {"request": {"cookies": {IDENTIFIER: sealed}}, "response": {"cookies": {}}}


def no_options() -> None:
    return None


# --- the measurements ----------------------------------------------------------------------------


def bench_get_session(
    bench: Interleaved, clients: Clients, base: dict[str, Any], calls: int
) -> Result:
    out: Result = {}
    for kb in SIZES_KB:
        session = sized(base, kb)
        sealed = seal(session, SECRET, IDENTIFIER)
        cookies = cookies_of(sealed, clients.cookie_store)
        mine = ours_options(cookies)
        theirs = official_options(sealed)
        expected = session["user"]["sub"]
        for got in (
            clients.sync_cookie.get_session(mine()),
            bench.runner.run(clients.async_cookie.get_session(mine())),
            bench.runner.run(clients.official_cookie.get_session(theirs())),
        ):
            assert got is not None
            assert got["user"]["sub"] == expected
        stats = bench.run(
            {
                "ours (sync)": (clients.sync_cookie.get_session, mine, False),
                "ours (asyncio)": (clients.async_cookie.get_session, mine, True),
                "official": (clients.official_cookie.get_session, theirs, True),
            },
            calls,
        )
        out[f"{kb} KB"] = series_result(stats, sealed_bytes=len(sealed), chunks=len(cookies))
    return out


def bench_cached_tokens(
    bench: Interleaved,
    clients: Clients,
    base: dict[str, Any],
    official: tuple[dict[str, Any], Callable[[Any], Any]],
    calls: int,
) -> Result:
    out: Result = {}
    for count in AUDIENCES:
        session = with_audiences(base, count)
        wanted = audience(count - 1)
        token = session["token_sets"][-1]["access_token"]
        ask = None if count == 1 else wanted

        # memory: ours' memory store (the per-process session) vs the official with a plain
        # dict store holding what the official's own login puts there: its StateData model
        # (which get_access_token turns into a dict with .dict() on every call), in its own
        # shape. A raw dict in the store would skip that and measure a path no official
        # session takes (bench_tokens.py, which logs in, measures the real one).
        clients.memory_store.set(IDENTIFIER, session)
        value, model = official
        theirs_memory = with_audiences(value, count, ours=False)
        clients.official_dict.data[IDENTIFIER] = model(theirs_memory)
        their_token = theirs_memory["token_sets"][-1]["access_token"]

        def sync_memory(_: object, ask: str | None = ask) -> str:
            return clients.sync_memory.get_access_token(audience=ask)

        async def async_memory(_: object, ask: str | None = ask) -> str:
            return await clients.async_memory.get_access_token(audience=ask)

        async def official_memory(_: object, ask: str | None = ask) -> str:
            token: str = await clients.official_memory.get_access_token(audience=ask)
            return token

        assert sync_memory(None) == token
        assert bench.runner.run(async_memory(None)) == token
        assert bench.runner.run(official_memory(None)) == their_token
        memory = bench.run(
            {
                "ours (sync)": (sync_memory, no_options, False),
                "ours (asyncio)": (async_memory, no_options, True),
                "official": (official_memory, no_options, True),
            },
            calls,
        )

        # cookie: the same sealed session for both (the official with its encrypted store);
        # with 50 audiences also compressed (CookieStateStore(compress=True) writes it, and
        # the official's JOSE library inflates "zip": "DEF" as well)
        entry: Result = {"memory": series_result(memory)}
        variants = (
            {"cookie": False, "cookie, compressed": True} if count == 50 else {"cookie": False}
        )
        for name, compress in variants.items():
            sealed = seal(session, SECRET, IDENTIFIER, compress=compress)
            cookies = cookies_of(sealed, clients.cookie_store)
            stats = bench_cookie_token(bench, clients, sealed, cookies, ask, token, calls)
            entry[name] = series_result(stats, sealed_bytes=len(sealed), chunks=len(cookies))
        out[f"{count} audience{'s' if count > 1 else ''}"] = entry
    return out


def bench_cookie_token(
    bench: Interleaved,
    clients: Clients,
    sealed: str,
    cookies: dict[str, str],
    ask: str | None,
    token: str,
    calls: int,
) -> dict[str, Stats]:
    """Cached get_access_token from the cookie session ``sealed`` (chunked as ``cookies``)."""
    mine = ours_options(cookies)
    theirs = official_options(sealed)

    def sync_cookie(options: Any) -> str:
        return clients.sync_cookie.get_access_token(options, audience=ask)

    async def async_cookie(options: Any) -> str:
        return await clients.async_cookie.get_access_token(options, audience=ask)

    async def official_cookie(options: Any) -> str:
        found: str = await clients.official_cookie.get_access_token(options, audience=ask)
        return found

    assert sync_cookie(mine()) == token
    assert bench.runner.run(async_cookie(mine())) == token
    assert bench.runner.run(official_cookie(theirs())) == token
    return bench.run(
        {
            "ours (sync)": (sync_cookie, mine, False),
            "ours (asyncio)": (async_cookie, mine, True),
            "official": (official_cookie, theirs, True),
        },
        calls,
    )


def bench_one_request(
    bench: Interleaved, clients: Clients, base: dict[str, Any], calls: int
) -> Result:
    """get_user + get_session + get_access_token on one request's options (cookie stores)."""
    sealed = seal(base, SECRET, IDENTIFIER)
    cookies = cookies_of(sealed, clients.cookie_store)

    def ours_sync(options: Any) -> object:
        client = clients.sync_cookie
        return (
            client.get_user(options),
            client.get_session(options),
            client.get_access_token(options),
        )

    async def ours_async(options: Any) -> object:
        client = clients.async_cookie
        user = await client.get_user(options)
        session = await client.get_session(options)
        return user, session, await client.get_access_token(options)

    async def official(options: Any) -> object:
        client = clients.official_cookie
        user = await client.get_user(options)
        session = await client.get_session(options)
        return user, session, await client.get_access_token(options)

    stats = bench.run(
        {
            "ours (sync)": (ours_sync, ours_options(cookies), False),
            "ours (asyncio)": (ours_async, ours_options(cookies), True),
            "official": (official, official_options(sealed), True),
        },
        calls,
    )
    return series_result(stats, sealed_bytes=len(sealed), chunks=len(cookies))


def bench_construction(bench: Interleaved, served: ServedTenant, calls: int) -> Result:
    """The async client without ``http_client`` (ours) vs the official's constructor."""

    async def ours(_: object) -> object:
        return auth0_anyio.ServerClient(domain=served.base_url, **OURS)

    async def official(_: object) -> object:
        return OfficialClient(
            domain=served.host_port,
            transaction_store=OfficialMemoryTransactions(),
            state_store=OfficialMemoryStates(),
            **OURS,
        )

    def sync(_: object) -> object:
        return auth0_requests.ServerClient(domain=served.base_url, **OURS)

    stats = bench.run(
        {
            "ours (sync)": (sync, no_options, False),
            "ours (asyncio)": (ours, no_options, True),
            "official": (official, no_options, True),
        },
        calls,
    )
    return series_result(stats)


IMPORTS = {
    "ours (sync)": "auth0_requests",
    "ours (asyncio)": "auth0_anyio",
    "official": "auth0_server_python.auth_server.server_client",
}


def _importtime(code: str) -> tuple[dict[str, int], float]:
    """A fresh interpreter running ``code`` with ``-X importtime``: the cumulative µs of each
    top-level import, and the wall time of the whole process."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - started
    top: dict[str, int] = {}
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            _, cumulative, name = line.split("|", 2)
            name = name[1:]  # the space after the bar
            if not name.startswith("  "):  # one space: top level; nested ones are inside
                top[name.strip()] = int(cumulative)
    return top, wall


def import_us(module: str, startup: frozenset[str]) -> tuple[float, float]:
    """Seconds ``import module`` takes in a fresh interpreter (``-X importtime``: the top-level
    imports the bare interpreter does not make, ``startup``) and the process's wall time."""
    top, wall = _importtime(f"import {module}")
    return sum(us for name, us in top.items() if name not in startup) / 1e6, wall


def bench_imports(runs: int) -> Result:
    """``runs`` fresh interpreters per module, the modules' order rotating per round."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in IMPORTS}
    names = list(IMPORTS)
    startup = frozenset(_importtime("pass")[0])
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(import_us(IMPORTS[name], startup))
    out: Result = {}
    for name, values in samples.items():
        out[name] = {
            "module": IMPORTS[name],
            "importtime": Stats.of([v[0] for v in values]).as_dict(),
            "process_wall": Stats.of([v[1] for v in values]).as_dict(),
        }
    return out


def series_result(stats: dict[str, Stats], **extra: Any) -> Result:
    out: Result = {name: s.as_dict() for name, s in stats.items()}
    official = stats["official"].median
    out["official / ours"] = {
        name: round(official / s.median, 2) for name, s in stats.items() if name != "official"
    }
    out.update(extra)
    return out


# --- sizes ---------------------------------------------------------------------------------------


def official_sealed(value: dict[str, Any]) -> str:
    token: str = official_encrypt(value, SECRET, IDENTIFIER)
    return token


def deflated_sealed(value: dict[str, Any]) -> str:
    """``value`` as CookieStateStore(compress=True) seals it (``"zip":"DEF"``)."""
    return seal(value, SECRET, IDENTIFIER, compress=True)


def without_obtained_at(session: dict[str, Any]) -> dict[str, Any]:
    """Token sets without ``obtained_at`` (the official SDK's sets have none)."""
    sets = [{k: v for k, v in ts.items() if k != "obtained_at"} for ts in session["token_sets"]]
    return {**session, "token_sets": sets}


def member_sizes(session: dict[str, Any]) -> dict[str, int]:
    """Bytes each top-level member (and ``internal``'s, ``token_sets``') takes in the JSON."""
    return {key: len(json.dumps({key: value})) - 2 for key, value in session.items()}


def bench_sizes(ours: dict[str, Any], official: dict[str, Any], base: dict[str, Any]) -> Result:
    chunk = CookieStateStore(SECRET).chunk_size  # secure=True, the production default
    official_chunk = 4096 - len(IDENTIFIER) - 10  # auth0-fastapi's chunk size

    def entry(sealed: int, size: int) -> Result:
        return {"sealed_bytes": sealed, "cookie_chunks": math.ceil(sealed / size)}

    fifty_ours = with_audiences(base, 50)
    fifty_official = with_audiences(official, 50, ours=False)
    sealed_fifty = seal(fifty_ours, SECRET, IDENTIFIER)
    for value in (ours, fifty_ours):  # the official SDK (jwcrypto) reads "zip":"DEF"
        assert official_decrypt(deflated_sealed(value), SECRET, IDENTIFIER) == value
    # What still separates ours from smaller cookies, against the format as written now
    # (compact JSON, requested_scope only when not the scope, no user.nonce: all landed).
    analysis = {
        "ours as written": len(seal(ours, SECRET, IDENTIFIER)),
        "without obtained_at per token set": len(
            seal(without_obtained_at(ours), SECRET, IDENTIFIER)
        ),
        "compress=True (zip DEF)": len(deflated_sealed(ours)),
        "compress=True, without obtained_at": len(deflated_sealed(without_obtained_at(ours))),
    }
    fifty_analysis = {
        "ours as written": len(sealed_fifty),
        "without obtained_at per token set": len(
            seal(without_obtained_at(fifty_ours), SECRET, IDENTIFIER)
        ),
        "compress=True (zip DEF)": len(deflated_sealed(fifty_ours)),
        "compress=True, without obtained_at": len(deflated_sealed(without_obtained_at(fifty_ours))),
    }
    return {
        "chunk_size": {"ours": chunk, "official (auth0-fastapi)": official_chunk},
        "typical": {
            "ours": entry(len(seal(ours, SECRET, IDENTIFIER)), chunk),
            "official": entry(len(official_sealed(official)), official_chunk),
            "plaintext_bytes": {
                "ours": len(json.dumps(ours)),
                "official": len(json.dumps(official)),
            },
            "members": {"ours": member_sizes(ours), "official": member_sizes(official)},
            "internal": {
                "ours": member_sizes(ours["internal"]),
                "official": member_sizes(official["internal"]),
            },
            "token_set": {
                "ours": member_sizes(ours["token_sets"][0]),
                "official": member_sizes(official["token_sets"][0]),
            },
            "user": {
                "ours": member_sizes(ours["user"]),
                "official": member_sizes(official["user"]),
            },
            "what_if_sealed_bytes": {k: entry(v, chunk) for k, v in analysis.items()},
        },
        "50 audiences": {
            "ours": entry(len(sealed_fifty), chunk),
            "official": entry(len(official_sealed(fifty_official)), official_chunk),
            "what_if_sealed_bytes": {k: entry(v, chunk) for k, v in fifty_analysis.items()},
        },
    }


# --- report --------------------------------------------------------------------------------------


def cell(stats: Result) -> str:
    return f"{format_us(stats['median_us'] / 1e6)} ({format_us(stats['p95_us'] / 1e6)})"


def ratio(row: Result) -> str:
    ratios = row["official / ours"]
    return " / ".join(f"{ratios[name]:.2f}x" for name in SERIES[:2])


def table(results: Result) -> list[str]:
    lines = [
        "| path | ours (sync) | ours (asyncio) | official | official / ours (sync / asyncio) |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, data: Result) -> None:
        cells = " | ".join(cell(data[name]) for name in SERIES)
        lines.append(f"| {label} | {cells} | {ratio(data)} |")

    for kb, data in results["get_session"].items():
        row(
            f"`get_session`, {kb} cookie ({data['sealed_bytes']:,} B, {data['chunks']} chunks)",
            data,
        )
    for count, data in results["cached_access_token"].items():
        row(f"`get_access_token` cached, {count}, memory (official: dict)", data["memory"])
        for name in ("cookie", "cookie, compressed"):
            if name in data:
                found = data[name]
                row(
                    f"`get_access_token` cached, {count}, {name} ({found['sealed_bytes']:,} B, "
                    f"{found['chunks']} chunks)",
                    found,
                )
    row("`get_user` + `get_session` + `get_access_token`, one request", results["one_request"])
    row("client construction (no `http_client`)", results["construction"])
    imports = results["imports"]
    official = imports["official"]["importtime"]["median_us"]
    cells = " | ".join(
        f"{cell(imports[name]['importtime'])} `{imports[name]['module']}`" for name in SERIES
    )
    ratios = " / ".join(
        f"{official / imports[name]['importtime']['median_us']:.2f}x" for name in SERIES[:2]
    )
    lines.append(f"| import (`-X importtime`, cumulative) | {cells} | {ratios} |")
    cells = " | ".join(cell(imports[name]["process_wall"]) for name in SERIES)
    official = imports["official"]["process_wall"]["median_us"]
    ratios = " / ".join(
        f"{official / imports[name]['process_wall']['median_us']:.2f}x" for name in SERIES[:2]
    )
    lines.append(f"| import: whole interpreter run (wall) | {cells} | {ratios} |")
    return lines


def size_table(sizes: Result) -> list[str]:
    typical, fifty = sizes["typical"], sizes["50 audiences"]

    def both(data: Result) -> str:
        ours, official = data["ours"], data["official"]
        return (
            f"{ours['sealed_bytes']:,} B, {ours['cookie_chunks']} | "
            f"{official['sealed_bytes']:,} B, {official['cookie_chunks']} | "
            f"{official['sealed_bytes'] / ours['sealed_bytes']:.2f}x"
        )

    lines = [
        "| sealed session | ours (bytes, chunks) | official (bytes, chunks) | official / ours |",
        "|---|---|---|---|",
        f"| typical (each SDK's own login) | {both(typical)} |",
        f"| 50 audiences' token sets | {both(fifty)} |",
        "",
        f"chunk size: ours {sizes['chunk_size']['ours']} characters (secure cookie, room for "
        f"the attributes), auth0-fastapi {sizes['chunk_size']['official (auth0-fastapi)']}",
        "",
        "| what if (ours) | typical: bytes, chunks | 50 audiences: bytes, chunks |",
        "|---|---|---|",
    ]
    keys = list(dict.fromkeys([*typical["what_if_sealed_bytes"], *fifty["what_if_sealed_bytes"]]))
    for key in keys:
        cells = []
        for data in (typical, fifty):
            found = data["what_if_sealed_bytes"].get(key)
            cells.append(f"{found['sealed_bytes']:,} B, {found['cookie_chunks']}" if found else "-")
        lines.append(f"| {key} | {' | '.join(cells)} |")
    lines += ["", "| member (typical, plaintext bytes) | ours | official |", "|---|---|---|"]
    for part in ("members", "internal", "token_set", "user"):
        ours, official = typical[part]["ours"], typical[part]["official"]
        for key in dict.fromkeys([*ours, *official]):
            a, b = ours.get(key), official.get(key)
            if a != b:
                prefix = "" if part == "members" else f"{part}."
                lines.append(
                    f"| `{prefix}{key}` | {a if a is not None else '-'} | "
                    f"{b if b is not None else '-'} |"
                )
    plain = typical["plaintext_bytes"]
    lines.append(f"| whole plaintext | {plain['ours']:,} | {plain['official']:,} |")
    return lines


def report(results: Result, calls: int) -> str:
    lines = [
        "# Hot paths: auth0-core vs auth0-server-python",
        "",
        f"µs per call, median (p95); {calls} timed calls per series, interleaved in rounds of "
        f"{BATCH}; official / ours: the official median over ours (above 1: ours is faster).",
        "",
        *table(results),
        "",
        *size_table(results["sizes"]),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="auth0-core vs auth0-server-python: hot paths")
    parser.add_argument("--iterations", type=int, default=400, help="timed calls per series")
    parser.add_argument(
        "--import-runs", type=int, default=None, help="fresh interpreters per module (default 15)"
    )
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--md", type=Path, help="also write the report (markdown) to this file")
    args = parser.parse_args(argv)
    calls = max(BATCH, args.iterations)
    import_runs = args.import_runs or (15 if args.iterations >= 50 else 3)

    results: Result = {}
    with ServedTenant() as served, asyncio.Runner() as runner:
        os.environ["SSL_CERT_FILE"] = served.ca_pem
        base = cookie_login(served)
        official, official_model = runner.run(official_login(served))
        http = httpx.AsyncClient(verify=served.client_ssl)
        clients = Clients(served, http)
        bench = Interleaved(runner)
        try:
            results["get_session"] = bench_get_session(bench, clients, base, calls)
            results["cached_access_token"] = bench_cached_tokens(
                bench, clients, base, (official, official_model), calls
            )
            results["one_request"] = bench_one_request(bench, clients, base, calls)
            results["construction"] = bench_construction(bench, served, calls)
        finally:
            clients.close()
            runner.run(http.aclose())
        results["sizes"] = bench_sizes(base, official, base)
    results["imports"] = bench_imports(import_runs)
    text = report(results, calls)
    print(text)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(text + "\n")
    if args.json:
        extra = {
            "iterations": {"calls": calls, "batch": BATCH, "import_runs": import_runs},
            "load_average": list(os.getloadavg()),
            "results": results,
        }
        write_results(args.json, "bench_hot_paths.py", argv, extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
