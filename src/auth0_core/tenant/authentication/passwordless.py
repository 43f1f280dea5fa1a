"""Embedded passwordless (protocol doc §8.9): ``POST /passwordless/start``, the magic link's
``GET /passwordless/verify_redirect`` and the OTP grant
``http://auth0.com/oauth/grant-type/passwordless/otp``.

``start`` (JSON, the client's credentials in the body) sends a six-digit code by e-mail or SMS,
or (``send: "link"``, e-mail only) a link carrying the code and the ``authParams``; each goes
to the outbox. Sending is limited per address (``[passwordless].max_sends`` per
``send_window`` seconds: 429 ``too_many_requests`` with ``Retry-After``). A code lives
``code_lifetime`` seconds; a newer one replaces it; each wrong code counts, and after
``max_attempts`` the code is void. The right code is used once: the OTP grant answers tokens
(MFA first when the user is under ``[mfa]``), the link answers an authorization code (no
PKCE: Auth0 takes none here) for ``redirect_uri`` with the link's ``state``.

A passwordless user is created at their first login (``email|...`` or ``sms|...``), as on
Auth0, unless the address is already a user of that connection.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from ..._http import HttpResponse
from ..config_types import TenantClient, TenantUser
from ..outbox import Email, TextMessage
from ..params import Incoming, Params, load_json
from ..records import CodeGrant, Grant
from ..responses import RequestRejected, error_page, json_ok, oauth_error, redirect, with_query
from ..state import TenantState
from .authorize import start_session
from .client_auth import authenticate_client
from .mfa import mfa_required
from .mint import token_response
from .passwordless_state import PasswordlessCode
from .refresh import issue_refresh_token, wants_refresh_token

PASSWORDLESS_OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
WRONG_CODE = "Wrong email or verification code."
WRONG_PHONE_CODE = "Wrong phone number or verification code."
TOO_MANY = "You've reached the maximum number of attempts. Please try to login again."
EXPIRED = "The verification code has expired. Please try to login again."


def _json_body(incoming: Incoming) -> dict[str, Any]:
    try:
        document = load_json(incoming.request.body or b"{}")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise RequestRejected(
            oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        )
    return document


def _scalars(document: dict[str, Any]) -> Params:
    """The body's text members, for client authentication."""
    return Params({k: [v] for k, v in document.items() if isinstance(v, str)})


def _code(state: TenantState) -> str:
    return str(int.from_bytes(state.env.token_bytes(4), "big") % 1_000_000).zfill(6)


def _key(username: str, connection: str) -> str:
    return username.strip().lower() if connection == "email" else username.strip()


