"""The ``refresh_token`` grant with MRRT policies and rotation.

Multi-Resource Refresh Tokens (protocol doc 4.5): one refresh token may mint access tokens for
its login audience and for every audience a client policy covers. A requested audience that no
policy covers is silently ignored (a token for the original audience comes back, as on Auth0),
and so are requested scopes that are not allowed. Rotation and reuse detection (4.6) live in
:mod:`..refresh_store`.
"""

from __future__ import annotations

import attrs

from ..._http import HttpResponse
from ..apis import OIDC_SCOPES, Apis
from ..config_types import TenantClient
from ..params import Params
from ..records import Grant
from ..responses import oauth_error
from ..state import TenantState
from .mfa import mfa_required
from .mint import token_response

UNKNOWN_REFRESH_TOKEN = "Unknown or invalid refresh token."


def wants_refresh_token(scope: str) -> bool:
    """Auth0 issues a refresh token only when ``offline_access`` was granted."""
    return "offline_access" in scope.split()


def new_refresh_token(state: TenantState) -> str:
    """A fresh opaque refresh token string (``v1.`` prefix, as Auth0's)."""
    return "v1." + state.env.random_urlsafe(48)


def issue_refresh_token(state: TenantState, grant: Grant) -> str:
    """The first refresh token of a new family (one family per login)."""
    family_id = "rtf_" + state.env.random_urlsafe(12)
    return state.refresh_tokens.issue(family_id, new_refresh_token(state), grant, state.env.now())


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


def refresh_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=refresh_token``: tokens for the original or an MRRT policy audience.

    A rotating client gets a new refresh token each time and the presented one is rotated
    (reusable only within the client's ``leeway``); a non-rotating client keeps its token and
    the response carries none.
    """
    token = params.get("refresh_token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: refresh_token")
    settings = client.refresh_token
    now = state.env.now()
    record = state.refresh_tokens.redeem(token, client.client_id, settings, now)
    if record is None:
        status = state.config.refresh_token_error_status
        return oauth_error(status, "invalid_grant", UNKNOWN_REFRESH_TOKEN)
    grant = record.family.grant
    audience, scope = mrrt_target(
        state.apis, client, grant, params.get("audience"), params.get("scope")
    )
    minted = attrs.evolve(grant, audience=audience, scope=scope)
    if state.mfa.required(grant.user_id, audience, grant.sid):
        return mfa_required(state, client.client_id, minted)
    rotated = new_refresh_token(state) if settings.rotating else None
    refresh_token = state.refresh_tokens.use(record, rotated, now)
    return token_response(state, minted, refresh_token=refresh_token)
