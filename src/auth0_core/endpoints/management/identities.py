"""A user's identities: ``POST`` and ``DELETE /api/v2/users/{id}/identities`` (protocol doc
§5.2); both answer the primary user's identities as they are afterwards."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ...errors import InvalidArgumentError, InvalidResponse
from ._api import answered_json, management_request

__all__ = [
    "prepare_link_identity_request",
    "prepare_unlink_identity_request",
    "process_link_identity_response",
    "process_unlink_identity_response",
]


def _text(argument: str, value: object) -> str:
    """``value`` when it is a string a URL or a JSON body can carry as UTF-8.

    Raises:
        InvalidArgumentError: not a string, or one with a lone surrogate (not valid Unicode).
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(argument, f"{argument} must be a string.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate: quote() would raise, and no server could read it.
        raise InvalidArgumentError(argument, f"{argument} is not valid Unicode text.") from None
    return value


def _identities(document: object) -> list[dict[str, Any]]:
    if not isinstance(document, list) or not all(isinstance(i, dict) for i in document):
        raise InvalidResponse("the Management API did not answer an identities array")
    return [dict(item) for item in document]


def prepare_link_identity_request(
    config: ClientConfig,
    primary_user_id: str,
    *,
    link_with: str | None = None,
    provider: str | None = None,
    user_id: str | None = None,
    connection_id: str | None = None,
) -> HttpRequest:
    """``POST /api/v2/users/{primary_user_id}/identities`` (needs ``update:users``).

    The secondary account is ``link_with`` (its ID token) when given, otherwise ``provider``
    and ``user_id`` (without the provider prefix), narrowed by ``connection_id`` if given.

    Raises:
        InvalidArgumentError: an id (or ``link_with``) that is not a string of valid Unicode
            text; ``argument`` names it.
    """
    body: dict[str, str | None]
    if link_with is not None:
        body = {"link_with": _text("link_with", link_with)}
    else:
        body = {
            "provider": None if provider is None else _text("provider", provider),
            "user_id": None if user_id is None else _text("user_id", user_id),
        }
        if connection_id is not None:
            body["connection_id"] = _text("connection_id", connection_id)
    path = f"users/{quote(_text('primary_user_id', primary_user_id), safe='')}/identities"
    return management_request(config, "POST", path, body)


def process_link_identity_response(response: HttpResponse) -> list[dict[str, Any]]:
    """The primary user's identities, the linked one included (200 or 201).

    Raises:
        ManagementApiError: the API refused (e.g. 409 when already linked).
        InvalidResponse: the answer is not an array of identity objects.
    """
    return _identities(answered_json(response, (200, 201)))


def prepare_unlink_identity_request(
    config: ClientConfig, primary_user_id: str, provider: str, user_id: str
) -> HttpRequest:
    """``DELETE /api/v2/users/{primary_user_id}/identities/{provider}/{user_id}``, with
    ``user_id`` without the provider prefix (needs ``update:users``).

    Raises:
        InvalidArgumentError: an id that is not a string of valid Unicode text; ``argument``
            names it.
    """
    parts = (
        "users",
        _text("primary_user_id", primary_user_id),
        "identities",
        _text("provider", provider),
        _text("user_id", user_id),
    )
    return management_request(config, "DELETE", "/".join(quote(part, safe="") for part in parts))


def process_unlink_identity_response(response: HttpResponse) -> list[dict[str, Any]]:
    """The identities the primary user has left.

    Raises:
        ManagementApiError: the API refused (e.g. 404 when not linked).
        InvalidResponse: the answer is not an array of identity objects.
    """
    return _identities(answered_json(response, (200,)))
