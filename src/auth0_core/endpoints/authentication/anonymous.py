"""``POST {domain}/anonymous/token``: anonymous sessions (protocol doc §8.14; the wire is
inferred from the published auth0-server-python 1.0.0b20, UNCONFIRMED against Auth0).

One JSON request: ``client_id``, the client's credentials in the body (``client_secret``, or
``client_assertion`` for ``https://{domain}/``), and the call's fields (``audience``,
``scope``, ``metadata``, ``session_token``). Three answers: a new session (with its
``session_token``), a re-minted access token, or a transfer ticket (``anon_transfer_token``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..._anonymous_types import (
    AnonymousCreateTokenResponse,
    AnonymousTokenResponse,
    AnonymousTransferTokenResponse,
)
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, json_body
from ...errors import AnonymousSessionCreateError, AnonymousSessionTokenError
from ._oauth import tenant_headers
from .mfa import body_credentials

__all__ = [
    "prepare_anonymous_token_request",
    "process_anonymous_token_response",
    "process_anonymous_transfer_response",
]

# The tenant's words for "this session is over" (the stored session is then deleted).
_EXPIRED_CODES = frozenset({"session_expired", "invalid_session_token"})
_ANSWER_FIELDS = frozenset(
    {"access_token", "expires_in", "token_type", "session_expires_in", "session_token", "scope"}
)


def prepare_anonymous_token_request(config: ClientConfig, fields: Mapping[str, Any]) -> HttpRequest:
    """``POST {domain}/anonymous/token`` with ``client_id``, the client's credentials and the
    ``fields`` that are not None, as JSON.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    credentials = body_credentials(config, {}, f"{config.base_url}/")
    body: dict[str, Any] = {k: v for k, v in credentials.items() if v is not None}
    body["client_id"] = config.client_id
    body.update({k: v for k, v in fields.items() if v is not None})
    return HttpRequest(
        method="POST",
        url=f"{config.base_url}/anonymous/token",
        headers=(
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
            *tenant_headers(config),
        ),
        body=json_body(body),
    )


def _refused(
    response: HttpResponse, create: bool
) -> AnonymousSessionCreateError | AnonymousSessionTokenError:
    document = response.json_or_none()
    body: dict[str, Any] = (
        document
        if isinstance(document, dict)
        else {"error_description": f"Request failed with status {response.status}"}
    )
    word = body.get("error")
    code = word if isinstance(word, str) else ""
    description = body.get("error_description")
    if not isinstance(description, str) or not description:
        description = f"Anonymous {'create' if create else 'token'} failed"
    failure: AnonymousSessionCreateError | AnonymousSessionTokenError
    if create and code in _EXPIRED_CODES:
        # A create refused as "over" is a create failure like any other (the official rule).
        failure = AnonymousSessionCreateError(description)
    elif create:
        failure = AnonymousSessionCreateError(
            description, code or AnonymousSessionCreateError.code, body
        )
    elif code in _EXPIRED_CODES:
        failure = AnonymousSessionTokenError(description, code)
    else:
        failure = AnonymousSessionTokenError(
            description, code or AnonymousSessionTokenError.code, body
        )
    failure.status = response.status
    return failure


def process_anonymous_token_response(
    response: HttpResponse, create: bool = False
) -> AnonymousTokenResponse:
    """The access token answer (``create``: a new session's, which must carry its
    ``session_token``).

    Raises:
        AnonymousSessionCreateError (``create``) / AnonymousSessionTokenError: a refusal (the
            tenant's ``error`` as ``code``; ``session_expired`` and ``invalid_session_token``
            kept for a re-mint), no ``session_token`` (``missing_session_token``), or an
            unreadable answer.
    """
    error = AnonymousSessionCreateError if create else AnonymousSessionTokenError
    if response.status != 200:
        raise _refused(response, create)
    document = response.json_or_none()
    if create and (not isinstance(document, dict) or not document.get("session_token")):
        raise AnonymousSessionCreateError(
            "Anonymous token response contained no session_token. Enable session_token in "
            "the response for this tenant.",
            "missing_session_token",
        )
    model = AnonymousCreateTokenResponse if create else AnonymousTokenResponse
    try:
        if not isinstance(document, dict):
            raise TypeError("not an object")
        return model(**{k: v for k, v in document.items() if k in _ANSWER_FIELDS})
    except (TypeError, ValueError):
        raise error("Failed to parse anonymous token response", error.code) from None


def process_anonymous_transfer_response(response: HttpResponse) -> str | None:
    """The ``anon_transfer_token`` of a transfer answer; None for a refusal or an unreadable
    answer (a login then goes on without one)."""
    if response.status != 200:
        return None
    document = response.json_or_none()
    if not isinstance(document, dict):
        return None
    try:
        ticket = AnonymousTransferTokenResponse(
            anon_transfer_token=document.get("anon_transfer_token"),
            token_type=document.get("token_type"),
            expires_in=document.get("expires_in"),
        )
    except (TypeError, ValueError):
        return None
    return ticket.anon_transfer_token or None
