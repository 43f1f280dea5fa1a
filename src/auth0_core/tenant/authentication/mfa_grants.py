"""The MFA grants at ``/oauth/token`` (protocol doc §8.10): ``mfa-otp``, ``mfa-oob`` and
``mfa-recovery-code``, each with the ``mfa_token`` of an ``mfa_required`` answer.

The token must be this client's, unused and unexpired; each wrong answer counts, and after
``[mfa].max_attempts`` of them the token is refused (429 ``too_many_attempts``). An OTP is a
TOTP code of an enrolled (or being enrolled) authenticator, one time step either way, and each
step's code is accepted once. An ``oob_code`` belongs to the token it was issued for and
expires; SMS, voice and e-mail need the code sent (``binding_code``); a push answers
``authorization_pending`` until the device approves (``access_denied`` when it refuses). A
recovery code is replaced by a new one, returned as ``recovery_code``.

On success the token is spent, the login session counts as having passed MFA, the authenticator
is active, and the tokens the ticket stands for are minted.
"""

from __future__ import annotations

import hmac
import json

from ..._http import HttpResponse
from ..config_types import TenantClient
from ..params import Params
from ..responses import json_ok, oauth_error
from ..state import TenantState
from .mfa import _recovery_code, ticket_problem
from .mfa_state import TOTP_STEP, Authenticator, MfaTicket, hotp
from .mint import token_response

GRANT_OTP = "http://auth0.com/oauth/grant-type/mfa-otp"
GRANT_OOB = "http://auth0.com/oauth/grant-type/mfa-oob"
GRANT_RECOVERY_CODE = "http://auth0.com/oauth/grant-type/mfa-recovery-code"


def _ticket(state: TenantState, client: TenantClient, params: Params) -> MfaTicket | HttpResponse:
    token = params.get("mfa_token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: mfa_token")
    ticket = state.mfa.tickets.get(token)
    problem = ticket_problem(state, ticket, client.client_id)
    if problem is not None or ticket is None:
        return problem or oauth_error(403, "invalid_grant", "Malformed mfa_token")
    return ticket


def _wrong(ticket: MfaTicket, description: str) -> HttpResponse:
    ticket.attempts += 1
    return oauth_error(403, "invalid_grant", description)


def _passed(
    state: TenantState,
    ticket: MfaTicket,
    authenticator: Authenticator | None,
    recovery_code: str | None = None,
) -> HttpResponse:
    ticket.used = True
    state.mfa.verified_sids.add(ticket.grant.sid)
    if authenticator is not None:
        authenticator.active = True
        authenticator.last_auth = state.env.now()
    response = token_response(state, ticket.grant, refresh_token=ticket.refresh_token)
    if recovery_code is None:
        return response
    body = json.loads(response.body)
    body["recovery_code"] = recovery_code
    return json_ok(200, body)


def mfa_otp_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=http://auth0.com/oauth/grant-type/mfa-otp``: ``mfa_token``, ``otp``."""
    ticket = _ticket(state, client, params)
    if isinstance(ticket, HttpResponse):
        return ticket
    otp = params.get("otp")
    if otp is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: otp")
    step = state.env.now() // TOTP_STEP
    reused = False
    for authenticator in state.mfa.authenticators.get(ticket.grant.user_id, []):
        if authenticator.authenticator_type != "otp" or authenticator.secret is None:
            continue
        fixed = state.mfa.fixed_code
        if fixed is not None and hmac.compare_digest(fixed, otp):
            return _passed(state, ticket, authenticator)
        for counter in (step - 1, step, step + 1):
            if hmac.compare_digest(hotp(authenticator.secret, counter), otp):
                if counter <= authenticator.last_counter:
                    reused = True
                    continue
                authenticator.last_counter = counter
                return _passed(state, ticket, authenticator)
    if reused:
        return _wrong(ticket, "This otp_code was already used.")
    return _wrong(ticket, "Invalid otp_code.")


def mfa_oob_grant(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=http://auth0.com/oauth/grant-type/mfa-oob``: ``mfa_token``, ``oob_code``,
    ``binding_code`` (not for push)."""
    ticket = _ticket(state, client, params)
    if isinstance(ticket, HttpResponse):
        return ticket
    oob_code = params.get("oob_code")
    if oob_code is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: oob_code")
    challenge = state.mfa.challenges.get(oob_code)
    if challenge is None or challenge.mfa_token != ticket.token:
        return _wrong(ticket, "Invalid oob_code.")
    if challenge.expires_at <= state.env.now():
        return oauth_error(403, "expired_token", "The oob_code has expired.")
    authenticator = state.mfa.find(ticket.grant.user_id, challenge.authenticator_id)
    if challenge.binding_code is None:  # a push
        if challenge.answer is None:
            return oauth_error(400, "authorization_pending", "Authorization pending: please retry.")
        del state.mfa.challenges[oob_code]
        if challenge.answer != "approved":
            return oauth_error(403, "access_denied", "The user rejected the push notification.")
        return _passed(state, ticket, authenticator)
    binding = params.get("binding_code")
    if binding is None or not hmac.compare_digest(binding, challenge.binding_code):
        return _wrong(ticket, "Invalid binding_code.")
    del state.mfa.challenges[oob_code]
    return _passed(state, ticket, authenticator)


def mfa_recovery_code_grant(
    state: TenantState, client: TenantClient, params: Params
) -> HttpResponse:
    """``grant_type=http://auth0.com/oauth/grant-type/mfa-recovery-code``: ``mfa_token``,
    ``recovery_code``; the answer carries the user's new recovery code."""
    ticket = _ticket(state, client, params)
    if isinstance(ticket, HttpResponse):
        return ticket
    code = params.get("recovery_code")
    if code is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: recovery_code")
    user_id = ticket.grant.user_id
    expected = state.mfa.recovery_codes.get(user_id)
    given = code.replace("-", "").replace(" ", "").upper()
    if expected is None or not hmac.compare_digest(given, expected):
        return _wrong(ticket, "Invalid recovery code.")
    state.mfa.recovery_codes[user_id] = fresh = _recovery_code(state)
    return _passed(state, ticket, None, recovery_code=fresh)


MFA_GRANTS = {
    GRANT_OTP: mfa_otp_grant,
    GRANT_OOB: mfa_oob_grant,
    GRANT_RECOVERY_CODE: mfa_recovery_code_grant,
}
