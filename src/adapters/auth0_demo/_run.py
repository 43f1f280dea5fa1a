"""``auth0-core demo``: the emulated tenant and the demo app, served side by side on loopback.

The tenant is served by ``auth0_tenant_server`` (its h11 server); the app, a Starlette app on
``auth0_starlette``, by Hypercorn, a real ASGI server, on the same event loop: Hypercorn has an
asyncio and a trio worker, so ``auth0-core demo --backend trio`` serves the whole demo on trio
(Uvicorn serves asyncio only).

Sessions and login transactions are kept in memory (one process), or in Redis with
``--store redis://HOST:PORT/DB``. Either way the app can end a session from the server: the
tenant's demo client has the app's ``/auth/backchannel-logout`` as its back-channel logout URI,
and a :class:`~auth0_tenant_server.BackchannelSender` posts the tenant's logout tokens there.
"""

from __future__ import annotations

import errno
import inspect
import logging
import secrets
import signal
import socket
import sys
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TextIO, cast
from urllib.parse import urlsplit, urlunsplit

import anyio
import anyio.to_thread
import attrs
from anyio.abc import TaskStatus
from hypercorn.config import Config
from hypercorn.typing import ASGIFramework
from starlette.applications import Starlette

from auth0_anyio import ServerClient
from auth0_core import HttpRequest, HttpResponse
from auth0_core.errors import Auth0Error, ConfigurationError
from auth0_core.stores import MemoryStateStore, MemoryTransactionStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.config_types import MrrtPolicy, TenantApi
from auth0_tenant_server._backchannel import BackchannelSender
from auth0_tenant_server._server import AddressInUseError, ServerAddress, _base_url, serve

from ._api import ADMIN_AUDIENCE, ADMIN_SCOPE
from ._app import BACKCHANNEL_LOGOUT, DemoApp

# --store: "memory", or a Redis URL.
MEMORY_STORE = "memory"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
# Every Redis key of the demo starts with this, apart from other applications' on one Redis.
REDIS_PREFIX = "auth0-demo:"


@attrs.frozen
class DemoAddresses:
    """Where the demo's two servers listen, and the emulated tenant they serve (its outbox and
    sessions, for tests)."""

    app: ServerAddress
    tenant: ServerAddress
    tenant_model: Tenant = attrs.field(kw_only=True, eq=False, repr=False)


@attrs.frozen
class DemoStores:
    """The demo client's session and transaction stores, and how the home page names them."""

    state: Any
    transaction: Any
    label: str

    async def aclose(self) -> None:
        """Close the Redis connections (memory stores have none)."""
        for store in (self.state, self.transaction):
            close = getattr(store, "aclose", None)
            if close is not None:
                await close()


