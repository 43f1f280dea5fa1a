"""The logout endpoints: ``GET /v2/logout`` and the OIDC ``GET /oidc/logout``.

Neither ever redirects to a URL outside the applicable *Allowed Logout URLs* list: the client's
list when a client is identified, else the tenant-level list (protocol doc 8.1).
"""

from __future__ import annotations

from ..._http import HttpResponse
from ..config import TenantClient
from ..params import Incoming
from ..responses import error_page, logged_out_page, redirect, with_query
from ..state import TenantState


def _not_allowed(parameter: str, url: str) -> HttpResponse:
    return error_page(
        400,
        "invalid_request",
        f'The "{parameter}" querystring parameter "{url}" is not defined as a valid URL '
        'in "Allowed Logout URLs".',
    )


def _allowed(state: TenantState, client: TenantClient | None) -> tuple[str, ...]:
    return client.allowed_logout_urls if client else state.config.allowed_logout_urls


def v2_logout(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``/v2/logout?client_id=...&returnTo=...``."""
    query = incoming.query
    client_id = query.get("client_id")
    client = state.config.client(client_id) if client_id else None
    if client_id is not None and client is None:
        return error_page(400, "invalid_request", f"Unknown client: {client_id}")
    return_to = query.get("returnTo")
    if return_to is None:
        return logged_out_page()
    if return_to not in _allowed(state, client):
        return _not_allowed("returnTo", return_to)
    return redirect(return_to)


def oidc_logout(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``/oidc/logout`` (OIDC RP-Initiated Logout 1.0 §2).

    The ``aud`` of ``id_token_hint`` selects the client (an expired hint is still accepted, as on
    Auth0); without a hint ``client_id`` does. With a client but no
    ``post_logout_redirect_uri``, Auth0 redirects to the client's first allowed logout URL.
    """
    query = incoming.query
    client_id = query.get("client_id")
    hint = query.get("id_token_hint")
    if hint is not None:
        claims = state.keys.verify(hint)
        if claims is None or claims.get("iss") != state.issuer:
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
    if target is None:
        if client is None or not allowed:
            return logged_out_page()
        target = allowed[0]
    elif target not in allowed:
        return _not_allowed("post_logout_redirect_uri", target)
    return redirect(with_query(target, {"state": query.get("state")}))
