"""``GET /authorize``: validate an authorization request, then show the login page.

The validation is shared with ``POST /oauth/par`` (:mod:`.par`); the login page posts to
``/u/login`` (:mod:`.login`), and both end with :func:`issue_code`.

Order of checks follows RFC 6749 §4.1.2.1: until ``client_id`` and ``redirect_uri`` are known
good, errors are shown on an HTML page (never redirect to an unregistered URL); after that,
errors go back to the ``redirect_uri`` as ``error``/``error_description``/``state``.

A ``session_transfer_token`` (protocol doc §8.5, minted by :mod:`.custom_token_exchange`) that
is live, unused and minted for the requesting client skips the login page: the code is issued
for the token's user in a tenant session, as after a login. One that is not is burnt and not
honoured (Auth0 then prompts for a login); one for another user than the browser's session ends
that session first, as Auth0 does.
"""

from __future__ import annotations

import re

import attrs

from ..._http import HttpResponse
from ..backchannel import end_session
from ..config import TenantClient
from ..params import Incoming, Params
from ..records import AuthorizationRequest, CodeGrant, Grant, LoginTransaction
from ..responses import (
    AuthorizeFailure,
    error_page,
    error_redirect,
    login_page,
    redirect,
    with_query,
)
from ..sessions import SESSION_COOKIE, session_cookie
from ..state import TenantState
from . import anonymous, enterprise
from .linking import granted_scope, link_audience, link_request, unlink_now

# RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters; allow the full range.
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")
# A base64url SHA-256 JWK thumbprint (RFC 7638), as dpop_jkt carries it (RFC 9449 §10).
_THUMBPRINT = re.compile(r"[A-Za-z0-9\-_]{43}")
_SUPPORTED_RESPONSE_MODES = ("query",)


def client_and_redirect(state: TenantState, params: Params) -> tuple[TenantClient, str]:
    """Validate ``client_id`` and ``redirect_uri`` before anything else.

    Raises:
        AuthorizeFailure: unknown client, or a redirect_uri not registered exactly.
    """
    if params.duplicated(("client_id", "redirect_uri")):
        raise AuthorizeFailure("invalid_request", "Duplicate client_id or redirect_uri.")
    client_id = params.get("client_id")
    client = state.config.client(client_id) if client_id else None
    if client is None:
        raise AuthorizeFailure("invalid_request", f"Unknown client: {client_id or '(missing)'}")
    redirect_uri = params.get("redirect_uri")
    if redirect_uri is None:
        raise AuthorizeFailure("invalid_request", "Missing required parameter: redirect_uri")
    # Exact string comparison, as Auth0 does for Allowed Callback URLs without wildcards.
    if redirect_uri not in client.callbacks:
        raise AuthorizeFailure(
            "invalid_request",
            f'The redirect_uri "{redirect_uri}" is not in the list of allowed callback URLs.',
        )
    return client, redirect_uri


def _max_age(params: Params) -> int | None:
    value = params.get("max_age")
    if value is None:
        return None
    if not value.isascii() or not value.isdigit():
        raise AuthorizeFailure("invalid_request", "max_age must be a non-negative integer.")
    return int(value)


