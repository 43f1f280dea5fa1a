"""The token endpoint: request preparation and strict response processing."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import attrs

from ._client_auth import Fields, authenticate
from ._config import ClientConfig
from ._http import HttpRequest, HttpResponse, body_excerpt, form_request
from ._metadata import ServerMetadata
from ._telemetry import auth0_client_header
from .errors import InvalidResponse, OAuthError


@attrs.frozen(kw_only=True)
class TokenResponse:
    """A successful token-endpoint answer. Tokens are never shown in the repr."""

    access_token: str = attrs.field(repr=False)
    token_type: str
    expires_in: int | None
    scope: str | None
    id_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    authorization_details: tuple[Mapping[str, Any], ...] | None = None


def tenant_headers(config: ClientConfig) -> tuple[tuple[str, str], ...]:
    """Headers sent on every request to the tenant (telemetry, unless turned off)."""
    return (auth0_client_header(),) if config.telemetry else ()


def prepare_token_request(
    config: ClientConfig, metadata: ServerMetadata, fields: Fields
) -> HttpRequest:
    """A client-authenticated, form-encoded POST to the token endpoint."""
    body, auth_headers = authenticate(config, fields, metadata.issuer)
    return form_request(
        metadata.token_endpoint,
        body,
        headers=(("Accept", "application/json"), *auth_headers, *tenant_headers(config)),
    )


def raise_for_oauth_error(response: HttpResponse) -> None:
    """Raise the typed error for a non-2xx token-style response.

    Raises:
        OAuthError: the body is an OAuth error object; keeps ``error``, ``error_description``,
            ``error_uri`` and the HTTP status.
        InvalidResponse: the body is not an OAuth error object (HTML from a proxy, empty...).
    """
    if 200 <= response.status < 300:
        return
    document = response.json_or_none()
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        description = document.get("error_description")
        error_uri = document.get("error_uri")
        raise OAuthError(
            document["error"],
            description if isinstance(description, str) else None,
            status=response.status,
            error_uri=error_uri if isinstance(error_uri, str) else None,
        )
    raise InvalidResponse(
        "the token endpoint answered an error without an OAuth error body",
        status=response.status,
        excerpt=body_excerpt(response.body),
    )


# Auth0's tokens are a few kilobytes, a JWT with many permissions some tens: a member longer
# than this is a broken or hostile answer, refused before it reaches a session or a cookie.
MAX_MEMBER_CHARS = 64 * 1024


def _bounded(name: str, value: str) -> str:
    if len(value) > MAX_MEMBER_CHARS:
        raise InvalidResponse(
            f"token response member '{name}' is {len(value)} characters long "
            f"(at most {MAX_MEMBER_CHARS} are accepted)"
        )
    return value


def _optional_str(document: Mapping[str, object], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidResponse(f"token response member '{name}' is not a string")
    return _bounded(name, value)


def process_token_response(response: HttpResponse) -> TokenResponse:
    """Validate a token-endpoint response.

    Raises:
        OAuthError: the server answered an OAuth error.
        InvalidResponse: the answer is not a well-formed token response.
    """
    raise_for_oauth_error(response)
    if response.status != 200:
        raise InvalidResponse("unexpected token endpoint status", status=response.status)
    document = response.json_object()
    access_token = document.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise InvalidResponse("token response has no access_token")
    _bounded("access_token", access_token)
    token_type = document.get("token_type", "Bearer")
    if not isinstance(token_type, str):
        raise InvalidResponse("token response member 'token_type' is not a string")
    _bounded("token_type", token_type)
    expires_in = document.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isascii() and expires_in.isdigit():
        # Some servers send a numeric string; only plain ASCII digits of sane length count.
        expires_in = int(expires_in) if len(expires_in) <= 10 else None
    if expires_in is not None and (
        not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in < 0
    ):
        raise InvalidResponse("token response member 'expires_in' is not a whole number")
    details = document.get("authorization_details")
    if details is not None and (
        not isinstance(details, list) or not all(isinstance(d, dict) for d in details)
    ):
        raise InvalidResponse("token response member 'authorization_details' is malformed")
    return TokenResponse(
        access_token=access_token,
        token_type=token_type,
        expires_in=expires_in,
        scope=_optional_str(document, "scope"),
        id_token=_optional_str(document, "id_token"),
        refresh_token=_optional_str(document, "refresh_token"),
        authorization_details=tuple(details) if details is not None else None,
    )


def unverified_audiences(access_token: str) -> list[str] | None:
    """The ``aud`` of a JWT access token, read without verification; None for opaque tokens.

    Only used to notice that the tenant answered for another audience than the one asked
    (MRRT silently falls back to the default audience, protocol doc §4.5); the API that
    receives the token verifies it.
    """
    parts = access_token.split(".")
    if len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError):
        return None
    if not isinstance(claims, dict):
        return None
    audience = claims.get("aud")
    if isinstance(audience, str):
        return [audience]
    if isinstance(audience, list) and all(isinstance(a, str) for a in audience):
        return list(audience)
    return None
