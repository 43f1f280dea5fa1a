"""Connected accounts: walking 1,000 of one user's accounts, auth0-core (sync and asyncio) vs
auth0-server-python.

    .venv/bin/python benchmarks/bench_connected_accounts.py [--iterations N] [--json PATH]
        [--md PATH]

One run serves the emulated tenant over HTTPS on 127.0.0.1, gives alice 1,000 connected accounts
(``Tenant.add_connected_accounts``, no browser) and logs her in once per client. Every client is
configured with default scopes for the My Account audience (``{base}/me/``: create, read and
delete), so one My Account token serves every page. Each walk reads all 1,000 accounts, with
page size 10 (100 pages) and 20 (50, the API's maximum):

- ours (sync), ``auth0_requests.ServerClient``: ``for`` over ``iter_connected_accounts(take=N)``,
  and by hand with ``list_connected_accounts(take=N, from_param=page.next)``;
- ours (asyncio), ``auth0_anyio.ServerClient``: ``async for`` over ``iter_connected_accounts``,
  and by hand the same way;
- the official SDK: by hand (it has no iterator), ``list_connected_accounts(take=N,
  from_param=page.next)``.

The walks are interleaved: every round walks once per client and page size, the clients' order
rotating from round to round; median and p95 per walk over the timed rounds (the cyclic GC off
inside a walk). Per walk, from the tenant's log: the HTTP requests the tenant received and the
token requests among them (``Tenant.count("/oauth/token", grant_type="refresh_token")``). Then,
once, the first walk after a login with the login scope only (no ``/me/`` defaults).

See benchmarks/README.md for how to read the numbers.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    CALLBACK,
    OURS,
    RATIO_NOTE,
    SCOPE,
    OfficialClient,
    OfficialMemoryStates,
    OfficialMemoryTransactions,
    ServedTenant,
    Stats,
    argument_parser,
    format_us,
    machine_info,
    write_results,
)

import auth0_anyio
import auth0_requests

USER_ID = "auth0|alice"
ACCOUNTS = 1_000
PAGE_SIZES = (10, 20)  # the API's default and its maximum
FIRST_TAKE = 20  # the page size of the first walk after a login
LIST_PATH = "/me/v1/connected-accounts/accounts"
TOKEN = {"path": "/oauth/token", "grant_type": "refresh_token"}
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
DEFAULT_ITERATIONS = 20
OFFICIAL = "official, list+from"
Result = dict[str, Any]
Ids = list[str]
Walk = Callable[[int], tuple[float, Ids]]  # page size -> (seconds, account ids in order)


def with_me_defaults(base_url: str) -> dict[str, Any]:
    """Every client's settings, with default scopes for the My Account audience.

    ``"default"`` keeps the login's scope: with a dict and no such key the official SDK would
    log in with no scope at all (so no ``offline_access``, no refresh token, no MRRT).
    """
    scope = {"default": SCOPE, f"{base_url}/me/": ME_SCOPES}
    return {**OURS, "authorization_params": {"redirect_uri": CALLBACK, "scope": scope}}


# --- the walks, as an application writes them ------------------------------------------------


def sync_iter(client: auth0_requests.ServerClient) -> Callable[[int], Ids]:
    def walk(take: int) -> Ids:
        return [account.id for account in client.iter_connected_accounts(take=take)]

    return walk


def sync_pages(client: auth0_requests.ServerClient) -> Callable[[int], Ids]:
    def walk(take: int) -> Ids:
        ids: Ids = []
        cursor: str | None = None
        while True:
            page = client.list_connected_accounts(take=take, from_param=cursor)
            ids += [account.id for account in page.accounts]
            cursor = page.next
            if not cursor:
                return ids

    return walk


def async_iter(client: auth0_anyio.ServerClient) -> Callable[[int], Awaitable[Ids]]:
    async def walk(take: int) -> Ids:
        return [account.id async for account in client.iter_connected_accounts(take=take)]

    return walk


def async_pages(client: Any) -> Callable[[int], Awaitable[Ids]]:
    """The hand-written loop, the same for ours on asyncio and for the official SDK."""

    async def walk(take: int) -> Ids:
        ids: Ids = []
        cursor: str | None = None
        while True:
            page = await client.list_connected_accounts(take=take, from_param=cursor)
            ids += [account.id for account in page.accounts]
            cursor = page.next
            if not cursor:
                return ids

    return walk


def timed_sync(walk: Callable[[int], Ids]) -> Walk:
    def timed(take: int) -> tuple[float, Ids]:
        started = time.perf_counter()
        ids = walk(take)
        return time.perf_counter() - started, ids

    return timed


def timed_async(runner: asyncio.Runner, walk: Callable[[int], Awaitable[Ids]]) -> Walk:
    """Timed inside the coroutine, so entering the event loop is not counted."""

    async def timed(take: int) -> tuple[float, Ids]:
        started = time.perf_counter()
        ids = await walk(take)
        return time.perf_counter() - started, ids

    return lambda take: runner.run(timed(take))


# --- the tenant and the clients --------------------------------------------------------------


class AccountsTenant(ServedTenant):
    """The served tenant, alice topped up to :data:`ACCOUNTS` connected accounts."""

    expected_ids: Ids

    def __enter__(self) -> AccountsTenant:
        super().__enter__()
        tenant = self.tenant
        tenant.add_connected_accounts(USER_ID, ACCOUNTS - len(tenant.connected_accounts(USER_ID)))
        self.expected_ids = [account["id"] for account in tenant.connected_accounts(USER_ID)]
        assert len(set(self.expected_ids)) == ACCOUNTS
        return self


@dataclass
class Client:
    """One logged-in client and one way of walking its pages."""

    walk: Walk
    me_scope: Callable[[], str | None]  # the scope of the session's My Account token
    close: Callable[[], object] = lambda: None


def me_scope_of(token_sets: list[Any], base_url: str) -> str | None:
    for token_set in token_sets:
        entry = token_set if isinstance(token_set, dict) else dict(token_set)
        if entry.get("audience") == f"{base_url}/me/":
            scope = entry.get("scope")
            return scope if isinstance(scope, str) else None
    return None


def ours_sync(served: ServedTenant, settings: dict[str, Any], by_hand: bool) -> Client:
    client = auth0_requests.ServerClient(
        session=served.requests_session(), domain=served.base_url, **settings
    )
    client.complete_interactive_login(served.browser_login(client.start_interactive_login()))

    def me_scope() -> str | None:
        session = client.get_session()
        return me_scope_of(session["token_sets"] if session else [], served.base_url)

    walk = sync_pages(client) if by_hand else sync_iter(client)
    return Client(timed_sync(walk), me_scope, client.close)


def ours_asyncio(
    served: ServedTenant, runner: asyncio.Runner, settings: dict[str, Any], by_hand: bool
) -> Client:
    async def login() -> tuple[httpx.AsyncClient, auth0_anyio.ServerClient]:
        http = httpx.AsyncClient(verify=served.client_ssl)
        client = auth0_anyio.ServerClient(http_client=http, domain=served.base_url, **settings)
        url = await client.start_interactive_login()
        await client.complete_interactive_login(served.browser_login(url))
        return http, client

    http, client = runner.run(login())

    def me_scope() -> str | None:
        session = runner.run(client.get_session())
        return me_scope_of(session["token_sets"] if session else [], served.base_url)

    walk = async_pages(client) if by_hand else async_iter(client)
    return Client(timed_async(runner, walk), me_scope, lambda: runner.run(http.aclose()))


def official(served: ServedTenant, runner: asyncio.Runner, settings: dict[str, Any]) -> Client:
    states = OfficialMemoryStates()
    client = OfficialClient(
        domain=served.host_port,
        transaction_store=OfficialMemoryTransactions(),
        state_store=states,
        **settings,
    )

    async def login() -> None:
        url = await client.start_interactive_login()
        await client.complete_interactive_login(served.browser_login(url))

    runner.run(login())

    def me_scope() -> str | None:
        sessions = [s.dict() if hasattr(s, "dict") else s for s in states.data.values()]
        return me_scope_of(sessions[0].get("token_sets") or [] if sessions else [], served.base_url)

    return Client(timed_async(runner, async_pages(client)), me_scope)


def clients(
    served: ServedTenant, runner: asyncio.Runner, settings: dict[str, Any]
) -> dict[str, Client]:
    """Every implementation, each its own client, HTTP pool and session (one login each)."""
    return {
        "ours (sync), iter": ours_sync(served, settings, by_hand=False),
        "ours (sync), list+from": ours_sync(served, settings, by_hand=True),
        "ours (asyncio), async for": ours_asyncio(served, runner, settings, by_hand=False),
        "ours (asyncio), list+from": ours_asyncio(served, runner, settings, by_hand=True),
        OFFICIAL: official(served, runner, settings),
    }


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Sample:
    seconds: float
    requests: int  # every request the tenant received during the walk
    pages: int  # GET /me/v1/connected-accounts/accounts among them
    token_requests: int  # POST /oauth/token, grant_type=refresh_token among them


def walk_once(served: AccountsTenant, walk: Walk, take: int) -> Sample:
    """One full walk (GC off inside it), checked: every account once, in order of creation."""
    tenant = served.tenant
    requests, pages, tokens = len(tenant.log), tenant.count(LIST_PATH), tenant.count(**TOKEN)
    # Collect the previous walks' garbage, then freeze the survivors: a full collection of
    # the whole heap (tenant, both SDKs, pydantic...) takes ~25 ms, and would run before every
    # walk; frozen objects are not scanned again.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        seconds, ids = walk(take)
    finally:
        gc.enable()
    expected = served.expected_ids
    assert ids == expected, f"walked {len(ids)} accounts, {len(set(ids))} distinct, not in order"
    return Sample(
        seconds=seconds,
        requests=len(tenant.log) - requests,
        pages=tenant.count(LIST_PATH) - pages,
        token_requests=tenant.count(**TOKEN) - tokens,
    )


@dataclass
class Series:
    """The timed walks of one client at one page size."""

    samples: list[Sample] = field(default_factory=list)

    def result(self) -> Result:
        return {
            **Stats.of([s.seconds for s in self.samples]).as_dict(),
            "requests_per_walk": sorted({s.requests for s in self.samples}),
            "pages_per_walk": sorted({s.pages for s in self.samples}),
            "token_requests_per_walk": sorted({s.token_requests for s in self.samples}),
        }


def first_walk(served: AccountsTenant, client: Client) -> Result:
    """The first walk after the login: the My Account token is not in the session yet."""
    sample = walk_once(served, client.walk, FIRST_TAKE)
    return {
        "take": FIRST_TAKE,
        "seconds": round(sample.seconds, 6),
        "requests": sample.requests,
        "pages": sample.pages,
        "token_requests": sample.token_requests,
        "me_token_scope": client.me_scope(),
    }


def interleaved(served: AccountsTenant, walkers: dict[str, Client], rounds: int) -> Result:
    """``rounds`` rounds; each walks once per client and page size, the order rotating."""
    series = {(name, take): Series() for name in walkers for take in PAGE_SIZES}
    names = list(walkers)
    for round_ in range(rounds):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        takes = PAGE_SIZES if round_ % 2 == 0 else PAGE_SIZES[::-1]
        for take in takes:
            for name in order:
                series[name, take].samples.append(walk_once(served, walkers[name].walk, take))
    return {
        name: {f"take_{take}": series[name, take].result() for take in PAGE_SIZES} for name in names
    }


# --- report ----------------------------------------------------------------------------------


def spread(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"


def report(results: Result, rounds: int) -> str:
    timed: dict[str, Result] = results["with_me_defaults"]["timed"]
    label, width = 28, 24
    lines = [
        f"Walking {ACCOUNTS:,} connected accounts of one user over loopback HTTPS, default "
        f"/me/ scopes configured; {rounds} interleaved rounds",
    ]
    for take in PAGE_SIZES:
        key = f"take_{take}"
        pages = -(-ACCOUNTS // take)
        lines += [
            "",
            f"take={take} ({pages} pages)".ljust(label)
            + f"{'median (p95) per walk':>{width}}{'requests':>10}{'token req.':>12}"
            + f"{'official / ours':>17}",
        ]
        official_median = timed[OFFICIAL][key]["median_us"]
        for name, by_take in timed.items():
            s = by_take[key]
            cell = f"{format_us(s['median_us'] / 1e6)} ({format_us(s['p95_us'] / 1e6)})"
            ratio = "" if name == OFFICIAL else f"{official_median / s['median_us']:.2f}x"
            lines.append(
                name.ljust(label)
                + f"{cell:>{width}}{spread(s['requests_per_walk']):>10}"
                + f"{spread(s['token_requests_per_walk']):>12}{ratio:>17}"
            )
    lines += ["", RATIO_NOTE.replace("(sync / asyncio)", "in that row"), ""]
    for title, key in (
        ("with the /me/ defaults", "with_me_defaults"),
        (f"without them (scope {SCOPE!r} only)", "without_me_defaults"),
    ):
        lines.append(f"first walk after login, take={FIRST_TAKE}, {title}:")
        lines.append(
            "  ".ljust(label) + f"{'time':>12}{'requests':>10}{'token req.':>12}"
            "   scope of the session's /me/ token"
        )
        for name, walk in results[key]["first_walk"].items():
            lines.append(
                f"  {name}".ljust(label)
                + f"{format_us(walk['seconds']):>12}{walk['requests']:>10}"
                + f"{walk['token_requests']:>12}   {walk['me_token_scope']}"
            )
        lines.append("")
    return "\n".join(lines).rstrip()


def markdown(text: str, argv: list[str] | None) -> str:
    machine = machine_info()
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    args = argv if argv is not None else sys.argv[1:]
    command = " ".join(["benchmarks/bench_connected_accounts.py", *args])
    return (
        "# Connected accounts: one run\n\n"
        f"`.venv/bin/python {command}` on {machine['nproc']} CPUs, "
        f"{machine['implementation']} {machine['python']}, {machine['platform']}; {packages}.\n"
        "How to read it: benchmarks/README.md.\n\n"
        f"```text\n{text}\n```\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argument_parser(
        "walking connected accounts",
        f"timed rounds, each one walk per client and page size (default {DEFAULT_ITERATIONS})",
    )
    parser.set_defaults(iterations=DEFAULT_ITERATIONS)
    parser.add_argument("--md", type=Path, help="also write the report to this Markdown file")
    args = parser.parse_args(argv)
    rounds = max(1, args.iterations)

    results: Result = {}
    with AccountsTenant() as served, asyncio.Runner() as runner:
        # The official SDK builds an httpx client per request; httpx reads SSL_CERT_FILE.
        os.environ["SSL_CERT_FILE"] = served.ca_pem
        for key, settings in (
            ("with_me_defaults", with_me_defaults(served.base_url)),
            ("without_me_defaults", OURS),
        ):
            walkers = clients(served, runner, settings)
            # The first walk is also the warm-up of the timed rounds (pools, token, imports).
            results[key] = {
                "first_walk": {name: first_walk(served, c) for name, c in walkers.items()}
            }
            if key == "with_me_defaults":
                results[key]["timed"] = interleaved(served, walkers, rounds)
            for walker in walkers.values():
                walker.close()
    text = report(results, rounds)
    print(text)
    if args.json:
        extra = {
            "iterations": {"rounds": rounds, "warmup": "the first walk of each client"},
            "accounts": ACCOUNTS,
            "page_sizes": list(PAGE_SIZES),
            "me_default_scopes": ME_SCOPES,
            "results": results,
        }
        write_results(args.json, "bench_connected_accounts.py", argv, extra)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(markdown(text, argv))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
