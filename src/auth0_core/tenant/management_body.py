"""The body of ``POST /api/v2/users/{id}/identities``: which identity to link (protocol doc 5.2).

Exactly one of ``{"link_with": "<ID token of the secondary>"}`` or
``{"provider", "user_id", "connection_id"?}``. The ID token must be signed by this tenant
(RS256), unexpired, and issued to the application the Management token was issued to (its
``aud`` equals the token's ``azp``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .config_types import TenantUser
from .directory import Identity
from .responses import RequestRejected, management_reject

if TYPE_CHECKING:
    from .tenant import Tenant

_CONNECTION_ID = re.compile(r"^con_[A-Za-z0-9]{16}$")
_FIELDS = frozenset({"provider", "user_id", "connection_id"})


def _bad(message: str) -> RequestRejected:
    return management_reject(400, f"Payload validation error: {message}", "invalid_body")


def _not_found() -> RequestRejected:
    return management_reject(404, "The secondary user does not exist.", "inexistent_user")


def identity_to_link(tenant: Tenant, body: dict[str, Any], claims: dict[str, Any]) -> Identity:
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
        return _from_id_token(tenant, body["link_with"], claims)
    return _from_provider(tenant, body)


def _from_id_token(tenant: Tenant, token: object, claims: dict[str, Any]) -> Identity:
    if not isinstance(token, str) or not token:
        raise _bad("link_with must be a non-empty string")
    id_claims = tenant.keys.verify(token)
    if id_claims is None or id_claims.get("iss") != tenant.issuer:
        raise _bad("link_with is not an ID token issued by this tenant")
    exp = id_claims.get("exp")
    if not isinstance(exp, int) or exp <= tenant.env.now():
        raise _bad("link_with has expired")
    audience = id_claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if claims.get("azp") not in audiences:
        raise _bad("the audience of link_with must be the client of the access token (azp)")
    user = tenant.config.user_by_id(str(id_claims.get("sub")))
    if user is None:
        raise _not_found()
    return tenant.users.identity_of(user)


def _from_provider(tenant: Tenant, body: dict[str, Any]) -> Identity:
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
        user = _login_with(tenant, provider, candidate, connection_id)
        if user is not None:
            return tenant.users.identity_of(user)
    raise _not_found()


def _login_with(
    tenant: Tenant, provider: str, user_id: str, connection_id: str | None
) -> TenantUser | None:
    for user in tenant.config.users:
        identity = tenant.users.identity_of(user)
        if identity.key != (provider, user_id):
            continue
        connection = tenant.config.connection(user.connection)
        if connection_id is None or (connection is not None and connection.id == connection_id):
            return user
    return None
