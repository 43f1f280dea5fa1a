"""User linking through ``/authorize`` (protocol doc 5.1): the ``link_account`` and
``unlink_account`` scopes, ``id_token_hint`` and ``requested_connection``.

A link request shows the login page of the requested connection; once the secondary logged in,
its identity joins the primary (the hint's ``sub``) and the code issued is the primary's. An
unlink request needs no login: the identity of the requested connection leaves the primary at
once and the browser comes back with a code for the primary. Every failure is reported to the
``redirect_uri`` as ``invalid_request``.
"""

from __future__ import annotations

from ..config_types import MY_ACCOUNT_AUDIENCE, TenantClient, TenantUser
from ..directory import LinkError
from ..params import Params
from ..records import LinkRequest
from ..responses import AuthorizeFailure
from ..state import TenantState

LINK_SCOPE = "link_account"
UNLINK_SCOPE = "unlink_account"
# How long after its expiry an ID token is still accepted as id_token_hint (UNCONFIRMED on
# Auth0, which accepts expired hints at /oidc/logout).
HINT_LEEWAY = 86400


def _invalid(description: str) -> AuthorizeFailure:
    return AuthorizeFailure("invalid_request", description)


def link_request(state: TenantState, client: TenantClient, params: Params) -> LinkRequest | None:
    """The link/unlink request in ``params``, None for an ordinary login.

    Raises:
        AuthorizeFailure: a missing or bad ``id_token_hint`` or ``requested_connection``.
    """
    scopes = (params.get("scope") or "").split()
    link, unlink = LINK_SCOPE in scopes, UNLINK_SCOPE in scopes
    if not link and not unlink:
        return None
    if link and unlink:
        raise _invalid("link_account and unlink_account cannot be requested together.")
    hint = params.get("id_token_hint")
    if hint is None:
        raise _invalid("Missing required parameter: id_token_hint")
    claims = state.keys.verify(hint)
    audience = claims.get("aud") if claims else None
    audiences = audience if isinstance(audience, list) else [audience]
    exp = claims.get("exp") if claims else None
    if (
        claims is None
        or claims.get("iss") != state.issuer
        or client.client_id not in audiences
        or not isinstance(exp, int)
        or exp + HINT_LEEWAY <= state.env.now()
    ):
        raise _invalid("Invalid id_token_hint.")
    subject = claims.get("sub")
    if not isinstance(subject, str) or state.users.get(subject) is None:
        raise _invalid("The user of the id_token_hint does not exist.")
    requested = params.get("requested_connection")
    if requested is None:
        raise _invalid("Missing required parameter: requested_connection")
    if state.config.connection(requested) is None:
        raise _invalid(f"Unknown requested_connection: {requested}")
    return LinkRequest(
        action="link" if link else "unlink",
        primary_user_id=subject,
        requested_connection=requested,
    )


def granted_scope(scope: str) -> str:
    """The scope a link/unlink grants: the request's, without the linking verbs (UNCONFIRMED)."""
    kept = [s for s in scope.split() if s not in (LINK_SCOPE, UNLINK_SCOPE)]
    return " ".join(kept) or "openid"


def link_audience(state: TenantState, audience: str | None) -> str | None:
    """``my-account`` (the literal the official SDK sends) stands for the My Account API."""
    return state.apis.resolve(audience) if audience == MY_ACCOUNT_AUDIENCE else audience


def link_after_login(state: TenantState, link: LinkRequest, secondary: TenantUser) -> str:
    """Link the login that just authenticated into the primary; the primary's ``user_id``.

    Raises:
        AuthorizeFailure: the secondary is the primary itself or is already linked.
    """
    record = state.users.get(link.primary_user_id)
    if record is None:
        raise _invalid("The user of the id_token_hint does not exist.")
    identity = state.users.identity_of(secondary)
    try:
        state.users.link(record.user_id, identity)
    except LinkError as error:
        raise _invalid(error.message) from None
    return record.user_id


def unlink_now(state: TenantState, link: LinkRequest) -> str:
    """Remove the primary's identity of the requested connection; the primary's ``user_id``.

    Raises:
        AuthorizeFailure: nothing of that connection is linked, or it is the main identity.
    """
    record = state.users.get(link.primary_user_id)
    if record is None:
        raise _invalid("The user of the id_token_hint does not exist.")
    linked = [i for i in record.identities[1:] if i.connection == link.requested_connection]
    if not linked:
        if record.identities[0].connection == link.requested_connection:
            raise _invalid("Main identity cannot be removed.")
        raise _invalid(f"No identity of {link.requested_connection} is linked to this user.")
    state.users.unlink(record.user_id, *linked[0].key)
    return record.user_id
