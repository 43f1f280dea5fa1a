"""``GET /userinfo`` (OIDC Core §5.3) with a Bearer (RFC 6750) or DPoP (RFC 9449 §7) access
token, checked as every resource server of the tenant checks it (:mod:`...resource_access`)."""

from __future__ import annotations

from ..._http import HttpResponse, json_response
from ..dpop.checks import sends_nonce
from ..params import Incoming
from ..resource_access import AccessDenied, access_claims, challenge
from ..responses import NO_STORE, json_ok
from ..state import TenantState
from .mint import user_claims

_REALM = "auth0"


def _unauthorized(denied: AccessDenied) -> HttpResponse:
    return json_response(
        401,
        {"error": denied.error or "invalid_request", "error_description": denied.description},
        (*denied.response_headers(), *NO_STORE),
    )


@sends_nonce("rs")
def userinfo(state: TenantState, incoming: Incoming) -> HttpResponse:
    """The user's claims for the scope of a valid access token; 401 otherwise."""
    audience = state.base_url + "/userinfo"
    try:
        claims = access_claims(state, incoming, audience=audience, realm=_REALM, require_dpop=False)
    except AccessDenied as denied:
        return _unauthorized(denied)
    user = state.users.profile(str(claims.get("sub")))
    if user is None:
        description = "The user no longer exists"
        gone = challenge("Bearer", _REALM, "invalid_token", description)
        return _unauthorized(AccessDenied("invalid_token", description, challenges=(gone,)))
    scope = claims.get("scope")
    return json_ok(200, user_claims(user, scope if isinstance(scope, str) else ""))
