"""What every Management API endpoint checks first (protocol doc 5.2).

A Bearer access token this tenant issued for ``{base_url}/api/v2/`` (else 401), with the scope
the endpoint needs (else 403); then a JSON object body where the endpoint reads one (else 400).
Errors use the Management API's shape ``{"statusCode", "error", "message", "errorCode"}``; the
error codes are UNCONFIRMED.
"""

from __future__ import annotations

import json
from typing import Any

from ..params import Incoming
from ..responses import management_reject as reject
from ..state import TenantState

READ, UPDATE = "read:users", "update:users"


def authorized_claims(state: TenantState, incoming: Incoming, scope: str) -> dict[str, Any]:
    """The claims of the request's access token, once it proved valid and carries ``scope``.

    Raises:
        RequestRejected: 401 ``invalid_token`` (missing, badly signed, expired, other audience),
            403 ``insufficient_scope``.
    """
    claims = _token_claims(state, incoming)
    granted = claims.get("scope")
    if not isinstance(granted, str) or scope not in granted.split():
        raise reject(403, f"Insufficient scope, expected any of: {scope}", "insufficient_scope")
    return claims


def _token_claims(state: TenantState, incoming: Incoming) -> dict[str, Any]:
    authorization = incoming.request.header("authorization") or ""
    token = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
    if not token:
        raise reject(401, "Missing authentication", "invalid_token")
    claims = state.keys.verify(token)
    audience = claims.get("aud") if claims else None
    audiences = audience if isinstance(audience, list) else [audience]
    exp = claims.get("exp") if claims else None
    if (
        claims is None
        or claims.get("iss") != state.issuer
        or state.apis.resolve("management") not in audiences
        or not isinstance(exp, int)
        or exp <= state.env.now()
    ):
        raise reject(401, "Invalid token", "invalid_token")
    return claims


def json_body(incoming: Incoming) -> dict[str, Any]:
    """The request's body, a JSON object.

    Raises:
        RequestRejected: 400 ``invalid_body``.
    """
    try:
        document = json.loads(incoming.request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise reject(400, "Invalid request payload JSON format", "invalid_body") from None
    if not isinstance(document, dict):
        raise reject(400, "Payload validation error: 'Expected type object'", "invalid_body")
    return document
