"""Interactive login and session reads: auth0-core (sync and asyncio) vs auth0-server-python.

    .venv/bin/python benchmarks/bench_login.py [--iterations N] [--json PATH]

One run serves the emulated tenant over HTTPS on 127.0.0.1 and times, per SDK:

- ``start_interactive_login`` (discovery already cached);
- ``complete_interactive_login`` over loopback (start + scripted browser login untimed, only the
  complete call timed: one token request plus ID-token validation and the session write);
- ``get_session`` from a cookie-backed store that unseals the session on every read (both read
  the very same sealed JWE, so the payload size is identical).

See benchmarks/README.md for how to read the numbers.
"""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
from _harness import (
    OURS,
    RATIO_NOTE,
    SECRET,
    WARMUP,
    OfficialClient,
    OfficialCookieStates,
    OfficialMemoryStates,
    OfficialMemoryTransactions,
    ServedTenant,
    Stats,
    argument_parser,
    comparison_table,
    time_async,
    time_sync,
    write_results,
)

import auth0_anyio
import auth0_requests
from auth0_core.stores import CookieRequest, CookieResponse, CookieStateStore

BROWSER_PATHS = {"/authorize", "/u/login"}
OPERATIONS = ("start_interactive_login", "complete_interactive_login", "get_session_cookie")
Result = dict[str, Any]
MakeOptions = Callable[[], dict[str, Any]]


# --- helpers ---------------------------------------------------------------------------------


def sdk_requests(served: ServedTenant, mark: int) -> list[str]:
    """``METHOD /path`` of every request the SDK (not the browser) sent since ``mark``."""
    return [f"{e.method} {e.path}" for e in served.log_since(mark) if e.path not in BROWSER_PATHS]


def ours_sync(served: ServedTenant, **extra: Any) -> auth0_requests.ServerClient:
    session = served.requests_session()
    return auth0_requests.ServerClient(session=session, domain=served.base_url, **OURS, **extra)


def cookie_session(served: ServedTenant) -> dict[str, str]:
    """Log alice in with our cookie store; the ``_a0_session_*`` cookies it sets."""
    with ours_sync(served, state_store=CookieStateStore(SECRET, secure=False)) as client:
        started = CookieResponse()  # the login's browser-binding cookie comes back on callback
        url = client.start_interactive_login(
            store_options={"request": CookieRequest(), "response": started}
        )
        response = CookieResponse()
        options = {"request": CookieRequest(started.cookies), "response": response}
        client.complete_interactive_login(served.browser_login(url), store_options=options)
    return dict(response.cookies)


def joined(cookies: dict[str, str]) -> str:
    """The sealed session the chunk cookies carry (``_a0_session_0``, ``_1``...)."""
    chunks = sorted((int(name.rsplit("_", 1)[1]), value) for name, value in cookies.items())
    return "".join(value for _, value in chunks)


def result(
    start: Stats, complete: Stats, get_session: Stats, cold: list[str], warm: list[str]
) -> Result:
    return {
        "start_interactive_login": start.as_dict(),
        "complete_interactive_login": complete.as_dict(),
        "get_session_cookie": get_session.as_dict(),
        "requests_first_login": dict(sorted(Counter(cold).items())),
        "requests_per_complete": {
            path: count / (complete.n + WARMUP) for path, count in sorted(Counter(warm).items())
        },
    }


# --- the three clients -----------------------------------------------------------------------


def bench_ours_sync(
    served: ServedTenant, n: int, n_complete: int, cookies: dict[str, str]
) -> Result:
    client = ours_sync(served)
    mark = len(served.tenant.log)
    client.complete_interactive_login(served.browser_login(client.start_interactive_login()))
    cold = sdk_requests(served, mark)

    start = time_sync(lambda _: client.start_interactive_login(), n)
    mark = len(served.tenant.log)
    complete = time_sync(
        client.complete_interactive_login,
        n_complete,
        setup=lambda: served.browser_login(client.start_interactive_login()),
    )
    warm = sdk_requests(served, mark) if complete.n else []

    reader = ours_sync(served, state_store=CookieStateStore(SECRET, secure=False))

    def options() -> dict[str, Any]:
        return {"request": CookieRequest(cookies), "response": CookieResponse()}

    session = reader.get_session(store_options=options())
    assert session is not None
    assert session["user"]["sub"] == "auth0|alice"
    get_session = time_sync(lambda opts: reader.get_session(store_options=opts), n, options)
    client.close()
    reader.close()
    return result(start, complete, get_session, cold, warm)


