"""Minting access tokens, ID tokens and token responses from a :class:`~..records.Grant`."""

from __future__ import annotations

from typing import Any

from ..._http import HttpResponse
from ..config import TenantUser
from ..records import Grant
from ..responses import json_ok
from ..state import TenantState


def user_claims(user: TenantUser, scope: str) -> dict[str, Any]:
    """The user's standard claims released for ``scope`` (OIDC Core §5.4)."""
    scopes = scope.split()
    claims: dict[str, Any] = {"sub": user.user_id}
    if "profile" in scopes:
        claims.update({"name": user.name, "nickname": user.nickname})
        if user.picture:
            claims["picture"] = user.picture
    if "email" in scopes:
        claims.update({"email": user.email, "email_verified": user.email_verified})
    return claims


def audience_claim(state: TenantState, audience: str | None, scope: str) -> str | list[str]:
    """``aud`` of a user access token: the API, plus ``/userinfo`` when ``openid`` is granted."""
    userinfo = state.base_url + "/userinfo"
    if not audience or audience == userinfo:
        return userinfo
    return [audience, userinfo] if "openid" in scope.split() else audience


def token_type(state: TenantState) -> str:
    """``DPoP`` while answering a token request that proved a DPoP key, else ``Bearer``."""
    return "DPoP" if state.dpop_jkt is not None else "Bearer"


def sign_access_token(state: TenantState, claims: dict[str, Any], lifetime: int) -> str:
    """Sign an RS256 access token: ``claims`` plus ``iss``, ``iat``, ``exp`` and a ``jti``, and
    ``cnf.jkt`` while the token request proved a DPoP key (RFC 9449 §6.1)."""
    now = state.env.now()
    full = {"iss": state.issuer, **claims, "iat": now, "exp": now + lifetime}
    full["jti"] = state.env.random_urlsafe(16)
    if state.dpop_jkt is not None:
        full["cnf"] = {"jkt": state.dpop_jkt}
    return state.keys.sign(full)


def access_token(state: TenantState, grant: Grant, scope: str, audience: str | None) -> str:
    """An RS256 access token for the grant's user, ``audience`` and ``scope``."""
    claims: dict[str, Any] = {
        "sub": grant.user_id,
        "aud": audience_claim(state, audience, scope),
        "azp": grant.client_id,
        "scope": scope,
    }
    if grant.organization_id:
        claims["org_id"] = grant.organization_id
    return sign_access_token(state, claims, state.apis.lifetime(audience))


def id_token(state: TenantState, grant: Grant, *, nonce: str | None) -> str:
    """An RS256 ID token (OIDC Core §2) for the grant's client and user.

    The state's ``id_token_hook`` may rewrite the claims and header just before signing, so
    security tests can mint broken tokens through the real flow.
    """
    user = state.users.profile(grant.user_id)
    now = state.env.now()
    claims: dict[str, Any] = user_claims(user, grant.scope) if user else {"sub": grant.user_id}
    claims.update(
        {
            "iss": state.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + state.config.id_token_lifetime,
            "auth_time": grant.auth_time,
            "sid": grant.sid,
        }
    )
    if nonce is not None:
        claims["nonce"] = nonce
    org = state.config.organization(grant.organization_id) if grant.organization_id else None
    if org is not None:
        claims.update({"org_id": org.id, "org_name": org.name})
    elif grant.organization_id:  # an enterprise domain's organization, not configured
        claims["org_id"] = grant.organization_id
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": str(state.keys.current.kid)}
    hook = state.id_token_hook
    if hook is not None:
        claims, header = hook(claims, header)
    return state.keys.sign(claims, header)


def token_response(
    state: TenantState,
    grant: Grant,
    *,
    scope: str | None = None,
    nonce: str | None = None,
    refresh_token: str | None = None,
) -> HttpResponse:
    """The 200 token response: access token, ID token (with ``openid``), refresh token if any."""
    granted = scope if scope is not None else grant.scope
    body: dict[str, Any] = {
        "access_token": access_token(state, grant, granted, grant.audience),
        "token_type": token_type(state),
        "expires_in": state.apis.lifetime(grant.audience),
        "scope": granted,
    }
    if "openid" in granted.split():
        body["id_token"] = id_token(state, grant, nonce=nonce)
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    return json_ok(200, body)
