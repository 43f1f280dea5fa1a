"""Refresh tokens: issuing them and the ``refresh_token`` grant (basic, non-rotating).

Kept apart from the other grants so that rotation, reuse detection and Multi-Resource Refresh
Token policies (protocol doc 4.5, 4.6) can grow here without touching the code grant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .._http import HttpResponse
from .client_auth import authenticate_client
from .config import TenantClient
from .mint import token_response
from .params import Incoming, Params
from .records import Grant
from .responses import NO_STORE, oauth_error

if TYPE_CHECKING:
    from .tenant import Tenant

UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token."


@attrs.frozen(kw_only=True)
class RefreshGrant:
    """What a refresh token stands for."""

    grant: Grant
    issued_at: int


class RefreshTokens:
    """The tenant's live refresh tokens (opaque ``v1.`` strings, as Auth0 issues)."""

    def __init__(self) -> None:
        self._tokens: dict[str, RefreshGrant] = {}

    def __len__(self) -> int:
        return len(self._tokens)

    def issue(self, tenant: Tenant, grant: Grant) -> str:
        """A new refresh token for ``grant``."""
        token = "v1." + tenant.env.random_urlsafe(48)
        self._tokens[token] = RefreshGrant(grant=grant, issued_at=tenant.env.now())
        return token

    def get(self, token: str) -> RefreshGrant | None:
        """The grant behind ``token``, or None when unknown or revoked."""
        return self._tokens.get(token)

    def revoke(self, token: str) -> bool:
        """Revoke ``token``; True when it was live."""
        return self._tokens.pop(token, None) is not None


def wants_refresh_token(scope: str) -> bool:
    """Auth0 issues a refresh token only when ``offline_access`` was granted."""
    return "offline_access" in scope.split()


def refresh_grant(tenant: Tenant, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=refresh_token``: a new access (and ID) token for the original grant.

    The audience is always the one of the original login (no MRRT yet); a ``scope`` parameter
    may only narrow the original scope: unknown scopes are dropped silently, as Auth0 does.
    """
    token = params.get("refresh_token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    stored = tenant.refresh_tokens.get(token)
    if stored is None or stored.grant.client_id != client.client_id:
        return oauth_error(400, "invalid_grant", UNKNOWN_REFRESH_TOKEN)
    original = stored.grant.scope.split()
    requested = (params.get("scope") or "").split()
    kept = [s for s in requested if s in original] or original
    return token_response(tenant, stored.grant, scope=" ".join(kept))


def revoke(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    """``POST /oauth/revoke`` (RFC 7009): revoke a refresh token of the authenticated client.

    Unknown tokens, and tokens of other clients, answer 200 as well (RFC 7009 §2.2): the answer
    must not reveal whether a token exists.
    """
    params = incoming.body_params()
    client = authenticate_client(
        tenant.config,
        incoming,
        params,
        issuer=tenant.issuer,
        now=tenant.env.now(),
        used_jtis=tenant.used_jtis,
    )
    token = params.get("token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: token")
    stored = tenant.refresh_tokens.get(token)
    if stored is not None and stored.grant.client_id == client.client_id:
        tenant.refresh_tokens.revoke(token)
    return HttpResponse(status=200, headers=NO_STORE)
