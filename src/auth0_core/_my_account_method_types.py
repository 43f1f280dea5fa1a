"""The requests and results of the My Account API's factors and authentication methods
(protocol doc §8.12), with the official SDK's class and member names.

Requests are checked when built (an invalid ``type`` is an :class:`InvalidArgumentError` there,
as the official models refuse it at construction); results keep members the API adds later in
``extra`` and answer them as attributes, as the official ``extra="allow"`` models do. Secrets
(``auth_session``, one-time codes, the TOTP secret and its ``otpauth://`` URI, a recovery
code, a password) never appear in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._webauthn_options import PasskeyPublicKeyOptions

__all__ = [
    "AUTHENTICATION_METHOD_TYPES",
    "AuthenticationMethod",
    "EnrollAuthenticationMethodRequest",
    "EnrollmentChallengeResponse",
    "Factor",
    "GetFactorsResponse",
    "ListAuthenticationMethodsResponse",
    "PasskeyAuthResponse",
    "UpdateAuthenticationMethodRequest",
    "VerifyAuthenticationMethodRequest",
]

# The closed set of types an enrollment may name (the official ``EnrollmentType``).
AUTHENTICATION_METHOD_TYPES = (
    "passkey",
    "email",
    "phone",
    "totp",
    "push-notification",
    "recovery-code",
    "password",
)
PREFERRED_METHODS = ("sms", "voice")


def _members(instance: Any, aliases: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The non-None members of an attrs request as the API's JSON (``extra`` merged in)."""
    value: dict[str, Any] = {}
    for field in attrs.fields(type(instance)):
        item = getattr(instance, field.name)
        if field.name == "extra":
            continue
        if isinstance(item, _Request):
            item = item.to_dict()
        if item is not None:
            value[(aliases or {}).get(field.name, field.name)] = item
    return value


class _Request:
    """``to_dict()`` and the official pydantic names for it: what is sent, None members left
    out (``model_dump(exclude_none=True)``)."""

    __slots__ = ()
    _aliases: ClassVar[Mapping[str, str]] = {}

    def to_dict(self) -> dict[str, Any]:
        """The request as the API's JSON members."""
        return _members(self, self._aliases)

    def model_dump(self, **_options: Any) -> dict[str, Any]:
        """The same as :meth:`to_dict` (the official models are pydantic)."""
        return self.to_dict()


def _optional_text(name: str) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError(name, f"{name} must be a string.")

    return check


def _choice(name: str, allowed: tuple[str, ...]) -> Any:
    def check(_instance: object, _attribute: object, value: object) -> None:
        if value is not None and value not in allowed:
            raise InvalidArgumentError(name, f"{name} must be one of {', '.join(allowed)}.")

    return check


def _required_type(_instance: object, _attribute: object, value: Any) -> None:
    if value is None or value == "":
        raise InvalidArgumentError("type", "type is required.")
    if value not in AUTHENTICATION_METHOD_TYPES:
        raise InvalidArgumentError(
            "type", f"type must be one of {', '.join(AUTHENTICATION_METHOD_TYPES)}."
        )


@attrs.frozen(kw_only=True)
class EnrollAuthenticationMethodRequest(_Request):
    """What to enroll: ``type`` (one of :data:`AUTHENTICATION_METHOD_TYPES`) and, for
    ``email`` and ``phone``, the address or number the code goes to."""

    type: str = attrs.field(validator=_required_type)
    email: str | None = attrs.field(default=None, validator=_optional_text("email"))
    phone_number: str | None = attrs.field(default=None, validator=_optional_text("phone_number"))
    preferred_authentication_method: str | None = attrs.field(
        default=None,
        validator=_choice("preferred_authentication_method", PREFERRED_METHODS),
    )
    identity_user_id: str | None = attrs.field(
        default=None, validator=_optional_text("identity_user_id")
    )
    connection: str | None = attrs.field(default=None, validator=_optional_text("connection"))


