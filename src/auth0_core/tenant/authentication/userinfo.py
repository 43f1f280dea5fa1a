"""``GET /userinfo`` (OIDC Core §5.3) with a Bearer access token (RFC 6750)."""

from __future__ import annotations

from ..._http import HttpResponse, json_response
from ..params import Incoming
from ..responses import NO_STORE, json_ok
from ..state import TenantState
from .mint import user_claims


def _unauthorized(error: str | None, description: str) -> HttpResponse:
    # RFC 6750 §3: no error code when the request carried no token at all.
    challenge = 'Bearer realm="auth0"'
    if error is not None:
        challenge += f', error="{error}", error_description="{description}"'
    return json_response(
        401,
        {"error": error or "invalid_request", "error_description": description},
        (("WWW-Authenticate", challenge), *NO_STORE),
    )


def userinfo(state: TenantState, incoming: Incoming) -> HttpResponse:
    """The user's claims for the scope of a valid access token; 401 otherwise."""
    authorization = incoming.request.header("authorization") or ""
    if authorization[:7].lower() != "bearer " or not authorization[7:].strip():
        return _unauthorized(None, "Missing bearer token")
    claims = state.keys.verify(authorization[7:].strip())
    if claims is None:
        return _unauthorized("invalid_token", "The access token is invalid")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    exp = claims.get("exp")
    if (
        claims.get("iss") != state.issuer
        or state.base_url + "/userinfo" not in audiences
        or not isinstance(exp, int)
        or exp <= state.env.now()
    ):
        return _unauthorized("invalid_token", "The access token is invalid or expired")
    user = state.users.profile(str(claims.get("sub")))
    if user is None:
        return _unauthorized("invalid_token", "The user no longer exists")
    scope = claims.get("scope")
    return json_ok(200, user_claims(user, scope if isinstance(scope, str) else ""))
