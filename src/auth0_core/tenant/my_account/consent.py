"""The page a connect ticket opens (``{base}/connect?ticket=...``): the upstream provider's
consent, emulated.

On Auth0 the browser would travel on to Google or GitHub and back; here one small page shows the
connection and the scopes, with an Allow and a Deny button. Allow redirects to the connect
request's ``redirect_uri`` with ``connect_code`` and ``state``; Deny with
``error=access_denied``. A ticket is used once (by either button) and expires with its
``auth_session``. Without a usable ticket there is nowhere safe to redirect, so the answer is a
400 error page.
"""

from __future__ import annotations

import html

from ..._http import HttpResponse
from ..params import Incoming
from ..records import ConnectCode, ConnectRequest
from ..responses import error_page, error_redirect, html_page, redirect, with_query
from ..state import TenantState

DECISIONS = ("allow", "deny")


def _bad_ticket() -> HttpResponse:
    return error_page(400, "invalid_request", "The connect ticket is invalid or has expired.")


def _usable(state: TenantState, ticket: str | None) -> ConnectRequest | None:
    request = state.connect_tickets.get(ticket) if ticket else None
    return request if request is not None and request.expires_at > state.env.now() else None


def consent_page(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /connect?ticket=...``: the consent form (the ticket stays usable until a button)."""
    ticket = incoming.query.get("ticket")
    request = _usable(state, ticket)
    if ticket is None or request is None or incoming.query.duplicated(("ticket",)):
        return _bad_ticket()
    client = state.config.client(request.client_id)
    app = client.name if client is not None else request.client_id
    scopes = "".join(f"<li>{html.escape(scope)}</li>" for scope in request.scopes)
    body = (
        f'<p>{html.escape(app)} wants to connect your <strong data-connection="'
        f'{html.escape(request.connection)}">{html.escape(request.connection)}</strong> account '
        f"and use it while you are away (offline access).</p>\n"
        f'<ul class="scopes">{scopes}</ul>\n'
        '<form method="post" action="/connect">\n'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket)}">\n'
        '<button type="submit" name="decision" value="allow">Allow</button>\n'
        '<button type="submit" name="decision" value="deny">Deny</button>\n</form>'
    )
    return html_page(200, f"Connect {request.connection}", body)


def consent_decision(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /connect`` (form ``ticket``, ``decision``): back to the application."""
    form = incoming.form()
    decision = form.get("decision")
    if decision not in DECISIONS or form.duplicated(("ticket", "decision")):
        return error_page(400, "invalid_request", "Choose allow or deny.")
    ticket = form.get("ticket")
    request = _usable(state, ticket)
    if ticket is None or request is None:
        return _bad_ticket()
    del state.connect_tickets[ticket]  # one decision per ticket
    if decision == "deny":
        description = f"The user did not allow access to their {request.connection} account."
        return error_redirect(request.redirect_uri, "access_denied", description, request.state)
    connect_code = state.env.random_urlsafe(24)  # 32 characters; Auth0 allows up to 46
    state.connect_codes[connect_code] = ConnectCode(
        request=request,
        expires_at=state.env.now() + state.config.authorization_code_lifetime,
    )
    params = {"connect_code": connect_code, "state": request.state}
    return redirect(with_query(request.redirect_uri, params))
