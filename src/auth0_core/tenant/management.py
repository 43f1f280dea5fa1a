"""The Management API v2 users endpoints the linking flows need (protocol doc 5.2).

``GET``/``PATCH /api/v2/users/{id}``, ``POST /api/v2/users/{id}/identities`` and
``DELETE /api/v2/users/{id}/identities/{provider}/{user_id}``, behind a Bearer access token this
tenant issued for ``{base_url}/api/v2/``. Errors use the Management API's shape
``{"statusCode", "error", "message", "errorCode"}``; the error codes are UNCONFIRMED.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .._http import HttpResponse
from .directory import ALREADY_LINKED, NOT_LINKED, SAME_USER, UNKNOWN_USER, LinkError, UserRecord
from .management_body import identity_to_link
from .params import Incoming
from .responses import json_ok, management_error
from .responses import management_reject as reject

if TYPE_CHECKING:
    from .tenant import Tenant

PREFIX = "/api/v2/"
READ, UPDATE = "read:users", "update:users"
_METADATA = ("user_metadata", "app_metadata")
# LinkError reason -> (status, errorCode)
_LINK_ERRORS = {
    UNKNOWN_USER: (404, "inexistent_user"),
    SAME_USER: (400, "invalid_body"),
    ALREADY_LINKED: (409, "identity_already_linked"),
    NOT_LINKED: (404, "inexistent_identity"),
}


def _token_claims(tenant: Tenant, incoming: Incoming) -> dict[str, Any]:
    """The claims of a valid Management API access token.

    Raises:
        RequestRejected: 401 ``invalid_token`` (missing, badly signed, expired, other audience).
    """
    authorization = incoming.request.header("authorization") or ""
    token = authorization[7:].strip() if authorization[:7].lower() == "bearer " else ""
    if not token:
        raise reject(401, "Missing authentication", "invalid_token")
    claims = tenant.keys.verify(token)
    audience = claims.get("aud") if claims else None
    audiences = audience if isinstance(audience, list) else [audience]
    exp = claims.get("exp") if claims else None
    if (
        claims is None
        or claims.get("iss") != tenant.issuer
        or tenant.apis.resolve("management") not in audiences
        or not isinstance(exp, int)
        or exp <= tenant.env.now()
    ):
        raise reject(401, "Invalid token", "invalid_token")
    return claims


def _require_scope(claims: dict[str, Any], scope: str) -> None:
    granted = claims.get("scope")
    if not isinstance(granted, str) or scope not in granted.split():
        raise reject(403, f"Insufficient scope, expected any of: {scope}", "insufficient_scope")


def _json_body(incoming: Incoming) -> dict[str, Any]:
    try:
        document = json.loads(incoming.request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise reject(400, "Invalid request payload JSON format", "invalid_body") from None
    if not isinstance(document, dict):
        raise reject(400, "Payload validation error: 'Expected type object'", "invalid_body")
    return document


def _routes(segments: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """``(route, path arguments)`` for the served paths, None for anything else."""
    if len(segments) >= 2 and segments[0] == "users" and segments[1]:
        rest = segments[2:]
        if not rest:
            return "user", (segments[1],)
        if rest == ["identities"]:
            return "identities", (segments[1],)
        if len(rest) == 3 and rest[0] == "identities" and rest[1] and rest[2]:
            return "identity", (segments[1], rest[1], rest[2])
    return None


_METHODS = {"user": ("GET", "PATCH"), "identities": ("POST",), "identity": ("DELETE",)}


def management(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    """Dispatch ``/api/v2/...``: route, token (401), scope (403), body (400), users (404)."""
    raw = incoming.path[len(PREFIX) :] if incoming.path.startswith(PREFIX) else ""
    # Each path segment is percent-decoded on its own ("auth0%7Calice" -> "auth0|alice").
    found = _routes([unquote(segment) for segment in raw.split("/")])
    if found is None:
        return management_error(404, "Not Found", "inexistent_route")
    route, args = found
    if incoming.method not in _METHODS[route]:
        response = management_error(405, "Method Not Allowed", "method_not_allowed")
        allow = ", ".join(_METHODS[route])
        return HttpResponse(
            status=405, headers=(*response.headers, ("Allow", allow)), body=response.body
        )
    claims = _token_claims(tenant, incoming)
    _require_scope(claims, READ if incoming.method == "GET" else UPDATE)
    if route == "user" and incoming.method == "GET":
        return json_ok(200, _user(tenant, args[0]).as_json())
    if route == "user":
        return _patch(tenant, incoming, args[0])
    if route == "identities":
        return _link(tenant, incoming, claims, args[0])
    return _unlink(tenant, *args)


def _user(tenant: Tenant, user_id: str) -> UserRecord:
    record = tenant.users.get(user_id)
    if record is None:
        raise reject(404, "The user does not exist.", "inexistent_user")
    return record


def _patch(tenant: Tenant, incoming: Incoming, user_id: str) -> HttpResponse:
    body = _json_body(incoming)
    unsupported = sorted(set(body) - set(_METADATA))
    if unsupported:
        message = f"Payload validation error: unsupported properties: {', '.join(unsupported)}"
        raise reject(400, message, "invalid_body")
    for field in _METADATA:
        if field in body and not isinstance(body[field], dict):
            message = f"Payload validation error: '{field}' must be an object"
            raise reject(400, message, "invalid_body")
    record = _user(tenant, user_id)
    for field in _METADATA:
        if field in body:
            tenant.users.patch_metadata(record.user_id, field, body[field])
    return json_ok(200, record.as_json())


def _link(tenant: Tenant, incoming: Incoming, claims: dict[str, Any], user_id: str) -> HttpResponse:
    identity = identity_to_link(tenant, _json_body(incoming), claims)
    try:
        record = tenant.users.link(user_id, identity)
    except LinkError as error:
        status, code = _LINK_ERRORS[error.reason]
        raise reject(status, error.message, code) from None
    return json_ok(201, record.identities_json())


def _unlink(tenant: Tenant, user_id: str, provider: str, secondary_id: str) -> HttpResponse:
    try:
        record = tenant.users.unlink(user_id, provider, secondary_id)
    except LinkError as error:
        if error.reason == "main_identity":
            raise reject(400, error.message, "operation_not_supported") from None
        status, code = _LINK_ERRORS[error.reason]
        raise reject(status, error.message, code) from None
    return json_ok(200, record.identities_json())
