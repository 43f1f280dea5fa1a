"""Minting access tokens, ID tokens and token responses from a :class:`~.records.Grant`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._http import HttpResponse
from .config import TenantUser
from .records import Grant
from .responses import json_ok

if TYPE_CHECKING:
    from .tenant import Tenant


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


def audience_claim(tenant: Tenant, audience: str | None, scope: str) -> str | list[str]:
    """``aud`` of a user access token: the API, plus ``/userinfo`` when ``openid`` is granted."""
    userinfo = tenant.base_url + "/userinfo"
    if not audience or audience == userinfo:
        return userinfo
    return [audience, userinfo] if "openid" in scope.split() else audience


def sign_access_token(tenant: Tenant, claims: dict[str, Any], lifetime: int) -> str:
    """Sign an RS256 access token: ``claims`` plus ``iss``, ``iat``, ``exp`` and a ``jti``."""
    now = tenant.env.now()
    full = {"iss": tenant.issuer, **claims, "iat": now, "exp": now + lifetime}
    full["jti"] = tenant.env.random_urlsafe(16)
    return tenant.keys.sign(full)


def access_token(tenant: Tenant, grant: Grant, scope: str, audience: str | None) -> str:
    """An RS256 access token for the grant's user, ``audience`` and ``scope``."""
    claims: dict[str, Any] = {
        "sub": grant.user_id,
        "aud": audience_claim(tenant, audience, scope),
        "azp": grant.client_id,
        "scope": scope,
    }
    if grant.organization_id:
        claims["org_id"] = grant.organization_id
    return sign_access_token(tenant, claims, tenant.apis.lifetime(audience))


def id_token(tenant: Tenant, grant: Grant, *, nonce: str | None) -> str:
    """An RS256 ID token (OIDC Core §2) for the grant's client and user.

    ``Tenant.id_token_hook`` may rewrite the claims and header just before signing, so security
    tests can mint broken tokens through the real flow.
    """
    user = tenant.users.profile(grant.user_id)
    now = tenant.env.now()
    claims: dict[str, Any] = user_claims(user, grant.scope) if user else {"sub": grant.user_id}
    claims.update(
        {
            "iss": tenant.issuer,
            "aud": grant.client_id,
            "iat": now,
            "exp": now + tenant.config.id_token_lifetime,
            "auth_time": grant.auth_time,
            "sid": grant.sid,
        }
    )
    if nonce is not None:
        claims["nonce"] = nonce
    org = tenant.config.organization(grant.organization_id) if grant.organization_id else None
    if org is not None:
        claims.update({"org_id": org.id, "org_name": org.name})
    header: dict[str, Any] = {"alg": "RS256", "typ": "JWT", "kid": str(tenant.keys.current.kid)}
    hook = tenant.id_token_hook
    if hook is not None:
        claims, header = hook(claims, header)
    return tenant.sign(claims, header)


def token_response(
    tenant: Tenant,
    grant: Grant,
    *,
    scope: str | None = None,
    nonce: str | None = None,
    refresh_token: str | None = None,
) -> HttpResponse:
    """The 200 token response: access token, ID token (with ``openid``), refresh token if any."""
    granted = scope if scope is not None else grant.scope
    body: dict[str, Any] = {
        "access_token": access_token(tenant, grant, granted, grant.audience),
        "token_type": "Bearer",
        "expires_in": tenant.apis.lifetime(grant.audience),
        "scope": granted,
    }
    if "openid" in granted.split():
        body["id_token"] = id_token(tenant, grant, nonce=nonce)
    if refresh_token is not None:
        body["refresh_token"] = refresh_token
    return json_ok(200, body)
