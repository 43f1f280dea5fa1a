"""Factors and authentication methods of the My Account API (protocol doc 8.12).

- ``GET /me/v1/factors`` (``read:me:factors``): what may be enrolled here.
- ``GET /me/v1/authentication-methods[?type=]``, ``GET``/``PATCH``/``DELETE .../{id}``
  (``read``/``update``/``delete:me:authentication_methods``).
- ``POST /me/v1/authentication-methods`` (``create:me:authentication_methods``) starts an
  enrollment: 202, ``Location`` naming the new method, ``{"auth_session", ...}``;
  ``POST .../{id}/verify`` with ``{"auth_session", "otp_code"}`` confirms it: 201, the method.

Enrollable here: ``totp`` (the answer carries ``barcode_uri`` and ``manual_input_code``, the
base32 secret; the code is RFC 6238's), ``email`` and ``phone`` (a six-digit code is sent to
the tenant's outbox, :class:`~..outbox.Email` / :class:`~..outbox.TextMessage`), and
``passkey``: the answer carries ``authn_params_public_key``, the WebAuthn creation options
for the user (challenge, ``rp``, ``user``, ``pubKeyCredParams``, ``authenticatorSelection``,
``excludeCredentials``, ``timeout``), and the verify call's ``authn_response`` (the browser's
registration credential) is checked by the passkey sign-up's own verifier
(:func:`..authentication.passkeys.verify_registration`, py_webauthn); one attempt, right or
wrong. The verified credential is registered with the tenant's passkeys, so the user logs in
with it (``/passkey/challenge`` and the WebAuthn grant); deleting the method unregisters it.
The other types Auth0 knows (``push-notification``, ``recovery-code``, ``password``) are
refused with a 400 naming the type as not supported by this tenant. Each scope is accepted as
Auth0's OpenAPI file spells it (``read:me:authentication_methods``) and as the official SDK's
docs do (``read:me:authentication-methods``); which one Auth0 issues is UNCONFIRMED (protocol
doc 11, item 17).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import attrs

from ..._http import HttpResponse
from ..authentication.passkeys import (
    ALGORITHMS,
    VERIFIER_MISSING,
    CredentialRefused,
    checked_origin,
    register_credential,
    verifier_available,
    verify_registration,
)
from ..outbox import Email, TextMessage
from ..params import Incoming
from ..responses import json_ok
from ..state import TenantState
from .access import Caller, requires
from .methods_store import (
    ENROLLMENT_LIFETIME,
    Enrollment,
    MethodRecord,
    MethodStore,
    PasskeyChallenge,
    PasskeyDetails,
    b64url,
)
from .problems import ValidationError, field_error, invalid, json_object_body, reject
from .totp import base32_secret, totp_matches


def _both(action: str) -> tuple[str, str]:
    return (f"{action}:me:authentication_methods", f"{action}:me:authentication-methods")


READ_FACTORS = "read:me:factors"
READ_METHODS = _both("read")
CREATE_METHODS = _both("create")
UPDATE_METHODS = _both("update")
DELETE_METHODS = _both("delete")
SCOPES = (READ_FACTORS, *READ_METHODS, *CREATE_METHODS, *UPDATE_METHODS, *DELETE_METHODS)

# Every type Auth0's schema names, and those this tenant enrolls.
TYPES = ("passkey", "email", "phone", "totp", "push-notification", "recovery-code", "password")
ENROLLABLE = ("totp", "email", "phone", "passkey")
FACTORS = tuple(
    {"type": kind, "usage": ["primary" if kind == "passkey" else "secondary"]}
    for kind in ENROLLABLE
)
_ENROLL_MEMBERS = frozenset(
    {"type", "email", "phone_number", "preferred_authentication_method", "identity_user_id",
     "connection"}
)  # fmt: skip
_VERIFY_MEMBERS = frozenset({"auth_session", "otp_code", "authn_response", "recovery_code",
                             "password", "new_password"})  # fmt: skip
_UPDATE_MEMBERS = frozenset({"name", "preferred_authentication_method"})
_PREFERRED = ("sms", "voice")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9][0-9]{6,14}$")
_OTP = re.compile(r"^[0-9]{6}$")
_MAX_NAME = 255


def methods_of(state: TenantState) -> MethodStore:
    """The tenant's :class:`MethodStore`."""
    return state.authentication_methods


