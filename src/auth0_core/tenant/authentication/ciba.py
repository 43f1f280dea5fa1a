"""Client-Initiated Backchannel Authentication (protocol doc §8.3): ``POST /bc-authorize``
starts a request for a user, the token endpoint's ``urn:openid:params:grant-type:ciba``
answers it.

The user's device is emulated by ``Tenant.approve_backchannel`` / ``Tenant.deny_backchannel``.
Until then a poll answers ``authorization_pending``; a poll sooner than ``interval`` after the
previous one answers ``slow_down`` and adds 5 s to the interval the client must keep from then
on (CIBA Core §11, RFC 8628 §3.5); past ``expires_in`` a poll answers ``expired_token``; a
refused request answers ``access_denied``. An approved request is answered once, with tokens
(an ID token for ``openid``, a refresh token for ``offline_access``), and a tenant session.
"""

from __future__ import annotations

import re

from ..._http import HttpResponse
from ..ciba_requests import BackchannelRequest
from ..config_types import TenantClient
from ..params import Incoming, Params, load_json
from ..records import Grant
from ..responses import json_ok, oauth_error
from ..state import TenantState
from .authorize import start_session
from .client_auth import authenticate_client
from .mint import token_response
from .refresh import issue_refresh_token, wants_refresh_token

CIBA_GRANT = "urn:openid:params:grant-type:ciba"
SLOW_DOWN_STEP = 5
_MAX_BINDING_MESSAGE = 64
# Auth0 accepts letters, digits, whitespace and a few punctuation marks (UNCONFIRMED exactly).
_BINDING_MESSAGE = re.compile(r"[\w\s+\-_.,:#]+")


def _invalid(description: str) -> HttpResponse:
    return oauth_error(400, "invalid_request", description)


def _hinted_user(state: TenantState, login_hint: str | None) -> str | HttpResponse:
    """The user the ``iss_sub`` login hint names, or the error response."""
    if login_hint is None:
        return _invalid("Missing required parameter: login_hint")
    try:
        hint = load_json(login_hint)
    except ValueError:
        return _invalid("login_hint must be a JSON object.")
    if not isinstance(hint, dict) or hint.get("format") != "iss_sub":
        return _invalid("login_hint must use the iss_sub format.")
    if hint.get("iss") != state.issuer:
        return _invalid("login_hint names another issuer.")
    sub = hint.get("sub")
    if not isinstance(sub, str) or state.users.get(sub) is None:
        return oauth_error(400, "unknown_user_id", "The login_hint names no known user.")
    return sub


def _expiry(state: TenantState, requested: str | None) -> int | HttpResponse:
    settings = state.ciba
    if requested is None:
        return settings.default_expiry
    if not requested.isascii() or not requested.isdigit() or len(requested) > 6:
        return _invalid("requested_expiry must be a whole number of seconds.")
    value = int(requested)
    if not 1 <= value <= settings.max_expiry:
        return _invalid(f"requested_expiry must be between 1 and {settings.max_expiry}.")
    return value


def bc_authorize(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /bc-authorize``: authenticate the client, check the request, start it.

    Raises:
        RequestRejected: failed client authentication.
    """
    params = incoming.form()
    duplicated = params.duplicated()
    if duplicated:
        return _invalid(f"Duplicate parameter: {duplicated[0]}")
    client = authenticate_client(state, incoming, params)
    if not client.allows_grant(CIBA_GRANT):
        return oauth_error(
            400, "unauthorized_client", "Backchannel authentication is not enabled for the client."
        )
    scope = params.get("scope") or ""
    if "openid" not in scope.split():
        return _invalid("scope must contain openid.")
    message = params.get("binding_message")
    if message is None:
        return _invalid("Missing required parameter: binding_message")
    if len(message) > _MAX_BINDING_MESSAGE or not _BINDING_MESSAGE.fullmatch(message):
        return _invalid("binding_message is too long or has characters that are not allowed.")
    audience = params.get("audience")
    if audience is not None and state.apis.get(audience) is None:
        return _invalid(f"Service not found: {audience}")
    user = _hinted_user(state, params.get("login_hint"))
    if isinstance(user, HttpResponse):
        return user
    expires_in = _expiry(state, params.get("requested_expiry"))
    if isinstance(expires_in, HttpResponse):
        return expires_in
    now = state.env.now()
    request = BackchannelRequest(
        auth_req_id=state.env.random_urlsafe(32),
        client_id=client.client_id,
        user_id=user,
        scope=" ".join(dict.fromkeys(scope.split())),
        audience=audience,
        binding_message=message,
        created_at=now,
        expires_at=now + expires_in,
        interval=state.ciba.interval,
    )
    state.ciba.add(request)
    body = {
        "auth_req_id": request.auth_req_id,
        "expires_in": expires_in,
        "interval": request.interval,
    }
    return json_ok(200, body)


def ciba_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """One poll for ``auth_req_id`` (the client is authenticated already)."""
    auth_req_id = params.get("auth_req_id")
    if auth_req_id is None:
        return _invalid("Missing required parameter: auth_req_id")
    request = state.ciba.get(auth_req_id)
    if request is None or request.client_id != client.client_id:
        return oauth_error(400, "invalid_grant", "Unknown or invalid auth_req_id.")
    now = state.env.now()
    request.polls += 1
    if request.expires_at <= now:
        return oauth_error(400, "expired_token", "The backchannel authentication request expired.")
    if request.status == "denied":
        state.ciba.pop(auth_req_id)
        return oauth_error(400, "access_denied", "The user refused the request.")
    if request.status == "pending":
        previous, request.last_poll = request.last_poll, now
        if previous is not None and now - previous < request.interval:
            request.interval += SLOW_DOWN_STEP
            return oauth_error(400, "slow_down", "Polling too fast; wait longer between polls.")
        return oauth_error(400, "authorization_pending", "The user has not answered yet.")
    state.ciba.pop(auth_req_id)  # answered once
    sid = start_session(state, request.user_id)
    state.sessions.add_client(sid, client.client_id)
    grant = Grant(
        client_id=client.client_id,
        user_id=request.user_id,
        scope=request.scope,
        audience=request.audience,
        organization_id=None,
        auth_time=now,
        sid=sid,
    )
    refresh_token = issue_refresh_token(state, grant) if wants_refresh_token(grant.scope) else None
    return token_response(state, grant, refresh_token=refresh_token)
