"""The emulated Token Vault and the federated-connection access-token exchange (protocol doc 6).

For every connected account of a user the tenant holds an upstream access token with an expiry.
An exchange returns the current one; once it has expired the vault mints a new one, which is
what Auth0 does when it refreshes the token with the provider's stored refresh token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from .._http import HttpResponse
from .config_types import ConnectedAccount, TenantClient, TenantUser
from .params import Params
from .responses import json_ok, oauth_error

if TYPE_CHECKING:
    from .tenant import Tenant

FEDERATED_GRANT = (
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
)
FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token"
REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
# The error code is UNCONFIRMED from Auth0's own files; the 401 status is documented.
NOT_CONNECTED = "federated_connection_refresh_token_not_found"
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

    def fetch(self, tenant: Tenant, user_id: str, account: ConnectedAccount) -> UpstreamToken:
        """The account's valid upstream token, minting a new one when none is valid."""
        now = tenant.env.now()
        key = (user_id, account.connection, account.login_hint)
        token = self.current(key, now)
        if token is None:
            connection = tenant.config.connection(account.connection)
            lifetime = connection.token_lifetime if connection else 3600
            strategy = connection.strategy if connection else account.connection
            prefix = _PREFIXES.get(strategy, "upstream.")
            token = UpstreamToken(
                access_token=prefix + tenant.env.random_urlsafe(32), expires_at=now + lifetime
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


def _invalid_request(description: str) -> HttpResponse:
    return oauth_error(400, "invalid_request", description)


def _check_params(params: Params) -> HttpResponse | None:
    """The request-shape errors, before any token is looked at."""
    for name in ("audience", "resource"):
        if params.get(name) is not None:
            return _invalid_request(f"The {name} parameter is not supported for this grant.")
    for name in ("subject_token", "subject_token_type", "requested_token_type", "connection"):
        if params.get(name) is None:
            return _invalid_request(f"Missing required parameter: {name}")
    if params.get("requested_token_type") != FEDERATED_TOKEN_TYPE:
        return _invalid_request(f"requested_token_type must be {FEDERATED_TOKEN_TYPE}")
    if params.get("subject_token_type") not in (REFRESH_TOKEN_TYPE, ACCESS_TOKEN_TYPE):
        return _invalid_request("Unsupported subject_token_type.")
    return None


def _refresh_subject(tenant: Tenant, client: TenantClient, token: str) -> str | HttpResponse:
    """The user behind a refresh-token subject, or the error response."""
    settings = client.refresh_token
    if settings.rotating:
        # Auth0: the refresh-token exchange with Token Vault does not support rotation.
        return _invalid_request("Refresh token rotation must be disabled for token vault exchange.")
    now = tenant.env.now()
    record = tenant.refresh_tokens.redeem(token, client.client_id, settings, now)
    if record is None:
        return oauth_error(400, "invalid_grant", "Unknown or invalid refresh token.")
    tenant.refresh_tokens.use(record, None, now)  # an exchange counts as use (idle lifetime)
    return record.family.grant.user_id


def _access_subject(tenant: Tenant, token: str) -> str | HttpResponse:
    """The user behind an access-token subject issued by this tenant, or the error response."""
    claims: dict[str, Any] | None = tenant.keys.verify(token)
    invalid = oauth_error(400, "invalid_grant", "Invalid subject token.")
    if claims is None or claims.get("iss") != tenant.issuer:
        return invalid
    exp, sub = claims.get("exp"), claims.get("sub")
    if not isinstance(exp, int) or exp <= tenant.env.now() or not isinstance(sub, str):
        return invalid
    # ID tokens carry no scope; a client-credentials token has no user behind it.
    if "scope" not in claims or claims.get("gty") == "client-credentials":
        return invalid
    return sub


def federated_grant(tenant: Tenant, client: TenantClient, params: Params) -> HttpResponse:
    """The federated-connection access-token exchange: an upstream token from the vault."""
    problem = _check_params(params)
    if problem is not None:
        return problem
    token = params.get("subject_token") or ""
    if params.get("subject_token_type") == REFRESH_TOKEN_TYPE:
        subject = _refresh_subject(tenant, client, token)
    else:
        subject = _access_subject(tenant, token)
    if isinstance(subject, HttpResponse):
        return subject
    connection = params.get("connection") or ""
    if tenant.config.connection(connection) is None:
        return _invalid_request(f"Connection not found: {connection}")
    user = tenant.config.user_by_id(subject)
    account = find_account(user, connection, params.get("login_hint")) if user else None
    if user is None or account is None:
        return oauth_error(401, NOT_CONNECTED, "Federated connection Refresh Token not found.")
    upstream = tenant.vault.fetch(tenant, user.user_id, account)
    return json_ok(
        200,
        {
            "access_token": upstream.access_token,
            "scope": " ".join(account.scopes),
            "expires_in": upstream.expires_at - tenant.env.now(),
            "issued_token_type": FEDERATED_TOKEN_TYPE,
            "token_type": "Bearer",
        },
    )
