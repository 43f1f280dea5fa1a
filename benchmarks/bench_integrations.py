"""A protected route on the Starlette integration vs the same route on auth0-fastapi, and what
the integration adds over a bare route (issue 16).

    .venv/bin/python benchmarks/bench_integrations.py [--iterations N] [--json PATH] [--md PATH]

Three FastAPI apps serve ``GET /private``, each called in-process as an ASGI application (no
HTTP client, no server: what is timed is the framework, the integration and the session read):

- **bare**: no authentication, answers ``{"sub": "auth0|alice"}``;
- **ours**: ``auth0_starlette`` (``Auth0Middleware`` + ``Depends(auth0.require_user)``) on
  ``auth0_anyio.ServerClient`` with ``CookieStateStore``;
- **auth0-fastapi**: ``Depends(auth_client.require_session)`` with its default stateless
  (cookie) state store.

Both protected routes read **the same sealed session cookie** (one login through our
integration; the seals are byte-compatible), unsealed on every request. The rounds are
interleaved (each round runs a batch of every app, in a rotating order) so a noisy neighbour
slows all alike; a sample is one batch's time over its size. Reported per app: median and p95
microseconds per request, requests per second (1 / median), and the time over the bare route.
"""

# No "from __future__ import annotations": FastAPI reads the routes' local dependencies.
import asyncio
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
from _harness import argument_parser, run_sync, write_results
from fastapi import Depends, FastAPI

import auth0_anyio
from auth0_core.stores import CookieStateStore, CookieTransactionStore
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow
from auth0_starlette import Auth0, Auth0Middleware

TENANT = "https://tenant.example"
APP = "https://app.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"
BATCH = 50

ASGIApp = Callable[..., Any]


def _tenant() -> Tenant:
    import attrs

    config = TenantConfig.default()
    clients = tuple(
        attrs.evolve(c, callbacks=(*c.callbacks, f"{APP}/auth/callback")) for c in config.clients
    )
    return Tenant(attrs.evolve(config, clients=clients), base_url=TENANT)


def ours(tenant: Tenant) -> tuple[FastAPI, Auth0]:
    client = auth0_anyio.ServerClient(
        domain=TENANT,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        state_store=CookieStateStore(SECRET),
        transaction_store=CookieTransactionStore(SECRET),
        http_client=httpx.AsyncClient(transport=auth0_anyio.handler_transport(tenant.handle)),
    )
    auth0 = Auth0(client)
    app = FastAPI()
    app.add_middleware(Auth0Middleware, auth0=auth0)
    app.router.routes.append(auth0.mount)

    @app.get("/private")
    async def private(
        user: Annotated[dict[str, Any], Depends(auth0.require_user)],
    ) -> dict[str, str]:
        return {"sub": user["sub"]}

    return app, auth0


def official() -> FastAPI:
    from auth0_fastapi.auth import AuthClient  # type: ignore[import-untyped]
    from auth0_fastapi.config import Auth0Config  # type: ignore[import-untyped]

    config = Auth0Config(
        domain="tenant.example",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        app_base_url=APP,
        secret=SECRET,
    )
    auth_client = AuthClient(config)
    app = FastAPI()

    @app.get("/private")
    async def private(
        session: Annotated[dict[str, Any], Depends(auth_client.require_session)],
    ) -> dict[str, str]:
        return {"sub": session["user"]["sub"]}

    return app


def bare() -> FastAPI:
    app = FastAPI()

    @app.get("/private")
    async def private() -> dict[str, str]:
        return {"sub": "auth0|alice"}

    return app


async def session_cookie(app: FastAPI, tenant: Tenant) -> str:
    """Log alice in through our integration; the browser's ``Cookie`` header afterwards."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=APP) as browser:
        start = await browser.get("/auth/login")
        flow = browser_login_flow(start.headers["location"], "alice@example.com", "alice-password")
        callback = str(run_sync(flow, tenant.handle))
        done = await browser.get(callback)
        assert done.status_code == 302, done.text
        return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


async def call(app: ASGIApp, cookie: str) -> int:
    """One ``GET /private`` straight into the ASGI app; its status."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "https",
        "path": "/private",
        "raw_path": b"/private",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"app.example"),
            (b"accept", b"application/json"),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("app.example", 443),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def measure(iterations: int) -> dict[str, dict[str, float]]:
    tenant = _tenant()
    our_app, auth0 = ours(tenant)
    cookie = await session_cookie(our_app, tenant)
    apps: dict[str, ASGIApp] = {"bare": bare(), "ours": our_app, "auth0-fastapi": official()}
    for name, app in apps.items():
        for _ in range(20):
            status = await call(app, cookie)
            assert status == 200, (name, status)
    rounds = max(5, iterations // BATCH)
    samples: dict[str, list[float]] = {name: [] for name in apps}
    names = list(apps)
    gc.collect()
    gc.disable()
    try:
        for round_ in range(rounds):
            for name in names[round_ % 3 :] + names[: round_ % 3]:
                started = time.perf_counter()
                for _ in range(BATCH):
                    await call(apps[name], cookie)
                samples[name].append((time.perf_counter() - started) / BATCH)
    finally:
        gc.enable()
    await auth0.client.aclose()
    results = {}
    for name, values in samples.items():
        ordered = sorted(values)
        median = statistics.median(ordered)
        results[name] = {
            "median_us": round(median * 1e6, 1),
            "p95_us": round(ordered[round(0.95 * (len(ordered) - 1))] * 1e6, 1),
            "requests_per_second": round(1 / median),
        }
    for name in ("ours", "auth0-fastapi"):
        results[name]["over_bare_us"] = round(
            results[name]["median_us"] - results["bare"]["median_us"], 1
        )
    results["cookie_bytes"] = {"median_us": float(len(cookie))}
    return results


def report(results: dict[str, dict[str, float]], iterations: int) -> list[str]:
    lines = [
        f"GET /private, FastAPI in-process, {iterations} requests per app in batches of {BATCH}"
        f" (session cookie {int(results['cookie_bytes']['median_us'])} bytes)",
        "",
        "| app | median per request | p95 | requests/s | over the bare route |",
        "|---|---|---|---|---|",
    ]
    for name in ("bare", "ours", "auth0-fastapi"):
        row = results[name]
        over = f"{row['over_bare_us']:.1f} us" if "over_bare_us" in row else "-"
        lines.append(
            f"| {name} | {row['median_us']:.1f} us | {row['p95_us']:.1f} us "
            f"| {int(row['requests_per_second'])} | {over} |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argument_parser("a protected route, Starlette integration", "requests per app")
    parser.set_defaults(iterations=5000)
    parser.add_argument("--md", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    results = asyncio.run(measure(args.iterations))
    lines = report(results, args.iterations)
    print("\n".join(lines))
    if args.json:
        write_results(
            args.json,
            "bench_integrations.py",
            argv,
            {"iterations": args.iterations, "batch": BATCH, "results": results},
        )
    if args.md:
        args.md.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
