"""Anonymous sessions (protocol doc §8.14, inferred from the published auth0-server-python
1.0.0b20: what it sends and what it reads back; the wire is UNCONFIRMED against Auth0).

``POST /anonymous/token`` takes a JSON body with ``client_id`` and the client's credentials
(``client_secret`` or ``client_assertion``), and:

- without ``session_token``: starts a session for a new ``anon@<uuid>`` subject and answers an
  access token for ``audience``/``scope``, the ``session_token`` (unless
  ``settings.return_session_token`` is off) and ``session_expires_in``; ``metadata`` (a JSON
  object of at most 1 KB) is kept with the session;
- with ``session_token``: a new access token for the session's subject (``session_expires_in``
  what is left), or with ``audience=urn:auth0:anon_transfer`` a one-time
  ``anon_transfer_token`` (``settings.transfer_lifetime`` seconds) for a login's ``/authorize``.

A session past its lifetime answers 400 ``session_expired``, an unknown one (or another
client's, or one already carried over to a user) 400 ``invalid_session_token``; an unknown API
400 ``invalid_target``, a scope the API does not define 400 ``invalid_scope``; the feature off
403 ``feature_not_enabled``, a client not allowed 403 ``unauthorized_client`` (the codes the
official SDK's own tests answer with). A login whose
``/authorize`` carried a good ticket ends in :func:`redeem_transfer`: the session is carried
over to the user who logged in (``state.anonymous.transfers``) and is over.
"""

from __future__ import annotations

import json
from typing import Any

from ..._http import HttpResponse
from ..params import Incoming, Params, load_json
from ..responses import RequestRejected, json_ok, oauth_error
from ..state import TenantState
from .client_auth import authenticate_client
from .mint import audience_claim, sign_access_token

TRANSFER_AUDIENCE = "urn:auth0:anon_transfer"
METADATA_MAX_BYTES = 1024


def _document(incoming: Incoming) -> dict[str, Any]:
    try:
        document = load_json(incoming.request.body or b"{}")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise RequestRejected(
            oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        )
    return document


def _text(document: dict[str, Any], name: str) -> str | None:
    value = document.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RequestRejected(oauth_error(400, "invalid_request", f"{name} must be a string."))
    return value


def _subject(state: TenantState) -> str:
    raw = state.env.token_bytes(16).hex()
    return f"anon@{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _access_token(
    state: TenantState, sub: str, client_id: str, audience: str | None, scope: str | None
) -> tuple[str, int]:
    lifetime = state.anonymous.settings.access_token_lifetime or state.apis.lifetime(audience)
    granted = scope or ""
    claims: dict[str, Any] = {
        "sub": sub,
        "aud": audience_claim(state, audience, granted),
        "azp": client_id,
        "scope": granted,
        "gty": "anonymous",
    }
    return sign_access_token(state, claims, lifetime), lifetime


_OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})


def _unknown_scopes(state: TenantState, audience: str | None, scope: str | None) -> list[str]:
    """The scopes asked for an API that it does not define (and are not OIDC's)."""
    api = state.apis.get(audience)
    if api is None:
        return []
    return [s for s in (scope or "").split() if s not in api.scopes and s not in _OIDC_SCOPES]


def _granted_scope(state: TenantState, audience: str | None, scope: str | None) -> str:
    """The scopes granted: those the API defines (all of ``scope`` for no API)."""
    api = state.apis.get(audience)
    # No refresh token for an anonymous session: offline_access is never granted.
    asked = [s for s in (scope or "").split() if s != "offline_access"]
    if api is None:
        return " ".join(asked)
    return " ".join(s for s in asked if s in api.scopes or s in ("openid", "profile", "email"))


