"""Factors and authentication methods of the My Account API (protocol doc §8.12): list the
factors; list, get, enroll, verify, update and delete the user's methods.

Each ``prepare`` checks its arguments and raises :class:`InvalidArgumentError` (or
:class:`MissingRequiredArgumentError`) before anything is sent; a method id is percent-encoded
into the path (``totp|dev_x`` -> ``totp%7Cdev_x``). Each ``process`` reads the answer into the
official SDK's result types or raises :class:`MyAccountApiError` (the API refused) or
:class:`InvalidResponse` (the answer is not what the API sends).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import attrs

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ..._my_account_method_types import (
    AUTHENTICATION_METHOD_TYPES,
    AuthenticationMethod,
    EnrollAuthenticationMethodRequest,
    EnrollmentChallengeResponse,
    Factor,
    GetFactorsResponse,
    ListAuthenticationMethodsResponse,
    PasskeyAuthResponse,
    UpdateAuthenticationMethodRequest,
    VerifyAuthenticationMethodRequest,
)
from ...errors import InvalidArgumentError, InvalidResponse, MissingRequiredArgumentError
from ._api import my_account_request, raise_for_problem

__all__ = [
    "prepare_delete_authentication_method_request",
    "prepare_enroll_authentication_method_request",
    "prepare_get_authentication_method_request",
    "prepare_get_factors_request",
    "prepare_list_authentication_methods_request",
    "prepare_update_authentication_method_request",
    "prepare_verify_authentication_method_request",
    "process_delete_authentication_method_response",
    "process_enroll_authentication_method_response",
    "process_get_factors_response",
    "process_list_authentication_methods_response",
    "process_get_authentication_method_response",
    "process_update_authentication_method_response",
    "process_verify_authentication_method_response",
]

_PATH = "authentication-methods"
_MAX_ID = 512
_MAX_NAME = 255
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_T = TypeVar("_T")


# --- argument checks ------------------------------------------------------------------------


def _method_id(value: object) -> str:
    if value is None or value == "":
        raise MissingRequiredArgumentError("authentication_method_id")
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > _MAX_ID
        or _CONTROL.search(value)
    ):
        raise InvalidArgumentError(
            "authentication_method_id",
            f"authentication_method_id must be a non-blank string of at most {_MAX_ID} "
            "characters without control characters.",
        )
    return value


def _method_path(method_id: object, suffix: str = "") -> str:
    return f"{_PATH}/{quote(_method_id(method_id), safe='')}{suffix}"


def _coerce(cls: type[_T], value: object) -> _T:
    """``value`` as ``cls``: an instance, or a dict of its field names."""
    if value is None:
        raise MissingRequiredArgumentError("request")
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise InvalidArgumentError("request", f"request must be a {cls.__name__} or a dict.")
    names = {field.name for field in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(str(key) for key in value if key not in names)
    if unknown:
        raise InvalidArgumentError(
            "request", f"{cls.__name__} has no member(s) {', '.join(unknown)}."
        )
    try:
        return cls(**value)
    except TypeError:  # a required member missing
        raise InvalidArgumentError(
            "request", f"request lacks a member {cls.__name__} needs."
        ) from None


def _text(name: str, value: str | None, limit: int = 4096) -> None:
    if value is not None and (not value.strip() or len(value) > limit or _CONTROL.search(value)):
        raise InvalidArgumentError(
            name, f"{name} must be a non-blank line of at most {limit} characters."
        )


# --- requests -------------------------------------------------------------------------------


def prepare_get_factors_request(config: ClientConfig) -> HttpRequest:
    """``GET /me/v1/factors`` (needs ``read:me:factors``)."""
    return my_account_request(config, "GET", "factors")


def prepare_list_authentication_methods_request(
    config: ClientConfig, type_filter: object = None
) -> HttpRequest:
    """``GET /me/v1/authentication-methods[?type=]`` (needs ``read:me:authentication_methods``).

    Raises:
        InvalidArgumentError: a ``type_filter`` that is no method type.
    """
    if type_filter is None or type_filter == "":
        return my_account_request(config, "GET", _PATH)
    if type_filter not in AUTHENTICATION_METHOD_TYPES:
        raise InvalidArgumentError(
            "type_filter", f"type_filter must be one of {', '.join(AUTHENTICATION_METHOD_TYPES)}."
        )
    return my_account_request(config, "GET", _PATH, query=[("type", str(type_filter))])


def prepare_get_authentication_method_request(
    config: ClientConfig, authentication_method_id: object
) -> HttpRequest:
    """``GET /me/v1/authentication-methods/{id}`` (needs ``read:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no id, or one no path can carry.
    """
    return my_account_request(config, "GET", _method_path(authentication_method_id))


def prepare_delete_authentication_method_request(
    config: ClientConfig, authentication_method_id: object
) -> HttpRequest:
    """``DELETE /me/v1/authentication-methods/{id}`` (needs ``delete:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: as for get.
    """
    return my_account_request(config, "DELETE", _method_path(authentication_method_id))


def prepare_update_authentication_method_request(
    config: ClientConfig, authentication_method_id: object, request: object
) -> HttpRequest:
    """``PATCH /me/v1/authentication-methods/{id}`` (needs ``update:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError: no id or no request.
        InvalidArgumentError: a bad id, a request that changes nothing, a blank or over-long
            name.
    """
    path = _method_path(authentication_method_id)
    update = _coerce(UpdateAuthenticationMethodRequest, request)
    _text("name", update.name, _MAX_NAME)
    body = update.to_dict()
    if not body:
        raise InvalidArgumentError(
            "request", "request must change the name or the preferred_authentication_method."
        )
    return my_account_request(config, "PATCH", path, body=body)


def prepare_enroll_authentication_method_request(
    config: ClientConfig, request: object
) -> HttpRequest:
    """``POST /me/v1/authentication-methods`` (needs ``create:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError: no request, or an email or phone enrollment without
            its ``email`` or ``phone_number``.
        InvalidArgumentError: a type outside the closed set, an address that is no e-mail
            address, a number that is not E.164.
    """
    enroll = _coerce(EnrollAuthenticationMethodRequest, request)
    if enroll.type == "email":
        if not enroll.email:
            raise MissingRequiredArgumentError("email")
        if len(enroll.email) > 254 or not _EMAIL.fullmatch(enroll.email):
            raise InvalidArgumentError("email", "email must be an e-mail address.")
    if enroll.type == "phone":
        if not enroll.phone_number:
            raise MissingRequiredArgumentError("phone_number")
        if not _PHONE.fullmatch(enroll.phone_number):
            raise InvalidArgumentError(
                "phone_number", "phone_number must be E.164: '+' and 7 to 15 digits."
            )
    _text("identity_user_id", enroll.identity_user_id, 255)
    _text("connection", enroll.connection, 128)
    return my_account_request(config, "POST", _PATH, body=enroll.to_dict())


def prepare_verify_authentication_method_request(
    config: ClientConfig, authentication_method_id: object, request: object
) -> HttpRequest:
    """``POST /me/v1/authentication-methods/{id}/verify`` (needs
    ``create:me:authentication_methods``).

    Raises:
        MissingRequiredArgumentError: no id, no request, no ``auth_session``.
        InvalidArgumentError: a bad id; a blank or multi-line proof.
    """
    path = _method_path(authentication_method_id, "/verify")
    if isinstance(request, Mapping) and isinstance(request.get("authn_response"), Mapping):
        # The browser's credential as it comes (rawId, ...) or with the snake_case names.
        names = {alias: name for name, alias in PasskeyAuthResponse._aliases.items()}
        credential = {names.get(k, k): v for k, v in request["authn_response"].items()}
        request = {**request, "authn_response": _coerce(PasskeyAuthResponse, credential)}
    proof = _coerce(VerifyAuthenticationMethodRequest, request)
    if not proof.auth_session:
        raise MissingRequiredArgumentError("auth_session")
    for name in ("auth_session", "otp_code", "recovery_code", "password"):
        value = getattr(proof, name)
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError(name, f"{name} must be a string.")
        _text(name, value)
    if proof.authn_response is not None and not isinstance(
        proof.authn_response, PasskeyAuthResponse
    ):
        raise InvalidArgumentError(
            "authn_response", "authn_response must be a PasskeyAuthResponse."
        )
    return my_account_request(config, "POST", path, body=proof.to_dict())


# --- answers --------------------------------------------------------------------------------


def _strings(value: object, what: str) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidResponse(f"{what} is not a list of strings")
    return list(value)


_METHOD_FIELDS = frozenset(f.name for f in attrs.fields(AuthenticationMethod)) - {"extra"}
_BOOLEANS = frozenset({"confirmed", "credential_backed_up"})
_LISTS = frozenset({"usage", "transports"})


def _fits(name: str, value: object) -> bool:
    if value is None:
        return True
    if name in _BOOLEANS:
        return isinstance(value, bool)
    if name in _LISTS:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, str)


def _method(document: object) -> AuthenticationMethod:
    if not isinstance(document, Mapping):
        raise InvalidResponse("an authentication method is not a JSON object")
    for name in ("id", "type", "created_at"):
        value = document.get(name)
        if not (isinstance(value, str) and value):
            raise InvalidResponse(f"an authentication method has no {name}")
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in document.items():
        if key not in _METHOD_FIELDS:
            extra[str(key)] = value
            continue
        if not _fits(key, value):
            raise InvalidResponse(f"an authentication method's {key} has a wrong type")
        known[key] = list(value) if isinstance(value, list) else value
    return AuthenticationMethod(**known, extra=extra)


def _factor(document: object) -> Factor:
    if not isinstance(document, Mapping):
        raise InvalidResponse("a factor is not a JSON object")
    kind = document.get("type")
    if not (isinstance(kind, str) and kind):
        raise InvalidResponse("a factor has no type")
    usage = _strings(document.get("usage"), "a factor's usage")
    extra = {str(k): v for k, v in document.items() if k not in ("type", "usage")}
    return Factor(type=kind, usage=usage, extra=extra)


def process_get_factors_response(response: HttpResponse) -> GetFactorsResponse:
    """The factors (200): ``{"factors": [...]}`` as Auth0's OpenAPI file says, or the bare
    array the official SDK says Auth0 answers (protocol doc 11, item 18).

    Raises:
        MyAccountApiError: the API refused.
        InvalidResponse: neither shape, or a factor without a type.
    """
    raise_for_problem(response, (200,))
    document = response.json_or_none()
    items = document.get("factors") if isinstance(document, Mapping) else document
    if not isinstance(items, list):
        raise InvalidResponse("the factors answer is not a list of factors", status=200)
    return GetFactorsResponse(factors=[_factor(item) for item in items])


def process_list_authentication_methods_response(
    response: HttpResponse,
) -> ListAuthenticationMethodsResponse:
    """The user's methods (200).

    Raises:
        MyAccountApiError: the API refused.
        InvalidResponse: not a list of methods.
    """
    raise_for_problem(response, (200,))
    items = response.json_object().get("authentication_methods")
    if not isinstance(items, list):
        raise InvalidResponse("the answer has no list of authentication methods", status=200)
    return ListAuthenticationMethodsResponse(authentication_methods=[_method(i) for i in items])


def _one_method(response: HttpResponse, expected: tuple[int, ...]) -> AuthenticationMethod:
    raise_for_problem(response, expected)
    return _method(response.json_object())


def process_get_authentication_method_response(response: HttpResponse) -> AuthenticationMethod:
    """The method (200).

    Raises:
        MyAccountApiError: the API refused (404: no such method).
        InvalidResponse: the answer is not a method.
    """
    return _one_method(response, (200,))


def process_update_authentication_method_response(
    response: HttpResponse,
) -> AuthenticationMethod:
    """The method as it is now (200).

    Raises:
        MyAccountApiError: the API refused (400: a bad change; 404: no such method).
        InvalidResponse: the answer is not a method.
    """
    return _one_method(response, (200,))


def process_verify_authentication_method_response(
    response: HttpResponse,
) -> AuthenticationMethod:
    """The method just confirmed (201).

    Raises:
        MyAccountApiError: the API refused (403: a wrong code; 404: no enrollment).
        InvalidResponse: the answer is not a method.
    """
    return _one_method(response, (200, 201))


def process_delete_authentication_method_response(response: HttpResponse) -> None:
    """Nothing: the method is gone (204).

    Raises:
        MyAccountApiError: the API refused (404: no such method).
    """
    raise_for_problem(response, (200, 204))


def _location_id(location: str | None) -> str:
    """The new method's id: the last segment of the ``Location`` header, percent-decoded."""
    if not location:
        raise InvalidResponse("the enrollment answer has no Location header", status=202)
    path = urlsplit(location).path.rstrip("/")
    head, _, last = path.rpartition("/")
    method_id = unquote(last)
    if not head or not method_id or method_id in (_PATH, "v1", "me"):
        raise InvalidResponse("the enrollment answer's Location names no method", status=202)
    return method_id


_CHALLENGE_TEXT = ("barcode_uri", "manual_input_code", "recovery_code")


def process_enroll_authentication_method_response(
    response: HttpResponse,
) -> EnrollmentChallengeResponse:
    """An enrollment started (202): the method id from ``Location`` and the body's members.

    Raises:
        MyAccountApiError: the API refused (400: a type the tenant does not enroll, a bad
            address; 403: a missing scope).
        InvalidResponse: no usable ``Location``, no ``auth_session``, a member of a wrong type.
    """
    raise_for_problem(response, (201, 202))
    method_id = _location_id(response.header("location"))
    document = response.json_object()
    session = document.get("auth_session")
    if not (isinstance(session, str) and session):
        raise InvalidResponse("the enrollment answer has no auth_session", status=202)
    options = document.get("authn_params_public_key")
    if options is not None and not isinstance(options, Mapping):
        raise InvalidResponse("the enrollment's authn_params_public_key is no object", status=202)
    creation = None
    if options is not None:
        from ..._webauthn_options import read_public_key_options  # loaded on first use

        try:  # read as the passkey sign-up challenge's options are
            creation = read_public_key_options(dict(options))
        except ValueError as wrong:
            raise InvalidResponse(f"the enrollment {wrong}", status=202) from None
    texts: dict[str, str | None] = {}
    for name in _CHALLENGE_TEXT:
        value = document.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidResponse(f"the enrollment's {name} is not a string", status=202)
        texts[name] = value
    known = {"auth_session", "authn_params_public_key", "authentication_method_id", *texts}
    extra = {str(k): v for k, v in document.items() if k not in known}
    return EnrollmentChallengeResponse(
        authentication_method_id=method_id,
        auth_session=session,
        authn_params_public_key=creation,
        extra=extra,
        **texts,
    )