def shown_url(url: str) -> str:
    """``url`` without what may hold a password (user info, query), fit to print."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


async def open_stores(store: str, secret: str) -> DemoStores:
    """The stores ``--store`` names (``memory`` or a Redis URL), sealing with ``secret``.

    Redis is asked once here, so that an unreachable one stops the demo at start.

    Raises:
        ConfigurationError: ``store`` is neither; Redis cannot be used (the message shows the
            URL without its password); the ``redis`` extra is missing (``MissingExtraError``).
    """
    if store == MEMORY_STORE:
        # Plain-HTTP loopback demo: cookies cannot be Secure here.
        state = MemoryStateStore(secure=False)
        return DemoStores(state, MemoryTransactionStore(), "memory (this process)")
    if not store.startswith(REDIS_SCHEMES):
        raise ConfigurationError(
            f"the demo's store is 'memory' or a Redis URL (redis://HOST:PORT/DB), not {store!r}"
        )
    from auth0_redis import AsyncRedisStateStore, AsyncRedisTransactionStore

    shown = shown_url(store)
    stores = DemoStores(
        AsyncRedisStateStore(store, secret=secret, prefix=REDIS_PREFIX, secure=False),
        AsyncRedisTransactionStore(store, secret=secret, prefix=REDIS_PREFIX),
        f"Redis ({shown})",
    )
    try:
        await stores.transaction.get("_a0_demo_probe")
    except Auth0Error as exc:
        await stores.aclose()
        raise ConfigurationError(f"cannot use Redis at {shown}: {exc.message}") from None
    except ValueError as exc:  # redis-py reads the URL's port and database on first use
        await stores.aclose()
        raise ConfigurationError(f"{shown} is not a usable Redis URL: {exc}") from None
    return stores


# What the demo's login asks for: the SDK's default, spelled out because the scope is now a
# dict. offline_access gives the refresh token every MRRT and Token Vault call needs.
LOGIN_SCOPE = "openid profile email offline_access"
# Every My Account scope the demo uses, as the /me/ audience's default: each call asks for its
# scope merged with these, so one cached token serves listing, connecting and deleting.
MY_ACCOUNT_SCOPES = (
    "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
)


def _tenant_config(app_url: str) -> TenantConfig:
    """The default tenant, with the demo client's callback, logout and back-channel logout URLs
    set to the app's, and the admin API (``https://api.example.com/admin``): the demo client's
    refresh token may mint tokens for it (MRRT), and each needs MFA first (``[mfa]
    audiences``), the step-up the demo shows."""
    config = TenantConfig.default()
    refresh = config.clients[0].refresh_token
    admin_policy = MrrtPolicy(audience=ADMIN_AUDIENCE, scope=(ADMIN_SCOPE,))
    client = attrs.evolve(
        config.clients[0],
        # One callback for every flow (login, link, unlink, connect): see DemoApp.
        callbacks=(f"{app_url}/auth/callback",),
        allowed_logout_urls=(f"{app_url}/",),
        backchannel_logout_uri=f"{app_url}{BACKCHANNEL_LOGOUT}",
        refresh_token=attrs.evolve(refresh, policies=(*refresh.policies, admin_policy)),
    )
    admin_api = TenantApi(identifier=ADMIN_AUDIENCE, scopes=(ADMIN_SCOPE,))
    return attrs.evolve(
        config,
        clients=(client, *config.clients[1:]),
        apis=(*config.apis, admin_api),
        mfa=attrs.evolve(config.mfa, audiences=(*config.mfa.audiences, ADMIN_AUDIENCE)),
    )


def demo_client(
    app_url: str,
    tenant_url: str,
    secret: str,
    *,
    state_store: Any = None,
    transaction_store: Any = None,
) -> ServerClient:
    """The demo app's client of the tenant, its sessions sealed with ``secret``, in the given
    stores (default: memory)."""
    return ServerClient(
        domain=tenant_url,
        client_id="demo-client",
        client_secret=TenantConfig.default().clients[0].client_secret,
        secret=secret,
        authorization_params={
            "redirect_uri": f"{app_url}/auth/callback",
            # "default" is the login's (no audience); other keys are APIs' default scopes.
            "scope": {"default": LOGIN_SCOPE, f"{tenant_url.rstrip('/')}/me/": MY_ACCOUNT_SCOPES},
        },
        # Plain-HTTP loopback demo: cookies cannot be Secure here.
        state_store=state_store if state_store is not None else MemoryStateStore(secure=False),
        transaction_store=(
            transaction_store if transaction_store is not None else MemoryTransactionStore()
        ),
    )


class _Late:
    """A handler bound before its target exists: both servers must listen before either the
    tenant (which needs the app's callback URL) or the app (which needs the tenant's URL) can
    be built."""

    def __init__(self) -> None:
        self.target: Callable[[HttpRequest], Any] | None = None

    async def __call__(self, request: HttpRequest) -> HttpResponse:
        assert self.target is not None, "request before the demo finished starting"
        answer = self.target(request)
        if inspect.isawaitable(answer):
            answer = await answer
        assert isinstance(answer, HttpResponse)
        return answer


async def serve_demo(
    *,
    host: str = "127.0.0.1",
    app_port: int = 3000,
    tenant_port: int = 0,
    access_log: TextIO | None = sys.stderr,
    store: str = MEMORY_STORE,
    task_status: TaskStatus[DemoAddresses] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the tenant and the demo app until cancelled; reports both addresses when ready.

    ``store`` is ``"memory"`` or a Redis URL (see :func:`open_stores`); ``access_log`` gets the
    tenant's requests and its back-channel logout deliveries.

    Raises:
        ConfigurationError: the store cannot be used (before anything is served).
    """
    # A fresh session secret per run: the demo's sessions do not outlive it.
    secret = secrets.token_urlsafe(32)
    stores = await open_stores(store, secret)
    try:
        await _serve(host, app_port, tenant_port, access_log, stores, secret, task_status)
    finally:
        with anyio.CancelScope(shield=True):
            await stores.aclose()


async def _serve(
    host: str,
    app_port: int,
    tenant_port: int,
    access_log: TextIO | None,
    stores: DemoStores,
    secret: str,
    task_status: TaskStatus[DemoAddresses],
) -> None:
    # The app's socket is bound first: its URL is the tenant's callback, and a port in use
    # fails here, before anything is served.
    app_socket = listening_socket(host, app_port)
    try:
        await _serve_both(app_socket, host, tenant_port, access_log, stores, secret, task_status)
    finally:
        app_socket.close()  # Hypercorn's once served (then this does nothing)


