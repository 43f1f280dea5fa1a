"""The MFA API (protocol doc §8.10): ``/mfa/authenticators``, ``/mfa/associate``,
``/mfa/challenge`` and the MFA grants at the token endpoint.

Each ``prepare_*`` builds the request, each ``process_*`` reads the answer into the result type
of :mod:`auth0_core._mfa_types` or raises the step's error (:class:`MfaListAuthenticatorsError`,
:class:`MfaEnrollmentError`, :class:`MfaChallengeError`, :class:`MfaVerifyError`), whose
``cause`` is the server's error body when it sent one. No raw ``mfa_token``, code or secret is
ever put in a message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..._client_auth import Fields
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, json_body
from ..._mfa_types import (
    AuthenticatorResponse,
    ChallengeResponse,
    EnrollmentResponse,
    OobEnrollmentResponse,
    OtpEnrollmentResponse,
)
from ...errors import MfaApiError, ProtocolError
from ._oauth import body_credentials as body_credentials  # also imported from here
from ._oauth import client_authenticated_post, tenant_headers
from .discovery import ServerMetadata
from .token import TokenResponse, process_token_response

__all__ = [
    "prepare_associate_request",
    "prepare_challenge_request",
    "prepare_list_authenticators_request",
    "prepare_mfa_verify_request",
    "process_associate_response",
    "process_challenge_response",
    "process_list_authenticators_response",
    "process_mfa_verify_response",
]

# The MFA grant for the credential a verification carries.
_GRANTS = {
    "otp": "http://auth0.com/oauth/grant-type/mfa-otp",
    "oob_code": "http://auth0.com/oauth/grant-type/mfa-oob",
    "recovery_code": "http://auth0.com/oauth/grant-type/mfa-recovery-code",
}

# An answer longer than this is refused before it is parsed into results.
_MAX_ITEMS = 100
_MAX_TEXT = 8 * 1024

_E = TypeVar("_E", bound=MfaApiError)


def _json_request(
    config: ClientConfig, method: str, url: str, *, bearer: str | None, body: object = None
) -> HttpRequest:
    headers: list[tuple[str, str]] = [("Accept", "application/json")]
    if bearer is not None:
        headers.append(("Authorization", f"Bearer {bearer}"))
    if body is not None:
        headers.insert(0, ("Content-Type", "application/json"))
    headers.extend(tenant_headers(config))
    return HttpRequest(
        method=method,
        url=url,
        headers=tuple(headers),
        body=json_body(body) if body is not None else b"",
    )


def prepare_list_authenticators_request(config: ClientConfig, mfa_token: str) -> HttpRequest:
    """``GET {domain}/mfa/authenticators`` with the raw ``mfa_token`` as a bearer token."""
    return _json_request(config, "GET", f"{config.base_url}/mfa/authenticators", bearer=mfa_token)


def prepare_associate_request(
    config: ClientConfig, mfa_token: str, body: Mapping[str, Any]
) -> HttpRequest:
    """``POST {domain}/mfa/associate``: ``{"authenticator_types": [...], "oob_channels"?,
    "phone_number"?, "email"?}`` with the raw ``mfa_token`` as a bearer token."""
    return _json_request(
        config, "POST", f"{config.base_url}/mfa/associate", bearer=mfa_token, body=dict(body)
    )


def prepare_challenge_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    mfa_token: str,
    challenge_type: str,
    authenticator_id: str | None,
) -> HttpRequest:
    """``POST {domain}/mfa/challenge`` with ``client_id``, the client's credentials,
    ``mfa_token``, ``challenge_type`` and optionally ``authenticator_id``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {"mfa_token": mfa_token, "challenge_type": challenge_type}
    if authenticator_id is not None:
        fields["authenticator_id"] = authenticator_id
    body = body_credentials(config, fields, metadata.issuer)
    return _json_request(config, "POST", f"{config.base_url}/mfa/challenge", bearer=None, body=body)


