"""A user's identities (protocol doc 5.2): ``POST /api/v2/users/{id}/identities`` links one,
``DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`` unlinks one.

The POST body names the secondary with exactly one of ``{"link_with": "<ID token>"}`` or
``{"provider", "user_id", "connection_id"?}``. The ID token must be signed by this tenant
(RS256), unexpired, and issued to the application the Management token was issued to (its
``aud`` equals the token's ``azp``). The secondary's identities move to the primary and its
metadata is discarded; an unlinked identity becomes a user again, with no metadata.
"""

from __future__ import annotations

import re
from typing import Any

from ..._http import HttpResponse
from ..config_types import TenantUser
from ..directory import (
    ALREADY_LINKED,
    MAIN_IDENTITY,
    NOT_LINKED,
    SAME_USER,
    UNKNOWN_USER,
    Identity,
    LinkError,
)
from ..dpop.checks import sends_nonce
from ..params import Incoming
from ..responses import RequestRejected, json_ok, management_reject
from ..state import TenantState
from .api import UPDATE, authorized_claims, json_body

_CONNECTION_ID = re.compile(r"^con_[A-Za-z0-9]{16}$")
_FIELDS = frozenset({"provider", "user_id", "connection_id"})
# LinkError reason -> (status, errorCode)
_LINK_ERRORS = {
    UNKNOWN_USER: (404, "inexistent_user"),
    SAME_USER: (400, "invalid_body"),
    ALREADY_LINKED: (409, "identity_already_linked"),
    NOT_LINKED: (404, "inexistent_identity"),
    MAIN_IDENTITY: (400, "operation_not_supported"),
}


@sends_nonce("rs")
def link_identity(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST``: link the body's identity into the user; 201 with the user's identities."""
    claims = authorized_claims(state, incoming, UPDATE)
    identity = _identity_to_link(state, json_body(incoming), claims)
    try:
        record = state.users.link(incoming.path_params["id"], identity)
    except LinkError as error:
        raise _link_error(error) from None
    return json_ok(201, record.identities_json())


@sends_nonce("rs")
def unlink_identity(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``DELETE``: unlink ``{provider}/{user_id}`` from the user; its remaining identities."""
    authorized_claims(state, incoming, UPDATE)
    path = incoming.path_params
    try:
        record = state.users.unlink(path["id"], path["provider"], path["user_id"])
    except LinkError as error:
        raise _link_error(error) from None
    return json_ok(200, record.identities_json())


def _link_error(error: LinkError) -> RequestRejected:
    status, code = _LINK_ERRORS[error.reason]
    return management_reject(status, error.message, code)


def _bad(message: str) -> RequestRejected:
    return management_reject(400, f"Payload validation error: {message}", "invalid_body")


def _not_found() -> RequestRejected:
    return management_reject(404, "The secondary user does not exist.", "inexistent_user")


def _identity_to_link(state: TenantState, body: dict[str, Any], claims: dict[str, Any]) -> Identity:
    """The secondary identity a link request names.

    Raises:
        RequestRejected: 400 ``invalid_body`` (shape, bad ID token), 404 ``inexistent_user``.
    """
    unknown = sorted(set(body) - _FIELDS - {"link_with"})
    if unknown:
        raise _bad(f"unknown properties: {', '.join(unknown)}")
    if "link_with" in body:
        if _FIELDS & set(body):
            raise _bad("link_with cannot be combined with provider, user_id or connection_id")
        return _from_id_token(state, body["link_with"], claims)
    return _from_provider(state, body)


def _from_id_token(state: TenantState, token: object, claims: dict[str, Any]) -> Identity:
    if not isinstance(token, str) or not token:
        raise _bad("link_with must be a non-empty string")
    id_claims = state.keys.verify(token)
    if id_claims is None or id_claims.get("iss") != state.issuer:
        raise _bad("link_with is not an ID token issued by this tenant")
    exp = id_claims.get("exp")
    if not isinstance(exp, int) or exp <= state.env.now():
        raise _bad("link_with has expired")
    audience = id_claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("azp") not in audiences:
        raise _bad("the audience of link_with must be the client of the access token (azp)")
    user = state.config.user_by_id(str(id_claims.get("sub")))
    if user is None:
        raise _not_found()
    return state.users.identity_of(user)


def _from_provider(state: TenantState, body: dict[str, Any]) -> Identity:
    provider, user_id = body.get("provider"), body.get("user_id")
    if not isinstance(provider, str) or not provider:
        raise _bad("provider is required (or link_with)")
    if isinstance(user_id, int) and not isinstance(user_id, bool):
        user_id = str(user_id)
    if not isinstance(user_id, str) or not user_id:
        raise _bad("user_id is required (or link_with)")
    connection_id = body.get("connection_id")
    if connection_id is not None and (
        not isinstance(connection_id, str) or not _CONNECTION_ID.match(connection_id)
    ):
        raise _bad("connection_id must match ^con_[A-Za-z0-9]{16}$")
    # The unprefixed id first; a prefixed "provider|id" is accepted too.
    wanted = [user_id]
    if user_id.startswith(provider + "|"):
        wanted.append(user_id[len(provider) + 1 :])
    for candidate in wanted:
        user = _login_with(state, provider, candidate, connection_id)
        if user is not None:
            return state.users.identity_of(user)
    raise _not_found()


def _login_with(
    state: TenantState, provider: str, user_id: str, connection_id: str | None
) -> TenantUser | None:
    for user in state.config.users:
        identity = state.users.identity_of(user)
        if identity.key != (provider, user_id):
            continue
        connection = state.config.connection(user.connection)
        if connection_id is None or (connection is not None and connection.id == connection_id):
            return user
    return None
