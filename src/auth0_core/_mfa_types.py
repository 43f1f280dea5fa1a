"""The results of the MFA API calls (protocol doc §8.10, §9.2), with the official
``auth_types`` names and attributes (``enrollment.barcode_uri``, ``challenge.oob_code``...).

Secrets (the raw ``mfa_token``, OTP secrets, OOB codes, recovery codes, tokens) are never shown
in a repr. Each class keeps the members Auth0 sent that it does not name in ``extra``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class MfaTokenContext:
    """What a sealed ``mfa_token`` holds (``server_client.mfa.decrypt_mfa_token``): Auth0's raw
    token and the request it stepped up (``audience``, ``scope``), when it was sealed."""

    mfa_token: str = attrs.field(repr=False)
    audience: str
    scope: str
    mfa_requirements: Mapping[str, Any] | None = None
    created_at: int = 0
    client_id: str | None = None
    # Ours: the ``sub`` of the session whose token request stepped up (None: no session).
    sub: str | None = None


@attrs.frozen(kw_only=True)
class AuthenticatorResponse:
    """An authenticator the user enrolled (``GET /mfa/authenticators``)."""

    id: str
    authenticator_type: str
    active: bool
    name: str | None = None
    oob_channel: str | None = None
    type: str | None = None
    phone_number: str | None = None
    created_at: str | None = None
    last_auth: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class OtpEnrollmentResponse:
    """An OTP authenticator enrolled: show ``barcode_uri`` as a QR code (or ``secret``)."""

    authenticator_type: str = "otp"
    secret: str = attrs.field(repr=False)
    barcode_uri: str = attrs.field(repr=False)
    recovery_codes: tuple[str, ...] | None = attrs.field(default=None, repr=False)
    id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class OobEnrollmentResponse:
    """An out-of-band authenticator enrolled (SMS, voice, e-mail, push): verify with
    ``oob_code`` and the code the user received (``binding_code``; none for push)."""

    authenticator_type: str = "oob"
    oob_channel: str
    oob_code: str | None = attrs.field(default=None, repr=False)
    barcode_uri: str | None = attrs.field(default=None, repr=False)
    binding_method: str | None = None
    recovery_codes: tuple[str, ...] | None = attrs.field(default=None, repr=False)
    id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


EnrollmentResponse = OtpEnrollmentResponse | OobEnrollmentResponse


@attrs.frozen(kw_only=True)
class ChallengeResponse:
    """A challenge started (``POST /mfa/challenge``)."""

    challenge_type: str
    oob_code: str | None = attrs.field(default=None, repr=False)
    binding_method: str | None = None
    expires_in: int | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class MfaVerifyResponse:
    """The tokens an MFA grant answered; ``recovery_code`` is a new recovery code (after one
    was used, or on the first enrollment), to show the user once."""

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"
    expires_in: int
    id_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    scope: str | None = None
    audience: str | None = None
    recovery_code: str | None = attrs.field(default=None, repr=False)


__all__ = [
    "AuthenticatorResponse",
    "ChallengeResponse",
    "EnrollmentResponse",
    "MfaTokenContext",
    "MfaVerifyResponse",
    "OobEnrollmentResponse",
    "OtpEnrollmentResponse",
]
