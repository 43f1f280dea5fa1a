"""Users' authentication methods, as the My Account API manages them (protocol doc 8.12).

A method is enrolled in two steps: ``POST /authentication-methods`` starts an
:class:`Enrollment` (what the user must prove, the ``auth_session`` naming it, an expiry and an
attempt budget), and ``POST /authentication-methods/{id}/verify`` with the right proof turns it
into a confirmed :class:`MethodRecord`. Enrollments are kept apart from methods, so a method
half enrolled is never listed and never counts as one the user has.
"""

from __future__ import annotations

import base64
import string
from typing import Any

import attrs

from ..._env import Env
from ..vault import iso_time

_ALPHANUMERIC = string.ascii_letters + string.digits
# Seconds an enrollment (its auth_session and its code) stays usable, and wrong proofs allowed.
ENROLLMENT_LIFETIME = 300
MAX_ATTEMPTS = 5


def _alphanumeric(env: Env, length: int = 20) -> str:
    return "".join(_ALPHANUMERIC[b % len(_ALPHANUMERIC)] for b in env.token_bytes(length))


@attrs.frozen(kw_only=True)
class PasskeyDetails:
    """What a passkey method shows of its credential (the members of Auth0's passkey
    authentication method); ``credential_id`` is the key of ``state.passkeys.credentials``."""

    credential_id: bytes
    public_key: str  # the COSE key, base64url
    user_handle: str  # base64url
    relying_party_id: str
    aaguid: str
    credential_device_type: str
    credential_backed_up: bool
    transports: tuple[str, ...] = ()
    user_agent: str | None = None

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "key_id": b64url(self.credential_id),
            "public_key": self.public_key,
            "user_handle": self.user_handle,
            "relying_party_id": self.relying_party_id,
            "aaguid": self.aaguid,
            "credential_device_type": self.credential_device_type,
            "credential_backed_up": self.credential_backed_up,
            "transports": list(self.transports),
        }
        if self.user_agent is not None:
            value["user_agent"] = self.user_agent
        return value


def b64url(data: bytes) -> str:
    """Base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@attrs.frozen(kw_only=True)
class PasskeyChallenge:
    """What a passkey enrollment waits for: a registration credential over ``challenge``
    for ``rp_id``, made for the user handle ``user_handle``."""

    challenge: bytes = attrs.field(repr=False)
    rp_id: str
    user_handle: bytes = attrs.field(repr=False)


@attrs.frozen(kw_only=True)
class MethodRecord:
    """One confirmed authentication method of one user."""

    id: str  # "{type}|dev_" + alphanumerics, as Auth0's
    user_id: str
    type: str
    created_at: int
    name: str | None = None
    email: str | None = None
    phone_number: str | None = None
    preferred_authentication_method: str | None = None
    totp_secret: bytes | None = attrs.field(default=None, repr=False)
    usage: tuple[str, ...] = ("secondary",)
    passkey: PasskeyDetails | None = None

    def as_json(self) -> dict[str, Any]:
        """The My Account API's authentication-method object."""
        value: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "created_at": iso_time(self.created_at),
            "confirmed": True,
            "usage": list(self.usage),
        }
        optional: dict[str, Any] = {
            "name": self.name,
            "email": self.email,
            "phone_number": self.phone_number,
            "preferred_authentication_method": self.preferred_authentication_method,
        }
        if self.passkey is not None:
            optional.update(self.passkey.as_json())
        value.update({key: item for key, item in optional.items() if item is not None})
        return value


@attrs.frozen(kw_only=True)
class Enrollment:
    """A method being enrolled: what verifies it, until ``expires_at`` or the attempts run out."""

    method: MethodRecord
    auth_session: str = attrs.field(repr=False)
    otp_code: str | None = attrs.field(default=None, repr=False)  # email and phone
    passkey: PasskeyChallenge | None = None  # passkey
    expires_at: int
    attempts: int = 0


class MethodStore:
    """Every user's methods and pending enrollments."""

    def __init__(self, env: Env) -> None:
        self._env = env
        self._methods: dict[str, MethodRecord] = {}  # by id, in enrollment order
        self._enrollments: dict[str, Enrollment] = {}  # by method id

    def new_id(self, kind: str) -> str:
        """A fresh method id for ``kind`` (``totp|dev_...``)."""
        return f"{kind}|dev_{_alphanumeric(self._env)}"

    def new_secret(self, length: int = 32) -> str:
        """An opaque random value (an ``auth_session``)."""
        return self._env.random_urlsafe(length)

    def methods(self, user_id: str, kind: str | None = None) -> list[MethodRecord]:
        """The user's confirmed methods (of ``kind`` only, when given), oldest first."""
        return [
            m
            for m in self._methods.values()
            if m.user_id == user_id and (kind is None or m.type == kind)
        ]

    def get(self, user_id: str, method_id: str) -> MethodRecord | None:
        """The user's method ``method_id``, or None (another user's is None too)."""
        method = self._methods.get(method_id)
        return method if method is not None and method.user_id == user_id else None

    def put(self, method: MethodRecord) -> None:
        """Store ``method`` (new or changed)."""
        self._methods[method.id] = method

    def delete(self, user_id: str, method_id: str) -> bool:
        """Forget the user's method; False when the user has none of that id."""
        if self.get(user_id, method_id) is None:
            return False
        del self._methods[method_id]
        return True

    def start(self, enrollment: Enrollment) -> None:
        """Keep ``enrollment`` until it is verified, expires or runs out of attempts."""
        self._purge()
        self._enrollments[enrollment.method.id] = enrollment

    def enrollment(self, user_id: str, method_id: str) -> Enrollment | None:
        """The user's live enrollment of ``method_id``, or None."""
        self._purge()
        pending = self._enrollments.get(method_id)
        return pending if pending is not None and pending.method.user_id == user_id else None

    def end(self, enrollment: Enrollment) -> None:
        """Drop ``enrollment`` unverified (a passkey's challenge answers one attempt)."""
        self._enrollments.pop(enrollment.method.id, None)

    def failed(self, enrollment: Enrollment) -> int:
        """Count a wrong proof; the attempts left (the enrollment is dropped at none)."""
        attempts = enrollment.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._enrollments.pop(enrollment.method.id, None)
            return 0
        self._enrollments[enrollment.method.id] = attrs.evolve(enrollment, attempts=attempts)
        return MAX_ATTEMPTS - attempts

    def confirm(self, enrollment: Enrollment) -> MethodRecord:
        """The enrollment verified: its method is now the user's."""
        self._enrollments.pop(enrollment.method.id, None)
        self.put(enrollment.method)
        return enrollment.method

    def _purge(self) -> None:
        now = self._env.now()
        for key in [k for k, v in self._enrollments.items() if v.expires_at <= now]:
            del self._enrollments[key]
