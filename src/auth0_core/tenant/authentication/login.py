"""``POST /u/login``: the login page's form (``tx``, ``username``, ``password``).

Wrong credentials show the form again, with the same ``tx``; a right one starts a tenant
session (:mod:`..sessions`: its ``sid`` goes into the code and the browser's ``auth0`` cookie)
and ends the authorization request with a code (or, for a link request, links the login into
the primary first).
"""

from __future__ import annotations

import hmac

from ..._http import HttpResponse
from ..params import Incoming
from ..responses import AuthorizeFailure, error_page, error_redirect, login_page
from ..sessions import session_cookie
from ..state import TenantState
from .authorize import issue_code, start_session, with_session_cookie
from .enterprise import upstream_login
from .linking import link_after_login


def login(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /u/login``: check the credentials, then redirect back with a code."""
    form = incoming.form()
    now = state.env.now()
    tx = form.get("tx") or ""
    transaction = state.logins.get(tx)
    if transaction is None or transaction.expires_at <= now:
        state.logins.pop(tx, None)
        return error_page(400, "invalid_request", "The login session expired. Start again.")
    request = transaction.request
    client = state.config.client(request.client_id)
    link = request.link
    connection = link.requested_connection if link else request.connection
    realm = state.enterprise.of_connection(connection) if link is None else None
    if realm is not None:  # the upstream identity provider's login (Enterprise Connect)
        user = upstream_login(
            state, connection, form.get("username") or "", form.get("password") or ""
        )
    else:
        user = state.users.login_of(connection, form.get("username") or "")
    password = (form.get("password") or "").encode()
    if user is None or not hmac.compare_digest(user.password.encode(), password):
        name = client.name if client else request.client_id
        return login_page(tx, name, message="Wrong email or password.", status=401)
    del state.logins[tx]
    # A login linked into another user signs in as that (primary) user, as on Auth0.
    record = state.users.subject_of(user) if link is None else None
    user_id = link.primary_user_id if link else record.user_id if record else None
    org = state.config.organization(request.organization_id) if request.organization_id else None
    # An enterprise domain's organization has its users by their login.
    if realm is not None and org is not None and org.id == realm.organization:
        org = None
    if user_id is None or (org is not None and user_id not in org.members):
        org_id = org.id if org else ""
        description = f"user {user_id or user.user_id} is not part of the {org_id} organization"
        return error_redirect(request.redirect_uri, "access_denied", description, request.state)
    if link is not None:
        try:
            user_id = link_after_login(state, link, user)
        except AuthorizeFailure as failure:
            return error_redirect(
                request.redirect_uri, failure.error, failure.description, request.state
            )
    # One browser, one session: the same user logging in again joins the cookie's session.
    live = state.sessions.get(session_cookie(incoming.request) or "")
    sid = (
        live.sid if live is not None and live.user_id == user_id else start_session(state, user_id)
    )
    return with_session_cookie(state, issue_code(state, request, user_id, sid=sid), sid)
