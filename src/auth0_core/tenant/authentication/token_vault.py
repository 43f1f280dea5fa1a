"""The federated-connection access-token exchange (protocol doc 6): an upstream token from the
Token Vault (:mod:`..vault`) for a refresh token or an access token of this tenant.
"""

from __future__ import annotations

from typing import Any

from ..._http import HttpResponse
from ..config_types import TenantClient
from ..params import Params
from ..responses import json_ok, oauth_error
from ..state import TenantState

FEDERATED_GRANT = (
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
)
FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token"
REFRESH_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:refresh_token"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
# The error code is UNCONFIRMED from Auth0's own files; the 401 status is documented.
NOT_CONNECTED = "federated_connection_refresh_token_not_found"


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


def _refresh_subject(state: TenantState, client: TenantClient, token: str) -> str | HttpResponse:
    """The user behind a refresh-token subject, or the error response."""
    settings = client.refresh_token
    if settings.rotating:
        # Auth0: the refresh-token exchange with Token Vault does not support rotation.
        return _invalid_request("Refresh token rotation must be disabled for token vault exchange.")
    now = state.env.now()
    record = state.refresh_tokens.redeem(token, client.client_id, settings, now)
    if record is None:
        return oauth_error(400, "invalid_grant", "Unknown or invalid refresh token.")
    state.refresh_tokens.use(record, None, now)  # an exchange counts as use (idle lifetime)
    return record.family.grant.user_id


def _access_subject(state: TenantState, token: str) -> str | HttpResponse:
    """The user behind an access-token subject issued by this tenant, or the error response."""
    claims: dict[str, Any] | None = state.keys.verify(token)
    invalid = oauth_error(400, "invalid_grant", "Invalid subject token.")
    if claims is None or claims.get("iss") != state.issuer:
        return invalid
    exp, sub = claims.get("exp"), claims.get("sub")
    if not isinstance(exp, int) or exp <= state.env.now() or not isinstance(sub, str):
        return invalid
    # ID tokens carry no scope; a client-credentials token has no user behind it.
    if "scope" not in claims or claims.get("gty") == "client-credentials":
        return invalid
    return sub


def federated_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """The federated-connection access-token exchange: an upstream token from the vault."""
    problem = _check_params(params)
    if problem is not None:
        return problem
    token = params.get("subject_token") or ""
    if params.get("subject_token_type") == REFRESH_TOKEN_TYPE:
        subject = _refresh_subject(state, client, token)
    else:
        subject = _access_subject(state, token)
    if isinstance(subject, HttpResponse):
        return subject
    connection = params.get("connection") or ""
    configured = state.config.vault_connection(connection)
    if configured is None:
        return _invalid_request(f"Connection not found: {connection}")
    # The user's connected accounts as they are now: configured, connected or deleted through
    # the My Account API.
    account = state.vault.find(subject, connection, params.get("login_hint"))
    if account is None:
        return oauth_error(401, NOT_CONNECTED, "Federated connection Refresh Token not found.")
    upstream = state.vault.fetch(account, configured)
    return json_ok(
        200,
        {
            "access_token": upstream.access_token,
            "scope": " ".join(account.scopes),
            "expires_in": upstream.expires_at - state.env.now(),
            "issued_token_type": FEDERATED_TOKEN_TYPE,
            "token_type": "Bearer",
        },
    )
