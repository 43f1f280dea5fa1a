"""The emulated tenant as a test sees it: the tenant, its tokens, clients and browsers.

:class:`EmulatedTenant` is the in-process tenant (``Tenant.handle`` is the transport: no
socket); ``auth0_tenant_server.testing.ServedTenant`` is the same face with the tenant served
on a loopback port. What needs IO (a ``requests`` session or an ``httpx`` client for the
facades, an ASGI app's event loop, HTTP to a live app) is built by
``auth0_tenant_server.testing``, imported on first use by :func:`_io`: the one place the core
reaches an adapter, and only when a test asks for one of those (``tests/unit/test_purity.py``
keeps transports out of the core; ``tests/testing_plugin/test_layers.py`` checks that this
is the only such import and that loading the plugin imports no adapter).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._env import Env
from .._http import HttpRequest, HttpResponse
from ..errors import ConfigurationError
from ..tenant import Tenant, TenantClient, TenantConfig, TenantUser
from ._browser import Browser, Send
from ._config import ConfigSource, tenant_config
from ._tokens import TokenMinter
from ._wsgi import wsgi_sender

if TYPE_CHECKING:  # the transports' types, named by the IO half (the core imports none)
    from auth0_tenant_server.testing import HttpxAsyncClient, RequestsSession, ServedTenant

Handler = Callable[[HttpRequest], HttpResponse]
IN_PROCESS_URL = "https://tenant.example"
# Where an app called in process is, by default: a loopback name, so that its Secure cookies
# come back over http as browsers do for localhost.
IN_PROCESS_APP_URL = "http://localhost"


def _io() -> ModuleType:
    """``auth0_tenant_server.testing``: the IO half of the testing tools, on first use."""
    from auth0_tenant_server import testing

    return testing


def is_asgi(app: object) -> bool:
    """Whether ``app`` is an ASGI application (``async def __call__(scope, receive, send)``)
    rather than a WSGI one."""
    call = type(app).__call__ if not inspect.isfunction(app) else None
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)


class EmulatedTenant:
    """An emulated Auth0 tenant for one test, reached in process (no socket).

    Args:
        tenant: the tenant (see :meth:`create` to build one from a configuration).
        client_id: the client that :attr:`client_id`, :meth:`client_options` and the minted
            tokens default to (default: the configuration's first client).

    Attributes:
        tenant: the :class:`~auth0_core.tenant.Tenant` with its test hooks (``count``,
            ``sessions``, ``end_sessions``, ``rotate_signing_key``, ``settings``...).
        tokens: a :class:`TokenMinter` signing with this tenant's keys.
    """

    def __init__(self, tenant: Tenant, *, client_id: str | None = None) -> None:
        self.tenant = tenant
        self.tokens = TokenMinter(tenant, client_id=client_id)

    @classmethod
    def create(
        cls,
        config: ConfigSource = None,
        *,
        base_url: str = IN_PROCESS_URL,
        env: Env | None = None,
        client_id: str | None = None,
    ) -> EmulatedTenant:
        """A tenant configured from ``config`` (a dict, a TOML path, a ``TenantConfig`` or
        None for the default), answering at ``base_url`` in process.

        Raises:
            ConfigurationError: the configuration is not valid.
        """
        return cls(Tenant(tenant_config(config), base_url=base_url, env=env), client_id=client_id)

    @staticmethod
    def serve(
        config: ConfigSource = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        env: Env | None = None,
        client_id: str | None = None,
    ) -> ServedTenant:
        """A tenant configured from ``config`` served over HTTP on ``host`` (a free port unless
        ``port`` is given); stop it with ``close()`` (or use it as a context manager).

        Raises:
            MissingExtraError: the ``tenant`` extra is not installed.
            AddressInUseError: ``port`` is taken.
        """
        served: ServedTenant = _io().ServedTenant(
            config, host=host, port=port, env=env, client_id=client_id
        )
        return served

    # --- what the app under test is configured with ----------------------------------------

    @property
    def base_url(self) -> str:
        """Where the tenant answers, e.g. ``https://tenant.example`` (no trailing slash)."""
        return self.tenant.base_url

    @property
    def domain(self) -> str:
        """What to pass as ``ServerClient(domain=...)``: the base URL (the facades accept a
        URL, which keeps the scheme of a tenant served over http)."""
        return self.tenant.base_url

    @property
    def issuer(self) -> str:
        return self.tenant.issuer

    @property
    def config(self) -> TenantConfig:
        return self.tenant.config

    @property
    def client(self) -> TenantClient:
        """The default client's configuration."""
        client = self.config.client(self.tokens.client_id)
        assert client is not None  # TokenMinter checked it
        return client

    @property
    def client_id(self) -> str:
        return self.tokens.client_id

    @property
    def client_secret(self) -> str | None:
        return self.client.client_secret

    def client_options(self, client_id: str | None = None) -> dict[str, Any]:
        """``domain``, ``client_id`` and (when the client has one) ``client_secret``: the
        keyword arguments of either ``ServerClient`` that name this tenant and client.

        Raises:
            ConfigurationError: no such client.
        """
        client = self.config.client(client_id or self.client_id)
        if client is None:
            known = ", ".join(c.client_id for c in self.config.clients)
            raise ConfigurationError(
                f"no client {client_id!r} in the emulated tenant (clients: {known})"
            )
        options: dict[str, Any] = {"domain": self.domain, "client_id": client.client_id}
        if client.client_secret is not None:
            options["client_secret"] = client.client_secret
        return options

    def user(self, who: str | None = None) -> TenantUser:
        """The configured user ``who`` names (email or ``user_id``; None: the first)."""
        return self.tokens.user(who)

    def sessions(self, user: str | None = None) -> list[dict[str, Any]]:
        """The live tenant sessions of ``user`` (email or ``user_id``; every user's when
        None): ``{"sid", "user_id", "created_at", "clients"}``, oldest first."""
        return self.tenant.sessions(self.user(user).user_id if user is not None else None)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` in process (the tenant's transport)."""
        return self.tenant.handle(request)

    # --- transports for the facades ---------------------------------------------------------

    @property
    def in_process(self) -> bool:
        """True: requests to this tenant are answered in process."""
        return True

    def _handler(self) -> Handler | None:
        """The in-process handler the transports use; None sends over the network."""
        return self.tenant.handle

    def requests_session(self, handler: Handler | None = None) -> RequestsSession:
        """A ``requests.Session`` for ``auth0_requests.ServerClient(session=...)`` that
        reaches this tenant (in process: no socket).

        ``handler`` answers in the tenant's place (in process only): a function of
        ``HttpRequest`` that calls :meth:`handle` and changes what it gets back, say.

        Raises:
            MissingExtraError: the ``requests`` extra is not installed.
        """
        chosen = handler if handler is not None else self._handler()
        session: RequestsSession = _io().requests_session(chosen, self.base_url)
        return session

    def httpx_client(self, handler: Handler | None = None, **options: Any) -> HttpxAsyncClient:
        """An ``httpx.AsyncClient`` for ``auth0_anyio.ServerClient(http_client=...)`` that
        reaches this tenant (in process: no socket); ``handler`` as for
        :meth:`requests_session`; ``options`` go to the client.

        Raises:
            MissingExtraError: the ``anyio`` extra is not installed.
        """
        chosen = handler if handler is not None else self._handler()
        client: HttpxAsyncClient = _io().httpx_client(chosen, **options)
        return client

    # --- browsers ---------------------------------------------------------------------------

    def _tenant_sender(self) -> Send:
        return self.tenant.handle

    def browser(
        self,
        app: object = None,
        *,
        app_url: str | None = None,
        lifespan: bool = True,
        backend: str = "asyncio",
    ) -> Browser:
        """A scripted browser between the application ``app`` and this tenant.

        Args:
            app: a WSGI application (Flask, Django's ``get_wsgi_application()``), an ASGI
                application (Starlette, FastAPI; run on an event loop in a thread of the
                browser's own, lifespan included), the URL of a live application, or None (a
                browser that talks to the tenant only).
            app_url: where the app is; default ``http://localhost`` for an app in process (a
                loopback name: browsers send ``Secure`` cookies there over http), the URL
                itself for a live one. Configure the tenant's client with callbacks under it.
            lifespan: run an ASGI app's lifespan (startup before the first request, shutdown
                at :meth:`Browser.close`).
            backend: the ASGI app's event loop, ``"asyncio"`` or ``"trio"``.

        Close the browser when done (the ``auth0_browser`` fixture does): an ASGI app's event
        loop stops then.
        """
        fallback: Send | None = None
        closers: list[Callable[[], None]] = []
        if isinstance(app, str):
            app_url = app_url or app
            fallback = _io().http_sender()
            send: Send = fallback
        elif app is None:
            app_url = app_url or IN_PROCESS_APP_URL
            send = self._tenant_sender()
        elif is_asgi(app):
            app_url = app_url or IN_PROCESS_APP_URL
            sender = _io().AsgiSender(app, lifespan=lifespan, backend=backend)
            send, closers = sender, [sender.close]
        elif callable(app):
            app_url = app_url or IN_PROCESS_APP_URL
            send = wsgi_sender(app)  # a WSGI callable, by elimination
        else:
            raise TypeError(f"not an application or a URL: {app!r}")
        if not self.in_process:
            fallback = fallback or _io().http_sender()
        return Browser(
            send,
            app_url=app_url,
            tenant=self.tenant,
            tenant_send=self._tenant_sender(),
            fallback=fallback,
            on_close=closers,
        )

    def close(self) -> None:
        """Nothing to release in process (a served tenant stops its server)."""

    def __enter__(self) -> EmulatedTenant:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"