def authorization_request(
    state: TenantState, client: TenantClient, redirect_uri: str, params: Params
) -> AuthorizationRequest:
    """Validate the rest of an authorization request (shared by /authorize and PAR).

    Raises:
        AuthorizeFailure: with the OAuth error code to report.
    """
    duplicated = params.duplicated()
    if duplicated:
        raise AuthorizeFailure("invalid_request", f"Duplicate parameter: {duplicated[0]}")
    if params.get("request") is not None:
        raise AuthorizeFailure("request_not_supported", "The request parameter is not supported.")
    response_type = params.get("response_type")
    if response_type is None:
        raise AuthorizeFailure("invalid_request", "Missing required parameter: response_type")
    if response_type != "code":
        raise AuthorizeFailure(
            "unsupported_response_type", f"Unsupported response type: {response_type}"
        )
    response_mode = params.get("response_mode")
    if response_mode is not None and response_mode not in _SUPPORTED_RESPONSE_MODES:
        raise AuthorizeFailure("invalid_request", f"Unsupported response_mode: {response_mode}")
    challenge = params.get("code_challenge")
    if challenge is None:
        raise AuthorizeFailure("invalid_request", "PKCE is required: missing code_challenge.")
    if params.get("code_challenge_method") != "S256":
        raise AuthorizeFailure("invalid_request", "code_challenge_method must be S256.")
    if not _CHALLENGE.match(challenge):
        raise AuthorizeFailure("invalid_request", "Malformed code_challenge.")
    organization = params.get("organization")
    org = state.config.organization(organization) if organization else None
    if organization is not None and org is None:
        raise AuthorizeFailure(
            "invalid_request", f"parameter organization is invalid: {organization}"
        )
    connection = params.get("connection")
    if connection is not None and state.config.connection(connection) is None:
        raise AuthorizeFailure("invalid_request", f"Unknown connection: {connection}")
    organization_id = org.id if org else None
    # Home realm discovery (Enterprise Connect): an enterprise domain's login_hint.
    realm = enterprise.routed(state, params.get("login_hint"), connection)
    if realm is not None:
        connection = realm.connection
        organization_id = organization_id or realm.organization
    transfer_problem = anonymous.check_transfer(state, client.client_id, params)
    if transfer_problem is not None:
        raise AuthorizeFailure("invalid_request", transfer_problem)
    scope = params.get("scope") or "openid"
    audience = params.get("audience")
    dpop_jkt = params.get("dpop_jkt")
    if dpop_jkt is not None and not _THUMBPRINT.fullmatch(dpop_jkt):
        raise AuthorizeFailure("invalid_request", "dpop_jkt must be a SHA-256 JWK thumbprint.")
    link = link_request(state, client, params)
    if link is not None:
        scope, audience = granted_scope(scope), link_audience(state, audience)
    return AuthorizationRequest(
        client_id=client.client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        code_challenge=challenge,
        state=params.get("state"),
        nonce=params.get("nonce"),
        audience=audience,
        organization_id=organization_id,
        max_age=_max_age(params),
        prompt=params.get("prompt"),
        connection=connection,
        link=link,
        dpop_jkt=dpop_jkt,
        params=params.items(),
    )