# --- factors and reading --------------------------------------------------------------------


@requires(READ_FACTORS)
def list_factors(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``GET /me/v1/factors``: the factors users may enroll (the OpenAPI file's object shape)."""
    del incoming, caller
    return json_ok(200, {"factors": [dict(factor) for factor in FACTORS]})


@requires(READ_METHODS)
def list_methods(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``GET /me/v1/authentication-methods[?type=]``: the user's confirmed methods."""
    kind = incoming.query.get("type")
    if kind is not None and kind not in TYPES:
        detail = f"must be one of {', '.join(TYPES)}"
        raise invalid([field_error(detail, "type", "query")], source="query")
    methods = methods_of(state).methods(caller.user_id, kind)
    return json_ok(200, {"authentication_methods": [m.as_json() for m in methods]})


def _method(state: TenantState, incoming: Incoming, caller: Caller) -> MethodRecord:
    method_id = incoming.path_params["id"]
    method = methods_of(state).get(caller.user_id, method_id)
    if method is None:
        raise reject(404, "Authentication method not found.")
    return method


@requires(READ_METHODS)
def get_method(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``GET /me/v1/authentication-methods/{id}``."""
    return json_ok(200, _method(state, incoming, caller).as_json())


@requires(DELETE_METHODS)
def delete_method(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``DELETE /me/v1/authentication-methods/{id}``: 204 (a passkey's credential is
    unregistered: it logs nobody in any more)."""
    method = methods_of(state).get(caller.user_id, incoming.path_params["id"])
    if method is None or not methods_of(state).delete(caller.user_id, method.id):
        raise reject(404, "Authentication method not found.")
    if method.passkey is not None:
        state.passkeys.credentials.pop(method.passkey.credential_id, None)
    return HttpResponse(status=204, headers=(("Cache-Control", "no-store"),))


def _unexpected(document: Mapping[str, Any], allowed: frozenset[str]) -> list[ValidationError]:
    return [
        field_error("unexpected property", str(name), "body")
        for name in document
        if name not in allowed
    ]


def _text(document: Mapping[str, Any], name: str, errors: list[ValidationError]) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(field_error("must be string", name, "body"))
        return None
    return value


@requires(UPDATE_METHODS)
def update_method(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``PATCH /me/v1/authentication-methods/{id}``
    ``{name?, preferred_authentication_method?}``."""
    method = _method(state, incoming, caller)
    document = json_object_body(incoming)
    errors = _unexpected(document, _UPDATE_MEMBERS)
    name = _text(document, "name", errors)
    preferred = _text(document, "preferred_authentication_method", errors)
    if name is not None and (not name.strip() or len(name) > _MAX_NAME):
        errors.append(field_error(f"must be 1 to {_MAX_NAME} characters", "name", "body"))
    if preferred is not None:
        if preferred not in _PREFERRED:
            errors.append(
                field_error("must be one of sms, voice", "preferred_authentication_method", "body")
            )
        elif method.type != "phone":
            errors.append(
                field_error(
                    "only phone methods have one", "preferred_authentication_method", "body"
                )
            )
    if not errors and name is None and preferred is None:
        errors.append(field_error("must name at least one property", "", "body"))
    if errors:
        raise invalid(errors)
    changes: dict[str, Any] = {}
    if name is not None:
        changes["name"] = name
    if preferred is not None:
        changes["preferred_authentication_method"] = preferred
    updated = attrs.evolve(method, **changes)
    methods_of(state).put(updated)
    return json_ok(200, updated.as_json())


# --- enrollment -----------------------------------------------------------------------------


def _otp(state: TenantState) -> str:
    return str(int.from_bytes(state.env.token_bytes(8), "big") % 1_000_000).zfill(6)


def _check_enroll(document: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """The type and its members, or a 400 listing what is wrong."""
    errors = _unexpected(document, _ENROLL_MEMBERS)
    kind = document.get("type")
    fields: dict[str, str] = {}
    if kind is None:
        errors.append(field_error("is required", "type", "body"))
    elif kind not in TYPES:
        errors.append(field_error(f"must be one of {', '.join(TYPES)}", "type", "body"))
    email = _text(document, "email", errors)
    phone = _text(document, "phone_number", errors)
    preferred = _text(document, "preferred_authentication_method", errors)
    _text(document, "identity_user_id", errors)
    _text(document, "connection", errors)
    if kind == "email":
        if email is None:
            errors.append(field_error("is required for email", "email", "body"))
        elif len(email) > 254 or not _EMAIL.fullmatch(email):
            errors.append(field_error("must be an email address", "email", "body"))
        else:
            fields["email"] = email
    if kind == "phone":
        if phone is None:
            errors.append(field_error("is required for phone", "phone_number", "body"))
        elif not _PHONE.fullmatch(phone):
            errors.append(field_error("must be E.164 (+ and digits)", "phone_number", "body"))
        else:
            fields["phone_number"] = phone
        if preferred is not None and preferred not in _PREFERRED:
            errors.append(
                field_error("must be one of sms, voice", "preferred_authentication_method", "body")
            )
        fields["preferred_authentication_method"] = preferred or "sms"
    if errors:
        raise invalid(errors)
    assert isinstance(kind, str)
    return kind, fields


@requires(CREATE_METHODS)
def enroll(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``POST /me/v1/authentication-methods``: start an enrollment (202)."""
    kind, fields = _check_enroll(json_object_body(incoming))
    if kind not in ENROLLABLE:
        detail = f"Enrolling a '{kind}' authentication method is not supported by this tenant."
        raise reject(400, detail, validation_errors=[field_error(detail, "type", "body")])
    store = methods_of(state)
    now = state.env.now()
    secret = state.env.token_bytes(20) if kind == "totp" else None
    method = MethodRecord(
        id=store.new_id(kind),
        user_id=caller.user_id,
        type=kind,
        created_at=now,
        totp_secret=secret,
        usage=("primary",) if kind == "passkey" else ("secondary",),
        email=fields.get("email"),
        phone_number=fields.get("phone_number"),
        preferred_authentication_method=fields.get("preferred_authentication_method"),
    )
    otp = None if kind in ("totp", "passkey") else _otp(state)
    passkey = None
    lifetime = ENROLLMENT_LIFETIME
    if kind == "passkey":
        passkey = PasskeyChallenge(
            challenge=state.env.token_bytes(32),
            rp_id=state.passkeys.rp_id(state.base_url),
            user_handle=caller.user_id.encode(),
        )
        lifetime = state.passkeys.settings.timeout
    enrollment = Enrollment(
        method=method,
        auth_session=store.new_secret(),
        otp_code=otp,
        passkey=passkey,
        expires_at=now + lifetime,
    )
    store.start(enrollment)
    body: dict[str, Any] = {"auth_session": enrollment.auth_session}
    if passkey is not None:
        body["authn_params_public_key"] = _creation_options(state, caller.user_id, passkey)
    elif secret is not None:
        code = base32_secret(secret)
        issuer = quote(state.base_url.split("://", 1)[-1], safe="")
        label = quote(f"{issuer}:{caller.user_id}", safe="")
        body["barcode_uri"] = f"otpauth://totp/{label}?secret={code}&issuer={issuer}"
        body["manual_input_code"] = code
    elif kind == "email":
        state.outbox.send(
            Email(to=fields["email"], subject="Verify your email", body=f"Your code: {otp}")
        )
    else:
        state.outbox.send(TextMessage(to=fields["phone_number"], body=f"Your code: {otp}"))
    location = f"{state.base_url}/me/v1/authentication-methods/{quote(method.id, safe='')}"
    response = json_ok(202, body)
    return HttpResponse(
        status=202, headers=(*response.headers, ("Location", location)), body=response.body
    )


def _creation_options(
    state: TenantState, user_id: str, passkey: PasskeyChallenge
) -> dict[str, Any]:
    """The WebAuthn creation options of a passkey enrollment, as the sign-up's: the user is
    the caller, and the credentials the user has already are excluded."""
    profile = state.users.profile(user_id)
    label = (profile.email if profile is not None else "") or user_id
    display = (profile.name if profile is not None else "") or label
    settings = state.passkeys.settings
    existing = [
        {"type": "public-key", "id": b64url(credential.credential_id)}
        for credential in state.passkeys.credentials.values()
        if credential.user_id == user_id and credential.rp_id == passkey.rp_id
    ]
    return {
        "challenge": b64url(passkey.challenge),
        "rp": {"id": passkey.rp_id, "name": settings.rp_name},
        "user": {"id": b64url(passkey.user_handle), "name": label, "displayName": display},
        "pubKeyCredParams": [{"type": "public-key", "alg": alg} for alg in ALGORITHMS],
        "authenticatorSelection": {"residentKey": "required", "userVerification": "required"},
        "excludeCredentials": existing,
        "timeout": settings.timeout * 1000,
    }


def _verify_passkey(
    state: TenantState, incoming: Incoming, pending: Enrollment, credential: object
) -> MethodRecord:
    """The passkey enrollment's method, once its registration credential is verified (the
    sign-up's verifier) and registered; the enrollment ends either way."""
    store = methods_of(state)
    passkey = pending.passkey
    assert passkey is not None
    if not isinstance(credential, dict):
        detail = "must be the browser's registration credential (an object)"
        raise invalid([field_error(detail, "authn_response", "body")])
    store.end(pending)  # the challenge answers one credential, right or wrong
    if not verifier_available():  # pragma: no cover - the tenant extra brings it
        raise reject(500, VERIFIER_MISSING)
    try:
        origin = checked_origin(state, credential, passkey.rp_id)
        registration = verify_registration(
            state, credential, challenge=passkey.challenge, rp_id=passkey.rp_id, origin=origin
        )
    except CredentialRefused as refused:
        raise reject(403, f"{refused} The enrollment was ended: start again.") from None
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    if not (isinstance(transports, list) and all(isinstance(t, str) for t in transports)):
        transports = []
    user_agent = incoming.request.header("user-agent")
    details = PasskeyDetails(
        credential_id=registration.credential_id,
        public_key=b64url(registration.public_key),
        user_handle=b64url(passkey.user_handle),
        relying_party_id=passkey.rp_id,
        aaguid=registration.aaguid,
        credential_device_type=registration.device_type,
        credential_backed_up=registration.backed_up,
        transports=tuple(transports),
        user_agent=user_agent[:255] if user_agent else None,
    )
    register_credential(
        state, registration, user_id=pending.method.user_id, user_handle=passkey.user_handle
    )
    method = attrs.evolve(pending.method, passkey=details)
    store.put(method)
    return method


@requires(CREATE_METHODS)
def verify(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``POST /me/v1/authentication-methods/{id}/verify``: confirm an enrollment (201) with
    ``otp_code`` (totp, email, phone) or ``authn_response`` (passkey)."""
    store = methods_of(state)
    document = json_object_body(incoming)
    errors = _unexpected(document, _VERIFY_MEMBERS)
    session = _text(document, "auth_session", errors)
    otp = _text(document, "otp_code", errors)
    if session is None:
        errors.append(field_error("is required", "auth_session", "body"))
    if otp is not None and not _OTP.fullmatch(otp):
        errors.append(field_error("must be 6 digits", "otp_code", "body"))
    if errors:
        raise invalid(errors)
    assert session is not None
    pending = store.enrollment(caller.user_id, incoming.path_params["id"])
    if pending is None:
        raise reject(404, "No enrollment of this authentication method is in progress.")
    if not hmac.compare_digest(session.encode(), pending.auth_session.encode()):
        raise reject(403, "The auth_session does not belong to this enrollment.")
    if pending.passkey is not None:
        if "authn_response" not in document:
            raise invalid([field_error("is required for this method", "authn_response", "body")])
        return json_ok(
            201, _verify_passkey(state, incoming, pending, document["authn_response"]).as_json()
        )
    if otp is None:
        raise invalid([field_error("is required for this method", "otp_code", "body")])
    method = pending.method
    if method.totp_secret is not None:
        right = totp_matches(method.totp_secret, otp, state.env.now())
    else:
        right = pending.otp_code == otp
    if not right:
        left = store.failed(pending)
        more = f" {left} attempts left." if left else " The enrollment was ended: start again."
        raise reject(403, "Invalid verification code." + more)
    return json_ok(201, store.confirm(pending).as_json())
