"""The emulated tenant, the scripted browser and the names a snippet finds filled in."""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import auth0_anyio
import auth0_requests
from auth0_core import HttpRequest, HttpResponse
from auth0_core.effects import Effect
from auth0_core.effects import run as run_flow
from auth0_core.stores import CookieRequest, CookieResponse
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_connect_flow, browser_login_flow
from auth0_tenant_server import ServerThread

MODES = ("sync", "asyncio", "trio")
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
JWT_CLIENT_ID = "jwt-client"
CALLBACK = "http://localhost:3000/auth/callback"
SECRET = "a-session-secret-of-at-least-32-characters"
USERS = {  # who logs in at the tenant's login page
    "alice": ("alice@example.com", "alice-password"),
    "bob": ("bob@example.com", "bob-password"),
    "google": ("alice@gmail.com", "alice-google-password"),
    "nobody": ("", ""),  # the tenant asks no credentials (unlink: the id_token_hint)
}
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PRIVATE_PEM = PRIVATE_KEY.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()
PUBLIC_PEM = (
    PRIVATE_KEY.public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    .decode()
)
API_SCOPES = {  # the audiences and scopes the pages name
    "https://api.example.com": [
        "read:items", "write:items", "read:products", "read:orders", "read:users",
        "write:products", "admin:all", "write:admin", "read:data", "write:data",
    ],
    "https://analytics.example.com": ["read:analytics", "write:analytics"],
    "https://admin.example.com": ["read:admin", "write:admin", "delete:admin"],
    "urn:custom:api": [],
    "urn:another:api": [],
    "https://custom-api.com": ["read:foo"],
}  # fmt: skip
# Custom Token Exchange: the subject token types the pages name (a Token Exchange Profile
# each), and their subject tokens, each mapped to the user the profile's Action would set.
MCP_TOKEN = "urn:acme:mcp-token"
CUSTOMER_SUBJECT = "urn:acme:customer-subject"  # may mint Session Transfer Tokens
EXCHANGE_TYPES = (MCP_TOKEN, CUSTOMER_SUBJECT)
EXCHANGE_TOKENS = {
    "your-custom-token": "auth0|alice",
    "custom-token-from-external-system": "auth0|alice",
    "custom-token": "auth0|alice",
    "customer-alice": "auth0|alice",
}  # "token" (CustomTokenExchange.md#7) is not one: that block is about the refusal
MY_ACCOUNT_SCOPES = [
    "create:me:connected_accounts",
    "read:me:connected_accounts",
    "delete:me:connected_accounts",
    "read:me:factors",
    *(f"{a}:me:authentication-methods" for a in ("read", "create", "update", "delete")),
]


def tenant_config() -> TenantConfig:
    """The default tenant plus what the pages name: their APIs, organizations, a
    ``private_key_jwt`` client."""
    policies = [{"audience": a, "scope": s} for a, s in API_SCOPES.items()]
    policies.append({"audience": "my-account", "scope": MY_ACCOUNT_SCOPES})
    refresh = {"rotation_type": "non-rotating", "leeway": 0, "policies": policies}
    common = {"callbacks": [CALLBACK], "allowed_logout_urls": ["http://localhost:3000/"]}
    return TenantConfig.from_dict(
        {
            "apis": [{"identifier": a, "scopes": s} for a, s in API_SCOPES.items()],
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "token_endpoint_auth_method": "client_secret_basic",
                    "refresh_token": refresh,
                    **common,
                },
                {
                    "client_id": JWT_CLIENT_ID,
                    "token_endpoint_auth_method": "private_key_jwt",
                    "client_assertion_public_key": PUBLIC_PEM,
                    "refresh_token": refresh,
                    **common,
                },
            ],
            "organizations": [
                {"id": "org_abc123", "name": "abc", "members": ["auth0|alice"]},
                {"id": "org_xyz789", "name": "xyz", "members": ["auth0|alice"]},
                {"id": "org_abc1234", "name": "abc1234", "members": ["auth0|alice"]},
            ],
            "token_exchange_profiles": [
                {
                    "subject_token_type": kind,
                    "tokens": dict(EXCHANGE_TOKENS),
                    "session_transfer": kind == CUSTOMER_SUBJECT,
                }
                for kind in EXCHANGE_TYPES
            ],
        }
    )


