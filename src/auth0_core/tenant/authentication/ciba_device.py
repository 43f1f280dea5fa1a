"""The user's device for CIBA (protocol doc §8.3), emulated over HTTP: ``GET /ciba`` lists the
pending requests (``?user=USER_ID`` or ``?auth_req_id=...`` to narrow it), each with its
binding message and an Approve and a Deny button; ``POST /ciba`` (form ``decision`` =
``approve`` or ``deny``, and ``auth_req_id`` or ``user``) answers one request or every pending
request of the user, as ``Tenant.approve_backchannel`` / ``deny_backchannel`` do in process.

Like the rest of the emulated tenant it trusts whoever reaches it: there is no login in front of
the page (on Auth0 the user answers in Guardian, on their own device). A POST that asks for
``application/json`` gets ``{"decision", "auth_req_ids"}`` (errors as OAuth JSON), for scripts
such as ``auth0-core ciba``; a browser gets a page.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from ..._http import HttpResponse
from ..ciba_requests import BackchannelRequest, BackchannelStatus
from ..params import Incoming
from ..responses import error_page, html_page, json_ok, oauth_error
from ..state import TenantState

DECISIONS: dict[str, BackchannelStatus] = {"approve": "approved", "deny": "denied"}


def _item(state: TenantState, request: BackchannelRequest, now: int) -> str:
    client = state.config.client(request.client_id)
    app = client.name if client is not None else request.client_id
    rid = html.escape(request.auth_req_id)
    return (
        f'<li data-auth-req-id="{rid}" data-user="{html.escape(request.user_id)}">\n'
        f"<p>{html.escape(app)} asks {html.escape(request.user_id)} to approve "
        f'<strong class="binding-message">{html.escape(request.binding_message)}</strong> '
        f"(scope {html.escape(request.scope)}; expires in {request.expires_at - now} s)</p>\n"
        '<form method="post" action="/ciba">\n'
        f'<input type="hidden" name="auth_req_id" value="{rid}">\n'
        '<button type="submit" name="decision" value="approve">Approve</button>\n'
        '<button type="submit" name="decision" value="deny">Deny</button>\n</form>\n</li>'
    )


def ciba_page(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /ciba[?user=...|?auth_req_id=...]``: the pending requests, with their buttons."""
    query = incoming.query
    if query.duplicated(("user", "auth_req_id")):
        return error_page(400, "invalid_request", "Duplicate user or auth_req_id.")
    user_id, auth_req_id = query.get("user"), query.get("auth_req_id")
    now = state.env.now()
    pending = [
        r
        for r in state.ciba.pending(user_id, now)
        if auth_req_id is None or r.auth_req_id == auth_req_id
    ]
    if pending:
        items = "\n".join(_item(state, r, now) for r in pending)
        listing = f'<ul class="requests">\n{items}\n</ul>'
    else:
        listing = '<p class="empty">No pending requests.</p>'
    return html_page(200, "Approve sign-in requests", listing)


def ciba_decision(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /ciba`` (form ``decision`` and ``auth_req_id`` or ``user``): answer them."""
    form = incoming.form()
    wants_json = "application/json" in (incoming.request.header("accept") or "")
    decision = form.get("decision") or ""
    status = DECISIONS.get(decision)
    auth_req_id, user_id = form.get("auth_req_id"), form.get("user")
    if (
        status is None
        or form.duplicated(("decision", "auth_req_id", "user"))
        or (auth_req_id is None) == (user_id is None)
    ):
        description = "Give decision=approve or deny, and one of auth_req_id and user."
        if wants_json:
            return oauth_error(400, "invalid_request", description)
        return error_page(400, "invalid_request", description)
    try:
        answered = state.ciba.answer(status, state.env.now(), auth_req_id, user_id)
    except KeyError:
        description = "No pending request with that auth_req_id (answered or expired)."
        if wants_json:
            return oauth_error(404, "not_found", description)
        return error_page(404, "not_found", description)
    if wants_json:
        return json_ok(200, {"decision": decision, "auth_req_ids": answered})
    back = "/ciba" + (f"?{urlencode({'user': user_id})}" if user_id is not None else "")
    verb = "Approved" if status == "approved" else "Denied"
    body = (
        f'<p class="answered" data-decision="{decision}" data-count="{len(answered)}">'
        f"{verb} {len(answered)} request(s). You can return to the application.</p>\n"
        f'<p><a href="{html.escape(back)}">Pending requests</a></p>'
    )
    return html_page(200, verb, body)
