"""Multiple Custom Domains across every flow, in every mode (docs/custom-domains.md).

Two emulated tenants sit behind one client whose ``domain`` is a resolver (as in
test_custom_domains.py). A call with a request is resolved by its ``Host`` header; a call
without one (client credentials, the Management API, the stateless helpers) by the host the
application put in a context variable, as an application serving a request would. Each test
counts the requests each tenant got.
"""

from __future__ import annotations

import base64
import contextvars
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.auth_types import DomainResolverContext
from auth0_core.errors import (
    BackchannelLogoutError,
    DomainResolverError,
    InvalidArgumentError,
    MissingTransactionError,
    WrongCallbackError,
)
from auth0_core.stores import MemoryStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.authentication.token_vault import FEDERATED_GRANT as VAULT_GRANT
from auth0_core.tenant.browser import browser_connect_flow, browser_login_flow
from auth0_core.tenant.vault import Vault
from auth0_tenant_server._server import ServerThread

from .conftest import CALLBACK, CLIENT_ID, CLIENT_SECRET, MODES, SECRET, START, Browser, run_sync
from .test_custom_domains import HOSTS, Counted, Pair

pytestmark = pytest.mark.anyio

A, B = HOSTS
ALICE = "auth0|alice"
API = "https://api.example.com"
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
# The application's own notion of the request it serves, for calls that take no request.
CURRENT_HOST: contextvars.ContextVar[str | None] = contextvars.ContextVar("host", default=None)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(value, dict)
    return value


