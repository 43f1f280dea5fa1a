"""``grant_type=client_credentials`` (protocol doc 8.4): a client's own token for an API.

What a client may obtain is set by ``[[client_grants]]`` (Auth0's client grants): an audience
and the scopes granted on it. No refresh token and no ID token are ever issued.
"""

from __future__ import annotations

from typing import Any

from ..._http import HttpResponse
from ..config_types import TenantClient
from ..params import Params
from ..responses import json_ok, oauth_error
from ..state import TenantState
from .mint import sign_access_token, token_type


def _granted_scope(
    state: TenantState, client: TenantClient, audience: str, requested: str | None
) -> list[str] | HttpResponse:
    """The scopes to grant, or a 403 ``access_denied`` response."""
    api = state.apis.get(audience)
    if api is None:
        return oauth_error(403, "access_denied", f"Service not found: {audience}")
    grant = state.apis.client_grant(client.client_id, audience)
    if grant is None:
        return oauth_error(
            403, "access_denied", f"Client has not been granted scopes for {audience}."
        )
    granted = [s for s in grant.scope if s in api.scopes]
    if requested is None:
        return granted
    # Narrowing with `scope` is UNCONFIRMED on Auth0; asking beyond the grant is refused.
    wanted = list(dict.fromkeys(requested.split()))
    missing = [s for s in wanted if s not in granted]
    if missing:
        description = f"Client has not been granted scopes: {' '.join(missing)}"
        return oauth_error(403, "access_denied", description)
    return wanted


def client_credentials_grant(
    state: TenantState, client: TenantClient, params: Params
) -> HttpResponse:
    """An access token whose subject is the client itself (``sub = {client_id}@clients``)."""
    if client.token_endpoint_auth_method == "none":
        # Auth0 never enables client credentials for public (non-confidential) clients.
        return oauth_error(
            400,
            "unauthorized_client",
            "Grant type 'client_credentials' not allowed for the client.",
        )
    audience = params.get("audience")
    if audience is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: audience")
    scopes = _granted_scope(state, client, audience, params.get("scope"))
    if isinstance(scopes, HttpResponse):
        return scopes
    claims: dict[str, Any] = {
        "sub": f"{client.client_id}@clients",
        "aud": audience,
        "azp": client.client_id,
        "scope": " ".join(scopes),
        "gty": "client-credentials",
    }
    organization = params.get("organization")
    if organization is not None:
        org = state.config.organization(organization)
        if org is None:
            return oauth_error(400, "invalid_request", f"Unknown organization: {organization}")
        claims["org_id"] = org.id
    lifetime = state.apis.lifetime(audience)
    body = {
        "access_token": sign_access_token(state, claims, lifetime),
        "token_type": token_type(state),
        "expires_in": lifetime,
        "scope": claims["scope"],
    }
    return json_ok(200, body)