async def _serve_both(
    app_socket: socket.socket,
    host: str,
    tenant_port: int,
    access_log: TextIO | None,
    stores: DemoStores,
    secret: str,
    task_status: TaskStatus[DemoAddresses],
) -> None:
    tenant_handler = _Late()
    async with anyio.create_task_group() as group:
        tenant_address = await group.start(
            partial(
                serve,
                make_handler=lambda _url: tenant_handler,
                host=host,
                port=tenant_port,
                access_log=access_log,
            )
        )
        app_port = int(app_socket.getsockname()[1])
        app = ServerAddress(host, app_port, _base_url("http", host, app_port))
        tenant = Tenant(_tenant_config(app.base_url), base_url=tenant_address.base_url)
        tenant_handler.target = tenant.handle
        client = demo_client(
            app.base_url,
            tenant_address.base_url,
            secret,
            state_store=stores.state,
            transaction_store=stores.transaction,
        )
        demo = DemoApp(
            client,
            app.base_url,
            tenant_address.base_url,
            store_label=stores.label,
            background=group,
            # The tenant runs in this process: its test mailbox is read in place (/outbox).
            outbox=tenant.outbox,
        )
        stop = anyio.Event()
        stopped = anyio.Event()
        group.start_soon(_serve_asgi, demo.app, app_socket, stop, stopped)
        # Posts the tenant's logout tokens to the app over HTTP, from a thread of its own.
        sender = BackchannelSender(tenant, log=access_log).start()
        task_status.started(DemoAddresses(app=app, tenant=tenant_address, tenant_model=tenant))
        try:
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                # Hypercorn's graceful shutdown: it stops accepting, lets requests in flight
                # finish (at most GRACEFUL_TIMEOUT) and closes the socket.
                stop.set()
                with anyio.move_on_after(GRACEFUL_TIMEOUT + 2):
                    await stopped.wait()
                await anyio.to_thread.run_sync(sender.close)
                await demo.aclose()
                await client.aclose()


# Seconds Hypercorn gives requests in flight when the demo stops.
GRACEFUL_TIMEOUT = 3.0


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on ``host:port`` (0: a free port), for Hypercorn to serve.

    Raises:
        AddressInUseError: another process listens there.
        OSError: the host is not this machine's.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise AddressInUseError(host, port) from None
        raise
    return sock


def hypercorn_config(sock: socket.socket) -> Config:
    """Hypercorn serving the already-bound ``sock`` (it takes the socket over and closes it),
    quiet but for its errors: the demo prints its own lines."""
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.accesslog = None
    config.loglevel = "WARNING"
    config.graceful_timeout = GRACEFUL_TIMEOUT
    return config


def _running_on_trio() -> bool:
    """Whether this task runs on trio (else asyncio). Without trio imported it cannot be;
    ``sniffio`` is not asked: newer anyio no longer brings it."""
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:  # not inside trio.run
        return False
    return True


async def _serve_asgi(
    app: Starlette, sock: socket.socket, stop: anyio.Event, stopped: anyio.Event
) -> None:
    """Serve ``app`` with Hypercorn's worker for the running loop (asyncio or trio) until
    ``stop`` is set, then set ``stopped``. Shielded: the demo's own cancellation must not cut
    Hypercorn's graceful shutdown short; ``stop`` ends it."""
    config = hypercorn_config(sock)
    # Starlette's ASGI types are looser than Hypercorn's (plain mappings vs typed dicts).
    framework = cast(ASGIFramework, app)
    logging.getLogger("hypercorn.error").setLevel(logging.WARNING)
    try:
        with anyio.CancelScope(shield=True):
            if _running_on_trio():
                from hypercorn.trio import serve as serve_on_trio

                await serve_on_trio(framework, config, shutdown_trigger=stop.wait, mode="asgi")
            else:
                from hypercorn.asyncio import serve as serve_on_asyncio

                await serve_on_asyncio(framework, config, shutdown_trigger=stop.wait, mode="asgi")
    finally:
        stopped.set()


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def run_demo(
    *,
    host: str,
    app_port: int,
    tenant_port: int,
    backend: str = "asyncio",
    store: str = MEMORY_STORE,
) -> None:
    """Run the demo until SIGINT/SIGTERM, printing where to point a browser.

    Raises:
        ConfigurationError: the store cannot be used (see :func:`open_stores`).
    """

    async def main() -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with anyio.create_task_group() as group:
                addresses = await group.start(
                    partial(
                        serve_demo,
                        host=host,
                        app_port=app_port,
                        tenant_port=tenant_port,
                        store=store,
                    )
                )
                app_url = addresses.app.base_url
                print(f"tenant listening on {addresses.tenant.base_url}", flush=True)
                print(
                    f"demo app on {app_url}/ : log in as alice@example.com / "
                    "alice-password (or bob@example.com / bob-password). Ctrl-C stops.",
                    flush=True,
                )
                label = "memory" if store == MEMORY_STORE else f"Redis at {shown_url(store)}"
                print(
                    f"sessions in {label}; back-channel logout tokens go to "
                    f"{app_url}{BACKCHANNEL_LOGOUT}",
                    flush=True,
                )
                async for _ in signals:
                    group.cancel_scope.cancel()
                    break

    try:
        anyio.run(main, backend=backend)
    except BaseExceptionGroup as group:
        # A store that cannot be used is one line for the command, not a task group's trace.
        leaves = list(_leaves(group))
        if len(leaves) == 1 and isinstance(leaves[0], ConfigurationError):
            raise leaves[0] from None
        raise
