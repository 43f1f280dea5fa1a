"""The arguments and results of the native passkey calls (protocol doc §8.11), with the official
``auth_types`` names and fields: ``passkey_signup_challenge``, ``passkey_login_challenge``,
``signin_with_passkey`` (docs/passkeys.md). ``auth_session`` is never shown in a repr.

The challenge options keep the tenant's JSON exactly (:meth:`PasskeyPublicKeyOptions.to_dict`,
WebAuthn's member names) for the browser's ``navigator.credentials.create()`` / ``.get()``,
and read its members as attributes with the official snake_case names.
"""

from __future__ import annotations

from typing import Any

import attrs

from ._my_account_method_types import PasskeyAuthResponse
from ._webauthn_options import (
    PasskeyAuthenticatorSelection,
    PasskeyPubKeyCredParam,
    PasskeyPublicKeyOptions,
    PasskeyRpInfo,
    PasskeyUserInfo,
)
from .errors import InvalidArgumentError

__all__ = [
    "PasskeyAuthResponse",
    "PasskeyAuthenticatorSelection",
    "PasskeyLoginChallengeResponse",
    "PasskeyLoginResult",
    "PasskeyPubKeyCredParam",
    "PasskeyPublicKeyOptions",
    "PasskeyRpInfo",
    "PasskeySignupChallengeResponse",
    "PasskeyTokenResponse",
    "PasskeyUserInfo",
    "PasskeyUserProfile",
]

_PROFILE_FIELDS = ("email", "name", "username", "phone_number", "given_name", "family_name",
                   "nickname", "picture")  # fmt: skip


class PasskeyUserProfile:
    """The new user's profile sent with a sign-up challenge: the official fields (``email``,
    ``name``, ``username``, ``phone_number``, ``given_name``, ``family_name``, ``nickname``,
    ``picture``) and any other keyword (extra attributes pass through, as the official
    model allows)."""

    __slots__ = ("_values",)

    def __init__(self, **values: Any) -> None:
        for key, value in values.items():
            if key in _PROFILE_FIELDS and value is not None and not isinstance(value, str):
                raise InvalidArgumentError("user_profile", f"user_profile.{key} must be text.")
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        values: dict[str, Any] = object.__getattribute__(self, "_values")
        if name in values:
            return values[name]
        if name in _PROFILE_FIELDS:
            return None
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("PasskeyUserProfile is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PasskeyUserProfile) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def to_dict(self) -> dict[str, Any]:
        """The members sent: those not None."""
        values: dict[str, Any] = object.__getattribute__(self, "_values")
        return {k: v for k, v in values.items() if v is not None}

    def model_dump(self, **_options: Any) -> dict[str, Any]:
        """The same as :meth:`to_dict` (the official model is pydantic)."""
        return self.to_dict()

    def __repr__(self) -> str:  # personal data: the names of the members only
        return f"PasskeyUserProfile(members={sorted(self.to_dict())})"


@attrs.frozen(kw_only=True)
class PasskeySignupChallengeResponse:
    """A sign-up challenge: ``auth_session`` (for :meth:`signin_with_passkey`; never logged)
    and the creation options; ``verification_required`` names codes the user must enter."""

    auth_session: str = attrs.field(repr=False)
    authn_params_public_key: PasskeyPublicKeyOptions
    verification_required: list[str] | None = None


@attrs.frozen(kw_only=True)
class PasskeyLoginChallengeResponse:
    """A login challenge: ``auth_session`` (never logged) and the request options."""

    auth_session: str = attrs.field(repr=False)
    authn_params_public_key: PasskeyPublicKeyOptions


@attrs.frozen(kw_only=True)
class PasskeyLoginResult:
    """What ``signin_with_passkey`` returns: the session written (as stored, tokens
    included, as the official ``state_data``)."""

    state_data: dict[str, Any] = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class PasskeyTokenResponse:
    """The passkey grant's token response (the official type; tokens out of the repr)."""

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"
    expires_in: int
    expires_at: int
    scope: str | None = None
    id_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