def authorize(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /authorize``: show the login page, or report an error."""
    params = incoming.query
    if params.get("request_uri") is not None:
        return _authorize_pushed(state, incoming)
    try:
        client, redirect_uri = client_and_redirect(state, params)
    except AuthorizeFailure as failure:
        return error_page(400, failure.error, failure.description)
    try:
        request = authorization_request(state, client, redirect_uri, params)
    except AuthorizeFailure as failure:
        return error_redirect(redirect_uri, failure.error, failure.description, params.get("state"))
    return _start_login(state, client, request, incoming)


def _authorize_pushed(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``/authorize?client_id=...&request_uri=...`` (RFC 9126 §4): the pushed request rules."""
    params = incoming.query
    if not state.config.pushed_authorization_requests:
        return error_page(400, "invalid_request", "Pushed authorization requests are disabled.")
    request_uri = params.get("request_uri") or ""
    # One-time use: pop first, so a failed attempt also burns the request_uri.
    pushed = state.pushed.pop(request_uri, None)
    client_id = params.get("client_id")
    if pushed is None or pushed.expires_at <= state.env.now():
        return error_page(400, "invalid_request", "The request_uri is invalid or expired.")
    if client_id != pushed.request.client_id:
        return error_page(400, "invalid_request", "The client_id does not match the request_uri.")
    client = state.config.client(pushed.request.client_id)
    if client is None:  # the configuration is immutable, so this cannot happen; stay total
        return error_page(400, "invalid_request", "Unknown client.")
    return _start_login(state, client, pushed.request, incoming)


def _start_login(
    state: TenantState, client: TenantClient, request: AuthorizationRequest, incoming: Incoming
) -> HttpResponse:
    if request.prompt is not None and "none" in request.prompt.split():
        # There is no tenant SSO session to reuse, so a silent login cannot succeed.
        return error_redirect(
            request.redirect_uri, "login_required", "Login required", request.state
        )
    if request.link is not None and request.link.action == "unlink":
        # Nothing to authenticate: the id_token_hint names the user.
        try:
            user_id = unlink_now(state, request.link)
        except AuthorizeFailure as failure:
            return error_redirect(
                request.redirect_uri, failure.error, failure.description, request.state
            )
        # The browser's tenant session of that user, when it has one: a session started here
        # would be named by no cookie, so no logout could ever end it.
        live = state.sessions.get(session_cookie(incoming.request) or "")
        sid = live.sid if live is not None and live.user_id == user_id else None
        return issue_code(state, request, user_id, sid=sid)
    transferred = _redeem_session_transfer(state, request, incoming)
    if transferred is not None:
        return transferred
    now = state.env.now()
    tx = state.env.random_urlsafe(32)
    state.logins[tx] = LoginTransaction(
        request=request, expires_at=now + state.config.login_lifetime
    )
    return login_page(tx, client.name)


def _redeem_session_transfer(
    state: TenantState, request: AuthorizationRequest, incoming: Incoming
) -> HttpResponse | None:
    """The code for a good ``session_transfer_token``'s user; None to show the login page."""
    token = dict(request.params).get("session_transfer_token")
    if token is None or request.link is not None:
        return None
    # Single use: pop first, so a refused attempt also burns the token.
    transfer = state.session_transfers.pop(token, None)
    if (
        transfer is None
        or transfer.expires_at <= state.env.now()
        or transfer.client_id != request.client_id
    ):
        return None
    live = state.sessions.get(session_cookie(incoming.request) or "")
    if live is not None and live.user_id != transfer.user_id:
        end_session(state, live.sid)
        return None
    org = state.config.organization(request.organization_id) if request.organization_id else None
    if org is not None and transfer.user_id not in org.members:
        description = f"user {transfer.user_id} is not part of the {org.id} organization"
        return error_redirect(request.redirect_uri, "access_denied", description, request.state)
    sid = live.sid if live is not None else start_session(state, transfer.user_id)
    return with_session_cookie(state, issue_code(state, request, transfer.user_id, sid=sid), sid)


def with_session_cookie(state: TenantState, response: HttpResponse, sid: str) -> HttpResponse:
    """``response`` setting the browser's tenant session cookie to ``sid``."""
    secure = "; Secure" if state.base_url.startswith("https://") else ""
    cookie = f"{SESSION_COOKIE}={sid}; Path=/; HttpOnly; SameSite=Lax{secure}"
    return attrs.evolve(response, headers=(*response.headers, ("Set-Cookie", cookie)))


def issue_code(
    state: TenantState, request: AuthorizationRequest, user_id: str, *, sid: str | None = None
) -> HttpResponse:
    """Redirect back to the client with a fresh authorization code for ``user_id``.

    ``sid`` is the tenant session the login started; without one (an unlink, which needs no
    login, from a browser with no tenant session of that user), a session is started here.
    """
    now = state.env.now()
    if sid is None:
        sid = start_session(state, user_id)
    anonymous.redeem_transfer(state, dict(request.params), user_id)
    code = state.env.random_urlsafe(32)
    grant = Grant(
        client_id=request.client_id,
        user_id=user_id,
        scope=request.scope,
        audience=request.audience,
        organization_id=request.organization_id,
        auth_time=now,
        sid=sid,
    )
    state.codes[code] = CodeGrant(
        grant=grant,
        redirect_uri=request.redirect_uri,
        code_challenge=request.code_challenge,
        nonce=request.nonce,
        expires_at=now + state.config.authorization_code_lifetime,
        dpop_jkt=request.dpop_jkt,
    )
    return redirect(with_query(request.redirect_uri, {"code": code, "state": request.state}))


def start_session(state: TenantState, user_id: str) -> str:
    """Start a tenant session for ``user_id``; its ``sid``."""
    sid = state.env.random_urlsafe(24)
    state.sessions.start(sid, user_id, state.env.now())
    return sid
