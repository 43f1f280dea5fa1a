"""The emulated Token Vault: users' connected accounts and their upstream access tokens.

A connected account is an upstream login (Google, GitHub, ...) a user gave the tenant access
to: configured ones (``[[users]] connected_accounts``) exist from the start, the My Account API
(:mod:`.my_account`) adds and deletes others. For every account the vault holds an upstream
access token with an expiry. An exchange (:mod:`.authentication.token_vault`) returns the current
one; once it has expired the vault mints a new one, which is what Auth0 does when it refreshes the
token with the provider's stored refresh token.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from typing import Any

import attrs

from .._env import Env
from .config import TenantConfig
from .config_types import TenantConnection

# Upstream token prefixes per strategy, so the SDK's tests see provider-shaped tokens.
_PREFIXES = {"google-oauth2": "ya29."}
_ALPHANUMERIC = string.ascii_letters + string.digits
_ID_LENGTH = 20


def _alphanumeric(data: bytes) -> str:
    return "".join(_ALPHANUMERIC[b % len(_ALPHANUMERIC)] for b in data[:_ID_LENGTH])


def iso_time(timestamp: int) -> str:
    """``2026-01-01T00:00:00Z``: how the My Account API writes instants."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@attrs.frozen(kw_only=True)
class AccountRecord:
    """One connected account of one user."""

    id: str  # "cac_" + alphanumerics, as Auth0's
    user_id: str
    connection: str
    login_hint: str | None  # which upstream login it is; the exchange's login_hint selects it
    scopes: tuple[str, ...]
    created_at: int
    expires_at: int | None = None
    org_id: str | None = None
    # Creation order: paging cursors name a position in it, so a deletion between two pages
    # neither repeats nor skips an account.
    seq: int

    def as_json(self) -> dict[str, Any]:
        """The My Account API's connected-account object."""
        value: dict[str, Any] = {
            "id": self.id,
            "connection": self.connection,
            "access_type": "offline",
            "scopes": list(self.scopes),
            "created_at": iso_time(self.created_at),
        }
        if self.expires_at is not None:
            value["expires_at"] = iso_time(self.expires_at)
        if self.org_id is not None:
            value["org_id"] = self.org_id
        return value


@attrs.frozen(kw_only=True)
class UpstreamToken:
    """An access token of the external provider, as the vault holds it."""

    access_token: str = attrs.field(repr=False)
    expires_at: int


class Vault:
    """Connected accounts (by id, in creation order) and their upstream tokens.

    Args:
        config: the configured accounts to start with (each gets a stable ``cac_`` id derived
            from its user and position, so tests and the demo can name it).
        env: clock and randomness (ids of new accounts, upstream tokens).
    """

    def __init__(self, config: TenantConfig, env: Env) -> None:
        self._env = env
        self._accounts: dict[str, AccountRecord] = {}
        self._tokens: dict[str, UpstreamToken] = {}  # account id -> its current token
        self._seq = 0
        now = env.now()
        for user in config.users:
            for index, account in enumerate(user.connected_accounts):
                seed = f"{user.user_id}\n{index}".encode()
                self._keep(
                    AccountRecord(
                        id="cac_" + _alphanumeric(hashlib.sha256(seed).digest()),
                        user_id=user.user_id,
                        connection=account.connection,
                        login_hint=account.login_hint,
                        scopes=account.scopes,
                        created_at=now,
                        seq=self._next_seq(),
                    )
                )

    def __len__(self) -> int:
        return len(self._accounts)

    def __iter__(self) -> Iterator[AccountRecord]:
        return iter(list(self._accounts.values()))

    # --- accounts --------------------------------------------------------------------------

    def accounts(
        self, user_id: str, connections: Collection[str] | None = None
    ) -> list[AccountRecord]:
        """The user's accounts in creation order, only those of ``connections`` when given."""
        return [
            account
            for account in self._accounts.values()
            if account.user_id == user_id
            and (connections is None or account.connection in connections)
        ]

    def get(self, user_id: str, account_id: str) -> AccountRecord | None:
        """The user's account ``account_id``; None when unknown or another user's."""
        account = self._accounts.get(account_id)
        return account if account is not None and account.user_id == user_id else None

    def find(self, user_id: str, connection: str, login_hint: str | None) -> AccountRecord | None:
        """The user's first account on ``connection`` (matching ``login_hint`` when given)."""
        return next(
            (
                account
                for account in self.accounts(user_id, (connection,))
                if login_hint is None or account.login_hint == login_hint
            ),
            None,
        )

    def add(
        self,
        user_id: str,
        connection: str,
        *,
        login_hint: str | None = None,
        scopes: tuple[str, ...] = (),
        expires_at: int | None = None,
        org_id: str | None = None,
    ) -> AccountRecord:
        """A new account with a fresh random id, after every existing one."""
        return self._keep(
            AccountRecord(
                id="cac_" + _alphanumeric(self._env.token_bytes(32)),
                user_id=user_id,
                connection=connection,
                login_hint=login_hint,
                scopes=scopes,
                created_at=self._env.now(),
                expires_at=expires_at,
                org_id=org_id,
                seq=self._next_seq(),
            )
        )

    def replace(self, account: AccountRecord, scopes: tuple[str, ...]) -> AccountRecord:
        """The account re-consented with ``scopes``: same id and place, a new upstream token."""
        renewed = attrs.evolve(account, scopes=scopes)
        self._accounts[account.id] = renewed
        self._tokens.pop(account.id, None)  # the old token was granted other scopes
        return renewed

    def delete(self, user_id: str, account_id: str) -> bool:
        """Forget the user's account and its upstream token; False when there is none."""
        if self.get(user_id, account_id) is None:
            return False
        del self._accounts[account_id]
        self._tokens.pop(account_id, None)
        return True

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _keep(self, account: AccountRecord) -> AccountRecord:
        self._accounts[account.id] = account
        return account

    # --- upstream tokens -------------------------------------------------------------------

    def current(self, account: AccountRecord, now: int) -> UpstreamToken | None:
        """The stored token of ``account`` while it is still valid, else None."""
        token = self._tokens.get(account.id)
        return token if token is not None and token.expires_at > now else None

    def fetch(self, account: AccountRecord, connection: TenantConnection) -> UpstreamToken:
        """The account's valid upstream token (``connection`` is the account's), minting a new
        one when none is valid."""
        now = self._env.now()
        token = self.current(account, now)
        if token is None:
            prefix = _PREFIXES.get(connection.strategy, "upstream.")
            token = UpstreamToken(
                access_token=prefix + self._env.random_urlsafe(32),
                expires_at=now + connection.token_lifetime,
            )
            self._tokens[account.id] = token
        return token
