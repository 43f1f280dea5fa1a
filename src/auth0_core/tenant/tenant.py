"""The emulated Auth0 tenant: a pure ``handle(HttpRequest) -> HttpResponse`` model.

Serve it over HTTP with ``auth0_tenant_server`` or wire ``Tenant.handle`` straight into a driver
as the transport. State (codes, logins, refresh tokens) lives in memory on the instance; a lock
makes ``handle`` safe to call from a server thread while a test thread inspects or rotates keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from joserfc.jwk import RSAKey

from .._env import Env
from .._http import HttpRequest, HttpResponse
from .apis import Apis
from .authorize import authorize, login, par
from .client_auth import authenticate_client
from .config import TenantConfig
from .config_types import RefreshTokenSettings, TenantClient
from .directory import UserDirectory
from .keys import SigningKeys
from .logout import oidc_logout, v2_logout
from .management import PREFIX as MANAGEMENT_PREFIX
from .management import management
from .params import Incoming, Params
from .records import CodeGrant, LogEntry, LoginTransaction, PushedRequest
from .refresh import revoke
from .refresh_store import RefreshTokens, RefreshTokenState
from .responses import (
    RequestRejected,
    json_ok,
    method_not_allowed,
    not_found,
    oauth_error,
)
from .token import DEFAULT_GRANTS, GrantHandler, token
from .userinfo import userinfo
from .vault import Vault, find_account

IdTokenHook = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
Endpoint = Callable[["Tenant", Incoming], HttpResponse]

# Discovery and JWKS may be cached by clients; Auth0 sends a comparable max-age.
_METADATA_CACHE = "public, max-age=600"


def _discovery(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    return json_ok(200, tenant.discovery(), cache=_METADATA_CACHE)


def _jwks(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    return json_ok(200, tenant.keys.jwks(), cache=_METADATA_CACHE)


ROUTES: dict[str, tuple[str, Endpoint]] = {
    "/.well-known/openid-configuration": ("GET", _discovery),
    "/.well-known/jwks.json": ("GET", _jwks),
    "/authorize": ("GET", authorize),
    "/u/login": ("POST", login),
    "/oauth/par": ("POST", par),
    "/oauth/token": ("POST", token),
    "/oauth/revoke": ("POST", revoke),
    "/userinfo": ("GET", userinfo),
    "/v2/logout": ("GET", v2_logout),
    "/oidc/logout": ("GET", oidc_logout),
}


class Tenant:
    """An in-memory Auth0 tenant.

    Args:
        config: clients, users, organizations and settings.
        base_url: where the tenant is reached, e.g. ``https://tenant.example`` or the served
            ``http://127.0.0.1:8123``. The issuer is ``base_url + "/"``, as on Auth0.
        env: clock and randomness (default: real time, ``secrets``).
        signing_key: the first signing key (default: the process-wide pooled key).

    Attributes:
        id_token_hook: ``(claims, header) -> (claims, header)`` applied to every ID token just
            before signing; None by default. For security tests.
        log: one :class:`LogEntry` per handled request.
        grant_handlers: ``grant_type`` -> handler; add entries to emulate more grants.
    """

    def __init__(
        self,
        config: TenantConfig,
        *,
        base_url: str,
        env: Env | None = None,
        signing_key: RSAKey | None = None,
    ) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.issuer = self.base_url + "/"
        self.env = env if env is not None else Env()
        self.keys = SigningKeys(signing_key)
        self.id_token_hook: IdTokenHook | None = None
        self.log: list[LogEntry] = []
        self.grant_handlers: dict[str, GrantHandler] = dict(DEFAULT_GRANTS)
        self.pushed: dict[str, PushedRequest] = {}
        self.logins: dict[str, LoginTransaction] = {}
        self.codes: dict[str, CodeGrant] = {}
        # code -> (expiry, refresh tokens it produced), to revoke them if the code is replayed.
        self.used_codes: dict[str, tuple[int, list[str]]] = {}
        self.used_jtis: dict[tuple[str, str], int] = {}
        self.refresh_tokens = RefreshTokens()
        # Placeholders ("my-account", "management") resolve against this tenant's base_url.
        self.apis = Apis(config, self.base_url)
        self.vault = Vault()
        # Users, identities and metadata as linking and the Management API change them.
        self.users = UserDirectory(config)
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Tenant(base_url={self.base_url!r})"

    # --- the HTTP face -------------------------------------------------------------------

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request. Never raises: malformed input answers 4xx, a bug answers 500."""
        with self._lock:
            incoming = Incoming.parse(request)
            response = self._dispatch(incoming)
            self.log.append(
                LogEntry(
                    method=incoming.method,
                    path=incoming.path,
                    status=response.status,
                    grant_type=self._grant_type(incoming),
                )
            )
            return response

    def _dispatch(self, incoming: Incoming) -> HttpResponse:
        route = ROUTES.get(incoming.path)
        if route is None and incoming.path.startswith(MANAGEMENT_PREFIX):
            # The Management API routes by pattern and checks methods itself.
            route = (incoming.method, management)
        if route is None:
            return not_found()
        method, endpoint = route
        if incoming.method != method:
            return method_not_allowed(method)
        self._purge_expired()
        try:
            return endpoint(self, incoming)
        except RequestRejected as rejected:
            return rejected.response
        except Exception:  # a bug in the tenant must not take the test server down
            return oauth_error(500, "server_error", "The emulated tenant failed.")

    @staticmethod
    def _grant_type(incoming: Incoming) -> str | None:
        if incoming.path != "/oauth/token" or incoming.method != "POST":
            return None
        try:
            return incoming.body_params().get("grant_type")
        except RequestRejected:
            return None

    def _purge_expired(self) -> None:
        now = self.env.now()
        for store in (self.pushed, self.logins, self.codes):
            for key in [k for k, v in store.items() if v.expires_at <= now]:
                del store[key]
        # Keep replay records for a day past expiry: long enough to catch a replay.
        for code in [c for c, (exp, _) in self.used_codes.items() if exp + 86400 <= now]:
            del self.used_codes[code]

    # --- documents -----------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        """The OpenID Provider metadata document (OIDC Discovery §3)."""
        base = self.base_url
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/.well-known/jwks.json",
            "end_session_endpoint": f"{base}/oidc/logout",
            "revocation_endpoint": f"{base}/oauth/revoke",
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": sorted(self.grant_handlers),
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic",
                "client_secret_post",
                "private_key_jwt",
            ],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256", "RS384", "PS256"],
            "claims_supported": [
                "aud",
                "auth_time",
                "email",
                "email_verified",
                "exp",
                "iat",
                "iss",
                "name",
                "nickname",
                "nonce",
                "org_id",
                "org_name",
                "picture",
                "sid",
                "sub",
            ],
            "request_uri_parameter_supported": False,
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
        }
        if self.config.pushed_authorization_requests:
            document["pushed_authorization_request_endpoint"] = f"{base}/oauth/par"
        return document

    # --- keys and test hooks -------------------------------------------------------------

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """Sign ``claims`` with the current signing key (``header`` overrides the defaults)."""
        with self._lock:
            return self.keys.sign(claims, header)

    def rotate_signing_key(self, new_key: RSAKey | None = None) -> str:
        """Sign with a new key from now on, still publishing the old ones; returns its kid."""
        with self._lock:
            return str(self.keys.rotate(new_key).kid)

    def revoke_previous_signing_keys(self) -> None:
        """Stop publishing every key except the current one."""
        with self._lock:
            self.keys.revoke_previous()

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The user as ``GET /api/v2/users/{id}`` shows it (a copy), or None when no such user
        exists (unknown, or linked into another user): ``identities``, ``user_metadata``..."""
        with self._lock:
            record = self.users.get(user_id)
            return record.as_json() if record else None

    def vault_token(
        self, user_id: str, connection: str, login_hint: str | None = None
    ) -> str | None:
        """The upstream access token the vault currently holds for that connected account.

        None when the user has no such account, or no valid token was minted yet (the vault
        mints on the first exchange and again after expiry).
        """
        with self._lock:
            user = self.config.user_by_id(user_id)
            account = find_account(user, connection, login_hint) if user else None
            if account is None:
                return None
            key = (user_id, account.connection, account.login_hint)
            token = self.vault.current(key, self.env.now())
            return token.access_token if token else None

    def revoke_refresh_tokens(self, user_id: str | None = None) -> int:
        """Revoke every refresh-token family of ``user_id`` (all users when None); how many."""
        with self._lock:
            return self.refresh_tokens.revoke_user(user_id)

    def refresh_token_state(self, token: str) -> RefreshTokenState | None:
        """Status (active, rotated, revoked, expired), family and lifetimes of a refresh token."""
        with self._lock:
            record = self.refresh_tokens.lookup_any(token)
            if record is None:
                return None
            client = self.config.client(record.family.grant.client_id)
            settings = client.refresh_token if client else RefreshTokenSettings()
            return self.refresh_tokens.state(token, settings, self.env.now())

    def authenticated_client(self, incoming: Incoming, params: Params) -> TenantClient:
        """The client that authenticated a token-style request (secret or assertion).

        Raises:
            RequestRejected: 401 ``invalid_client`` or 400 ``invalid_request``.
        """
        return authenticate_client(
            self.config,
            incoming,
            params,
            issuer=self.issuer,
            now=self.env.now(),
            used_jtis=self.used_jtis,
        )

    def count(
        self, path: str | None = None, *, grant_type: str | None = None, method: str | None = None
    ) -> int:
        """How many logged requests match every given filter."""
        with self._lock:
            return sum(
                1
                for entry in self.log
                if (path is None or entry.path == path)
                and (grant_type is None or entry.grant_type == grant_type)
                and (method is None or entry.method == method.upper())
            )
