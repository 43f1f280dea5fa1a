"""``auth0-core demo``: the emulated tenant and the demo app, served side by side on loopback."""

from __future__ import annotations

import inspect
import secrets
import signal
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TextIO

import anyio
import attrs
from anyio.abc import TaskStatus

from auth0_anyio import ServerClient
from auth0_core import HttpRequest, HttpResponse
from auth0_core.stores import CookieStateStore, CookieTransactionStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_tenant_server._server import ServerAddress, serve

from ._app import DemoApp


@attrs.frozen
class DemoAddresses:
    """Where the demo's two servers listen."""

    app: ServerAddress
    tenant: ServerAddress


# What the demo's login asks for: the SDK's default, spelled out because the scope is now a
# dict. offline_access gives the refresh token every MRRT and Token Vault call needs.
LOGIN_SCOPE = "openid profile email offline_access"
# Every My Account scope the demo uses, as the /me/ audience's default: each call asks for its
# scope merged with these, so one cached token serves listing, connecting and deleting.
MY_ACCOUNT_SCOPES = (
    "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
)


def _tenant_config(app_url: str) -> TenantConfig:
    """The default tenant, with the demo client's callback and logout URL set to the app's."""
    config = TenantConfig.default()
    client = attrs.evolve(
        config.clients[0],
        # One callback for every flow (login, link, unlink, connect): see DemoApp.
        callbacks=(f"{app_url}/auth/callback",),
        allowed_logout_urls=(f"{app_url}/",),
    )
    return attrs.evolve(config, clients=(client, *config.clients[1:]))


def demo_client(app_url: str, tenant_url: str, secret: str) -> ServerClient:
    """The demo app's client of the tenant, its sessions sealed with ``secret``."""
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
        state_store=CookieStateStore(secret, secure=False),
        transaction_store=CookieTransactionStore(secret, secure=False),
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
    task_status: TaskStatus[DemoAddresses] = anyio.TASK_STATUS_IGNORED,
) -> None:
    """Serve the tenant and the demo app until cancelled; reports both addresses when ready."""
    tenant_handler, app_handler = _Late(), _Late()
    async with anyio.create_task_group() as group:
        tenant = await group.start(
            partial(
                serve,
                make_handler=lambda _url: tenant_handler,
                host=host,
                port=tenant_port,
                access_log=access_log,
            )
        )
        app = await group.start(
            partial(
                serve,
                make_handler=lambda _url: app_handler,
                host=host,
                port=app_port,
                access_log=None,
            )
        )
        tenant_handler.target = Tenant(
            _tenant_config(app.base_url), base_url=tenant.base_url
        ).handle
        # A fresh session secret per run: the demo's sessions do not outlive it.
        secret = secrets.token_urlsafe(32)
        client = demo_client(app.base_url, tenant.base_url, secret)
        demo = DemoApp(client, app.base_url, tenant.base_url)
        app_handler.target = demo.handle
        task_status.started(DemoAddresses(app=app, tenant=tenant))
        try:
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await demo.aclose()
                await client.aclose()


def run_demo(*, host: str, app_port: int, tenant_port: int, backend: str = "asyncio") -> None:
    """Run the demo until SIGINT/SIGTERM, printing where to point a browser."""

    async def main() -> None:
        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with anyio.create_task_group() as group:
                addresses = await group.start(
                    partial(serve_demo, host=host, app_port=app_port, tenant_port=tenant_port)
                )
                print(f"tenant listening on {addresses.tenant.base_url}", flush=True)
                print(
                    f"demo app on {addresses.app.base_url}/ : log in as alice@example.com / "
                    "alice-password (or bob@example.com / bob-password). Ctrl-C stops.",
                    flush=True,
                )
                async for _ in signals:
                    group.cancel_scope.cancel()
                    break

    anyio.run(main, backend=backend)
