"""Custom Token Exchange (RFC 8693, protocol doc §8.5) at the token endpoint: the request with
``grant_type=urn:ietf:params:oauth:grant-type:token-exchange`` and its answer, which is also
how a Session Transfer Token is minted (``audience=urn:{domain}:session_transfer``).

A refusal is a :class:`~auth0_core.errors.CustomTokenExchangeError` whose ``code`` is the
server's ``error`` (as in the official SDK), with ``error``, ``error_description`` and
``status`` kept.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..._client_auth import Fields
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ...errors import CustomTokenExchangeError, InvalidResponse, OAuthError
from ._oauth import client_authenticated_post
from .discovery import ServerMetadata
from .token import TokenResponse, process_token_response

__all__ = [
    "ExchangedTokens",
    "prepare_custom_token_exchange_request",
    "process_custom_token_exchange_response",
]

_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
_MAX_TYPE_CHARS = 1024


@attrs.frozen(kw_only=True)
class ExchangedTokens:
    """A successful exchange: the token response and RFC 8693's ``issued_token_type``."""

    tokens: TokenResponse
    issued_token_type: str | None


def prepare_custom_token_exchange_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    *,
    subject_token: str,
    subject_token_type: str,
    audience: str | None = None,
    scope: str | None = None,
    actor_token: str | None = None,
    actor_token_type: str | None = None,
    organization: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> HttpRequest:
    """``POST {token_endpoint}`` exchanging ``subject_token`` (of the profile named by
    ``subject_token_type``) for tokens; None values are left out. ``extra`` parameters are
    sent as they are (the flow has checked they set none of the above).

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = dict(extra or {})
    fields.update(
        {
            "grant_type": _GRANT,
            "subject_token": subject_token,
            "subject_token_type": subject_token_type,
            "audience": audience,
            "scope": scope,
            "actor_token": actor_token,
            "actor_token_type": actor_token_type if actor_token is not None else None,
            "organization": organization,
        }
    )
    return client_authenticated_post(config, metadata.token_endpoint, fields, metadata.issuer)


def process_custom_token_exchange_response(response: HttpResponse) -> ExchangedTokens:
    """Validate the answer of an exchange.

    Raises:
        CustomTokenExchangeError: the server refused (``code`` is its ``error``).
        InvalidResponse: the answer is not a well-formed token response, or has no
            ``expires_in`` (the official result requires one).
    """
    try:
        tokens = process_token_response(response)
    except OAuthError as refused:
        raise CustomTokenExchangeError(
            refused.error,
            refused.error_description or f"Token exchange failed: {response.status}",
            error=refused.error,
            error_description=refused.error_description,
            status=refused.status,
        ) from None
    if tokens.expires_in is None:
        raise InvalidResponse("token exchange response has no expires_in", status=200)
    document = response.json_object()
    issued = document.get("issued_token_type")
    if issued is not None and (not isinstance(issued, str) or len(issued) > _MAX_TYPE_CHARS):
        raise InvalidResponse("token response member 'issued_token_type' is malformed")
    return ExchangedTokens(tokens=tokens, issued_token_type=issued)
