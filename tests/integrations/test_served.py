"""Each integration over a real server on a loopback port: Starlette and FastAPI on Hypercorn
(its asyncio and its trio worker: Uvicorn has no trio), Flask and Django on Werkzeug's
threaded WSGI server. The browser is httpx over real sockets; the apps reach the emulated
tenant in-process."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpx
import pytest
from hypercorn.config import Config
from werkzeug.serving import make_server

from auth0_core.tenant import Tenant
from auth0_starlette import Auth0

from .helpers import ALICE, CLIENT_ID, TENANT, make_tenant, tenant_login
from .sites import SITES, FlaskSite
from .starlette.apps import fastapi_app, make_client, starlette_app


def listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock


async def browse(tenant: Tenant, http: httpx.AsyncClient) -> None:
    """Log in, use the session, receive a back-channel logout, log in again, log out."""
    page = await http.get("/private")
    assert page.status_code == 302
    start = await http.get(page.headers["location"])
    assert start.headers["location"].startswith(f"{TENANT}/authorize")
    done = await http.get(tenant_login(tenant, start.headers["location"]))
    assert done.status_code == 302, done.text
    assert done.headers["location"] == "/private"
    assert "Hello Alice Example" in (await http.get("/private")).text
    assert (await http.get("/token")).json()["length"] > 20

    token = tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    async with httpx.AsyncClient(base_url=http.base_url) as tenant_side:
        posted = await tenant_side.post("/auth/backchannel-logout", data={"logout_token": token})
        assert posted.status_code == 200
    assert (await http.get("/private")).status_code == 302

    start = await http.get("/auth/login")
    await http.get(tenant_login(tenant, start.headers["location"]))
    assert (await http.get("/api/me")).json() == {"sub": ALICE}
    out = await http.get("/auth/logout")
    assert out.status_code == 302
    assert out.headers["location"].startswith(TENANT)
    assert not [name for name in http.cookies if name.startswith("_a0_session")]
    assert (await http.get("/api/me")).status_code == 401


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.anyio
@pytest.mark.parametrize("make_app", [starlette_app, fastapi_app])
async def test_starlette_on_hypercorn(anyio_backend: str, make_app: Callable[[Auth0], Any]) -> None:
    sock = listening_socket()
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    tenant = make_tenant([origin])
    client = make_client(tenant)
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]  # Hypercorn owns and closes it
    config.accesslog = None
    stop = anyio.Event()
    if anyio_backend == "trio":
        from hypercorn.trio import serve
    else:
        from hypercorn.asyncio import serve  # type: ignore[assignment]
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(
                lambda: serve(make_app(Auth0(client)), config, shutdown_trigger=stop.wait)
            )
            async with httpx.AsyncClient(base_url=origin) as http:
                await browse(tenant, http)
            stop.set()
    finally:
        await client.aclose()


@contextmanager
def wsgi_server(app: Any, sock: socket.socket) -> Iterator[None]:
    server = make_server("127.0.0.1", 0, app, threaded=True, fd=sock.fileno())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.mark.anyio
@pytest.mark.parametrize("framework", sorted(SITES))
async def test_flask_and_django_on_a_wsgi_server(framework: str) -> None:
    sock = listening_socket()
    origin = f"http://127.0.0.1:{sock.getsockname()[1]}"
    site = SITES[framework](make_tenant([origin]))
    try:
        if isinstance(site, FlaskSite):
            app: Any = site.app
        else:
            from django.core.handlers.wsgi import WSGIHandler

            app = WSGIHandler()
        with wsgi_server(app, sock):
            async with httpx.AsyncClient(base_url=origin) as http:
                await browse(site.tenant, http)
    finally:
        site.close()
        sock.close()
