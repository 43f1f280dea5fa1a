"""Embedded passwordless (protocol doc §8.9): ``POST /passwordless/start`` and the
passwordless OTP grant at the token endpoint.

A refusal is a :class:`PasswordlessStartError` / :class:`PasswordlessVerifyError` whose ``code``
is the server's ``error`` (else ``too_many_requests`` for a 429, or the step's own code), with
``retry_after`` from an integer ``Retry-After``; an ``mfa_required`` answer to the OTP grant is
left to the flow as the :class:`OAuthError` it is (it seals the ``mfa_token``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

from ..._client_auth import Fields
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, json_body
from ..._passwordless_types import PasswordlessStartResult
from ...errors import (
    Auth0Error,
    OAuthError,
    PasswordlessErrorCode,
    PasswordlessStartError,
    PasswordlessVerifyError,
)
from ._oauth import body_credentials, client_authenticated_post, tenant_headers
from .discovery import ServerMetadata
from .token import TokenResponse, process_token_response

__all__ = [
    "prepare_passwordless_otp_request",
    "prepare_passwordless_start_request",
    "process_passwordless_otp_response",
    "process_passwordless_start_response",
]

_OTP_GRANT = "http://auth0.com/oauth/grant-type/passwordless/otp"
_FORWARDED_FOR = "auth0-forwarded-for"


def _extra_headers(language: str | None, client_ip: str | None) -> list[tuple[str, str]]:
    headers = []
    if language:
        headers.append(("x-request-language", language))
    if client_ip:
        headers.append((_FORWARDED_FOR, client_ip))
    return headers


def prepare_passwordless_start_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    body: Mapping[str, Any],
    *,
    language: str | None = None,
    client_ip: str | None = None,
) -> HttpRequest:
    """``POST {domain}/passwordless/start``: ``body`` (``connection``, ``email`` /
    ``phone_number``, ``send``, ``authParams``...) with the client's credentials in it;
    ``language`` as ``x-request-language``, ``client_ip`` as ``auth0-forwarded-for``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    document = {**body_credentials(config, {}, metadata.issuer), **body}
    return HttpRequest(
        method="POST",
        url=f"{config.base_url}/passwordless/start",
        headers=(
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            *tenant_headers(config),
            *_extra_headers(language, client_ip),
        ),
        body=json_body(document),
    )


def prepare_passwordless_otp_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    fields: Fields,
    *,
    client_ip: str | None = None,
) -> HttpRequest:
    """The passwordless OTP grant: ``fields`` (``realm``, ``username``, ``otp``, ``scope``,
    ``audience``) with the client's credentials; ``client_ip`` as ``auth0-forwarded-for``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    body: Fields = {"grant_type": _OTP_GRANT, **fields}
    request = client_authenticated_post(config, metadata.token_endpoint, body, metadata.issuer)
    return request.with_headers(*_extra_headers(None, client_ip))


def _retry_after(response: HttpResponse) -> int | None:
    raw = (response.header("retry-after") or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _refused(
    error: type[PasswordlessStartError] | type[PasswordlessVerifyError],
    response: HttpResponse,
    default: str,
) -> NoReturn:
    document = response.json_or_none()
    body = document if isinstance(document, dict) else None
    code = body.get("error") if body is not None else None
    if not isinstance(code, str) or not code:
        code = PasswordlessErrorCode.TOO_MANY_REQUESTS if response.status == 429 else default
    description = body.get("error_description") if body is not None else None
    if not isinstance(description, str) or not description:
        description = f"The tenant refused (HTTP {response.status})."
    raise error(
        code,
        description,
        body,
        _retry_after(response),
        error=code,
        error_description=description,
        status=response.status,
    )


def process_passwordless_start_response(response: HttpResponse) -> PasswordlessStartResult:
    """What the tenant answered to a start: the user's ``id`` (Auth0's ``_id``) and the rest.

    Raises:
        PasswordlessStartError: the tenant refused (``bad.email``, ``too_many_requests``...).
    """
    if response.status not in (200, 201):
        _refused(PasswordlessStartError, response, PasswordlessErrorCode.START_FAILED)
    document = response.json_or_none()
    document = document if isinstance(document, dict) else {}
    user_id = document.get("_id")
    return PasswordlessStartResult(
        id=user_id if isinstance(user_id, str) else None,
        extra={k: v for k, v in document.items() if k != "_id"},
    )


def process_passwordless_otp_response(response: HttpResponse) -> TokenResponse:
    """The OTP grant's tokens.

    Raises:
        OAuthError: ``mfa_required`` (the flow seals its ``mfa_token``).
        PasswordlessVerifyError: any other refusal (``invalid_grant``, ``too_many_requests``
            with ``retry_after``...) or a malformed answer (``passwordless_verify_failed``).
    """
    try:
        return process_token_response(response)
    except OAuthError as refused:
        if refused.error == "mfa_required":
            raise
        _refused(PasswordlessVerifyError, response, PasswordlessErrorCode.INVALID_GRANT)
    except Auth0Error:
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED,
            "The token response is malformed.",
            status=response.status,
        ) from None