async def bench_ours_asyncio(
    served: ServedTenant, n: int, n_complete: int, cookies: dict[str, str]
) -> Result:
    async with httpx.AsyncClient(verify=served.client_ssl) as http:
        client = auth0_anyio.ServerClient(http_client=http, domain=served.base_url, **OURS)
        store = CookieStateStore(SECRET, secure=False)
        reader = auth0_anyio.ServerClient(
            http_client=http, domain=served.base_url, state_store=store, **OURS
        )

        def options() -> dict[str, Any]:
            return {"request": CookieRequest(cookies), "response": CookieResponse()}

        return await bench_async(served, client, reader, n, n_complete, options)


async def bench_official(
    served: ServedTenant, n: int, n_complete: int, cookies: dict[str, str]
) -> Result:
    common = {"domain": served.host_port, **OURS}
    client = OfficialClient(
        transaction_store=OfficialMemoryTransactions(),
        state_store=OfficialMemoryStates(),
        **common,
    )
    reader = OfficialClient(
        transaction_store=OfficialMemoryTransactions(),
        state_store=OfficialCookieStates(),
        **common,
    )
    sealed = joined(cookies)

    def options() -> dict[str, Any]:
        return {"request": {"cookies": {"_a0_session": sealed}}, "response": {"cookies": {}}}

    return await bench_async(served, client, reader, n, n_complete, options)


async def bench_async(
    served: ServedTenant, client: Any, reader: Any, n: int, n_complete: int, options: MakeOptions
) -> Result:
    """The same measurements for either async client (ours on asyncio, or the official)."""
    mark = len(served.tenant.log)
    url = await client.start_interactive_login()
    await client.complete_interactive_login(served.browser_login(url))
    cold = sdk_requests(served, mark)

    start = await time_async(lambda _: client.start_interactive_login(), n)

    async def fresh_callback() -> str:
        return served.browser_login(await client.start_interactive_login())

    mark = len(served.tenant.log)
    complete = await time_async(client.complete_interactive_login, n_complete, fresh_callback)
    warm = sdk_requests(served, mark)

    async def fresh_options() -> dict[str, Any]:
        return options()

    assert (await reader.get_session(store_options=options()))["user"]["sub"] == "auth0|alice"
    get_session = await time_async(
        lambda opts: reader.get_session(store_options=opts), n, fresh_options
    )
    return result(start, complete, get_session, cold, warm)


# --- report ----------------------------------------------------------------------------------


def report(results: dict[str, Result], sealed_bytes: int) -> str:
    names = list(results)
    labels = {op: op for op in OPERATIONS}
    lines = comparison_table(results, "median (p95) per call", labels, label_width=28, width=26)
    lines += [
        "",
        RATIO_NOTE,
        f"get_session_cookie: every SDK unseals the same {sealed_bytes}-byte JWE per call",
        "",
        "requests to the tenant (the browser's /authorize and /u/login excluded):",
    ]
    for name in names:
        lines.append(
            f"  {name:<15} first login, cold caches: {results[name]['requests_first_login']}"
        )
        lines.append(
            f"  {'':<15} per warm complete:        {results[name]['requests_per_complete']}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser("login", "timed calls per operation (complete: half)")
    args = parser.parse_args(argv)
    n, n_complete = args.iterations, max(1, args.iterations // 2)

    with ServedTenant() as served:
        # The official SDK builds its httpx clients itself (one at construction, a new one per
        # discovery/JWKS fetch); httpx reads SSL_CERT_FILE, so trust the test CA through it.
        os.environ["SSL_CERT_FILE"] = served.ca_pem
        cookies = cookie_session(served)
        results = {
            "ours (sync)": bench_ours_sync(served, n, n_complete, cookies),
            "ours (asyncio)": asyncio.run(bench_ours_asyncio(served, n, n_complete, cookies)),
            "official": asyncio.run(bench_official(served, n, n_complete, cookies)),
        }
    sealed_bytes = len(joined(cookies))
    print(report(results, sealed_bytes))
    if args.json:
        extra = {
            "iterations": {"start_and_get_session": n, "complete": n_complete},
            "sealed_session_bytes": sealed_bytes,
            "results": results,
        }
        write_results(args.json, "bench_login.py", argv, extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
