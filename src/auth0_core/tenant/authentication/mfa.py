"""The MFA API (protocol doc §8.10): ``mfa_required`` answers, ``GET /mfa/authenticators``,
``POST /mfa/associate`` and ``POST /mfa/challenge``. The MFA grants are in :mod:`.mfa_grants`.

A token request for a user or an API under MFA (``[mfa]``, live in ``state.mfa``) whose login
session has not passed MFA answers 403 ``mfa_required`` with an ``mfa_token`` (a ticket for the
grant it would have minted, for that client only, ``mfa_token_lifetime`` seconds) and
``mfa_requirements``: ``challenge`` with the user's factors, or ``enroll`` with those offered.

With the ``mfa_token`` as a bearer token the user's authenticators are listed and, while the user
has none, one is enrolled: OTP (a TOTP secret and its ``otpauth://`` URI), SMS or voice (a
code texted to ``phone_number``), e-mail (a code mailed), or push (answered from a test through
``state.mfa.answer_push``). The first enrollment also gives the user's recovery code. A challenge
sends a fresh code (or push) for an enrolled out-of-band authenticator. Codes go to the outbox.
"""

from __future__ import annotations

import re
from typing import Any

from ..._http import HttpResponse
from ..outbox import Email, TextMessage
from ..params import Incoming, load_json
from ..records import Grant
from ..responses import RequestRejected, json_ok, oauth_error
from ..state import TenantState
from .client_auth import authenticate_client
from .mfa_state import Authenticator, MfaTicket, OobChallenge

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_CHANNELS = ("sms", "voice", "email", "auth0")
_PREFIX = {"otp": "totp", "sms": "sms", "voice": "voice", "email": "email", "auth0": "push"}
# factor names in [mfa].factors -> what mfa_requirements.enroll calls them
_ENROLL_NAMES = {"otp": "otp", "sms": "sms", "voice": "voice", "email": "email", "push": "auth0"}


def mfa_required(
    state: TenantState, client_id: str, grant: Grant, *, refresh_token: str | None = None
) -> HttpResponse:
    """403 ``mfa_required``: a new ``mfa_token`` for ``grant`` at ``client_id``."""
    settings = state.mfa.settings
    token = "mfa_" + state.env.random_urlsafe(32)
    state.mfa.tickets[token] = MfaTicket(
        token=token,
        client_id=client_id,
        grant=grant,
        expires_at=state.env.now() + settings.mfa_token_lifetime,
        refresh_token=refresh_token,
    )
    active = state.mfa.active(grant.user_id)
    if active:
        names = list(dict.fromkeys(a.requirement() for a in active))
        requirements = {"challenge": [{"type": name} for name in names]}
    else:
        offered = [_ENROLL_NAMES[f] for f in settings.factors if f in _ENROLL_NAMES]
        requirements = {"enroll": [{"type": name} for name in offered]}
    return json_ok(
        403,
        {
            "error": "mfa_required",
            "error_description": "Multifactor authentication required",
            "mfa_token": token,
            "mfa_requirements": requirements,
        },
    )


def ticket_problem(
    state: TenantState, ticket: MfaTicket | None, client_id: str | None
) -> HttpResponse | None:
    """The refusal for an unusable ``mfa_token`` (unknown, used, another client's, expired,
    locked after too many wrong answers), or None."""
    if ticket is None or ticket.used or (client_id is not None and ticket.client_id != client_id):
        return oauth_error(403, "invalid_grant", "Malformed mfa_token")
    if ticket.expires_at <= state.env.now():
        return oauth_error(403, "expired_token", "mfa_token is expired")
    if ticket.attempts >= state.mfa.settings.max_attempts:
        return oauth_error(429, "too_many_attempts", "Too many failed attempts for this mfa_token")
    return None


def _bearer_ticket(state: TenantState, incoming: Incoming) -> MfaTicket:
    authorization = incoming.request.header("authorization") or ""
    scheme, _, token = authorization.partition(" ")
    ticket = state.mfa.tickets.get(token.strip()) if scheme.lower() == "bearer" else None
    problem = ticket_problem(state, ticket, None)
    if problem is not None or ticket is None:
        raise RequestRejected(
            oauth_error(401, "invalid_token", "The mfa_token is invalid or expired.")
        )
    return ticket


