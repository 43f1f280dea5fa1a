"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0): logout tokens and their queue.

Ending a tenant session (a logout at ``/v2/logout`` or ``/oidc/logout``, or an administrator
ending the user's sessions) queues, in the outbox, one :class:`~.outbox.LogoutDelivery` per
client that received tokens in the session and has a ``backchannel_logout_uri``. Nothing is sent
here: the tenant stays pure, and ``Tenant.deliver_pending`` (in process, or the server adapter
over real HTTP) performs the queued deliveries.

A logout token (spec §2.4; protocol doc 8.2): header ``alg: RS256``, ``kid``, ``typ`` (the
``[tenant] logout_token_typ`` setting, ``logout+jwt`` by default); claims ``iss``, ``aud`` (the
client id), ``iat``, ``exp`` (``iat`` + 120 s), ``jti`` (a random UUID), ``sub``, ``sid`` (left
out for clients with ``backchannel_logout_session_required = false``), and ``events`` holding
the back-channel logout event; never ``nonce``.

:func:`deliver_pending` performs the queued deliveries with any ``send`` function
``HttpRequest -> HttpResponse`` and records on each what it got back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from joserfc.jwk import Key

from .._http import HttpRequest, HttpResponse, body_excerpt, form_request
from .keys import sign_jwt
from .outbox import DeliveryResult, LogoutDelivery, Outbox
from .sessions import TenantSession
from .state import TenantState

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
LOGOUT_TOKEN_LIFETIME = 120
# How much of a client's answer a delivery result keeps.
RESULT_BODY_LIMIT = 200


def logout_token_claims(
    state: TenantState, client_id: str, *, sub: str | None, sid: str | None
) -> dict[str, Any]:
    """The claims of a logout token for ``client_id``; ``sub`` or ``sid`` None is left out."""
    now = state.env.now()
    claims: dict[str, Any] = {
        "iss": state.issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_LIFETIME,
        "jti": str(uuid.UUID(bytes=state.env.token_bytes(16), version=4)),
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    if sub is not None:
        claims["sub"] = sub
    if sid is not None:
        claims["sid"] = sid
    return claims


def mint_logout_token(
    state: TenantState,
    client_id: str,
    *,
    sub: str | None,
    sid: str | None,
    claims: Mapping[str, Any] | None = None,
    omit: Iterable[str] = (),
    header: Mapping[str, Any] | None = None,
    key: Key | None = None,
) -> str:
    """A logout token for ``client_id``, as the tenant sends it unless told otherwise.

    Args:
        state: the tenant.
        client_id: the ``aud``.
        sub: the user; None leaves the claim out.
        sid: the session; None leaves the claim out.
        claims: claims to set or replace (any JSON value, ``None`` included).
        omit: claims to leave out (``"exp"``, ``"jti"``, ``"events"``...).
        header: header members to set or replace; a ``None`` value removes the member
            (``{"typ": None}``, ``{"kid": None}``).
        key: sign with this key instead of the tenant's current one (its ``kid``, if any,
            goes in the header unless ``header`` says otherwise); ``alg: none`` needs no key.
    """
    signing_key = key if key is not None else state.keys.current
    full_claims = logout_token_claims(state, client_id, sub=sub, sid=sid)
    full_claims.update(claims or {})
    for name in omit:
        full_claims.pop(name, None)
    full_header: dict[str, Any] = {"alg": "RS256", "kid": signing_key.kid}
    if state.config.logout_token_typ:
        full_header["typ"] = state.config.logout_token_typ
    full_header.update(header or {})
    full_header = {name: value for name, value in full_header.items() if value is not None}
    return sign_jwt(full_header, full_claims, signing_key)


def end_session(state: TenantState, sid: str) -> list[LogoutDelivery]:
    """End tenant session ``sid`` (if live) and queue its back-channel logout deliveries."""
    session = state.sessions.end(sid)
    return [] if session is None else _queue_deliveries(state, session)


def end_user_sessions(state: TenantState, user_id: str) -> list[LogoutDelivery]:
    """End every session of ``user_id``; one delivery per (session, client with a URI)."""
    queued: list[LogoutDelivery] = []
    for session in state.sessions.of_user(user_id):
        queued.extend(end_session(state, session.sid))
    return queued


def _queue_deliveries(state: TenantState, session: TenantSession) -> list[LogoutDelivery]:
    queued: list[LogoutDelivery] = []
    for client_id in session.clients:
        client = state.config.client(client_id)
        if client is None or client.backchannel_logout_uri is None:
            continue
        sid = session.sid if client.backchannel_logout_session_required else None
        delivery = LogoutDelivery(
            client_id=client_id,
            uri=client.backchannel_logout_uri,
            logout_token=mint_logout_token(state, client_id, sub=session.user_id, sid=sid),
            sub=session.user_id,
            sid=sid,
        )
        state.outbox.send(delivery)
        queued.append(delivery)
    return queued


def delivery_request(delivery: LogoutDelivery) -> HttpRequest:
    """The request a delivery is: ``POST uri``, form body ``logout_token=<jwt>`` (spec §2.5)."""
    return form_request(delivery.uri, {"logout_token": delivery.logout_token})


def deliver_pending(
    outbox: Outbox, send: Callable[[HttpRequest], HttpResponse]
) -> list[LogoutDelivery]:
    """Send every delivery not yet attempted, one at a time, and record what each got back.

    ``send`` may raise (connection refused, timeout): the exception becomes the result's
    ``error``. Deliveries are attempted once (spec §2.8 leaves retrying to the OP; this one
    does not retry). Returns the attempted deliveries, results included, oldest first.
    """
    done: list[LogoutDelivery] = []
    for delivery in outbox.claim():
        try:
            response = send(delivery_request(delivery))
        except Exception as exc:  # whatever the transport raises is what the delivery got
            result = DeliveryResult(error=f"{type(exc).__name__}: {exc}")
        else:
            excerpt = body_excerpt(response.body, RESULT_BODY_LIMIT)
            result = DeliveryResult(status=response.status, body=excerpt)
        done.append(outbox.record(delivery, result))
    return done