def anonymous_token(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /anonymous/token``."""
    document = _document(incoming)
    scalars = Params({k: [v] for k, v in document.items() if isinstance(v, str)})
    client = authenticate_client(state, incoming, scalars)
    settings = state.anonymous.settings
    if not settings.enabled:
        return oauth_error(
            403, "feature_not_enabled", "Anonymous sessions are not enabled for this tenant."
        )
    if settings.clients is not None and client.client_id not in settings.clients:
        return oauth_error(
            403, "unauthorized_client", "Anonymous sessions are not enabled for this client."
        )
    audience = _text(document, "audience")
    scope = _text(document, "scope")
    session_token = _text(document, "session_token")
    metadata = document.get("metadata")
    if audience is not None and audience != TRANSFER_AUDIENCE:
        audience = state.apis.resolve(audience)
        if state.apis.get(audience) is None:
            return oauth_error(400, "invalid_target", f"Service not found: {audience}")
    if audience != TRANSFER_AUDIENCE:
        unknown = _unknown_scopes(state, audience, scope)
        if unknown:
            return oauth_error(400, "invalid_scope", f"Unknown scope: {unknown[0]}")
    now = state.env.now()
    if session_token is None:
        if audience == TRANSFER_AUDIENCE:
            return oauth_error(400, "invalid_request", "A transfer ticket needs a session_token.")
        return _create(state, client.client_id, audience, scope, metadata, now)
    if metadata is not None:
        return oauth_error(
            400, "invalid_request", "metadata can only be set when a session is created."
        )
    record = state.anonymous.sessions.get(session_token)
    if record is None or record.client_id != client.client_id or record.transferred_to:
        return oauth_error(400, "invalid_session_token", "The session token is invalid.")
    if record.expires_at <= now:
        return oauth_error(400, "session_expired", "The anonymous session has expired.")
    if audience == TRANSFER_AUDIENCE:
        from .anonymous_state import TransferTicket

        ticket = state.env.random_urlsafe(32)
        lifetime = settings.transfer_lifetime
        state.anonymous.tickets[ticket] = TransferTicket(
            session_token=session_token, client_id=client.client_id, expires_at=now + lifetime
        )
        return json_ok(
            200, {"anon_transfer_token": ticket, "token_type": "N_A", "expires_in": lifetime}
        )
    granted = _granted_scope(state, audience, scope)
    token, lifetime = _access_token(state, record.sub, client.client_id, audience, granted)
    body: dict[str, Any] = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "session_expires_in": record.expires_at - now,
    }
    if granted:
        body["scope"] = granted
    return json_ok(200, body)


def _create(
    state: TenantState,
    client_id: str,
    audience: str | None,
    scope: str | None,
    metadata: object,
    now: int,
) -> HttpResponse:
    from .anonymous_state import AnonymousRecord

    if metadata is not None:
        if not isinstance(metadata, dict):
            return oauth_error(400, "invalid_request", "metadata must be a JSON object.")
        size = len(json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode())
        if size > METADATA_MAX_BYTES:
            return oauth_error(400, "invalid_request", "metadata exceeds 1KB.")
    settings = state.anonymous.settings
    sub = _subject(state)
    session_token = state.env.random_urlsafe(32)
    state.anonymous.sessions[session_token] = AnonymousRecord(
        sub=sub,
        client_id=client_id,
        created_at=now,
        expires_at=now + settings.session_lifetime,
        metadata=dict(metadata) if isinstance(metadata, dict) else None,
    )
    granted = _granted_scope(state, audience, scope)
    token, lifetime = _access_token(state, sub, client_id, audience, granted)
    body: dict[str, Any] = {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "session_expires_in": settings.session_lifetime,
    }
    if granted:
        body["scope"] = granted
    if settings.return_session_token:
        body["session_token"] = session_token
    return json_ok(200, body)


def check_transfer(state: TenantState, client_id: str, params: Params) -> str | None:
    """What is wrong with the request's ``anon_transfer_token`` (None: nothing, or none)."""
    ticket = params.get("anon_transfer_token")
    if ticket is None:
        return None
    found = state.anonymous.tickets.get(ticket)
    if found is None or found.client_id != client_id or found.expires_at <= state.env.now():
        return "The anon_transfer_token is invalid or expired."
    record = state.anonymous.sessions.get(found.session_token)
    if record is None or record.transferred_to or record.expires_at <= state.env.now():
        return "The anonymous session of the anon_transfer_token is over."
    return None


def redeem_transfer(state: TenantState, params: dict[str, str], user_id: str) -> None:
    """A login carrying a ticket issued its code to ``user_id``: carry the anonymous session
    over to that user (once: the ticket is used, the session is over)."""
    ticket = params.get("anon_transfer_token")
    if ticket is None:
        return
    found = state.anonymous.tickets.pop(ticket, None)
    if found is None:
        return
    record = state.anonymous.sessions.get(found.session_token)
    if record is None or record.transferred_to:
        return
    from .anonymous_state import Transfer

    record.transferred_to = user_id
    state.anonymous.transfers.append(
        Transfer(
            anonymous_sub=record.sub,
            user_id=user_id,
            client_id=found.client_id,
            metadata=record.metadata,
        )
    )
