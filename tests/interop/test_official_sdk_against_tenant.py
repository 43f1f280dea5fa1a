"""The emulated tenant is faithful enough for the official auth0-server-python SDK.

The tenant is served over HTTPS (the official SDK only speaks https) behind a ``trustme`` CA
that httpx trusts through ``SSL_CERT_FILE``; the official client runs its real interactive
login against it: discovery, PKCE /authorize, our scripted browser, code exchange with
client_secret_basic, RS256 ID-token validation through the JWKS, and the session write.

Seal interop in both directions (and our CookieStateStore reading a value the official SDK
encrypted) is covered in tests/stores/test_seal_interop.py and test_cookie_state.py; the
typed records against the official models in tests/records/test_records_interop.py.
"""

from __future__ import annotations

import json
import ssl
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import trustme

import auth0_requests
from auth0_core import HttpRequest, HttpResponse
from auth0_core._seal import seal, unseal
from auth0_core.records import Session
from auth0_core.stores import CookieRequest, CookieResponse, CookieStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow
from auth0_tenant_server._server import ServerThread

from ..tenant.tenant_helpers import run_flow

with warnings.catch_warnings():  # Authlib 1.9 warns on import about its httpx glue
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from auth0_server_python.auth_server import (  # type: ignore[import-untyped]
        server_client as official,
    )
from auth0_server_python.auth_types import LogoutOptions  # type: ignore[import-untyped]
from auth0_server_python.error import ApiError  # type: ignore[import-untyped]
from auth0_server_python.store.abstract import (  # type: ignore[import-untyped]
    StateStore,
    TransactionStore,
)

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
SECRET = "a-session-secret-of-at-least-32-characters"
# auth0-server-python 1.0.0b20 sends no scope unless configured (the tenant then answers as
# Auth0 does for "openid" alone: no profile/email claims, no refresh token), so ask explicitly.
SCOPE = "openid profile email offline_access"


class MemoryStore(StateStore, TransactionStore):  # type: ignore[misc]
    """The minimal store the official core package leaves to the app."""

    def __init__(self) -> None:
        super().__init__({"secret": SECRET})
        self.data: dict[str, Any] = {}

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = state

    async def get(self, identifier: str, options: Any = None) -> Any:
        return self.data.get(identifier)

    async def delete(self, identifier: str, options: Any = None) -> None:
        self.data.pop(identifier, None)


class SealingStore(MemoryStore):
    """Keeps the session sealed with the official store encryption, as a cookie would."""

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = self.encrypt(identifier, state.dict())

    async def get(self, identifier: str, options: Any = None) -> Any:
        sealed = self.data.get(identifier)
        return self.decrypt(identifier, sealed) if sealed else None


class Served:
    def __init__(self, tenant: Tenant, base_url: str, ca_pem: str, trust: ssl.SSLContext) -> None:
        self.tenant, self.base_url, self.ca_pem, self.trust = tenant, base_url, ca_pem, trust
        self.host_port = base_url.removeprefix("https://")

    def browser_login(self, authorize_url: str) -> str:
        """alice logs in on the tenant's page; the callback URL it redirects to."""
        flow = browser_login_flow(authorize_url, "alice@example.com", "alice-password")
        with httpx.Client(verify=self.trust) as http:

            def send(request: HttpRequest) -> HttpResponse:
                answer = http.request(
                    request.method, request.url, headers=list(request.headers), content=request.body
                )
                return HttpResponse(
                    status=answer.status_code,
                    headers=tuple(answer.headers.multi_items()),
                    body=answer.content,
                )

            return str(run_flow(flow, send))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ssl)
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    ca_pem = str(Path(tmp_path_factory.mktemp("ca")) / "ca.pem")
    ca.cert_pem.write_to_path(ca_pem)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url))
        return tenants[0].handle

    with ServerThread(make_handler=make_handler, ssl_context=server_ssl) as server:
        yield Served(tenants[0], server.base_url, ca_pem, trust)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the official SDK is asyncio-only


