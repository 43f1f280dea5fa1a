"""What every Management API endpoint checks first (protocol doc 5.2).

An access token this tenant issued for ``{base_url}/api/v2/`` (else 401), as Bearer or, when
DPoP-bound, with the DPoP scheme and a proof (:mod:`..resource_access`), with the scope
the endpoint needs (else 403); then a JSON object body where the endpoint reads one (else 400).
Errors use the Management API's shape ``{"statusCode", "error", "message", "errorCode"}``; the
error codes are UNCONFIRMED.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..params import Incoming, load_json
from ..resource_access import AccessDenied, access_claims
from ..responses import RequestRejected, management_error
from ..responses import management_reject as reject
from ..state import TenantState

READ, UPDATE = "read:users", "update:users"
DELETE_SESSIONS = "delete:sessions"
_REALM = "Management API"


def authorized_claims(state: TenantState, incoming: Incoming, *scopes: str) -> dict[str, Any]:
    """The claims of the request's access token, once it proved valid and carries any of
    ``scopes``.

    Raises:
        RequestRejected: 401 ``invalid_token`` (missing, badly signed, expired, other audience),
            403 ``insufficient_scope``.
    """
    claims = _token_claims(state, incoming)
    granted = claims.get("scope")
    if not isinstance(granted, str) or not set(scopes) & set(granted.split()):
        expected = ", ".join(scopes)
        raise reject(403, f"Insufficient scope, expected any of: {expected}", "insufficient_scope")
    return claims


def _token_claims(state: TenantState, incoming: Incoming) -> dict[str, Any]:
    try:
        return access_claims(
            state,
            incoming,
            audience=state.apis.resolve("management"),
            realm=_REALM,
            require_dpop=False,
            users_only=False,  # the application's own (client-credentials) tokens
        )
    except AccessDenied as denied:
        message = "Missing authentication" if denied.error is None else "Invalid token"
        response = management_error(401, message, "invalid_token")
        raise RequestRejected(
            attrs.evolve(response, headers=(*response.headers, *denied.response_headers()))
        ) from None


def json_body(incoming: Incoming) -> dict[str, Any]:
    """The request's body, a JSON object.

    Raises:
        RequestRejected: 400 ``invalid_body``.
    """
    try:
        document = load_json(incoming.request.body or b"null")
    except ValueError:
        raise reject(400, "Invalid request payload JSON format", "invalid_body") from None
    if not isinstance(document, dict):
        raise reject(400, "Payload validation error: 'Expected type object'", "invalid_body")
    return document
