"""The logout endpoints: ``GET /v2/logout`` and the OIDC ``GET /oidc/logout``.

Neither ever redirects to a URL outside the applicable *Allowed Logout URLs* list: the client's
list when a client is identified, else the tenant-level list (protocol doc 8.1).

Both end the tenant sessions the request names: the browser's ``auth0`` cookie, ``logout_hint``
(a ``sid``) and the ``sid`` of a valid ``id_token_hint`` (accepted by ``/v2/logout`` too, as an
emulator convenience). Ending a session queues its back-channel logout deliveries
(:mod:`..backchannel`) and the answer clears the cookie. A logout that fails validation (400)
ends nothing.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..._http import HttpResponse
from ..backchannel import end_session
from ..config import TenantClient
from ..params import Incoming
from ..responses import error_page, logged_out_page, redirect, with_query
from ..sessions import SESSION_COOKIE, session_cookie
from ..state import TenantState

_CLEAR_COOKIE = f"{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"


def _not_allowed(parameter: str, url: str) -> HttpResponse:
    return error_page(
        400,
        "invalid_request",
        f'The "{parameter}" querystring parameter "{url}" is not defined as a valid URL '
        'in "Allowed Logout URLs".',
    )


def _allowed(state: TenantState, client: TenantClient | None) -> tuple[str, ...]:
    return client.allowed_logout_urls if client else state.config.allowed_logout_urls


def _end_sessions(
    state: TenantState, incoming: Incoming, hint: dict[str, Any] | None, response: HttpResponse
) -> HttpResponse:
    """End the sessions the request names; ``response`` with the session cookie cleared."""
    named = (session_cookie(incoming.request), incoming.query.get("logout_hint"))
    hinted = hint.get("sid") if hint else None
    for sid in dict.fromkeys((*named, hinted if isinstance(hinted, str) else None)):
        if sid is not None:
            end_session(state, sid)
    return attrs.evolve(response, headers=(*response.headers, ("Set-Cookie", _CLEAR_COOKIE)))


def _valid_hint(state: TenantState, hint: str | None) -> dict[str, Any] | None:
    """The claims of an ``id_token_hint`` this tenant signed (expired or not), else None."""
    claims = state.keys.verify(hint) if hint is not None else None
    return claims if claims is not None and claims.get("iss") == state.issuer else None


def v2_logout(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``/v2/logout?client_id=...&returnTo=...``."""
    query = incoming.query
    client_id = query.get("client_id")
    client = state.config.client(client_id) if client_id else None
    if client_id is not None and client is None:
        return error_page(400, "invalid_request", f"Unknown client: {client_id}")
    return_to = query.get("returnTo")
    if return_to is not None and return_to not in _allowed(state, client):
        return _not_allowed("returnTo", return_to)
    answer = logged_out_page() if return_to is None else redirect(return_to)
    return _end_sessions(state, incoming, _valid_hint(state, query.get("id_token_hint")), answer)


def oidc_logout(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``/oidc/logout`` (OIDC RP-Initiated Logout 1.0 §2).

    The ``aud`` of ``id_token_hint`` selects the client (an expired hint is still accepted, as on
    Auth0); without a hint ``client_id`` does. With a client but no
    ``post_logout_redirect_uri``, Auth0 redirects to the client's first allowed logout URL.
    """
    query = incoming.query
    client_id = query.get("client_id")
    hint = query.get("id_token_hint")
    claims = _valid_hint(state, hint)
    if hint is not None:
        if claims is None:
            return error_page(400, "invalid_request", "Invalid id_token_hint.")
        audience = claims.get("aud")
        hinted = audience[0] if isinstance(audience, list) and audience else audience
        if client_id is not None and hinted != client_id:
            return error_page(400, "invalid_request", "client_id does not match id_token_hint.")
        client_id = hinted if isinstance(hinted, str) else None
    client = state.config.client(client_id) if client_id else None
    if client_id is not None and client is None:
        return error_page(400, "invalid_request", f"Unknown client: {client_id}")
    allowed = _allowed(state, client)
    target = query.get("post_logout_redirect_uri")
    if target is not None and target not in allowed:
        return _not_allowed("post_logout_redirect_uri", target)
    if target is None and client is not None and allowed:
        target = allowed[0]
    answer = (
        logged_out_page()
        if target is None
        else redirect(with_query(target, {"state": query.get("state")}))
    )
    return _end_sessions(state, incoming, claims, answer)
