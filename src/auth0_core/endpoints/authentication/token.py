"""The token endpoint, ``POST /oauth/token``: one ``prepare`` per grant the SDK uses, and
strict processing of the answer (protocol doc §2.5, §4.2, §6, §8.4)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ..._client_auth import Fields
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ...errors import InvalidResponse
from ._oauth import client_authenticated_post, raise_for_oauth_error
from .discovery import ServerMetadata

__all__ = [
    "TokenResponse",
    "prepare_authorization_code_request",
    "prepare_client_credentials_request",
    "prepare_connection_token_request",
    "prepare_refresh_token_request",
    "process_refresh_token_response",
    "process_token_response",
]

# Token Vault's exchange (protocol doc §6): the grant, what it asks for, and what it may give.
_FEDERATED_GRANT = (
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
)
_FEDERATED_TOKEN_TYPE = "http://auth0.com/oauth/token-type/federated-connection-access-token"
_SUBJECT_TOKEN_TYPES = {
    "refresh_token": "urn:ietf:params:oauth:token-type:refresh_token",
    "access_token": "urn:ietf:params:oauth:token-type:access_token",
}


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
    # What the answer itself says its access token is for (a non-standard ``aud``,
    # ``audience`` or ``resource`` member; None when it says nothing): the audience check
    # reads it for tokens it cannot decode (docs/standard-dialect.md).
    audiences: tuple[str, ...] | None = None


def _target_field(config: ClientConfig) -> str:
    """The token request's name for "the API this token is for": Auth0's ``audience``, or
    RFC 8707's ``resource`` in the standard dialect (docs/standard-dialect.md)."""
    return "resource" if config.dialect == "standard" else "audience"


def _token_request(config: ClientConfig, metadata: ServerMetadata, fields: Fields) -> HttpRequest:
    return client_authenticated_post(config, metadata.token_endpoint, fields, metadata.issuer)


def prepare_authorization_code_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    resource: str | None = None,
) -> HttpRequest:
    """The callback's code for tokens (PKCE): ``redirect_uri`` and ``code_verifier`` are the
    ones the login started with. ``resource`` (RFC 8707 §2.2, the standard dialect) picks
    the API the access token is for; None leaves it out.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        # None for a passwordless magic link's code (Auth0 takes no PKCE there): left out.
        "code_verifier": code_verifier or None,
    }
    if resource is not None:
        fields["resource"] = resource
    return _token_request(config, metadata, fields)


def prepare_refresh_token_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    *,
    refresh_token: str,
    audience: str | None,
    scope: str | None,
) -> HttpRequest:
    """A refresh, used as a Multi-Resource Refresh Token when ``audience`` is another API's
    (sent as ``resource`` in the standard dialect, RFC 8707 §2.2).

    A None audience, and a None or empty scope, are left out.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        _target_field(config): audience,
        "scope": scope or None,
    }
    return _token_request(config, metadata, fields)


def prepare_client_credentials_request(
    config: ClientConfig, metadata: ServerMetadata, *, audience: str, organization: str | None
) -> HttpRequest:
    """A token for the application itself at ``audience`` (sent as ``resource`` in the
    standard dialect; left out: a None organization).

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {
        "grant_type": "client_credentials",
        _target_field(config): audience,
        "organization": organization,
    }
    return _token_request(config, metadata, fields)


def prepare_connection_token_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    *,
    subject_token: str,
    subject_token_kind: Literal["refresh_token", "access_token"],
    connection: str,
    login_hint: str | None,
) -> HttpRequest:
    """Token Vault's exchange: the user's ``subject_token`` (a refresh token, or an access
    token for a backend that holds only that) for their token at ``connection``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {
        "grant_type": _FEDERATED_GRANT,
        "subject_token": subject_token,
        "subject_token_type": _SUBJECT_TOKEN_TYPES[subject_token_kind],
        "requested_token_type": _FEDERATED_TOKEN_TYPE,
        "connection": connection,
        "login_hint": login_hint,
    }
    return _token_request(config, metadata, fields)


