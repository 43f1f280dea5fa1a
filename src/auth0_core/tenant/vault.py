"""The emulated Token Vault: the upstream access tokens of users' connected accounts.

For every connected account of a user the tenant holds an upstream access token with an expiry.
An exchange (:mod:`.authentication.token_vault`) returns the current one; once it has expired the
vault mints a new one, which is what Auth0 does when it refreshes the token with the provider's
stored refresh token.
"""

from __future__ import annotations

import attrs

from .._env import Env
from .config_types import ConnectedAccount, TenantConnection, TenantUser

# Upstream token prefixes per strategy, so the SDK's tests see provider-shaped tokens.
_PREFIXES = {"google-oauth2": "ya29."}

VaultKey = tuple[str, str, str | None]  # (user_id, connection, account login_hint)


@attrs.frozen(kw_only=True)
class UpstreamToken:
    """An access token of the external provider, as the vault holds it."""

    access_token: str = attrs.field(repr=False)
    expires_at: int


class Vault:
    """Upstream tokens per connected account, minted lazily and re-minted when expired."""

    def __init__(self) -> None:
        self._tokens: dict[VaultKey, UpstreamToken] = {}

    def current(self, key: VaultKey, now: int) -> UpstreamToken | None:
        """The stored token for ``key`` while it is still valid, else None."""
        token = self._tokens.get(key)
        return token if token is not None and token.expires_at > now else None

    def fetch(
        self,
        user_id: str,
        account: ConnectedAccount,
        connection: TenantConnection,
        env: Env,
    ) -> UpstreamToken:
        """The account's valid upstream token (``connection`` is the account's), minting a new
        one when none is valid."""
        now = env.now()
        key = (user_id, account.connection, account.login_hint)
        token = self.current(key, now)
        if token is None:
            prefix = _PREFIXES.get(connection.strategy, "upstream.")
            token = UpstreamToken(
                access_token=prefix + env.random_urlsafe(32),
                expires_at=now + connection.token_lifetime,
            )
            self._tokens[key] = token
        return token


def find_account(
    user: TenantUser, connection: str, login_hint: str | None
) -> ConnectedAccount | None:
    """The user's first account on ``connection`` (matching ``login_hint`` when given)."""
    return next(
        (
            account
            for account in user.connected_accounts
            if account.connection == connection
            and (login_hint is None or account.login_hint == login_hint)
        ),
        None,
    )
