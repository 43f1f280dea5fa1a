"""Interop against a real OpenID Provider (oidc-provider, see tests/oidc_provider/harness.py).

Fixtures:

- ``oidc_op``: the OP, one Node process for the whole run (``OpenIDProvider``: ``issuer``,
  ``register(clients)``, ``rotate_keys()``, ``browser()``, ``login(url, user)``,
  ``discovery()``, ``jwks()``). Its default clients are ``rp-rs256``, ``rp-ps256`` and
  ``rp-es256`` (client_secret_basic, ID tokens signed with that algorithm); register more with
  ``oidc_op.register([...])``. Tests that rotate its keys leave the new keys in place.
- ``mode`` / ``anyio_backend``: as in tests/e2e, each test runs once per facade: ``sync``
  (``auth0_requests.ServerClient``), ``asyncio`` and ``trio`` (``auth0_anyio.ServerClient``).
- ``op_app``: an :class:`OPApp` of that mode against the OP. Tests are ``async`` functions
  and call ``await op_app.call("method", ...)``; for the sync client that call blocks.
"""

from __future__ import annotations

import inspect
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jws

import auth0_anyio
import auth0_requests
from auth0_core import Env

from ..e2e.conftest import Browser
from ..oidc_provider.harness import (
    CALLBACK,
    CLIENT_SECRET,
    SECRET,
    OPBrowser,
    OpenIDProvider,
    client_id_for,
    default_config,
)

MODES = ["sync", "asyncio", "trio"]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def jwt_header(token: str) -> dict[str, Any]:
    """The protected header of a compact JWS, unverified."""
    header: dict[str, Any] = jws.extract_compact(token.encode()).protected
    return header


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of a compact JWS, unverified (the SDK or the OP verified it)."""
    claims: dict[str, Any] = json.loads(jws.extract_compact(token.encode()).payload)
    return claims


class OPApp:
    """Clients of one mode against the OP, and the cookie jar of the app's user."""

    def __init__(self, mode: str, op: OpenIDProvider, **options: Any) -> None:
        self.mode = mode
        self.op = op
        self.browser = Browser()  # the app's cookies (session, transaction)
        # Seconds the clients' clock runs ahead of the OP's (to make access tokens expire).
        self.clock_offset = 0.0
        self.op_browser: OPBrowser = op.browser()  # the user agent's cookies at the OP
        self.options: dict[str, Any] = {
            "domain": op.issuer,
            "client_id": client_id_for("RS256"),
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            "env": Env(clock=lambda: time.time() + self.clock_offset),
        }
        self.options.update(options)
        self._clients: list[Any] = []
        self.client: Any = self.make_client()

    @property
    def is_async(self) -> bool:
        return self.mode != "sync"

    def make_client(self, **overrides: Any) -> Any:
        """A new ServerClient of this mode with the app's options and ``overrides``."""
        options = {**self.options, **overrides}
        client: Any
        if self.is_async:
            client = auth0_anyio.ServerClient(http_client=httpx.AsyncClient(), **options)
        else:
            client = auth0_requests.ServerClient(**options)
        self._clients.append(client)
        return client

    def use(self, **overrides: Any) -> Any:
        """Replace ``client`` with a new one with ``overrides`` (kept for later clients)."""
        self.options.update(overrides)
        self.client = self.make_client()
        return self.client

    async def call(self, method: str, *args: Any, client: Any = None, **kwargs: Any) -> Any:
        result = getattr(client or self.client, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def with_store(self, method: str, *args: Any, client: Any = None, **kwargs: Any) -> Any:
        """``method`` with the app user's cookies as store options, keeping what it sets."""
        store = self.browser.store_options()
        result = await self.call(method, *args, client=client, store_options=store, **kwargs)
        self.browser.absorb(store)
        return result

    async def start_login(self, options: Any = None, client: Any = None) -> str:
        url: str = await self.with_store("start_interactive_login", options, client=client)
        return url

    async def login(self, user: str = "alice", options: Any = None, client: Any = None) -> Any:
        """The whole interactive login: start, the user at the OP, the callback."""
        url = await self.start_login(options, client=client)
        callback = self.op_browser.authorize(url, user=user)
        return await self.with_store("complete_interactive_login", callback, client=client)

    async def user(self) -> Any:
        return await self.with_store("get_user")

    async def session(self) -> Any:
        return await self.with_store("get_session")

    async def aclose(self) -> None:
        self.op_browser.close()
        for client in self._clients:
            if self.is_async:
                await client.aclose()
            else:
                client.close()


@pytest.fixture(scope="session")
def oidc_op() -> Iterator[OpenIDProvider]:
    """The OP, started once for the run on a free loopback port and stopped by its PID."""
    with OpenIDProvider(default_config()) as op:
        yield op


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode == "trio" else "asyncio"


@pytest.fixture
async def op_app(mode: str, oidc_op: OpenIDProvider) -> AsyncIterator[OPApp]:
    app = OPApp(mode, oidc_op)
    try:
        yield app
    finally:
        await app.aclose()