class RecordingStateStore(MemoryStateStore):
    """The memory state store, recording what ``delete_by_logout_token`` is asked."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.logout_claims: list[dict[str, Any]] = []

    def delete_by_logout_token(self, claims: Any, options: Any = None) -> None:
        self.logout_claims.append(dict(claims))
        super().delete_by_logout_token(claims, options)


class Flows(Pair):
    """The pair of tenants behind one resolver client, with client options a test may set."""

    def __init__(
        self, mode: str, tenants: list[Counted], clock: FixedClock, **options: Any
    ) -> None:
        self.extra = options
        super().__init__(mode, tenants, clock)

    def resolve(self, context: DomainResolverContext) -> str:
        if context.host is None and CURRENT_HOST.get() is not None:
            context = DomainResolverContext(request_headers={"host": str(CURRENT_HOST.get())})
        return super().resolve(context)

    def make_client(self) -> Any:
        options: dict[str, Any] = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            "env": Env(clock=self.clock),
            **self.extra,
        }
        inprocess = self.mode.endswith("inprocess")
        if self.mode.startswith("sync"):
            session = requests.Session()
            if inprocess:
                for base in self.by_base:
                    session.mount(base, auth0_requests.HandlerAdapter(self.handle))
            return auth0_requests.ServerClient(session=session, domain=self.resolve, **options)

        async def resolve(context: DomainResolverContext) -> str:
            return self.resolve(context)

        transport = auth0_anyio.handler_transport(self.handle) if inprocess else None
        return auth0_anyio.ServerClient(
            http_client=httpx.AsyncClient(transport=transport), domain=resolve, **options
        )

    def rebuild(self, **options: Any) -> None:
        self.extra = options
        self.client = self.make_client()

    def tenant(self, host: str) -> Tenant:
        return self.tenants[host].tenant

    def base(self, host: str) -> str:
        return self.tenant(host).base_url

    def me(self, host: str) -> str:
        return f"{self.base(host)}/me/"

    def marks(self) -> dict[str, int]:
        return {host: len(self.tenant(host).log) for host in HOSTS}

    def since(self, marks: dict[str, int], host: str, prefix: str = "/") -> list[Any]:
        """The log entries of ``host``'s tenant since ``marks`` whose path starts with
        ``prefix``."""
        return [e for e in self.tenant(host).log[marks[host] :] if e.path.startswith(prefix)]

    def grants(self, host: str, grant_type: str) -> int:
        return self.tenant(host).count("/oauth/token", grant_type=grant_type)

    async def without_request(self, host: str, method: str, *args: Any, **kw: Any) -> Any:
        """``method`` called without store_options while the application serves ``host``."""
        token = CURRENT_HOST.set(host)
        try:
            return await self.call(method, *args, **kw)
        finally:
            CURRENT_HOST.reset(token)

    async def logout_token(self, host: str, token: str) -> Any:
        """The back-channel logout endpoint of the app served at ``host`` gets ``token``."""
        return await self.run(Browser(), host, "handle_backchannel_logout", token)

    def secondary_login(self, url: str, email: str, password: str) -> str:
        return str(run_sync(browser_login_flow(url, email, password, allow_error=True), self.send))


@pytest.fixture(scope="module")
def served_flows() -> Iterator[tuple[list[Counted], FixedClock]]:
    clock = FixedClock(START)
    counted: list[Counted] = []

    def make_handler(base_url: str) -> Any:
        counted.append(
            Counted(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        )
        return counted[-1]

    with ServerThread(make_handler=make_handler), ServerThread(make_handler=make_handler):
        yield counted, clock


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode.startswith("trio") else "asyncio"


@pytest.fixture
def flows(mode: str, served_flows: tuple[list[Counted], FixedClock]) -> Iterator[Flows]:
    if mode.endswith("inprocess"):
        clock = FixedClock(START)
        tenants = [
            Counted(Tenant(TenantConfig.default(), base_url=base, env=Env(clock=clock)))
            for base in ("https://a.tenant.example", "https://b.tenant.example")
        ]
        yield Flows(mode, tenants, clock)
        return
    tenants, clock = served_flows
    clock.now = START
    yield Flows(mode, tenants, clock)
    for counted in tenants:  # the loopback tenants serve the whole module: put them back
        tenant = counted.tenant
        tenant.users = type(tenant.users)(tenant.config)
        tenant.state.vault = Vault(tenant.state.config, tenant.state.env)
        tenant.settings.dpop_require_nonce = tenant.settings.my_account_require_dpop = False


# --- back-channel logout ----------------------------------------------------------------------


async def test_backchannel_logout_is_checked_against_the_resolved_domain(flows: Flows) -> None:
    store = RecordingStateStore(clock=flows.clock)
    flows.rebuild(state_store=store)
    # alice has a session on each domain (the same sub on both tenants), bob one on A.
    alice_a, alice_b, bob_a = Browser(), Browser(), Browser()
    await flows.login(alice_a, A, "alice")
    await flows.login(alice_b, B, "alice")
    await flows.login(bob_a, A, "bob")
    token_a = flows.tenant(A).mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    token_b = flows.tenant(B).mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)

    # A's token posted to the app while it resolves to B: refused, nothing deleted.
    marks = flows.marks()
    with pytest.raises(BackchannelLogoutError) as refused:
        await flows.logout_token(B, token_a)
    assert refused.value.reason in ("invalid_issuer", "iss", "unknown_kid", "invalid_signature")
    assert store.logout_claims == []
    assert flows.since(marks, A) == []  # nothing asked of A's tenant
    assert await flows.run(alice_a, A, "get_user") is not None
    assert await flows.run(alice_b, B, "get_user") is not None

    # On its own domain: ends alice's session there, and only there.
    await flows.logout_token(A, token_a)
    assert [c.get("iss") for c in store.logout_claims] == [flows.tenant(A).issuer]
    assert await flows.run(alice_a, A, "get_user") is None
    assert (await flows.run(alice_b, B, "get_user"))["sub"] == ALICE
    assert (await flows.run(bob_a, A, "get_user"))["sub"] == "auth0|bob"

    marks = flows.marks()
    await flows.logout_token(B, token_b)
    assert store.logout_claims[-1]["iss"] == flows.tenant(B).issuer
    assert await flows.run(alice_b, B, "get_user") is None
    assert flows.since(marks, A) == []


async def post_to_the_ready_endpoint(flows: Flows, host: str, token: str) -> int:
    """POST ``token`` to the ready back-channel endpoint (WSGI for the sync client, ASGI for
    the async one) as a delivery to ``host``; return the status it answers."""
    import io
    from urllib.parse import urlencode

    body = urlencode({"logout_token": token}).encode()
    if flows.mode.startswith("sync"):
        wsgi = auth0_requests.backchannel_logout_wsgi_app(flows.client)
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/auth/backchannel-logout",
            "SERVER_NAME": "app.invalid",
            "SERVER_PORT": "443",
            "HTTP_HOST": host,
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(body),
        }
        statuses: list[str] = []
        wsgi(environ, lambda status, headers, *_: statuses.append(status))  # type: ignore[arg-type]
        return int(statuses[0].split()[0])
    asgi = auth0_anyio.backchannel_logout_asgi_app(flows.client)
    sent: list[dict[str, Any]] = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "scheme": "https",
        "path": "/auth/backchannel-logout",
        "headers": [
            (b"host", host.encode()),
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    await asgi(scope, receive, send)  # type: ignore[arg-type]
    return int(sent[0]["status"])


async def test_the_ready_endpoints_resolve_the_domain_from_the_delivery(flows: Flows) -> None:
    alice_a, alice_b = Browser(), Browser()
    await flows.login(alice_a, A, "alice")
    await flows.login(alice_b, B, "alice")
    token_a = flows.tenant(A).mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    assert await post_to_the_ready_endpoint(flows, B, token_a) == 400  # A's token, B's host
    assert await flows.run(alice_a, A, "get_user") is not None
    assert await post_to_the_ready_endpoint(flows, A, token_a) == 200
    assert await flows.run(alice_a, A, "get_user") is None
    assert (await flows.run(alice_b, B, "get_user"))["sub"] == ALICE


# --- Token Vault, MRRT ------------------------------------------------------------------------


async def test_token_vault_goes_to_the_sessions_tenant(flows: Flows) -> None:
    on_a, on_b = Browser(), Browser()
    await flows.login(on_a, A)
    await flows.login(on_b, B)
    before = {h: flows.grants(h, VAULT_GRANT) for h in HOSTS}
    options = {"connection": "google-oauth2"}
    upstream_b = await flows.run(on_b, B, "get_access_token_for_connection", options)
    assert upstream_b == flows.tenant(B).vault_token(ALICE, "google-oauth2")
    assert {h: flows.grants(h, VAULT_GRANT) - before[h] for h in HOSTS} == {A: 0, B: 1}
    upstream_a = await flows.run(on_a, A, "get_access_token_for_connection", options)
    assert upstream_a == flows.tenant(A).vault_token(ALICE, "google-oauth2")
    assert {h: flows.grants(h, VAULT_GRANT) - before[h] for h in HOSTS} == {A: 1, B: 1}
    # Cached on each session: no further exchange.
    assert await flows.run(on_b, B, "get_access_token_for_connection", options) == upstream_b
    assert {h: flows.grants(h, VAULT_GRANT) - before[h] for h in HOSTS} == {A: 1, B: 1}


async def test_mrrt_for_another_api_goes_to_the_sessions_tenant(flows: Flows) -> None:
    on_a, on_b = Browser(), Browser()
    await flows.login(on_a, A)
    await flows.login(on_b, B)
    before = {h: flows.grants(h, "refresh_token") for h in HOSTS}
    token_b = await flows.run(on_b, B, "get_access_token", audience=API)
    assert claims(token_b)["iss"] == flows.tenant(B).issuer
    assert {h: flows.grants(h, "refresh_token") - before[h] for h in HOSTS} == {A: 0, B: 1}
    token_a = await flows.run(on_a, A, "get_access_token", audience=API)
    assert claims(token_a)["iss"] == flows.tenant(A).issuer
    assert {h: flows.grants(h, "refresh_token") - before[h] for h in HOSTS} == {A: 1, B: 1}
    assert await flows.run(on_b, B, "get_access_token", audience=API) == token_b
    assert {h: flows.grants(h, "refresh_token") - before[h] for h in HOSTS} == {A: 1, B: 1}


# --- connected accounts -----------------------------------------------------------------------


async def test_connected_accounts_use_the_my_account_api_of_the_sessions_domain(
    flows: Flows,
) -> None:
    # Default scopes for both domains' /me/ audiences.
    scope = {flows.me(A): ME_SCOPES, flows.me(B): ME_SCOPES}
    flows.rebuild(authorization_params={"redirect_uri": CALLBACK, "scope": scope})
    flows.tenant(A).add_connected_accounts(ALICE, 1, connection="github")
    flows.tenant(B).add_connected_accounts(ALICE, 3, connection="github")
    on_a, on_b = Browser(), Browser()
    await flows.login(on_a, A)
    await flows.login(on_b, B)

    marks = flows.marks()
    page_b = await flows.run(on_b, B, "list_connected_accounts")
    assert len(page_b.accounts) == len(flows.tenant(B).connected_accounts(ALICE))
    assert flows.since(marks, A) == []
    assert len(flows.since(marks, B, "/me/")) == 1
    me_b = await flows.run(on_b, B, "get_access_token", audience=flows.me(B))
    assert claims(me_b)["iss"] == flows.tenant(B).issuer
    audience = claims(me_b)["aud"]
    assert flows.me(B) in (audience if isinstance(audience, list) else [audience])

    marks = flows.marks()
    page_a = await flows.run(on_a, A, "list_connected_accounts")
    assert len(page_a.accounts) == len(flows.tenant(A).connected_accounts(ALICE))
    assert len(page_a.accounts) != len(page_b.accounts)
    assert flows.since(marks, B) == []

    # Connect on B: the connect transaction, consent and completion are all B's.
    counts = {h: len(flows.tenant(h).connected_accounts(ALICE)) for h in HOSTS}
    marks = flows.marks()
    url = await flows.run(on_b, B, "start_connect_account", {"connection": "google-oauth2"})
    assert url.startswith(flows.base(B) + "/")
    callback = str(run_sync(browser_connect_flow(url), flows.send))
    await flows.run(on_b, B, "complete_connect_account", url=callback)
    assert flows.since(marks, A) == []
    after = {h: len(flows.tenant(h).connected_accounts(ALICE)) for h in HOSTS}
    assert (after[A], after[B]) == (counts[A], counts[B] + 1)


@pytest.mark.parametrize("session_on_b", [False, True])
async def test_a_connect_started_on_one_domain_is_refused_on_the_other(
    flows: Flows, session_on_b: bool
) -> None:
    scope = {flows.me(A): ME_SCOPES, flows.me(B): ME_SCOPES}
    flows.rebuild(authorization_params={"redirect_uri": CALLBACK, "scope": scope})
    browser = Browser()
    await flows.login(browser, A)
    url = await flows.run(browser, A, "start_connect_account", {"connection": "google-oauth2"})
    callback = str(run_sync(browser_connect_flow(url), flows.send))
    if session_on_b:  # the same browser (the same sub) now has a session on B
        await flows.login(browser, B)
    marks = flows.marks()
    with pytest.raises(MissingTransactionError):
        await flows.run(browser, B, "complete_connect_account", url=callback)
    assert flows.since(marks, A) == flows.since(marks, B) == []


# --- the Management API, client credentials ---------------------------------------------------


async def test_management_api_and_client_credentials_are_per_domain(flows: Flows) -> None:
    before = {h: flows.grants(h, "client_credentials") for h in HOSTS}
    token_a = await flows.without_request(A, "get_client_credentials_token", API)
    token_b = await flows.without_request(B, "get_client_credentials_token", API)
    assert token_a != token_b
    assert claims(token_a)["iss"] == flows.tenant(A).issuer
    assert claims(token_b)["iss"] == flows.tenant(B).issuer
    assert await flows.without_request(A, "get_client_credentials_token", API) == token_a
    assert await flows.without_request(B, "get_client_credentials_token", API) == token_b
    assert {h: flows.grants(h, "client_credentials") - before[h] for h in HOSTS} == {A: 1, B: 1}

    # Linking through each domain's Management API, with each domain's own token.
    marks = flows.marks()
    linked = await flows.without_request(B, "link_user_accounts", ALICE, user_id="github|4242")
    assert ("github", "4242") in [(i["provider"], str(i["user_id"])) for i in linked]
    assert flows.since(marks, A) == []
    assert flows.tenant(A).user("github|4242") is not None  # untouched on A
    assert flows.tenant(B).user("github|4242") is None  # linked into alice on B
    await flows.without_request(A, "link_user_accounts", ALICE, user_id="github|4242")
    assert flows.tenant(A).user("github|4242") is None
    assert {h: flows.grants(h, "client_credentials") - before[h] for h in HOSTS} == {A: 2, B: 2}
    assert len(flows.since(marks, B, "/api/v2/")) == 1  # B's token was never tried on A

    # No request and no application context: the resolver decides (here: it refuses).
    with pytest.raises(DomainResolverError):
        await flows.call("get_client_credentials_token", API)


# --- DPoP nonces ------------------------------------------------------------------------------


async def test_dpop_nonces_are_kept_per_domain(flows: Flows) -> None:
    flows.rebuild(dpop=True)
    for host in HOSTS:
        flows.tenant(host).settings.dpop_require_nonce = True

    def token_statuses(marks: dict[str, int], host: str) -> list[int]:
        return [e.status for e in flows.since(marks, host, "/oauth/token")]

    on_a, on_b = Browser(), Browser()
    marks = flows.marks()
    await flows.login(on_a, A)
    assert (token_statuses(marks, A), token_statuses(marks, B)) == ([400, 200], [])
    # A's nonce is not B's: B challenges once too.
    marks = flows.marks()
    await flows.login(on_b, B)
    assert (token_statuses(marks, A), token_statuses(marks, B)) == ([], [400, 200])
    # Each domain's nonce is remembered: no challenge on either.
    marks = flows.marks()
    await flows.run(on_a, A, "get_access_token", audience=API)
    await flows.run(on_b, B, "get_access_token", audience=API)
    assert (token_statuses(marks, A), token_statuses(marks, B)) == ([200], [200])


# --- the stateless helpers --------------------------------------------------------------------


async def test_stateless_helpers_take_the_resolved_domain(flows: Flows) -> None:
    browser = Browser()
    await flows.login(browser, B)
    refresh_token = (await flows.run(browser, B, "get_session"))["refresh_token"]
    domain_b = urlsplit(flows.base(B)).netloc
    before = {h: flows.grants(h, "refresh_token") for h in HOSTS}
    for domain in (None, domain_b, flows.base(B), flows.base(B) + "/"):
        options = {"refresh_token": refresh_token, "audience": API}
        if domain is not None:
            options["domain"] = domain
        result = await flows.without_request(B, "get_token_by_refresh_token", options)
        assert claims(result["access_token"])["iss"] == flows.tenant(B).issuer
        flows.clock.now += 31  # past the single-flight window: each call is a grant
        vault_options = {"refresh_token": refresh_token, "connection": "google-oauth2"}
        if domain is not None:
            vault_options["domain"] = domain
        vault = await flows.without_request(B, "get_token_for_connection", vault_options)
        assert vault["access_token"] == flows.tenant(B).vault_token(ALICE, "google-oauth2")
    assert flows.grants(A, "refresh_token") == before[A]
    assert flows.grants(B, "refresh_token") == before[B] + 4
    # A domain other than the resolved one is refused before any request.
    marks = flows.marks()
    for method, extra in (
        ("get_token_by_refresh_token", {}),
        ("get_token_for_connection", {"connection": "google-oauth2"}),
    ):
        options = {"refresh_token": refresh_token, "domain": flows.base(A), **extra}
        with pytest.raises(InvalidArgumentError) as info:
            await flows.without_request(B, method, options)
        assert info.value.argument == "domain"
    assert flows.since(marks, A) == flows.since(marks, B) == []


# --- linking ----------------------------------------------------------------------------------


async def test_linking_runs_on_the_sessions_domain(flows: Flows) -> None:
    browser = Browser()
    await flows.login(browser, B)
    marks = flows.marks()
    url = await flows.run(browser, B, "start_link_user", {"connection": "github"})
    assert url.startswith(flows.base(B) + "/")
    callback = flows.secondary_login(url, "alice.gh@example.com", "alice-github-password")
    await flows.run(browser, B, "complete_link_user", callback)
    assert flows.since(marks, A) == []
    b_alice = flows.tenant(B).user(ALICE)
    a_alice = flows.tenant(A).user(ALICE)
    assert b_alice is not None
    assert a_alice is not None
    assert len(b_alice["identities"]) == 2
    assert len(a_alice["identities"]) == 1


async def test_a_link_started_on_one_domain_is_refused_on_the_other(flows: Flows) -> None:
    # The browser's session is on A; the link callback arrives on B, where it has none.
    browser = Browser()
    await flows.login(browser, A)
    url = await flows.run(browser, A, "start_link_user", {"connection": "github"})
    callback = flows.secondary_login(url, "alice.gh@example.com", "alice-github-password")
    marks = flows.marks()
    with pytest.raises(MissingTransactionError) as refused:
        await flows.run(browser, B, "complete_link_user", callback)
    assert not isinstance(refused.value, WrongCallbackError)
    assert flows.since(marks, A) == flows.since(marks, B) == []


async def test_a_link_from_a_then_a_session_on_b_sends_no_code_to_b(flows: Flows) -> None:
    # Started on A, then the same browser logs in on B (the same sub there): A's code must
    # not be exchanged at B, nor merged into the session on B.
    browser = Browser()
    await flows.login(browser, A)
    url = await flows.run(browser, A, "start_link_user", {"connection": "github"})
    callback = flows.secondary_login(url, "alice.gh@example.com", "alice-github-password")
    await flows.login(browser, B)
    session_b = await flows.run(browser, B, "get_session")
    marks = flows.marks()
    with pytest.raises(MissingTransactionError):
        await flows.run(browser, B, "complete_link_user", callback)
    assert flows.since(marks, A) == flows.since(marks, B) == []
    assert await flows.run(browser, B, "get_session") == session_b


# --- callback_kind, WrongCallbackError --------------------------------------------------------


async def test_callback_kind_and_wrong_callback_in_resolver_mode(flows: Flows) -> None:
    browser = Browser()
    url = await flows.run(browser, A, "start_interactive_login")
    callback = str(
        run_sync(browser_login_flow(url, "alice@example.com", "alice-password"), flows.send)
    )
    assert await flows.run(browser, A, "callback_kind", callback) == "login"
    with pytest.raises(WrongCallbackError):
        await flows.run(browser, A, "complete_link_user", callback)
    with pytest.raises(WrongCallbackError):
        await flows.run(browser, A, "complete_connect_account", url=callback)
    await flows.run(browser, A, "complete_interactive_login", callback)  # nothing was consumed
    assert (await flows.run(browser, A, "get_user"))["iss"] == flows.tenant(A).issuer

    url = await flows.run(browser, A, "start_link_user", {"connection": "github"})
    link_callback = flows.secondary_login(url, "alice.gh@example.com", "alice-github-password")
    assert await flows.run(browser, A, "callback_kind", link_callback) == "link"
    with pytest.raises(WrongCallbackError):
        await flows.run(browser, A, "complete_interactive_login", link_callback)
    await flows.run(browser, A, "complete_link_user", link_callback)
