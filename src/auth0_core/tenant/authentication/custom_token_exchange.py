"""Custom Token Exchange (RFC 8693, protocol doc §8.5): an external subject token of a
configured ``[[token_exchange_profiles]]`` type for tokens of the user it maps to; with an
actor token (an ID token this tenant issued to the client, or a subject token of a profile),
tokens carry ``act`` and no refresh token is issued. ``audience=urn:{domain}:session_transfer``
mints an opaque Session Transfer Token instead (the profile must allow it, an actor is
required); ``/authorize`` redeems it once (:func:`.authorize.issue_code` for its user).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from ..._http import HttpResponse
from ..config_types import TenantClient
from ..params import Params
from ..records import SessionTransfer
from ..responses import json_ok, oauth_error
from ..state import TenantState
from .mint import audience_claim, sign_access_token, token_type, user_claims

CUSTOM_TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
SESSION_TRANSFER_TOKEN_TYPE = "urn:auth0:params:oauth:token-type:session_transfer_token"
SESSION_TRANSFER_LIFETIME = 60


def _actor(state: TenantState, client: TenantClient, token: str, kind: str) -> str | None:
    """The user id the actor token names, or None when it is not acceptable."""
    if kind == ID_TOKEN_TYPE:
        claims: dict[str, Any] | None = state.keys.verify(token)
        if claims is None or claims.get("iss") != state.issuer:
            return None
        exp, sub = claims.get("exp"), claims.get("sub")
        if claims.get("aud") != client.client_id or not isinstance(exp, int):
            return None
        return sub if isinstance(sub, str) and exp > state.env.now() else None
    profile = state.config.token_exchange_profile(kind)
    return profile.tokens.get(token) if profile is not None else None


def custom_token_exchange_grant(
    state: TenantState, client: TenantClient, params: Params
) -> HttpResponse:
    """Exchange the subject token; see the module's documentation."""
    for name in ("subject_token", "subject_token_type"):
        if params.get(name) is None:
            return oauth_error(400, "invalid_request", f"Missing required parameter: {name}")
    kind = params.get("subject_token_type") or ""
    profile = state.config.token_exchange_profile(kind)
    if profile is None:
        return oauth_error(400, "invalid_request", f"Unsupported subject_token_type: {kind}")
    user_id = profile.tokens.get(params.get("subject_token") or "")
    user = state.users.profile(user_id) if user_id else None
    if user is None:
        return oauth_error(400, "invalid_grant", "Invalid subject token.")
    actor_token, actor_type = params.get("actor_token"), params.get("actor_token_type")
    if (actor_token is None) != (actor_type is None):
        return oauth_error(400, "invalid_request", "actor_token and actor_token_type go together.")
    actor = None
    if actor_token is not None:
        actor = _actor(state, client, actor_token, actor_type or "")
        if actor is None:
            return oauth_error(400, "invalid_grant", "Invalid actor token.")
    audience = params.get("audience")
    if audience == f"urn:{urlsplit(state.base_url).netloc}:session_transfer":
        if not profile.session_transfer:
            return oauth_error(400, "session_transfer_disabled", "Session transfer is not enabled.")
        if actor is None:
            return oauth_error(400, "setactor_required", "A session transfer token needs an actor.")
        token = "stt_" + state.env.random_urlsafe(32)
        state.session_transfers[token] = SessionTransfer(
            client_id=client.client_id,
            user_id=user.user_id,
            expires_at=state.env.now() + SESSION_TRANSFER_LIFETIME,
        )
        stt = {
            "access_token": token,
            "issued_token_type": SESSION_TRANSFER_TOKEN_TYPE,
            "token_type": "N_A",
            "expires_in": SESSION_TRANSFER_LIFETIME,
        }
        return json_ok(200, stt)
    if audience is not None and state.apis.get(audience) is None:
        return oauth_error(403, "access_denied", f"Service not found: {audience}")
    scope = " ".join(dict.fromkeys((params.get("scope") or "").split()))
    act = {"sub": actor} if actor is not None else None
    claims: dict[str, Any] = {
        "sub": user.user_id,
        "aud": audience_claim(state, audience, scope),
        "azp": client.client_id,
        "scope": scope,
    }
    if act is not None:
        claims["act"] = act
    organization = params.get("organization")
    org_claims: dict[str, str] = {}
    if organization is not None:
        org = state.config.organization(organization)
        if org is None:
            return oauth_error(400, "invalid_request", f"Unknown organization: {organization}")
        if user.user_id not in org.members:
            return oauth_error(
                403, "access_denied", "The user is not a member of the organization."
            )
        org_claims = {"org_id": org.id, "org_name": org.name}
    claims.update(org_claims)
    lifetime = state.apis.lifetime(audience)
    body: dict[str, Any] = {
        "access_token": sign_access_token(state, claims, lifetime),
        "token_type": token_type(state),
        "expires_in": lifetime,
        "scope": scope,
        "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
    }
    if "openid" in scope.split():
        now = state.env.now()
        id_claims = user_claims(user, scope)
        id_claims.update(
            {
                "iss": state.issuer,
                "aud": client.client_id,
                "iat": now,
                "exp": now + state.config.id_token_lifetime,
                "auth_time": now,
                "sid": state.env.random_urlsafe(16),
            }
        )
        id_claims.update(org_claims)
        if act is not None:
            id_claims["act"] = act
        body["id_token"] = state.keys.sign(id_claims)
    return json_ok(200, body)
