"""The arguments and results of the native passkey calls (protocol doc §8.11), with the official
``auth_types`` names and fields: ``passkey_signup_challenge``, ``passkey_login_challenge``,
``signin_with_passkey`` (docs/passkeys.md). ``auth_session`` is never shown in a repr.

The challenge options keep the tenant's JSON exactly (:meth:`PasskeyPublicKeyOptions.to_dict`,
WebAuthn's member names) for the browser's ``navigator.credentials.create()`` / ``.get()``,
and read its members as attributes with the official snake_case names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import attrs

from ._my_account_method_types import PasskeyAuthResponse
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
class PasskeyRpInfo:
    """The relying party of a sign-up: ``id`` (the RP ID) and ``name``."""

    id: str
    name: str


@attrs.frozen(kw_only=True)
class PasskeyUserInfo:
    """The user of a sign-up: ``id`` (the base64url user handle), ``name``,
    ``display_name``."""

    id: str
    name: str
    display_name: str | None = None


@attrs.frozen(kw_only=True)
class PasskeyPubKeyCredParam:
    """A key type and COSE algorithm the relying party accepts."""

    type: str
    alg: int


@attrs.frozen(kw_only=True)
class PasskeyAuthenticatorSelection:
    """What a sign-up asks of the authenticator."""

    resident_key: str | None = None
    user_verification: str | None = None


@attrs.frozen(kw_only=True)
class PasskeyPublicKeyOptions:
    """The WebAuthn options for the browser. :meth:`to_dict` is the tenant's JSON as sent
    (give it to ``navigator.credentials.create()`` / ``.get()`` after decoding the
    base64url members); the attributes read it with the official names."""

    _aliases: ClassVar[Mapping[str, str]] = {
        "rp_id": "rpId",
        "pub_key_cred_params": "pubKeyCredParams",
        "authenticator_selection": "authenticatorSelection",
        "user_verification": "userVerification",
    }

    challenge: str
    rp: PasskeyRpInfo | None = None
    rp_id: str | None = None
    user: PasskeyUserInfo | None = None
    pub_key_cred_params: list[PasskeyPubKeyCredParam] | None = None
    authenticator_selection: PasskeyAuthenticatorSelection | None = None
    timeout: int | None = None
    user_verification: str | None = None
    raw: dict[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    def to_dict(self) -> dict[str, Any]:
        """The options as the tenant sent them (WebAuthn's member names)."""
        return dict(self.raw)

    def model_dump(self, *, by_alias: bool = False, exclude_none: bool = False,
                   **_options: Any) -> dict[str, Any]:  # fmt: skip
        """As the official pydantic model dumps: WebAuthn's names with ``by_alias=True``,
        else the snake_case ones; members the tenant added are kept."""
        if by_alias:
            dumped = dict(self.raw)
        else:
            inverse = {alias: name for name, alias in self._aliases.items()}
            dumped = {inverse.get(k, k): v for k, v in self.raw.items()}
        return {k: v for k, v in dumped.items() if v is not None} if exclude_none else dumped

    def __getitem__(self, name: str) -> Any:
        return self.raw[name]


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