@pytest.fixture
def trusted(served: Served, monkeypatch: pytest.MonkeyPatch) -> Served:
    """httpx (inside the official SDK) trusts the test CA through SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", served.ca_pem)
    return served


def official_client(served: Served, state_store: Any = None) -> Any:
    return official.ServerClient(
        domain=served.host_port,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": CALLBACK, "scope": SCOPE},
        transaction_store=MemoryStore(),
        state_store=state_store or MemoryStore(),
    )


async def login(served: Served, client: Any) -> dict[str, Any]:
    url = await client.start_interactive_login()
    return dict(await client.complete_interactive_login(served.browser_login(url)))


@pytest.mark.anyio
async def test_official_login_against_the_tenant(trusted: Served) -> None:
    client = official_client(trusted)
    mark = len(trusted.tenant.log)
    url = await client.start_interactive_login()
    sent = parse_qs(urlsplit(url).query)
    assert url.startswith(trusted.base_url + "/authorize?")
    assert sent["client_id"] == [CLIENT_ID]
    assert sent["code_challenge_method"] == ["S256"]
    assert sent["redirect_uri"] == [CALLBACK]
    assert sent["scope"] == [SCOPE]

    result = await client.complete_interactive_login(trusted.browser_login(url))

    assert result["state_data"]["user"]["sub"] == "auth0|alice"
    session = await client.get_session()
    assert session["user"]["sub"] == "auth0|alice"
    assert session["user"]["email"] == "alice@example.com"
    assert session["user"]["iss"] == trusted.base_url + "/"
    assert session["id_token"]
    assert session["refresh_token"]
    assert session["token_sets"][0]["access_token"]
    user = await client.get_user()
    assert user["sub"] == "auth0|alice"
    paths = [entry.path for entry in trusted.tenant.log[mark:]]
    assert paths.count("/oauth/token") == 1
    assert {"/.well-known/openid-configuration", "/authorize", "/u/login"} <= set(paths)
    assert all(entry.status < 400 for entry in trusted.tenant.log[mark:])


@pytest.mark.anyio
async def test_official_logout_url_points_at_the_tenant(trusted: Served) -> None:
    client = official_client(trusted)
    await login(trusted, client)
    url = await client.logout(LogoutOptions(return_to="http://127.0.0.1:3000/"))
    assert await client.get_session() is None
    assert url.startswith(trusted.base_url + "/v2/logout?")
    with httpx.Client(verify=trusted.trust) as http:
        answer = http.get(url)
    assert answer.status_code == 302
    assert answer.headers["location"] == "http://127.0.0.1:3000/"


@pytest.mark.anyio
async def test_official_sealed_session_is_read_by_our_cookie_store(trusted: Served) -> None:
    store = SealingStore()
    await login(trusted, official_client(trusted, state_store=store))
    sealed = store.data["_a0_session"]
    ours = CookieStateStore(SECRET, secure=False).get(
        "_a0_session", options={"request": CookieRequest({"_a0_session_0": sealed})}
    )
    assert ours is not None
    assert ours["user"]["sub"] == "auth0|alice"
    assert ours["id_token"]


@pytest.mark.anyio
async def test_official_session_is_our_record_and_back_byte_for_byte(trusted: Served) -> None:
    store = SealingStore()
    client = official_client(trusted, state_store=store)
    await login(trusted, client)
    sealed = store.data["_a0_session"]
    plaintext = unseal(sealed, [SECRET], "_a0_session")
    theirs = await client.get_session()

    session = Session.from_dict(plaintext)
    assert json.dumps(session.to_dict()) == json.dumps(plaintext)
    ours = auth0_requests.ServerClient(
        domain=trusted.base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        state_store=CookieStateStore(SECRET, secure=False),
    )
    cookies = {"request": CookieRequest({"_a0_session_0": sealed}), "response": CookieResponse()}
    assert ours.get_session(store_options=cookies) == theirs

    store.data["_a0_session"] = seal(session.to_dict(), SECRET, "_a0_session")
    assert await client.get_session() == theirs
    assert await client.get_access_token() == session.token_sets[0].access_token


@pytest.mark.anyio
async def test_official_sdk_rejects_a_tampered_id_token_from_the_tenant(trusted: Served) -> None:
    trusted.tenant.id_token_hook = lambda claims, header: ({**claims, "aud": "other"}, header)
    try:
        with pytest.raises(ApiError) as caught:
            await login(trusted, official_client(trusted))
    finally:
        trusted.tenant.id_token_hook = None
    assert caught.value.code == "invalid_audience"
