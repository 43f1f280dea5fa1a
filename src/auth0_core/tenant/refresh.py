"""The ``refresh_token`` grant with MRRT policies and rotation, and ``POST /oauth/revoke``.

Multi-Resource Refresh Tokens (protocol doc 4.5): one refresh token may mint access tokens for
its login audience and for every audience a client policy covers. A requested audience that no
policy covers is silently ignored (a token for the original audience comes back, as on Auth0),
and so are requested scopes that are not allowed. Rotation and reuse detection (4.6) live in
:mod:`.refresh_store`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .._http import HttpResponse
from .apis import OIDC_SCOPES, Apis
from .config_types import TenantClient
from .mint import token_response
from .params import Incoming, Params
from .records import Grant
from .responses import NO_STORE, oauth_error

if TYPE_CHECKING:
    from .tenant import Tenant

UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token."


def wants_refresh_token(scope: str) -> bool:
    """Auth0 issues a refresh token only when ``offline_access`` was granted."""
    return "offline_access" in scope.split()


def new_refresh_token(tenant: Tenant) -> str:
    """A fresh opaque refresh token string (``v1.`` prefix, as Auth0's)."""
    return "v1." + tenant.env.random_urlsafe(48)


def issue_refresh_token(tenant: Tenant, grant: Grant) -> str:
    """The first refresh token of a new family (one family per login)."""
    family_id = "rtf_" + tenant.env.random_urlsafe(12)
    return tenant.refresh_tokens.issue(
        family_id, new_refresh_token(tenant), grant, tenant.env.now()
    )


def _unique(scopes: list[str]) -> list[str]:
    return list(dict.fromkeys(scopes))


def mrrt_target(
    apis: Apis,
    client: TenantClient,
    grant: Grant,
    audience: str | None,
    scope: str | None,
) -> tuple[str | None, str]:
    """The audience and scope a refresh mints for, by Auth0's MRRT rules.

    Args:
        apis: the tenant's APIs and policies.
        client: the client refreshing.
        grant: what the login granted (original audience and scope).
        audience: the ``audience`` parameter, if any.
        scope: the ``scope`` parameter, if any.

    Returns:
        ``(audience, scope)`` to mint. The original audience allows the login scopes plus the
        policy scopes for it; a policy audience allows its policy scopes plus the OIDC scopes
        the login granted. A requested scope narrows within what is allowed; when nothing
        requested is allowed, everything allowed is granted (unauthorised scopes are dropped).
    """
    original = grant.scope.split()
    target = grant.audience
    allowed = _unique(original + list(apis.policy_scopes(client, grant.audience) or ()))
    if audience and audience != grant.audience:
        policy = apis.policy_scopes(client, audience)
        if policy is not None:  # an audience without a policy is ignored, as on Auth0
            target = audience
            allowed = _unique([s for s in original if s in OIDC_SCOPES] + list(policy))
    requested = _unique((scope or "").split())
    kept = [s for s in requested if s in allowed]
    return target, " ".join(kept or allowed)


def refresh_grant(tenant: Tenant, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=refresh_token``: tokens for the original or an MRRT policy audience.

    A rotating client gets a new refresh token each time and the presented one is rotated
    (reusable only within the client's ``leeway``); a non-rotating client keeps its token and
    the response carries none.
    """
    token = params.get("refresh_token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    settings = client.refresh_token
    now = tenant.env.now()
    record = tenant.refresh_tokens.redeem(token, client.client_id, settings, now)
    if record is None:
        status = tenant.config.refresh_token_error_status
        return oauth_error(status, "invalid_grant", UNKNOWN_REFRESH_TOKEN)
    grant = record.family.grant
    audience, scope = mrrt_target(
        tenant.apis, client, grant, params.get("audience"), params.get("scope")
    )
    rotated = new_refresh_token(tenant) if settings.rotating else None
    refresh_token = tenant.refresh_tokens.use(record, rotated, now)
    minted = attrs.evolve(grant, audience=audience, scope=scope)
    return token_response(tenant, minted, refresh_token=refresh_token)


def revoke(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    """``POST /oauth/revoke`` (RFC 7009): revoke a refresh token of the authenticated client.

    The token's whole family goes (every token rotated from the same login). Unknown tokens,
    and tokens of other clients, answer 200 as well (RFC 7009 §2.2): the answer must not reveal
    whether a token exists.
    """
    params = incoming.body_params()
    client = tenant.authenticated_client(incoming, params)
    token = params.get("token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: token")
    if tenant.refresh_tokens.lookup(token, client.client_id) is not None:
        tenant.refresh_tokens.revoke(token)
    return HttpResponse(status=200, headers=NO_STORE)
