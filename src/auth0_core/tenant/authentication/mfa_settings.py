"""The ``[mfa]`` and ``[passwordless]`` tables of the tenant configuration (docs/tenant.md).

``[mfa]``: who must pass a second factor at the token endpoint. ``users`` (per user: every
refresh and passwordless grant of theirs, until their login session passed MFA) and
``audiences`` (per API: every token minted for it, likewise); ``factors`` offered for
enrollment; the lifetimes of ``mfa_token``s and challenges; wrong answers allowed per token.

``[passwordless]``: the lifetime of codes and links, wrong codes allowed per code, and how many
codes one address may be sent per window before ``too_many_requests``.
"""

from __future__ import annotations

import attrs

from ...errors import ConfigurationError
from ..config_parse import Section

FACTORS = ("otp", "sms", "voice", "email", "push", "recovery-code")


@attrs.frozen(kw_only=True)
class MfaSettings:
    """The ``[mfa]`` table."""

    users: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    factors: tuple[str, ...] = ("otp", "sms", "email", "push", "recovery-code")
    mfa_token_lifetime: int = 300
    challenge_lifetime: int = 300
    max_attempts: int = 5


@attrs.frozen(kw_only=True)
class PasswordlessSettings:
    """The ``[passwordless]`` table."""

    code_lifetime: int = 300
    max_attempts: int = 3
    # At most ``max_sends`` codes or links per address within ``send_window`` seconds.
    max_sends: int = 5
    send_window: int = 60


def parse_mfa(section: Section) -> MfaSettings:
    defaults = MfaSettings()
    factors = section.texts("factors") if "factors" in section.data else defaults.factors
    unknown = sorted(set(factors) - set(FACTORS))
    if unknown:
        raise ConfigurationError(f"{section.where}.factors: unknown factor(s) {', '.join(unknown)}")
    return MfaSettings(
        users=section.texts("users"),
        audiences=section.texts("audiences"),
        factors=factors,
        mfa_token_lifetime=section.integer("mfa_token_lifetime", defaults.mfa_token_lifetime),
        challenge_lifetime=section.integer("challenge_lifetime", defaults.challenge_lifetime),
        max_attempts=section.integer("max_attempts", defaults.max_attempts),
    )


def parse_passwordless(section: Section) -> PasswordlessSettings:
    defaults = PasswordlessSettings()
    return PasswordlessSettings(
        code_lifetime=section.integer("code_lifetime", defaults.code_lifetime),
        max_attempts=section.integer("max_attempts", defaults.max_attempts),
        max_sends=section.integer("max_sends", defaults.max_sends),
        send_window=section.integer("send_window", defaults.send_window),
    )