# Auth0's tokens are a few kilobytes, a JWT with many permissions some tens: a member longer
# than this is a broken or hostile answer, refused before it reaches a session or a cookie.
_MAX_MEMBER_CHARS = 64 * 1024
# RFC 6749 A.12/A.17: VSCHAR (%x20-7E) for access and refresh tokens, and nothing else fits
# an Authorization header or a form value as sent.
_VSCHAR = re.compile(r"[\x20-\x7e]+")
# Ten years: a longer lifetime is a broken answer (and one of 4,300 digits cannot be stored).
_MAX_EXPIRES_IN = 10 * 365 * 86_400


def _bounded(name: str, value: str) -> str:
    if len(value) > _MAX_MEMBER_CHARS:
        raise InvalidResponse(
            f"token response member '{name}' is {len(value)} characters long "
            f"(at most {_MAX_MEMBER_CHARS} are accepted)"
        )
    return value


def _optional_str(document: Mapping[str, object], name: str) -> str | None:
    value = document.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidResponse(f"token response member '{name}' is not a string")
    return _bounded(name, value)


def _token(name: str, value: str | None) -> str | None:
    """A token as RFC 6749 writes it (A.12, A.17: visible ASCII and space), which every header
    and form it is sent in can carry; anything else is refused, never quoted."""
    if value is not None and not _VSCHAR.fullmatch(value):
        raise InvalidResponse(f"token response member '{name}' holds characters no token has")
    return value


def _expires_in(document: Mapping[str, object]) -> int | None:
    value = document.get("expires_in")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        # Some servers send a numeric string; only plain ASCII digits count (and a long run of
        # them is out of range, without converting it).
        value = int(value) if len(value) <= 12 else _MAX_EXPIRES_IN + 1
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_EXPIRES_IN:
        raise InvalidResponse(
            "token response member 'expires_in' is not a whole number of seconds "
            f"from 0 to {_MAX_EXPIRES_IN}"
        )
    return value


def _stated_audiences(document: Mapping[str, object]) -> tuple[str, ...] | None:
    """The audiences a token answer names for its access token: the strings of its ``aud``,
    ``audience`` and ``resource`` members (each a string or a list of strings); None when it
    names none. Only ever used to accept a token, never to refuse one."""
    found: list[str] = []
    for name in ("aud", "audience", "resource"):
        value = document.get(name)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        found.extend(item for item in items if isinstance(item, str) and item)
    return tuple(found) if found else None


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
    return _token_response(document)


def process_refresh_token_response(response: HttpResponse) -> TokenResponse:
    """Validate a refresh-token grant's answer as :func:`process_token_response` does.

    A refused answer may still carry a usable refresh token, and a rotating server has spent
    the one presented all the same: the refusal carries it as ``rotated_refresh_token`` for
    the caller to keep (docs/errors.md).

    Raises:
        OAuthError: the server answered an OAuth error.
        InvalidResponse: the answer is not a well-formed token response.
    """
    try:
        return process_token_response(response)
    except InvalidResponse as refused:
        document = response.json_or_none()
        value = document.get("refresh_token") if isinstance(document, dict) else None
        if isinstance(value, str) and 0 < len(value) <= _MAX_MEMBER_CHARS:
            refused.rotated_refresh_token = value if _VSCHAR.fullmatch(value) else None
        raise


def _token_response(document: Mapping[str, object]) -> TokenResponse:
    access_token = document.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise InvalidResponse("token response has no access_token")
    _token("access_token", _bounded("access_token", access_token))
    token_type = document.get("token_type", "Bearer")
    if not isinstance(token_type, str):
        raise InvalidResponse("token response member 'token_type' is not a string")
    _token("token_type", _bounded("token_type", token_type))
    details = document.get("authorization_details")
    if details is not None and (
        not isinstance(details, list) or not all(isinstance(d, dict) for d in details)
    ):
        raise InvalidResponse("token response member 'authorization_details' is malformed")
    return TokenResponse(
        access_token=access_token,
        token_type=token_type,
        expires_in=_expires_in(document),
        scope=_optional_str(document, "scope"),
        id_token=_token("id_token", _optional_str(document, "id_token")),
        refresh_token=_token("refresh_token", _optional_str(document, "refresh_token")),
        authorization_details=tuple(details) if details is not None else None,
        audiences=_stated_audiences(document),
    )