def _json_object(incoming: Incoming) -> dict[str, Any]:
    try:
        document = load_json(incoming.request.body or b"{}")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise RequestRejected(
            oauth_error(400, "invalid_request", "The request body must be a JSON object.")
        )
    return document


def _mask(phone: str) -> str:
    return "XXXXXXXX" + phone[-4:]


def _listed(authenticator: Authenticator) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": authenticator.id,
        "authenticator_type": authenticator.authenticator_type,
        "active": authenticator.active,
        "created_at": _iso(authenticator.created_at),
    }
    if authenticator.oob_channel is not None:
        item["oob_channel"] = authenticator.oob_channel
    if authenticator.phone_number is not None:
        item["name"] = _mask(authenticator.phone_number)
    elif authenticator.email is not None:
        item["name"] = authenticator.email
    if authenticator.last_auth is not None:
        item["last_auth"] = _iso(authenticator.last_auth)
    return item


def _iso(at: int) -> str:
    import datetime

    moment = datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def list_authenticators(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /mfa/authenticators``: the user's enrolled authenticators (and recovery code)."""
    ticket = _bearer_ticket(state, incoming)
    user_id = ticket.grant.user_id
    items = [_listed(a) for a in state.mfa.active(user_id)]
    if items and user_id in state.mfa.recovery_codes:
        items.append(
            {"id": "recovery-code|dev_" + user_id.split("|")[-1], "authenticator_type":
             "recovery-code", "active": True}
        )  # fmt: skip
    return json_ok(200, items)


def send_code(state: TenantState, authenticator: Authenticator, code: str) -> None:
    """Text or mail ``code`` to the authenticator's phone or address."""
    text = f"Your verification code is {code}"
    if authenticator.oob_channel == "email" and authenticator.email is not None:
        state.outbox.send(
            Email(to=authenticator.email, subject="Your verification code", body=text)
        )
    elif authenticator.phone_number is not None:
        state.outbox.send(TextMessage(to=authenticator.phone_number, body=text))


def _code(state: TenantState) -> str:
    if state.mfa.fixed_code is not None:
        return state.mfa.fixed_code
    return str(int.from_bytes(state.env.token_bytes(4), "big") % 1_000_000).zfill(6)


def new_challenge(
    state: TenantState, ticket: MfaTicket, authenticator: Authenticator
) -> OobChallenge:
    """An out-of-band challenge for ``authenticator``: a code sent, or a push waiting."""
    push = authenticator.oob_channel == "auth0"
    challenge = OobChallenge(
        oob_code="oob_" + state.env.random_urlsafe(24),
        mfa_token=ticket.token,
        authenticator_id=authenticator.id,
        binding_code=None if push else _code(state),
        expires_at=state.env.now() + state.mfa.settings.challenge_lifetime,
    )
    state.mfa.challenges[challenge.oob_code] = challenge
    if challenge.binding_code is not None:
        send_code(state, authenticator, challenge.binding_code)
    return challenge


def _recovery_code(state: TenantState) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = state.env.token_bytes(24)
    return "".join(alphabet[b % len(alphabet)] for b in raw)


def associate(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /mfa/associate``: enroll an authenticator while the user has none."""
    ticket = _bearer_ticket(state, incoming)
    body = _json_object(incoming)
    user_id = ticket.grant.user_id
    if state.mfa.active(user_id):
        return oauth_error(401, "unauthorized", "User is already enrolled.")
    kinds = body.get("authenticator_types")
    if not isinstance(kinds, list) or len(kinds) != 1 or kinds[0] not in ("otp", "oob"):
        return oauth_error(
            400, "invalid_request", 'authenticator_types must be ["otp"] or ["oob"].'
        )
    channel: str | None = None
    if kinds[0] == "oob":
        channels = body.get("oob_channels")
        if not isinstance(channels, list) or len(channels) != 1 or channels[0] not in _CHANNELS:
            return oauth_error(400, "invalid_request", "oob_channels must name one channel.")
        channel = channels[0]
    factor = "push" if channel == "auth0" else channel or "otp"
    if factor not in state.mfa.settings.factors:
        return oauth_error(403, "unsupported_challenge_type", "This factor is not enabled.")
    now = state.env.now()
    suffix = state.env.random_urlsafe(12)
    authenticator = Authenticator(
        id=f"{_PREFIX[channel or 'otp']}|dev_{suffix}",
        user_id=user_id,
        authenticator_type=kinds[0],
        oob_channel=channel,
        created_at=now,
    )
    if channel in ("sms", "voice"):
        phone = body.get("phone_number")
        if not isinstance(phone, str) or not _E164.match(phone):
            return oauth_error(400, "invalid_request", "phone_number must be in E.164 format.")
        authenticator.phone_number = phone
    elif channel == "email":
        email = body.get("email")
        profile = state.users.profile(user_id)
        email = (
            email
            if isinstance(email, str) and "@" in email
            else (profile.email if profile else None)
        )
        if email is None:
            return oauth_error(400, "invalid_request", "email is required.")
        authenticator.email = email
    label = f"{state.base_url.split('//')[-1]}:{user_id}"
    answer: dict[str, Any]
    if channel is None:
        secret = base64_secret(state)
        authenticator.secret = secret
        answer = {
            "authenticator_type": "otp",
            "secret": secret,
            "barcode_uri": f"otpauth://totp/{label}?secret={secret}&issuer=emulated-tenant",
        }
    else:
        challenge = new_challenge(state, ticket, authenticator)
        answer = {
            "authenticator_type": "oob",
            "oob_channel": channel,
            "oob_code": challenge.oob_code,
        }
        if challenge.binding_code is not None:
            answer["binding_method"] = "prompt"
        else:
            answer["barcode_uri"] = f"otpauth://totp/{label}?enrollment_tx_id={suffix}"
    others = [a for a in state.mfa.authenticators.get(user_id, []) if a.active]
    state.mfa.authenticators[user_id] = [*others, authenticator]
    if user_id not in state.mfa.recovery_codes and "recovery-code" in state.mfa.settings.factors:
        state.mfa.recovery_codes[user_id] = _recovery_code(state)
        answer["recovery_codes"] = [state.mfa.recovery_codes[user_id]]
    return json_ok(200, answer)


def base64_secret(state: TenantState) -> str:
    import base64

    return base64.b32encode(state.env.token_bytes(20)).decode("ascii").rstrip("=")


def challenge(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /mfa/challenge``: client credentials, ``mfa_token``, ``challenge_type`` and
    optionally ``authenticator_id``."""
    params = incoming.body_params()
    client = authenticate_client(state, incoming, params)
    token = params.get("mfa_token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: mfa_token")
    ticket = state.mfa.tickets.get(token)
    problem = ticket_problem(state, ticket, client.client_id)
    if problem is not None or ticket is None:
        return problem or oauth_error(403, "invalid_grant", "Malformed mfa_token")
    kind = params.get("challenge_type")
    if kind not in ("otp", "oob"):
        return oauth_error(400, "invalid_request", "challenge_type must be otp or oob.")
    user_id = ticket.grant.user_id
    wanted = params.get("authenticator_id")
    candidates = [
        a
        for a in state.mfa.active(user_id)
        if a.authenticator_type == kind and (wanted is None or a.id == wanted)
    ]
    if not candidates:
        return oauth_error(
            400, "unsupported_challenge_type", "The user has no such authenticator enrolled."
        )
    if kind == "otp":
        return json_ok(200, {"challenge_type": "otp"})
    issued = new_challenge(state, ticket, candidates[0])
    answer: dict[str, Any] = {"challenge_type": "oob", "oob_code": issued.oob_code}
    if issued.binding_code is not None:
        answer["binding_method"] = "prompt"
    return json_ok(200, answer)
