"""Login variants that need their own tenant configuration: client authentication methods,
organizations, HTTPS, and a tenant served in a task of the caller's own event loop."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from functools import partial
from typing import Any

import anyio
import attrs
import httpx
import pytest
import requests
import trustme
from joserfc.jwk import RSAKey

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.errors import AuthorizationError, ConfigurationError, OAuthError
from auth0_core.tenant import Tenant, TenantConfig, TenantOrganization
from auth0_tenant_server._server import ServerThread, serve

from .conftest import CALLBACK, CLIENT_ID, INPROCESS_BASE, SECRET, START, App

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def app_with(mode: str, config: TenantConfig, **client_options: Any) -> App:
    clock = FixedClock(START)
    tenant = Tenant(config, base_url=INPROCESS_BASE, env=Env(clock=clock))
    return App(mode, tenant, INPROCESS_BASE, clock, **client_options)


def with_client(**changes: Any) -> TenantConfig:
    config = TenantConfig.default()
    return attrs.evolve(config, clients=(attrs.evolve(config.clients[0], **changes),))


async def test_client_secret_post(mode: str) -> None:
    app = app_with(
        mode,
        with_client(token_endpoint_auth_method="client_secret_post"),
        client_auth_method="client_secret_post",
    )
    await app.login()
    assert (await app.user())["sub"] == "auth0|alice"


async def test_private_key_jwt(mode: str) -> None:
    key = RSAKey.generate_key(2048, private=True)
    app = app_with(
        mode,
        with_client(
            token_endpoint_auth_method="private_key_jwt",
            client_secret=None,
            client_assertion_public_key=key.as_pem(private=False).decode(),
        ),
        client_secret=None,
        client_assertion_signing_key=key.as_pem(private=True).decode(),
    )
    await app.login()
    assert (await app.user())["sub"] == "auth0|alice"


async def test_private_key_jwt_with_the_wrong_key_is_invalid_client(mode: str) -> None:
    registered = RSAKey.generate_key(2048, private=True)
    other = RSAKey.generate_key(2048, private=True)
    app = app_with(
        mode,
        with_client(
            token_endpoint_auth_method="private_key_jwt",
            client_secret=None,
            client_assertion_public_key=registered.as_pem(private=False).decode(),
        ),
        client_secret=None,
        client_assertion_signing_key=other.as_pem(private=True).decode(),
    )
    with pytest.raises(OAuthError) as info:
        await app.login()
    assert info.value.error == "invalid_client"
    assert info.value.status == 401
    assert await app.user() is None


@pytest.mark.parametrize("facade", [auth0_requests.ServerClient, auth0_anyio.ServerClient])
def test_unusable_signing_key_is_a_configuration_error_at_construction(facade: Any) -> None:
    # Refused when the client is built, not at the first token request (docs/login.md).
    with pytest.raises(ConfigurationError, match="client_assertion_signing_key") as info:
        facade(
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_assertion_signing_key="not a key",
            secret=SECRET,
        )
    assert "not a key" not in str(info.value)


def organizations() -> TenantConfig:
    members = ("auth0|alice",)
    return attrs.evolve(
        TenantConfig.default(),
        organizations=(
            TenantOrganization(id="org_acme123", name="Acme", display_name="Acme", members=members),
        ),
    )


@pytest.mark.parametrize("organization", ["org_acme123", "acme", "ACME"])
async def test_organization_login_checks_the_claims(mode: str, organization: str) -> None:
    app = app_with(mode, organizations())
    await app.login(options={"organization": organization})
    user = await app.user()
    assert user["org_id"] == "org_acme123"


async def test_organization_the_user_is_not_in_is_an_authorization_error(mode: str) -> None:
    app = app_with(mode, organizations())
    with pytest.raises(AuthorizationError) as info:
        await app.login("bob", options={"organization": "org_acme123"})
    assert info.value.error == "access_denied"


@pytest.fixture(scope="module")
def tls() -> Iterator[tuple[ssl.SSLContext, str, trustme.CA]]:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    with ca.cert_pem.tempfile() as path:
        yield server_context, path, ca


async def test_https_loopback(
    mode: str, tls: tuple[ssl.SSLContext, str, trustme.CA], monkeypatch: pytest.MonkeyPatch
) -> None:
    server_context, ca_path, ca = tls
    # requests lets these variables override Session.verify (psf/requests#3829).
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    clock = FixedClock(START)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler, ssl_context=server_context) as server:
        assert server.base_url.startswith("https://127.0.0.1:")
        app = App(mode.replace("inprocess", "loopback"), tenants[0], server.base_url, clock)
        if mode.startswith("sync"):
            session = requests.Session()
            session.verify = ca_path
            app.client = auth0_requests.ServerClient(session=session, **app.options)
        else:
            client_context = ssl.create_default_context()
            ca.configure_trust(client_context)
            http = httpx.AsyncClient(verify=client_context)
            app.client = auth0_anyio.ServerClient(http_client=http, **app.options)
        app.send = partial(_send_verified, ca_path)  # type: ignore[method-assign]
        await app.login()
        assert (await app.user())["sub"] == "auth0|alice"


def _send_verified(ca_path: str, request: Any) -> Any:
    from auth0_core import HttpResponse

    with httpx.Client(verify=ssl.create_default_context(cafile=ca_path)) as http:
        answer = http.request(
            request.method, request.url, headers=list(request.headers), content=request.body
        )
    return HttpResponse(
        status=answer.status_code, headers=tuple(answer.headers.multi_items()), body=answer.content
    )


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_tenant_served_in_a_task_of_the_same_loop(anyio_backend: str) -> None:
    clock = FixedClock(START)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    async with anyio.create_task_group() as group:
        address = await group.start(partial(serve, make_handler=make_handler, access_log=None))
        app = App(f"{anyio_backend}-loopback", tenants[0], address.base_url, clock)
        # The browser must not block the loop that serves the tenant: run it in a thread.
        store = app.browser.store_options()
        url = await app.call("start_interactive_login", store_options=store)
        app.browser.absorb(store)
        callback = await anyio.to_thread.run_sync(app.browser_login, url)
        store = app.browser.store_options()
        await app.call("complete_interactive_login", callback, store_options=store)
        app.browser.absorb(store)
        assert (await app.user())["sub"] == "auth0|alice"
        await app.client.aclose()
        group.cancel_scope.cancel()


async def test_async_client_is_an_async_context_manager() -> None:
    http = httpx.AsyncClient()
    async with auth0_anyio.ServerClient(
        http_client=http,
        domain=INPROCESS_BASE,
        client_id=CLIENT_ID,
        client_secret="x",
        secret=SECRET,
    ):
        pass
    assert http.is_closed is False  # a client we were given is the caller's to close
    async with auth0_anyio.ServerClient(
        domain=INPROCESS_BASE, client_id=CLIENT_ID, client_secret="x", secret=SECRET
    ) as owned:
        assert owned._transport.client.is_closed is False
    assert owned._transport.client.is_closed is True  # the one it made itself, it closes
    await http.aclose()


class ClosingAdapter(requests.adapters.HTTPAdapter):
    """A real HTTP adapter that remembers whether its session was closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_sync_client_is_a_context_manager() -> None:
    options: dict[str, Any] = {
        "domain": INPROCESS_BASE,
        "client_id": CLIENT_ID,
        "client_secret": "x",
        "secret": SECRET,
        "authorization_params": {"redirect_uri": CALLBACK},
    }
    given, given_adapter = requests.Session(), ClosingAdapter()
    given.mount("https://", given_adapter)
    with auth0_requests.ServerClient(session=given, **options):
        pass
    assert given_adapter.closed is False  # a session we were given is the caller's to close
    with auth0_requests.ServerClient(**options) as client:
        owned_adapter = ClosingAdapter()
        client._transport.session.mount("https://", owned_adapter)
    assert owned_adapter.closed is True  # the session it made itself, it closes
    given.close()
