"""Native passkeys on the wire (protocol doc §8.11): the two challenge requests
(``POST /passkey/register``, ``POST /passkey/challenge``, JSON with the client's id and
secret in the body) and their answers, and the WebAuthn grant's JSON token request.

Pure: requests are built and answers parsed; :mod:`auth0_core.flows.passkeys` sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, json_body
from ..._passkey_types import (
    PasskeyLoginChallengeResponse,
    PasskeyPublicKeyOptions,
    PasskeySignupChallengeResponse,
)
from ..._webauthn_options import read_public_key_options
from ...errors import PasskeyError, PasskeyErrorCode
from ._oauth import tenant_headers
from .discovery import ServerMetadata
from .mfa import body_credentials

__all__ = [
    "PasskeyLoginChallengeResponse",
    "PasskeySignupChallengeResponse",
    "prepare_login_challenge_request",
    "prepare_signup_challenge_request",
    "prepare_webauthn_grant_request",
    "process_login_challenge_response",
    "process_signup_challenge_response",
]

_REGISTER_PATH = "/passkey/register"
_CHALLENGE_PATH = "/passkey/challenge"
_WEBAUTHN_GRANT = "urn:okta:params:oauth:grant-type:webauthn"
_FORWARDED_FOR = "auth0-forwarded-for"
_MAX_AUTH_SESSION = 4096


def _json_post(
    config: ClientConfig, url: str, body: Mapping[str, Any], client_ip: str | None
) -> HttpRequest:
    headers = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        *tenant_headers(config),
    ]
    if client_ip:
        headers.append((_FORWARDED_FOR, client_ip))
    return HttpRequest(method="POST", url=url, headers=tuple(headers), body=json_body(body))


def _challenge_request(
    config: ClientConfig, path: str, fields: Mapping[str, Any], client_ip: str | None
) -> HttpRequest:
    body: dict[str, Any] = {"client_id": config.client_id}
    if config.client_secret:
        body["client_secret"] = config.client_secret
    body.update(fields)
    return _json_post(config, f"{config.base_url}{path}", body, client_ip)


def prepare_signup_challenge_request(
    config: ClientConfig, fields: Mapping[str, Any], client_ip: str | None
) -> HttpRequest:
    """``POST {domain}/passkey/register`` with ``client_id``, the client secret when there is
    one (the challenge endpoints take no client assertion) and ``fields`` (``user_profile``,
    ``user_metadata``, ``realm``, ``organization``, ``delivery_method``)."""
    return _challenge_request(config, _REGISTER_PATH, fields, client_ip)


def prepare_login_challenge_request(
    config: ClientConfig, fields: Mapping[str, Any], client_ip: str | None
) -> HttpRequest:
    """``POST {domain}/passkey/challenge`` with ``client_id``, the client secret when there
    is one and ``fields`` (``realm``, ``organization``)."""
    return _challenge_request(config, _CHALLENGE_PATH, fields, client_ip)


def prepare_webauthn_grant_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    fields: Mapping[str, Any],
    client_ip: str | None,
) -> HttpRequest:
    """The WebAuthn grant at the token endpoint, as JSON (``authn_response`` is an object):
    ``fields`` and the client's credentials (secret or assertion) in the body, or
    ``client_id`` alone for a client that has neither.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    body: dict[str, Any] = {"grant_type": _WEBAUTHN_GRANT, "client_id": config.client_id}
    if config.client_secret or config.client_assertion_signing_key:
        credentials = body_credentials(config, {}, metadata.issuer)
        body.update({k: v for k, v in credentials.items() if v is not None})
    body.update(fields)
    return _json_post(config, metadata.token_endpoint, body, client_ip)


# --- answers --------------------------------------------------------------------------------


def _bad(what: str) -> PasskeyError:
    return PasskeyError(PasskeyErrorCode.INVALID_RESPONSE, f"The passkey challenge {what}.")


def _public_key_options(value: object) -> PasskeyPublicKeyOptions:
    """The ``authn_params_public_key`` object.

    Raises:
        PasskeyError: ``invalid_response``, a missing challenge or an ill-typed member.
    """
    try:
        return read_public_key_options(value)
    except ValueError as wrong:
        raise _bad(str(wrong)) from None


def _auth_session(document: Mapping[str, Any]) -> str:
    value = document.get("auth_session")
    if not isinstance(value, str) or not value or len(value) > _MAX_AUTH_SESSION:
        raise _bad("answer has no usable auth_session")
    return value


def process_signup_challenge_response(response: HttpResponse) -> PasskeySignupChallengeResponse:
    """The 200 answer of ``/passkey/register``.

    Raises:
        PasskeyError: ``invalid_response``: not JSON, or not the expected shape.
    """
    document = _document(response)
    required = document.get("verification_required")
    if required is not None and (
        not isinstance(required, list) or not all(isinstance(i, str) for i in required)
    ):
        raise _bad("answer's verification_required is not a list of names")
    return PasskeySignupChallengeResponse(
        auth_session=_auth_session(document),
        authn_params_public_key=_public_key_options(document.get("authn_params_public_key")),
        verification_required=list(required) if required is not None else None,
    )


def process_login_challenge_response(response: HttpResponse) -> PasskeyLoginChallengeResponse:
    """The 200 answer of ``/passkey/challenge``.

    Raises:
        PasskeyError: ``invalid_response``: not JSON, or not the expected shape.
    """
    document = _document(response)
    return PasskeyLoginChallengeResponse(
        auth_session=_auth_session(document),
        authn_params_public_key=_public_key_options(document.get("authn_params_public_key")),
    )


def _document(response: HttpResponse) -> dict[str, Any]:
    document = response.json_or_none()
    if not isinstance(document, dict):
        raise PasskeyError(
            PasskeyErrorCode.INVALID_RESPONSE,
            "Failed to parse the passkey challenge response as a JSON object.",
            status_code=response.status,
        )
    return document
