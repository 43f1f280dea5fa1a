"""mTLS client authentication (RFC 8705) over real TLS, through both facades (sync, asyncio,
trio): the emulated tenant is served by ServerThread with a trustme server certificate and
asks for client certificates it verifies against a CA the test creates; the client presents
its certificate from ``ssl_context`` and sends token and PAR requests to the
``mtls_endpoint_aliases`` the tenant advertises (counted per path in the tenant's log)."""

from __future__ import annotations

import inspect
import ssl
from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
import trustme
from cryptography import x509

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core.errors import ConfigurationError, OAuthError, TransportError
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_tenant_server._server import ServerThread

from ..tenant.tenant_helpers import run_flow
from .conftest import CALLBACK, CLIENT_ID, SECRET, START, Browser

API = "https://api.example.com"
MODES = ["sync", "asyncio", "trio"]


def subject_of(cert: trustme.LeafCert) -> str:
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode("ascii"))
    return x509.load_der_x509_certificate(der).subject.rfc4514_string()


@attrs.define
class Pki:
    server_ca: trustme.CA
    client_ca: trustme.CA
    client_cert: trustme.LeafCert

    def client_context(self, cert: trustme.LeafCert | None) -> ssl.SSLContext:
        context = ssl.create_default_context()
        self.server_ca.configure_trust(context)
        if cert is not None:
            cert.configure_cert(context)
        return context


@pytest.fixture(scope="module")
def pki() -> Pki:
    client_ca = trustme.CA()
    return Pki(trustme.CA(), client_ca, client_ca.issue_cert("mtls-client.example"))


@pytest.fixture(scope="module")
def served(pki: Pki) -> Iterator[tuple[Tenant, str, FixedClock]]:
    clock = FixedClock(START)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    pki.server_ca.issue_cert("127.0.0.1").configure_cert(server_context)
    pki.client_ca.configure_trust(server_context)
    # Asked for, verified against the client CA when presented; the tenant decides.
    server_context.verify_mode = ssl.CERT_OPTIONAL
    default = TenantConfig.default()
    clients = tuple(
        attrs.evolve(
            c,
            client_secret=None,
            token_endpoint_auth_method="tls_client_auth",
            tls_client_auth_subject_dn=subject_of(pki.client_cert),
        )
        if c.client_id == CLIENT_ID
        else c
        for c in default.clients
    )
    config = attrs.evolve(default, clients=clients, mtls_endpoint_aliases=True)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(config, base_url=base_url, env=Env(clock=clock)))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler, ssl_context=server_context) as server:
        yield tenants[0], server.base_url, clock


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode == "trio" else "asyncio"