@attrs.frozen(kw_only=True)
class PasskeyAuthResponse(_Request):
    """The browser's ``navigator.credentials.create()`` result; sent with the WebAuthn
    member names (``rawId``, ``authenticatorAttachment``, ``clientExtensionResults``)."""

    _aliases: ClassVar[Mapping[str, str]] = {
        "raw_id": "rawId",
        "authenticator_attachment": "authenticatorAttachment",
        "client_extension_results": "clientExtensionResults",
    }

    id: str
    raw_id: str
    type: str
    response: dict[str, str] = attrs.field(repr=False)
    authenticator_attachment: str | None = None
    client_extension_results: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class VerifyAuthenticationMethodRequest(_Request):
    """The proof that completes an enrollment: the ``auth_session`` the enrollment answered,
    and ``otp_code`` (email, phone, totp), ``authn_response`` (passkey), ``recovery_code`` or
    ``password``; a push enrollment needs the session alone."""

    auth_session: str = attrs.field(repr=False)
    authn_response: PasskeyAuthResponse | None = None
    otp_code: str | None = attrs.field(default=None, repr=False)
    recovery_code: str | None = attrs.field(default=None, repr=False)
    password: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class UpdateAuthenticationMethodRequest(_Request):
    """What to change: the method's ``name``, a phone method's
    ``preferred_authentication_method``."""

    name: str | None = attrs.field(default=None, validator=_optional_text("name"))
    preferred_authentication_method: str | None = attrs.field(
        default=None,
        validator=_choice("preferred_authentication_method", PREFERRED_METHODS),
    )


class _Result:
    """``to_dict()``/``model_dump()`` and attribute access to members kept in ``extra``."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Only called when ordinary lookup fails: the API's members this class does not name.
        if name.startswith("_") or name == "extra":
            raise AttributeError(name)
        extra = object.__getattribute__(self, "extra")
        if name in extra:
            return extra[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def to_dict(self) -> dict[str, Any]:
        """The result as the API's JSON members (``extra`` included)."""
        value: dict[str, Any] = {}
        for field in attrs.fields(type(self)):  # type: ignore[arg-type]
            item = getattr(self, field.name)
            if field.name == "extra":
                value.update(item)
            elif isinstance(item, list):
                value[field.name] = [
                    entry.to_dict() if isinstance(entry, _Result) else entry for entry in item
                ]
            elif field.name == "authn_params_public_key" and item is not None:
                value[field.name] = item.to_dict()  # as sent (WebAuthn's member names)
            else:
                value[field.name] = item
        return value

    model_dump = to_dict


@attrs.frozen(kw_only=True)
class Factor(_Result):
    """A factor the user may enroll, and how it may be used (``primary``, ``secondary``)."""

    type: str
    usage: list[str] | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class GetFactorsResponse(_Result):
    """The factors of the tenant (``get_factors``)."""

    factors: list[Factor]


@attrs.frozen(kw_only=True)
class AuthenticationMethod(_Result):
    """One of the user's authentication methods; members the API leaves out are None."""

    id: str
    type: str
    created_at: str
    confirmed: bool | None = None
    usage: list[str] | None = None
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    preferred_authentication_method: str | None = None
    identity_user_id: str | None = None
    credential_device_type: str | None = None
    credential_backed_up: bool | None = None
    key_id: str | None = None
    public_key: str | None = None
    transports: list[str] | None = None
    user_agent: str | None = None
    user_handle: str | None = None
    aaguid: str | None = None
    relying_party_id: str | None = None
    last_password_reset: str | None = None
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen(kw_only=True)
class ListAuthenticationMethodsResponse(_Result):
    """The user's authentication methods (``list_authentication_methods``)."""

    authentication_methods: list[AuthenticationMethod]


@attrs.frozen(kw_only=True)
class EnrollmentChallengeResponse(_Result):
    """An enrollment started: the new method's id (from the ``Location`` header), the
    ``auth_session`` to verify it with, and what the user needs for the proof:
    ``authn_params_public_key`` (passkey: the WebAuthn creation options for
    ``navigator.credentials.create()``, a :class:`PasskeyPublicKeyOptions` as a passkey
    sign-up challenge's; ``to_dict()`` gives them as sent),
    ``barcode_uri`` and ``manual_input_code`` (totp: the secret, as a QR code's URI and as
    text), ``recovery_code``. Every one but the id and the passkey options is a secret."""

    authentication_method_id: str
    auth_session: str = attrs.field(repr=False)
    authn_params_public_key: PasskeyPublicKeyOptions | None = attrs.field(default=None, repr=False)
    barcode_uri: str | None = attrs.field(default=None, repr=False)
    manual_input_code: str | None = attrs.field(default=None, repr=False)
    recovery_code: str | None = attrs.field(default=None, repr=False)
    extra: dict[str, Any] = attrs.field(factory=dict, repr=False)