def prepare_mfa_verify_request(
    config: ClientConfig, metadata: ServerMetadata, fields: Fields
) -> HttpRequest:
    """An MFA grant at the token endpoint: ``mfa-otp``, ``mfa-oob`` or ``mfa-recovery-code``,
    for the one credential ``fields`` carry (``otp``; ``oob_code`` and ``binding_code``;
    ``recovery_code``) with the raw ``mfa_token``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    grant_type = next(_GRANTS[name] for name in _GRANTS if fields.get(name))
    body: Fields = {"grant_type": grant_type, **fields}
    return client_authenticated_post(config, metadata.token_endpoint, body, metadata.issuer)


def process_mfa_verify_response(response: HttpResponse) -> TokenResponse:
    """The tokens of an MFA grant (a new ``recovery_code`` stays in the response body).

    Raises:
        OAuthError: the tenant refused (``mfa_required`` too: one more factor).
        InvalidResponse: the answer is not a well-formed token response.
    """
    return process_token_response(response)


def _refusal_body(response: HttpResponse) -> dict[str, Any] | None:
    """The JSON object of an error answer, or None when it sent none."""
    document = response.json_or_none()
    return document if isinstance(document, dict) else None


def _raise_refusal(response: HttpResponse, error: Callable[..., _E], default: str) -> None:
    """Raise ``error`` for a non-2xx answer: the server's description (or ``default``), its
    body as ``cause`` and the HTTP status."""
    if 200 <= response.status < 300:
        return
    body = _refusal_body(response)
    description = body.get("error_description") if body is not None else None
    if not isinstance(description, str) or not description:
        description = f"{default} (HTTP {response.status})"
    raise error(description, body, status=response.status)


def _document(response: HttpResponse, error: Callable[..., _E], what: str) -> object:
    try:
        return response.json()
    except ProtocolError:
        raise error(f"The {what} answer is not JSON.", status=response.status) from None


def _text(value: object, name: str, error: Callable[..., _E], *, required: bool = False) -> Any:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > _MAX_TEXT:
        raise error(f"The answer's '{name}' is missing or not text.")
    return value


def _codes(value: object, error: Callable[..., _E]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > _MAX_ITEMS:
        raise error("The answer's 'recovery_codes' is not a list of text.")
    return tuple(_text(item, "recovery_codes", error, required=True) for item in value)


def _extra(document: Mapping[str, Any], known: set[str]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k not in known}


_AUTHENTICATOR_TEXT = ("name", "oob_channel", "type", "phone_number", "created_at", "last_auth")


def process_list_authenticators_response(response: HttpResponse) -> list[AuthenticatorResponse]:
    """The user's authenticators.

    Raises:
        MfaListAuthenticatorsError: the tenant refused, or answered something malformed.
    """
    from ...errors import MfaListAuthenticatorsError as Error

    _raise_refusal(response, Error, "Failed to list authenticators")
    document = _document(response, Error, "authenticators")
    if not isinstance(document, list) or len(document) > _MAX_ITEMS:
        raise Error("The authenticators answer is not a list.", status=response.status)
    found = []
    for item in document:
        if not isinstance(item, dict):
            raise Error("An authenticator in the answer is not an object.")
        active = item.get("active", True)
        if not isinstance(active, bool):
            raise Error("An authenticator's 'active' is not true or false.")
        texts = {name: _text(item.get(name), name, Error) for name in _AUTHENTICATOR_TEXT}
        found.append(
            AuthenticatorResponse(
                id=_text(item.get("id"), "id", Error, required=True),
                authenticator_type=_text(
                    item.get("authenticator_type"), "authenticator_type", Error, required=True
                ),
                active=active,
                extra=_extra(item, {"id", "authenticator_type", "active", *_AUTHENTICATOR_TEXT}),
                **texts,
            )
        )
    return found


def process_associate_response(response: HttpResponse) -> EnrollmentResponse:
    """The enrollment: OTP (secret, QR code URI) or out-of-band (``oob_code``...).

    Raises:
        MfaEnrollmentError: the tenant refused, or answered something malformed.
    """
    from ...errors import MfaEnrollmentError as Error

    _raise_refusal(response, Error, "Failed to enroll authenticator")
    document = _document(response, Error, "enrollment")
    if not isinstance(document, dict):
        raise Error("The enrollment answer is not an object.", status=response.status)
    kind = document.get("authenticator_type")
    codes = _codes(document.get("recovery_codes"), Error)
    if kind == "otp":
        known = {"authenticator_type", "secret", "barcode_uri", "recovery_codes", "id"}
        return OtpEnrollmentResponse(
            secret=_text(document.get("secret"), "secret", Error, required=True),
            barcode_uri=_text(document.get("barcode_uri"), "barcode_uri", Error, required=True),
            recovery_codes=codes,
            id=_text(document.get("id"), "id", Error),
            extra=_extra(document, known),
        )
    if kind == "oob":
        known = {
            "authenticator_type", "oob_channel", "oob_code", "barcode_uri", "binding_method",
            "recovery_codes", "id",
        }  # fmt: skip
        return OobEnrollmentResponse(
            oob_channel=_text(document.get("oob_channel"), "oob_channel", Error, required=True),
            oob_code=_text(document.get("oob_code"), "oob_code", Error),
            barcode_uri=_text(document.get("barcode_uri"), "barcode_uri", Error),
            binding_method=_text(document.get("binding_method"), "binding_method", Error),
            recovery_codes=codes,
            id=_text(document.get("id"), "id", Error),
            extra=_extra(document, known),
        )
    raise Error("The enrollment answer names an unknown authenticator type.")


def process_challenge_response(response: HttpResponse) -> ChallengeResponse:
    """The challenge started.

    Raises:
        MfaChallengeError: the tenant refused, or answered something malformed.
    """
    from ...errors import MfaChallengeError as Error

    _raise_refusal(response, Error, "Failed to challenge authenticator")
    document = _document(response, Error, "challenge")
    if not isinstance(document, dict):
        raise Error("The challenge answer is not an object.", status=response.status)
    expires_in = document.get("expires_in")
    if expires_in is not None and (
        not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 0
    ):
        raise Error("The challenge answer's 'expires_in' is not a whole number.")
    return ChallengeResponse(
        challenge_type=_text(
            document.get("challenge_type"), "challenge_type", Error, required=True
        ),
        oob_code=_text(document.get("oob_code"), "oob_code", Error),
        binding_method=_text(document.get("binding_method"), "binding_method", Error),
        expires_in=expires_in,
        extra=_extra(document, {"challenge_type", "oob_code", "binding_method", "expires_in"}),
    )
