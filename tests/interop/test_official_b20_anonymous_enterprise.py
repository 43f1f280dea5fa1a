"""Differential check of anonymous sessions and Enterprise Connect: the installed official
auth0-server-python 1.0.0b20 and our client run the same calls against our emulated tenant,
served over HTTPS (a ``trustme`` CA that httpx trusts through ``SSL_CERT_FILE``).

The tenant records every request's JSON body or query; the official client's requests must be
answered with success and must carry the same members (and values, but for credentials and
tokens) as ours: our endpoints are what b20 sends, and our client sends what b20 sends. The
stored anonymous record is read across (the official's by ours and ours by the official
model). None of this proves Auth0 answers the same: the wire is inferred from b20's code
(docs/compatibility.md).
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
from auth0_core.auth_types import AnonymousSessionContext
from auth0_core.stores import MemoryStateStore
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
from auth0_server_python.auth_types import (  # type: ignore[import-untyped]
    AnonymousSessionContext as OfficialContext,
)
from auth0_server_python.auth_types import (
    StartEnterpriseLoginOptions as OfficialEnterpriseOptions,
)
from auth0_server_python.store.abstract import (  # type: ignore[import-untyped]
    StateStore,
    TransactionStore,
)

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
SECRET = "a-session-secret-of-at-least-32-characters"
SCOPE = "openid profile email"
API = "https://api.example.com"
DOMAIN = "acme-corp.test"
EMAIL = f"carol@{DOMAIN}"
PASSWORD = "carol-upstream-password"
# Members whose values differ between two runs (credentials, tickets): compared by presence.
OPAQUE = {"client_secret", "session_token"}


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


class Served:
    def __init__(
        self, tenant: Tenant, base_url: str, ca_pem: str, trust: ssl.SSLContext, seen: list[Any]
    ) -> None:
        self.tenant, self.base_url, self.ca_pem, self.trust = tenant, base_url, ca_pem, trust
        self.host_port = base_url.removeprefix("https://")
        self.seen = seen  # (path, JSON body or query) of every request, in order

    def mark(self) -> int:
        return len(self.seen)

    def requests_to(self, path: str, since: int) -> list[dict[str, Any]]:
        return [body for seen_path, body in self.seen[since:] if seen_path == path]

    def browser_login(self, authorize_url: str, email: str, password: str) -> str:
        flow = browser_login_flow(authorize_url, email, password)
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
    seen: list[Any] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url))
        tenants[0].state.enterprise.add(
            DOMAIN, "acme-oidc", organization="org_acme", accounts={EMAIL: PASSWORD}
        )

        def handle(request: HttpRequest) -> HttpResponse:
            parts = urlsplit(request.url)
            if request.method == "POST" and request.body:
                try:
                    body: Any = json.loads(request.body)
                except ValueError:
                    body = None
            else:
                body = {k: v[0] for k, v in parse_qs(parts.query).items()}
            seen.append((parts.path, body))
            return tenants[0].handle(request)

        return handle

    with ServerThread(make_handler=make_handler, ssl_context=server_ssl) as server:
        yield Served(tenants[0], server.base_url, ca_pem, trust, seen)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the official SDK is asyncio-only


@pytest.fixture
def trusted(served: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("SSL_CERT_FILE", served.ca_pem)
    served.tenant.state.anonymous.reset()
    yield served
    served.tenant.state.anonymous.reset()


def theirs(served: Served, **options: Any) -> Any:
    return official.ServerClient(
        domain=served.host_port,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": CALLBACK, "scope": SCOPE},
        transaction_store=MemoryStore(),
        state_store=MemoryStore(),
        **options,
    )


def ours(served: Served, **options: Any) -> auth0_requests.ServerClient:
    return auth0_requests.ServerClient(
        ssl_context=served.trust,  # the test CA
        domain=served.base_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        secret=SECRET,
        authorization_params={"redirect_uri": CALLBACK, "scope": SCOPE},
        **options,
    )


def shape(body: dict[str, Any]) -> dict[str, Any]:
    """A request body with its run-specific values replaced by their presence."""
    return {k: ("<present>" if k in OPAQUE else v) for k, v in body.items()}


@pytest.mark.anyio
async def test_anonymous_requests_and_answers_match(trusted: Served) -> None:
    official_store = MemoryStore()
    official_client = theirs(trusted, anonymous_store=official_store)
    mark = trusted.mark()
    created = await official_client.anonymous.create_session(
        audience=API, scope="read:items", metadata={"cart": 1}
    )
    for_userinfo = await official_client.anonymous.get_token(audience=None, scope="openid")
    again = await official_client.anonymous.get_token(audience=API, scope="read:items")
    session = await official_client.anonymous.get_session()
    official_bodies = trusted.requests_to("/anonymous/token", mark)

    our_client = ours(trusted, anonymous_store=MemoryStateStore())
    mark = trusted.mark()
    our_created = our_client.anonymous.create_session(
        audience=API, scope="read:items", metadata={"cart": 1}
    )
    our_client.anonymous.get_token(audience=None, scope="openid")
    our_client.anonymous.get_token(audience=API, scope="read:items")
    our_bodies = trusted.requests_to("/anonymous/token", mark)

    assert [shape(b) for b in official_bodies] == [shape(b) for b in our_bodies]
    assert len(official_bodies) == 2  # the second API token came from the cache
    assert created.sub.startswith("anon@")
    assert created.scope == our_created.scope == "read:items"
    assert for_userinfo.sub == created.sub
    assert again.access_token == created.access_token
    assert session.sub == created.sub
    assert session.metadata == {"cart": 1}
    assert all(status < 400 for status in statuses(trusted, "/anonymous/token"))

    # The stored records have one shape: each side reads the other's.
    official_record = official_store.data["_a0_anon"]
    parsed = AnonymousSessionContext.from_dict(official_record)
    assert parsed.to_dict() == official_record
    our_record = our_client._stores["anonymous"].get("_a0_anon")
    assert OfficialContext.model_validate(our_record).model_dump() == our_record


def statuses(served: Served, path: str) -> list[int]:
    return [entry.status for entry in served.tenant.log if entry.path == path]


@pytest.mark.anyio
async def test_the_official_login_carries_the_anonymous_session(trusted: Served) -> None:
    official_store = MemoryStore()
    client = theirs(trusted, anonymous_store=official_store)
    created = await client.anonymous.create_session()
    mark = trusted.mark()
    url = await client.start_interactive_login()
    (ticket_request,) = trusted.requests_to("/anonymous/token", mark)
    assert ticket_request["audience"] == "urn:auth0:anon_transfer"
    assert "anon_transfer_token" in parse_qs(urlsplit(url).query)
    await client.complete_interactive_login(
        trusted.browser_login(url, "alice@example.com", "alice-password")
    )
    (transfer,) = trusted.tenant.state.anonymous.transfers
    assert transfer.anonymous_sub == created.sub
    assert transfer.user_id == "auth0|alice"
    assert "_a0_anon" not in official_store.data  # cleared after the login

    # Ours asks for the ticket the same way.
    our_client = ours(trusted, anonymous_store=MemoryStateStore())
    our_client.anonymous.create_session()
    mark = trusted.mark()
    our_url = our_client.start_interactive_login()
    assert [shape(b) for b in trusted.requests_to("/anonymous/token", mark)] == [
        shape(ticket_request)
    ]
    assert "anon_transfer_token" in parse_qs(urlsplit(our_url).query)


@pytest.mark.anyio
async def test_official_enterprise_connect_against_the_tenant(trusted: Served) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = theirs(trusted, enterprise_connect=True)
    mark = trusted.mark()
    assert await client.start_enterprise_login(
        OfficialEnterpriseOptions(email="dave@elsewhere.test")
    ) is None  # fmt: skip
    url = await client.start_enterprise_login(
        OfficialEnterpriseOptions(email=EMAIL, app_state={"to": "/x"})
    )
    official_finger = trusted.requests_to("/.well-known/webfinger", mark)
    assert parse_qs(urlsplit(url).query)["login_hint"] == [EMAIL]
    result = await client.complete_interactive_login(trusted.browser_login(url, EMAIL, PASSWORD))

    our_client = ours(trusted, enterprise_connect=True)
    mark = trusted.mark()
    assert our_client.start_enterprise_login({"email": "dave@elsewhere.test"}) is None
    our_url = our_client.start_enterprise_login({"email": EMAIL, "app_state": {"to": "/x"}})
    our_finger = trusted.requests_to("/.well-known/webfinger", mark)
    assert our_url is not None
    our_result = our_client.complete_interactive_login(
        trusted.browser_login(our_url, EMAIL, PASSWORD)
    )

    assert official_finger == our_finger
    assert [f["resource"] for f in our_finger] == [
        "urn:auth0:discovery:domain:elsewhere.test",
        f"urn:auth0:discovery:domain:{DOMAIN}",
    ]
    assert (
        set(result) == set(our_result) == {"user", "token_set", "id_token", "domain", "app_state"}
    )
    assert result["user"]["sub"] == our_result["user"]["sub"] == f"oidc|acme-oidc|{EMAIL}"
    assert result["user"]["org_id"] == our_result["user"]["org_id"] == "org_acme"
    assert set(result["token_set"]) == set(our_result["token_set"])
    assert result["domain"] == our_result["domain"] == trusted.host_port
    assert result["app_state"] == our_result["app_state"] == {"to": "/x"}
