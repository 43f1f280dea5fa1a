"""Connecting an account (protocol doc 7.2, 7.3): ``POST .../connect`` then ``POST .../complete``.

``connect`` checks the request and answers a ticket for the consent page (:mod:`.consent`),
which stands in for the upstream provider and sends the browser back with a ``connect_code``.
``complete`` redeems that code once, with the same ``auth_session``, ``redirect_uri`` and the
PKCE verifier, for the same user and client, and stores the account in the Token Vault.

Connecting an account the user already has (same connection and upstream ``login_hint``)
replaces its scopes and keeps its id, as a re-consent that widens scopes would; with the
``reconnect_conflict`` setting it answers 409 instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..._http import HttpResponse
from ..params import Incoming
from ..records import ConnectCode, ConnectRequest
from ..responses import json_ok
from ..state import TenantState
from .access import CREATE, Caller, requires
from .problems import json_object_body, reject
from .validation import ConnectBody, check_complete, check_connect

CONNECT_PAGE = "/connect"


@requires(CREATE)
def connect(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``POST /me/v1/connected-accounts/connect``: 201 with the consent page's ticket."""
    body = check_connect(json_object_body(incoming))
    connectable = state.config.connected_account_connection(body.connection)
    if connectable is None:
        raise reject(400, f"Connection not enabled for Connected Accounts: {body.connection}")
    _check_redirect_uri(state, caller, body)
    lifetime = state.config.my_account.connect_lifetime
    request = ConnectRequest(
        auth_session=state.env.random_urlsafe(32),
        user_id=caller.user_id,
        client_id=caller.client_id or "",
        connection=body.connection,
        redirect_uri=body.redirect_uri,
        state=body.state,
        code_challenge=body.code_challenge,
        scopes=body.scopes if body.scopes is not None else connectable.scopes,
        login_hint=body.login_hint,
        org_id=caller.org_id,
        expires_at=state.env.now() + lifetime,
    )
    ticket = state.env.random_urlsafe(32)
    state.connect_tickets[ticket] = request
    return json_ok(
        201,
        {
            "connect_uri": state.base_url + CONNECT_PAGE,
            "auth_session": request.auth_session,
            "connect_params": {"ticket": ticket},
            "expires_in": lifetime,
        },
    )


def _check_redirect_uri(state: TenantState, caller: Caller, body: ConnectBody) -> None:
    client = state.config.client(caller.client_id) if caller.client_id else None
    if client is None:
        raise reject(403, "The access token was not issued to a known application.")
    # Exact comparison, as /authorize compares against the Allowed Callback URLs.
    if body.redirect_uri not in client.callbacks:
        raise reject(400, f'The redirect_uri "{body.redirect_uri}" is not an allowed callback URL.')


def _s256(verifier: str) -> str:
    """``BASE64URL-NOPAD(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@requires(CREATE)
def complete(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``POST /me/v1/connected-accounts/complete``: 201 with the connected account."""
    body = check_complete(json_object_body(incoming))
    # Single use: the first presentation consumes the code, whatever the outcome.
    code = state.connect_codes.pop(body.connect_code, None)
    if code is None or code.expires_at <= state.env.now():
        raise reject(400, "The connect_code is invalid or has expired.")
    _check_binding(code, caller, body.auth_session, body.redirect_uri)
    request = code.request
    if request.code_challenge is not None:
        if body.code_verifier is None or not hmac.compare_digest(
            _s256(body.code_verifier), request.code_challenge
        ):
            raise reject(400, "Failed to verify code verifier.")
    elif body.code_verifier is not None:
        # RFC 9700 §2.1.1: a verifier for a request without a challenge is a downgrade attempt.
        raise reject(400, "code_verifier sent, but the connect request had no code_challenge.")
    existing = next(
        (
            account
            for account in state.vault.accounts(request.user_id, (request.connection,))
            if account.login_hint == request.login_hint
        ),
        None,
    )
    if existing is not None:
        if state.settings.reconnect_conflict:
            raise reject(409, f"The {request.connection} account is already connected.")
        account = state.vault.replace(existing, request.scopes)
    else:
        account = state.vault.add(
            request.user_id,
            request.connection,
            login_hint=request.login_hint,
            scopes=request.scopes,
            org_id=request.org_id,
        )
    return json_ok(201, account.as_json())


def _check_binding(code: ConnectCode, caller: Caller, auth_session: str, redirect_uri: str) -> None:
    """The code is redeemed by whoever started the connect, as they started it."""
    request = code.request
    if not hmac.compare_digest(request.auth_session.encode(), auth_session.encode()):
        raise reject(400, "The auth_session does not match the connect_code.")
    if request.user_id != caller.user_id or request.client_id != (caller.client_id or ""):
        raise reject(400, "The connect_code was issued to another user or application.")
    if request.redirect_uri != redirect_uri:
        raise reject(400, "The redirect_uri does not match the connect request.")