class LiveResponse(CookieResponse):
    """Our cookie response, whose cookies reach the browser's jar at once (the next call's
    request sees them, as the browser's next request would)."""

    def __init__(self, jar: dict[str, str]) -> None:
        super().__init__()
        self._jar = jar

    def set_cookie(self, key: str, value: str = "", *args: Any, **kwargs: Any) -> None:
        super().set_cookie(key, value, *args, **kwargs)
        self._jar[key] = value

    def delete_cookie(self, key: str, *args: Any, **kwargs: Any) -> None:
        super().delete_cookie(key, *args, **kwargs)
        self._jar.pop(key, None)


class Namespace(dict[str, Any]):
    """The snippet's globals: a placeholder the block reads without defining (``callback_url``)
    is computed when first read, after the block's earlier lines ran."""

    def __init__(self, lazy: dict[str, Callable[[], Any]]) -> None:
        super().__init__()
        self.lazy = lazy

    def __missing__(self, name: str) -> Any:
        if name in self.lazy:
            self[name] = value = self.lazy.pop(name)()
            return value
        raise KeyError(name)


class Run:
    """One snippet in one mode: a fresh tenant, a browser with an empty cookie jar, clients."""

    def __init__(self, harness: Harness, mode: str) -> None:
        self.mode = mode
        self.tenant, self.tenant_b = harness.fresh_tenant(), harness.tenant_b
        self.base, self.base_b = harness.base_url, harness.base_url_b
        self.jar: dict[str, str] = {}
        self.request = CookieRequest()
        self.request.cookies = self.jar  # the live jar: each call sees the latest cookies
        self.response = LiveResponse(self.jar)
        self.lazy: dict[str, Callable[[], Any]] = {}
        self.pending_url: str | None = None  # the last URL the setup started
        self.clients: list[Any] = []
        self.cleanups: list[Callable[[], object]] = []

    # --- clients ----------------------------------------------------------------------------

    def client_options(self, **overrides: Any) -> dict[str, Any]:
        return {
            "domain": self.base,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "secret": SECRET,
            "authorization_params": {"redirect_uri": CALLBACK},
            **overrides,
        }

    def client(self, **overrides: Any) -> Any:
        """The page's client, defined in another block: our facade of this mode."""
        facade = auth0_requests if self.mode == "sync" else auth0_anyio
        made = facade.ServerClient(**self.client_options(**overrides))
        self.clients.append(made)
        return made

    async def call(self, target: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(target, method)(*args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result

    def store(self) -> dict[str, Any]:
        return {"request": self.request, "response": self.response}

    # --- the browser -----------------------------------------------------------------------

    def send(self, effect: Effect) -> HttpResponse:
        """The browser's request, to the tenant (A or B) whose address it names."""
        assert isinstance(effect, HttpRequest), effect
        if effect.url.startswith(self.base_b + "/"):
            return self.tenant_b.handle(effect)
        return self.tenant.handle(effect)

    def tenant_at(self, base: str) -> Tenant:
        return self.tenant_b if base == self.base_b else self.tenant

    def app_request(self, headers: dict[str, str], url: str | None = None) -> None:
        """The application's current request (what a domain resolver reads): its headers and
        URL (by default ``https://{host}/auth/login``)."""
        host = headers.get("x-forwarded-host") or headers.get("host") or "app.example"
        self.request.headers = {k.lower(): v for k, v in headers.items()}
        self.request.url = url or f"https://{host}/auth/login"

    def browser(self, url: str, user: str = "alice") -> str:
        """Log in at the tenant's page ``url`` as ``user``; the callback URL it redirects to."""
        email, password = USERS[user]
        return str(run_flow(browser_login_flow(url, email, password), self.send))

    def consent(self, url: str) -> str:
        """Allow the connect page ``url``; the callback URL."""
        return str(run_flow(browser_connect_flow(url), self.send))

    async def login(
        self, client: Any, options: Any = None, *, store: bool = True, user: str = "alice"
    ) -> Any:
        """The whole interactive login (the setup of a snippet that needs a session)."""
        store_options = self.store() if store else None
        url = await self.call(client, "start_interactive_login", options, store_options)
        callback = self.browser(url, user)
        return await self.call(client, "complete_interactive_login", callback, store_options)

    def callback_later(self, *names: str, user: str = "alice", url_name: str = "") -> None:
        """``names`` read by the block are the callback of a browser login at the URL the
        block (its variable ``url_name``) or the setup started."""

        def compute() -> str:
            url = self.namespace_ref[url_name] if url_name else self.pending_url
            assert url, "no URL to log in at"
            return self.browser(url, user)

        shared: dict[str, str] = {}

        def once() -> str:
            if "value" not in shared:
                shared["value"] = compute()
            return shared["value"]

        for name in names:
            self.lazy[name] = once

    def namespace(self) -> Namespace:
        self.namespace_ref = Namespace(self.lazy)
        self.namespace_ref.update(
            {"__name__": "official_docs_snippet", "request": self.request,
             "response": self.response}
        )  # fmt: skip
        return self.namespace_ref

    # --- what the tenant saw ---------------------------------------------------------------

    def count(self, path: str, grant_type: str | None = None) -> int:
        return self.tenant.count(path, grant_type=grant_type)

    def authorize_query(self, url: str, **expected: str) -> dict[str, list[str]]:
        """``url`` is the tenant's /authorize for our client, with ``expected`` parameters."""
        parts = urlsplit(str(url))
        where = f"{parts.scheme}://{parts.netloc}{parts.path}"
        assert where == f"{self.base}/authorize", f"not the tenant's /authorize: {url}"
        query = parse_qs(parts.query)
        for name, value in expected.items():
            got = query.get(name)
            if name == "scope" and got:  # the order of scopes does not matter
                assert set(got[0].split()) == set(value.split()), f"scope={got} in {url}"
            else:
                assert got == [value], f"{name}={got} in {url}"
        return query

    async def user_of(self, client: Any, store: bool = True) -> dict[str, Any]:
        user = await self.call(client, "get_user", self.store() if store else None)
        return dict(user or {})

    def approve_ciba(self, user_id: str = "auth0|alice") -> threading.Thread:
        """The user's phone: approve the first CIBA request of ``user_id`` when it comes."""

        def approve() -> None:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if self.tenant.backchannel_requests(user_id):
                    self.tenant.approve_backchannel(user_id=user_id)
                    return
                time.sleep(0.02)

        thread = threading.Thread(target=approve, daemon=True)
        thread.start()
        return thread

    async def close(self) -> None:
        for cleanup in self.cleanups:
            cleanup()
        for client in self.clients + [
            v for v in self.namespace_ref.values() if isinstance(v, _CLIENT_TYPES)
        ]:
            closing = getattr(client, "close", None) or getattr(client, "aclose", None)
            if closing is not None:
                result = closing()
                if inspect.isawaitable(result):
                    await result


_CLIENT_TYPES = (auth0_requests.ServerClient, auth0_anyio.ServerClient)


class Harness:
    """The tenant served on loopback for the whole run, and a second one (tenant B, another
    port: another custom domain for the multiple-custom-domains pages); each run gets fresh
    tenants behind the same addresses."""

    def __init__(self) -> None:
        self.config = tenant_config()
        self._tenants: dict[str, Tenant] = {}
        self._servers = [ServerThread(make_handler=self._make_handler) for _ in range(2)]
        self.base_url = self.base_url_b = ""

    def _make_handler(self, base_url: str) -> Callable[[HttpRequest], HttpResponse]:
        def handle(request: HttpRequest) -> HttpResponse:
            return self._tenants[base_url].handle(request)

        return handle

    def fresh_tenant(self) -> Tenant:
        for base in (self.base_url, self.base_url_b):
            self._tenants[base] = Tenant(self.config, base_url=base)
            self._tenants[base].state.ciba.interval = 1  # the tenant's 5 s, shortened
        return self._tenants[self.base_url]

    @property
    def tenant_b(self) -> Tenant:
        return self._tenants[self.base_url_b]

    def new_run(self, mode: str) -> Run:
        return Run(self, mode)

    def __enter__(self) -> Harness:
        for server in self._servers:
            server.__enter__()
        self.base_url, self.base_url_b = (server.base_url for server in self._servers)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for server in reversed(self._servers):
            server.__exit__(kind, error, trace)