class MtlsApp:
    def __init__(self, mode: str, served: tuple[Tenant, str, FixedClock], pki: Pki) -> None:
        self.mode = mode
        self.tenant, self.base_url, self.clock = served
        self.clock.now = START
        self.pki = pki
        self.browser = Browser()

    def client(self, cert: trustme.LeafCert | None = None, **overrides: Any) -> Any:
        options: dict[str, Any] = {
            "domain": self.base_url,
            "client_id": CLIENT_ID,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            "pushed_authorization_requests": True,
            "use_mtls": True,
            "ssl_context": self.pki.client_context(cert),
            "env": Env(clock=self.clock),
            **overrides,
        }
        if self.mode == "sync":
            return auth0_requests.ServerClient(**options)
        return auth0_anyio.ServerClient(**options)

    async def call(self, client: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(client, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def send(self, request: HttpRequest) -> HttpResponse:
        """The user's browser: trusts the server CA, has no client certificate."""
        with httpx.Client(verify=self.pki.client_context(None)) as http:
            answer = http.request(
                request.method, request.url, headers=list(request.headers), content=request.body
            )
        return HttpResponse(
            status=answer.status_code,
            headers=tuple(answer.headers.multi_items()),
            body=answer.content,
        )

    async def login(self, client: Any) -> Any:
        store = self.browser.store_options()
        url = await self.call(client, "start_interactive_login", store_options=store)
        self.browser.absorb(store)
        flow = browser_login_flow(url, "alice@example.com", "alice-password", allow_error=True)
        callback = str(run_flow(flow, self.send))
        store = self.browser.store_options()
        result = await self.call(
            client, "complete_interactive_login", callback, store_options=store
        )
        self.browser.absorb(store)
        return result

    def count(self, path: str, grant_type: str | None = None) -> int:
        return self.tenant.count(path, grant_type=grant_type)


@pytest.fixture
def app(mode: str, served: tuple[Tenant, str, FixedClock], pki: Pki) -> MtlsApp:
    return MtlsApp(mode, served, pki)


pytestmark = pytest.mark.anyio


async def test_discovery_advertises_the_aliases(app: MtlsApp) -> None:
    answer = app.send(
        HttpRequest(method="GET", url=f"{app.base_url}/.well-known/openid-configuration")
    )
    aliases: dict[str, Any] = dict(answer.json_object()["mtls_endpoint_aliases"])  # type: ignore[call-overload]
    assert aliases["token_endpoint"] == f"{app.base_url}/mtls/oauth/token"
    assert aliases["pushed_authorization_request_endpoint"] == f"{app.base_url}/mtls/oauth/par"


async def test_login_refresh_and_client_credentials_at_the_aliases(app: MtlsApp) -> None:
    client = app.client(app.pki.client_cert)
    before = {
        p: app.count(p)
        for p in ("/oauth/token", "/oauth/par", "/mtls/oauth/token", "/mtls/oauth/par")
    }
    code_grants = app.count("/mtls/oauth/token", "authorization_code")
    result = await app.login(client)
    assert result["state_data"]["user"]["sub"] == "auth0|alice"
    session = await app.call(client, "get_session", store_options=app.browser.store_options())
    refreshed = await app.call(
        client, "get_token_by_refresh_token", {"refresh_token": session["refresh_token"]}
    )
    assert refreshed["access_token"]
    # get_access_token refreshes through the alias too (MRRT: another API's token).
    store = app.browser.store_options()
    assert await app.call(client, "get_access_token", store_options=store, audience=API)
    app.browser.absorb(store)
    assert await app.call(client, "get_client_credentials_token", API)
    assert app.count("/mtls/oauth/par") == before["/mtls/oauth/par"] + 1
    assert app.count("/mtls/oauth/token", "authorization_code") == code_grants + 1
    assert app.count("/mtls/oauth/token") == before["/mtls/oauth/token"] + 4
    # Nothing went to the endpoints for secrets.
    assert app.count("/oauth/token") == before["/oauth/token"]
    assert app.count("/oauth/par") == before["/oauth/par"]
    close = getattr(client, "aclose", None) or client.close
    result = close()
    if inspect.isawaitable(result):
        await result


async def test_a_client_without_a_certificate_is_refused(app: MtlsApp) -> None:
    client = app.client(None)
    with pytest.raises(OAuthError) as info:
        await app.call(client, "get_client_credentials_token", API)
    assert (info.value.error, info.value.status) == ("invalid_client", 401)


async def test_a_certificate_from_another_ca_is_refused(app: MtlsApp) -> None:
    client = app.client(trustme.CA().issue_cert("mtls-client.example"))
    with pytest.raises(TransportError):
        await app.call(client, "get_client_credentials_token", API)


async def test_a_certificate_with_another_subject_is_refused(app: MtlsApp) -> None:
    client = app.client(app.pki.client_ca.issue_cert("someone-else.example"))
    with pytest.raises(OAuthError) as info:
        await app.call(client, "get_client_credentials_token", API)
    assert (info.value.error, info.value.status) == ("invalid_client", 401)


async def test_a_spoofed_subject_header_is_ignored(app: MtlsApp) -> None:
    from auth0_core.tenant.authentication.client_auth import TLS_CLIENT_SUBJECT_HEADER

    answer = app.send(
        HttpRequest(
            method="POST",
            url=f"{app.base_url}/mtls/oauth/token",
            headers=(
                (TLS_CLIENT_SUBJECT_HEADER, subject_of(app.pki.client_cert)),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ),
            body=f"grant_type=client_credentials&client_id={CLIENT_ID}&audience={API}".encode(),
        )
    )
    assert answer.status == 401


def test_configuration_is_checked(pki: Pki) -> None:
    context = pki.client_context(pki.client_cert)
    base: dict[str, Any] = {"domain": "tenant.example", "client_id": CLIENT_ID, "secret": SECRET}
    with pytest.raises(ConfigurationError, match="ssl_context"):
        auth0_requests.ServerClient(**base, use_mtls=True)
    with pytest.raises(ConfigurationError, match="client_secret"):
        auth0_requests.ServerClient(
            **base, use_mtls=True, ssl_context=context, client_secret="x" * 40
        )
    with pytest.raises(ConfigurationError, match="DPoP"):
        auth0_requests.ServerClient(**base, use_mtls=True, ssl_context=context, dpop=True)
    with pytest.raises(ConfigurationError, match="ssl_context"):
        auth0_requests.ServerClient(**base, use_mtls=True, ssl_context="not a context")
    with pytest.raises(ConfigurationError):
        auth0_anyio.ServerClient(
            **base, use_mtls=True, ssl_context=context, http_client=httpx.AsyncClient()
        )
    client = auth0_requests.ServerClient(**base, use_mtls=True, ssl_context=context)
    assert client.config.client_auth_method == "tls_client_auth"
    assert "ssl_context" not in repr(client.config)
    client.close()
