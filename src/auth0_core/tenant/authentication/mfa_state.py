"""What the tenant remembers for MFA: the live policy, ``mfa_token``s, enrolled
authenticators, out-of-band challenges, recovery codes, and the login sessions that passed MFA.

Tests reach it as ``tenant.state.mfa``: switch the policy (``users``, ``audiences``), answer a
push (:meth:`MfaState.answer_push`), compute a TOTP code (:func:`totp`), or forget everything
(:meth:`MfaState.reset`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

import attrs

from ..records import Grant
from .mfa_settings import MfaSettings

TOTP_STEP = 30
TOTP_DIGITS = 6


def totp(secret: str, at: float, *, step: int = TOTP_STEP) -> str:
    """The RFC 6238 code (HMAC-SHA1, 6 digits) of base32 ``secret`` at Unix time ``at``."""
    return hotp(secret, int(at) // step)


def hotp(secret: str, counter: int) -> str:
    """The RFC 4226 code of base32 ``secret`` for ``counter``."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**TOTP_DIGITS).zfill(TOTP_DIGITS)


@attrs.define(kw_only=True)
class Authenticator:
    """One enrolled (or being enrolled: ``active=False``) authenticator of a user."""

    id: str
    user_id: str
    authenticator_type: str  # "otp" or "oob"
    oob_channel: str | None = None  # sms, voice, email, auth0 (push)
    secret: str | None = attrs.field(default=None, repr=False)  # OTP: base32
    phone_number: str | None = None
    email: str | None = None
    active: bool = False
    created_at: int = 0
    last_counter: int = -1  # OTP: the last time step accepted (a code is single-use)
    last_auth: int | None = None

    def requirement(self) -> str:
        """The name ``mfa_requirements`` gives this factor."""
        return "otp" if self.authenticator_type == "otp" else str(self.oob_channel)


@attrs.define(kw_only=True)
class MfaTicket:
    """An ``mfa_token``: the grant it will mint once the user passes, for one client."""

    token: str = attrs.field(repr=False)
    client_id: str
    grant: Grant
    expires_at: int
    refresh_token: str | None = attrs.field(default=None, repr=False)
    attempts: int = 0
    used: bool = False


@attrs.define(kw_only=True)
class OobChallenge:
    """An out-of-band challenge: the code sent (None for push), or the push's answer."""

    oob_code: str = attrs.field(repr=False)
    mfa_token: str = attrs.field(repr=False)
    authenticator_id: str
    binding_code: str | None = attrs.field(default=None, repr=False)
    expires_at: int
    answer: str | None = None  # push: None (pending), "approved" or "denied"


class MfaState:
    """The tenant's MFA data; the policy starts from the ``[mfa]`` configuration."""

    def __init__(self, settings: MfaSettings) -> None:
        self.settings = settings
        self.users: set[str] = set(settings.users)
        self.audiences: set[str] = set(settings.audiences)
        self.tickets: dict[str, MfaTicket] = {}
        self.authenticators: dict[str, list[Authenticator]] = {}
        self.challenges: dict[str, OobChallenge] = {}
        self.recovery_codes: dict[str, str] = {}
        self.verified_sids: set[str] = set()
        # For examples that type a fixed code (the official docs' "123456"): every code sent is
        # this, and an OTP authenticator accepts it as its current code. None: real codes.
        self.fixed_code: str | None = None

    def __repr__(self) -> str:
        return f"MfaState(users={sorted(self.users)!r}, audiences={sorted(self.audiences)!r})"

    def reset(self) -> None:
        """Back to the configured policy, with no token, authenticator, challenge or fixed
        code."""
        self.__init__(self.settings)  # type: ignore[misc]

    def required(self, user_id: str, audience: str | None, sid: str) -> bool:
        """Whether a token for ``user_id`` at ``audience`` needs MFA first: the user or the
        API is under MFA and the login session ``sid`` has not passed it yet."""
        if sid in self.verified_sids:
            return False
        return user_id in self.users or (audience is not None and audience in self.audiences)

    def active(self, user_id: str) -> list[Authenticator]:
        """The user's enrolled authenticators."""
        return [a for a in self.authenticators.get(user_id, []) if a.active]

    def find(self, user_id: str, authenticator_id: str) -> Authenticator | None:
        return next(
            (a for a in self.authenticators.get(user_id, []) if a.id == authenticator_id), None
        )

    def pending_pushes(self, user_id: str | None = None) -> list[str]:
        """The ``oob_code``s of unanswered push challenges (of ``user_id``, when given)."""
        found = []
        for code, challenge in self.challenges.items():
            ticket = self.tickets.get(challenge.mfa_token)
            if (
                challenge.binding_code is None
                and challenge.answer is None
                and (user_id is None or (ticket is not None and ticket.grant.user_id == user_id))
            ):
                found.append(code)
        return found

    def answer_push(self, oob_code: str | None = None, *, approve: bool = True) -> bool:
        """The user's device answers a push challenge (``oob_code``, else the oldest pending
        one); False when there was none to answer."""
        codes = [oob_code] if oob_code is not None else self.pending_pushes()[:1]
        for code in codes:
            challenge = self.challenges.get(code)
            if challenge is not None and challenge.binding_code is None:
                challenge.answer = "approved" if approve else "denied"
                return True
        return False

    def purge(self, now: int) -> None:
        """Forget expired tokens and challenges."""
        for token in [t for t, v in self.tickets.items() if v.expires_at + 86400 <= now]:
            del self.tickets[token]
        for code in [c for c, v in self.challenges.items() if v.expires_at + 86400 <= now]:
            del self.challenges[code]