def start(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /passwordless/start``."""
    document = _json_body(incoming)
    client = authenticate_client(state, incoming, _scalars(document))
    connection = document.get("connection")
    if connection not in ("email", "sms"):
        return oauth_error(400, "bad.connection", "Connection does not exist.")
    send = document.get("send", "code")
    if send not in ("code", "link") or (connection == "sms" and send != "code"):
        return oauth_error(400, "bad.request", "send must be 'code' (or 'link' for e-mail).")
    if connection == "email":
        address = document.get("email")
        if not isinstance(address, str) or not _EMAIL.match(address):
            return oauth_error(400, "bad.email", "Invalid email address.")
    else:
        address = document.get("phone_number")
        if not isinstance(address, str) or not _E164.match(address):
            return oauth_error(400, "bad.phone_number", "Invalid phone number.")
    auth_params = document.get("authParams") or {}
    if not isinstance(auth_params, dict) or not all(
        isinstance(v, str) for v in auth_params.values()
    ):
        return oauth_error(400, "bad.request", "authParams must be an object of strings.")
    link_params: dict[str, str] | None = None
    if send == "link":
        redirect_uri = auth_params.get("redirect_uri")
        if redirect_uri is None or redirect_uri not in client.callbacks:
            return oauth_error(
                400, "bad.request", "authParams.redirect_uri is not an allowed callback URL."
            )
        link_params = dict(auth_params)
    username = _key(address, connection)
    now = state.env.now()
    wait = state.passwordless.may_send(f"{connection}:{username}", now)
    if wait is not None:
        response = oauth_error(429, "too_many_requests", "Too many requests for this address.")
        return HttpResponse(
            status=429, headers=(*response.headers, ("Retry-After", str(wait))), body=response.body
        )
    code = _code(state)
    state.passwordless.codes[(client.client_id, connection, username)] = PasswordlessCode(
        client_id=client.client_id,
        connection=connection,
        username=username,
        code=code,
        expires_at=now + state.passwordless.settings.code_lifetime,
        auth_params=link_params,
    )
    if connection == "sms":
        state.outbox.send(TextMessage(to=address, body=f"Your verification code is {code}"))
        return json_ok(200, {"_id": _user_id(connection, username), "phone_number": address,
                             "phone_verified": False})  # fmt: skip
    if link_params is not None:
        link = with_query(
            f"{state.base_url}/passwordless/verify_redirect",
            {"client_id": client.client_id, "connection": "email", "email": username,
             "verification_code": code, **link_params},
        )  # fmt: skip
        body = f"Click to sign in: {link}"
        state.outbox.send(Email(to=address, subject="Sign in to your account", body=body))
    else:
        body = f"Your verification code is {code}"
        state.outbox.send(Email(to=address, subject="Your verification code", body=body))
    return json_ok(200, {"_id": _user_id(connection, username), "email": address,
                         "email_verified": False})  # fmt: skip


def _user_id(connection: str, username: str) -> str:
    return f"{connection}|" + hashlib.sha256(username.encode()).hexdigest()[:24]


def _user(state: TenantState, connection: str, username: str) -> str:
    """The user signing in with ``username`` at ``connection``, created if new."""
    configured = state.users.login_of(connection, username) if connection == "email" else None
    if configured is None:
        configured = TenantUser(
            email=username if connection == "email" else "",
            password="",
            user_id=_user_id(connection, username),
            name=username,
            nickname=username.split("@", 1)[0],
            email_verified=True,
            connection=connection,
        )
    return state.users.ensure(configured).user_id


def redeem(
    state: TenantState, client_id: str, connection: str, username: str, code: str
) -> PasswordlessCode | HttpResponse:
    """The code record when ``code`` is right (it is then used up), else the refusal."""
    wrong = WRONG_CODE if connection == "email" else WRONG_PHONE_CODE
    key = (client_id, connection, _key(username, connection))
    stored = state.passwordless.codes.get(key)
    if stored is None:
        return oauth_error(403, "invalid_grant", wrong)
    if stored.expires_at <= state.env.now():
        del state.passwordless.codes[key]
        return oauth_error(403, "invalid_grant", EXPIRED)
    if not hmac.compare_digest(stored.code, code):
        stored.attempts += 1
        if stored.attempts >= state.passwordless.settings.max_attempts:
            del state.passwordless.codes[key]
            return oauth_error(403, "invalid_grant", TOO_MANY)
        return oauth_error(403, "invalid_grant", wrong)
    del state.passwordless.codes[key]
    return stored


def otp_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=http://auth0.com/oauth/grant-type/passwordless/otp``: ``realm`` (email or
    sms), ``username``, ``otp``, ``scope``, optional ``audience``."""
    realm, username, otp = params.get("realm"), params.get("username"), params.get("otp")
    if realm not in ("email", "sms"):
        return oauth_error(400, "invalid_request", "realm must be email or sms.")
    if username is None or otp is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: username or otp")
    redeemed = redeem(state, client.client_id, realm, username, otp)
    if isinstance(redeemed, HttpResponse):
        return redeemed
    user_id = _user(state, realm, redeemed.username)
    sid = start_session(state, user_id)
    state.sessions.add_client(sid, client.client_id)
    grant = Grant(
        client_id=client.client_id,
        user_id=user_id,
        scope=params.get("scope") or "openid",
        audience=params.get("audience"),
        organization_id=None,
        auth_time=state.env.now(),
        sid=sid,
    )
    refresh_token = issue_refresh_token(state, grant) if wants_refresh_token(grant.scope) else None
    if state.mfa.required(user_id, grant.audience, sid):
        return mfa_required(state, client.client_id, grant, refresh_token=refresh_token)
    return token_response(state, grant, refresh_token=refresh_token)


def verify_redirect(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /passwordless/verify_redirect``: the magic link. Its code is redeemed for an
    authorization code sent to the link's ``redirect_uri`` with its ``state``."""
    query = incoming.query
    client = state.config.client(query.get("client_id") or "")
    email, code = query.get("email"), query.get("verification_code")
    if client is None or email is None or code is None:
        return error_page(400, "invalid_request", "This sign-in link is not valid.")
    key = (client.client_id, "email", _key(email, "email"))
    stored = state.passwordless.codes.get(key)
    if stored is None or stored.auth_params is None:
        return error_page(403, "invalid_grant", "This sign-in link was used or has expired.")
    params = stored.auth_params
    redeemed = redeem(state, client.client_id, "email", email, code)
    if isinstance(redeemed, HttpResponse):
        return error_page(403, "invalid_grant", "This sign-in link was used or has expired.")
    user_id = _user(state, "email", redeemed.username)
    now = state.env.now()
    grant = Grant(
        client_id=client.client_id,
        user_id=user_id,
        scope=params.get("scope") or "openid",
        audience=params.get("audience"),
        organization_id=None,
        auth_time=now,
        sid=start_session(state, user_id),
    )
    authorization_code = state.env.random_urlsafe(32)
    state.codes[authorization_code] = CodeGrant(
        grant=grant,
        redirect_uri=params["redirect_uri"],
        code_challenge="",  # no PKCE for a magic link
        nonce=params.get("nonce"),
        expires_at=now + state.config.authorization_code_lifetime,
    )
    return redirect(
        with_query(
            params["redirect_uri"], {"code": authorization_code, "state": params.get("state")}
        )
    )
