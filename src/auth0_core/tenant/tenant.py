"""The emulated Auth0 tenant's face: ``Tenant.handle(HttpRequest) -> HttpResponse`` and test hooks.

Serve it over HTTP with ``auth0_tenant_server`` or wire ``Tenant.handle`` straight into a driver
as the transport. The data lives in a :class:`~.state.TenantState`, the endpoints in
:mod:`.routes`; this class adds the lock that makes ``handle`` safe to call from a server thread
while a test thread inspects the tenant or rotates its keys.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from joserfc.jwk import Key, RSAKey

from .._env import Env
from .._http import HttpRequest, HttpResponse
from .apis import Apis
from .authentication.discovery import discovery_document
from .authentication.token import DEFAULT_GRANTS
from .backchannel import deliver_pending, end_user_sessions, mint_logout_token
from .ciba_requests import BackchannelStatus
from .config import TenantConfig
from .config_types import RefreshTokenSettings
from .directory import UserDirectory
from .outbox import LogoutDelivery, Outbox
from .records import LogEntry
from .refresh_store import RefreshTokenState
from .routes import handle
from .settings import TenantSettings
from .state import GrantHandler, IdTokenHook, TenantState


class Tenant:
    """An in-memory Auth0 tenant.

    Args:
        config: clients, users, organizations and settings.
        base_url: where the tenant is reached, e.g. ``https://tenant.example`` or the served
            ``http://127.0.0.1:8123``. The issuer is ``base_url + "/"``, as on Auth0.
        env: clock and randomness (default: real time, ``secrets``).
        signing_key: the first signing key (default: the process-wide pooled key).

    Attributes:
        state: everything the tenant knows and remembers (what the endpoints see).
        id_token_hook: ``(claims, header) -> (claims, header)`` applied to every ID token just
            before signing; None by default. For security tests.
        log: one :class:`LogEntry` per handled request.
        grant_handlers: ``grant_type`` -> handler ``(state, client, params) -> response``; add
            entries to emulate more grants.
        users: the live user directory (links, metadata).
        outbox: what the tenant sent (e-mails, text messages, back-channel logout deliveries).
        settings: live settings tests may switch (DPoP nonces, DPoP required by the My Account
            API) and misbehaviours (a repeated paging cursor, 409 on reconnect).
    """

    def __init__(
        self,
        config: TenantConfig,
        *,
        base_url: str,
        env: Env | None = None,
        signing_key: RSAKey | None = None,
    ) -> None:
        self.state = TenantState(
            config,
            base_url=base_url,
            grant_handlers=DEFAULT_GRANTS,
            env=env,
            signing_key=signing_key,
        )
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Tenant(base_url={self.base_url!r})"

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request. Never raises: malformed input answers 4xx, a bug answers 500."""
        with self._lock:
            return handle(self.state, request)

    # --- what the state holds ------------------------------------------------------------

    @property
    def config(self) -> TenantConfig:
        return self.state.config

    @property
    def base_url(self) -> str:
        return self.state.base_url

    @property
    def issuer(self) -> str:
        return self.state.issuer

    @property
    def env(self) -> Env:
        return self.state.env

    @property
    def apis(self) -> Apis:
        return self.state.apis

    @property
    def log(self) -> list[LogEntry]:
        return self.state.log

    @property
    def grant_handlers(self) -> dict[str, GrantHandler]:
        return self.state.grant_handlers

    @property
    def outbox(self) -> Outbox:
        return self.state.outbox

    @property
    def users(self) -> UserDirectory:
        return self.state.users

    @users.setter
    def users(self, directory: UserDirectory) -> None:
        with self._lock:
            self.state.users = directory

    @property
    def settings(self) -> TenantSettings:
        return self.state.settings

    @property
    def id_token_hook(self) -> IdTokenHook | None:
        return self.state.id_token_hook

    @id_token_hook.setter
    def id_token_hook(self, hook: IdTokenHook | None) -> None:
        with self._lock:
            self.state.id_token_hook = hook

    # --- documents, keys and test hooks --------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        """The OpenID Provider metadata document (OIDC Discovery §3)."""
        with self._lock:
            return discovery_document(self.state)

    def sign(self, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """Sign ``claims`` with the current signing key (``header`` overrides the defaults)."""
        with self._lock:
            return self.state.keys.sign(claims, header)

    def rotate_signing_key(self, new_key: RSAKey | None = None) -> str:
        """Sign with a new key from now on, still publishing the old ones; returns its kid."""
        with self._lock:
            return str(self.state.keys.rotate(new_key).kid)

    def revoke_previous_signing_keys(self) -> None:
        """Stop publishing every key except the current one."""
        with self._lock:
            self.state.keys.revoke_previous()

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The user as ``GET /api/v2/users/{id}`` shows it (a copy), or None when no such user
        exists (unknown, or linked into another user): ``identities``, ``user_metadata``..."""
        with self._lock:
            record = self.state.users.get(user_id)
            return record.as_json() if record else None

    def vault_token(
        self, user_id: str, connection: str, login_hint: str | None = None
    ) -> str | None:
        """The upstream access token the vault currently holds for that connected account.

        None when the user has no such account, or no valid token was minted yet (the vault
        mints on the first exchange and again after expiry).
        """
        with self._lock:
            account = self.state.vault.find(user_id, connection, login_hint)
            token = self.state.vault.current(account, self.env.now()) if account else None
            return token.access_token if token else None

    def connected_accounts(self, user_id: str) -> list[dict[str, Any]]:
        """The user's connected accounts as ``GET .../connected-accounts/accounts`` shows them
        (every one, in order, no paging); an unknown user has none."""
        with self._lock:
            return [account.as_json() for account in self.state.vault.accounts(user_id)]

    def add_connected_accounts(
        self,
        user_id: str,
        count: int = 1,
        *,
        connection: str = "google-oauth2",
        scopes: tuple[str, ...] = ("openid",),
        login_hint: str | None = None,
        expires_at: int | None = None,
    ) -> list[dict[str, Any]]:
        """Connect ``count`` accounts for ``user_id`` at once, with no browser; returns them
        (as the API shows them). Each gets a fresh ``cac_`` id and comes after existing ones."""
        with self._lock:
            vault = self.state.vault
            added = [
                vault.add(
                    user_id, connection, login_hint=login_hint, scopes=scopes, expires_at=expires_at
                )
                for _ in range(count)
            ]
            return [account.as_json() for account in added]

    def revoke_refresh_tokens(self, user_id: str | None = None) -> int:
        """Revoke every refresh-token family of ``user_id`` (all users when None); how many."""
        with self._lock:
            return self.state.refresh_tokens.revoke_user(user_id)

    def refresh_token_state(self, token: str) -> RefreshTokenState | None:
        """Status (active, rotated, revoked, expired), family and lifetimes of a refresh token."""
        with self._lock:
            tokens = self.state.refresh_tokens
            record = tokens.lookup_any(token)
            if record is None:
                return None
            client = self.state.config.client(record.family.grant.client_id)
            settings = client.refresh_token if client else RefreshTokenSettings()
            return tokens.state(token, settings, self.state.env.now())

    # --- sessions and back-channel logout -------------------------------------------------

    def sessions(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """The live tenant sessions of ``user_id`` (every user's when None), oldest first:
        ``{"sid", "user_id", "created_at", "clients"}``."""
        with self._lock:
            return [session.as_json() for session in self.state.sessions.of_user(user_id)]

    def end_sessions(self, user_id: str) -> list[LogoutDelivery]:
        """End every session of ``user_id``, as ``DELETE /api/v2/users/{id}/sessions`` does;
        returns the back-channel logout deliveries it queued."""
        with self._lock:
            return end_user_sessions(self.state, user_id)

    def mint_logout_token(
        self,
        client_id: str,
        *,
        sub: str | None,
        sid: str | None,
        header: Mapping[str, Any] | None = None,
        key: Key | None = None,
        omit: Iterable[str] = (),
        **claims: Any,
    ) -> str:
        """A back-channel logout token for ``client_id``, as the tenant would send it, or
        broken on purpose.

        Args:
            client_id: the ``aud``.
            sub: the ``sub`` claim; None leaves it out.
            sid: the ``sid`` claim; None leaves it out.
            header: header members to set or replace (``{"typ": "JWT"}``, ``{"alg": "RS384"}``);
                a None value removes the member (``{"kid": None}``).
            key: sign with this key instead of the tenant's current signing key (a foreign
                key: its ``kid``, if any, is the header's unless ``header`` names another).
                ``header={"alg": "none"}`` gives an unsigned token.
            omit: claims to leave out (``("exp",)``, ``("events",)``...).
            **claims: claims to set or replace: ``iss=``, ``aud=``, ``iat=``, ``exp=``,
                ``jti=``, ``events=``, ``nonce=``... (any JSON value, None included).

        Example::

            token = tenant.mint_logout_token("demo-client", sub="auth0|alice", sid=sid)
            expired = tenant.mint_logout_token(
                "demo-client", sub="auth0|alice", sid=sid, iat=now - 600, exp=now - 480
            )
        """
        with self._lock:
            return mint_logout_token(
                self.state,
                client_id,
                sub=sub,
                sid=sid,
                claims=claims,
                omit=omit,
                header=header,
                key=key,
            )

    def deliver_pending(self, send: Callable[[HttpRequest], HttpResponse]) -> list[LogoutDelivery]:
        """Perform every queued back-channel logout delivery with ``send`` and record on each
        outbox entry what it got back (``delivery.result``); returns them, oldest first.

        ``send`` gets ``POST <backchannel_logout_uri>`` with the form body ``logout_token=...``:
        a test may hand it an application's handler straight, the server adapter sends over
        HTTP (``auth0_tenant_server.BackchannelSender``). An exception it raises is recorded as
        the result's ``error``. The tenant's lock is not held while ``send`` runs, and each
        delivery is attempted once, even by concurrent callers.
        """
        return deliver_pending(self.state.outbox, send)

    def wait_for_deliveries(self, timeout: float = 5.0) -> list[LogoutDelivery]:
        """Wait until every queued delivery has a result (a background sender is at work);
        returns every logout delivery in the outbox.

        Raises:
            TimeoutError: some delivery still has no result after ``timeout`` seconds.
        """
        if not self.state.outbox.wait_for_deliveries(timeout):
            raise TimeoutError(f"back-channel logout deliveries still pending after {timeout}s")
        return self.state.outbox.messages(LogoutDelivery)

    def count(
        self, path: str | None = None, *, grant_type: str | None = None, method: str | None = None
    ) -> int:
        """How many logged requests match every given filter."""
        with self._lock:
            return sum(
                1
                for entry in self.state.log
                if (path is None or entry.path == path)
                and (grant_type is None or entry.grant_type == grant_type)
                and (method is None or entry.method == method.upper())
            )

    # --- CIBA: the user's device -------------------------------------------------------------

    def backchannel_requests(self, user_id: str | None = None) -> list[dict[str, object]]:
        """The CIBA requests still waiting for the user (``user_id``'s when given), oldest
        first: ``{"auth_req_id", "client_id", "user_id", "scope", "audience",
        "binding_message", "expires_at", "interval", "status", "polls"}``."""
        with self._lock:
            now = self.env.now()
            return [r.as_json() for r in self.state.ciba.pending(user_id, now)]

    def approve_backchannel(
        self, auth_req_id: str | None = None, *, user_id: str | None = None
    ) -> list[str]:
        """Approve, as the user on their device, the pending CIBA request ``auth_req_id``, or
        every pending request of ``user_id``; returns the ``auth_req_id`` values approved.

        Raises:
            ValueError: neither or both of ``auth_req_id`` and ``user_id`` given.
            KeyError: ``auth_req_id`` is no pending request.
        """
        return self._answer_backchannel("approved", auth_req_id, user_id)

    def deny_backchannel(
        self, auth_req_id: str | None = None, *, user_id: str | None = None
    ) -> list[str]:
        """Refuse, as the user, like :meth:`approve_backchannel`: the next poll answers
        ``access_denied``."""
        return self._answer_backchannel("denied", auth_req_id, user_id)

    def _answer_backchannel(
        self, status: BackchannelStatus, auth_req_id: str | None, user_id: str | None
    ) -> list[str]:
        with self._lock:
            return self.state.ciba.answer(status, self.env.now(), auth_req_id, user_id)
