"""The options and result of ``server_client.passwordless`` (protocol doc §8.9, §9.4), with the
official ``auth_types`` names, fields and checks. Each options class is also accepted as a
plain dict with the same keys. Codes and addresses are never shown in a repr.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from .errors import InvalidArgumentError

# authParams the SDK sets itself for a magic link and a caller may never set.
PASSWORDLESS_RESERVED_AUTH_PARAMS = frozenset(
    {
        "client_id",
        "client_secret",
        "redirect_uri",
        "response_type",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
    }
)
# authParams a caller may pass through (an allow-list: anything else is refused).
PASSWORDLESS_ALLOWED_AUTH_PARAMS = frozenset(
    {
        "audience",
        "login_hint",
        "ui_locales",
        "screen_hint",
        "prompt",
        "max_age",
        "acr_values",
        "scope",
    }
)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_MAX_TEXT = 2048


def _text(name: str, value: object, *, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise InvalidArgumentError(name, f"{name} must be non-blank text.")


def _check_common(options: Any) -> None:
    if options.language is not None:
        _text("language", options.language)
        if not _LANGUAGE.match(options.language):
            raise InvalidArgumentError(
                "language", "language must be a BCP 47 tag (e.g. 'fr', 'en-US')."
            )
    if options.auth_params is not None and not isinstance(options.auth_params, Mapping):
        raise InvalidArgumentError("auth_params", "auth_params must be a dict.")
    _text("captcha", options.captcha)
    _text("client_ip", options.client_ip)


def _check_phone(value: object) -> None:
    _text("phone_number", value, required=True)
    if not isinstance(value, str) or not E164.match(value):
        raise InvalidArgumentError(
            "phone_number", "phone_number must be in E.164 format (e.g. '+14155550100')."
        )


@attrs.frozen(kw_only=True)
class StartPasswordlessEmailOptions:
    """``start`` by e-mail: a code (``send="code"``) or a magic link (``send="link"``)."""

    email: str = attrs.field(repr=False)
    send: Literal["code", "link"] = "code"
    connection: Literal["email"] = "email"
    language: str | None = None
    auth_params: Mapping[str, Any] | None = None
    captcha: str | None = attrs.field(default=None, repr=False)
    client_ip: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        _text("email", self.email, required=True)
        if self.send not in ("code", "link"):
            raise InvalidArgumentError("send", "send must be 'code' or 'link'.")
        if self.connection != "email":
            raise InvalidArgumentError("connection", "connection must be 'email'.")
        _check_common(self)


@attrs.frozen(kw_only=True)
class StartPasswordlessSmsOptions:
    """``start`` by SMS: a code to ``phone_number`` (E.164)."""

    phone_number: str = attrs.field(repr=False)
    connection: Literal["sms"] = "sms"
    language: str | None = None
    auth_params: Mapping[str, Any] | None = None
    captcha: str | None = attrs.field(default=None, repr=False)
    client_ip: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        _check_phone(self.phone_number)
        if self.connection != "sms":
            raise InvalidArgumentError("connection", "connection must be 'sms'.")
        _check_common(self)


StartPasswordlessOptions = StartPasswordlessEmailOptions | StartPasswordlessSmsOptions


@attrs.frozen(kw_only=True)
class VerifyPasswordlessOtpOptions:
    """``verify``: the code the user received, and the address it was sent to (``email`` for
    ``connection="email"``, ``phone_number`` for ``"sms"``, not both)."""

    connection: Literal["email", "sms"]
    verification_code: str = attrs.field(repr=False)
    email: str | None = attrs.field(default=None, repr=False)
    phone_number: str | None = attrs.field(default=None, repr=False)
    scope: str | None = None
    audience: str | None = None
    client_ip: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        _text("verification_code", self.verification_code, required=True)
        _text("scope", self.scope)
        _text("audience", self.audience)
        _text("client_ip", self.client_ip)
        if self.connection == "email":
            _text("email", self.email, required=True)
            if self.phone_number is not None:
                raise InvalidArgumentError(
                    "phone_number", "phone_number must not be set when connection='email'."
                )
        elif self.connection == "sms":
            _check_phone(self.phone_number)
            if self.email is not None:
                raise InvalidArgumentError("email", "email must not be set when connection='sms'.")
        else:
            raise InvalidArgumentError("connection", "connection must be 'email' or 'sms'.")

    @property
    def username(self) -> str:
        """The ``username`` of the OTP grant: the e-mail address or the phone number."""
        value = self.email if self.connection == "email" else self.phone_number
        assert value is not None  # checked at construction
        return value


@attrs.frozen(kw_only=True)
class PasswordlessStartResult:
    """What ``POST /passwordless/start`` answered: the user's ``id`` (Auth0's ``_id``) and the
    rest (``email``/``phone_number``, ``*_verified``) in ``extra``."""

    id: str | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict, repr=False)

    def __getattr__(self, name: str) -> Any:
        extra = self.__getattribute__("extra")
        if name in extra:
            return extra[name]
        raise AttributeError(name)


__all__ = [
    "PASSWORDLESS_ALLOWED_AUTH_PARAMS",
    "PASSWORDLESS_RESERVED_AUTH_PARAMS",
    "PasswordlessStartResult",
    "StartPasswordlessEmailOptions",
    "StartPasswordlessOptions",
    "StartPasswordlessSmsOptions",
    "VerifyPasswordlessOtpOptions",
]
