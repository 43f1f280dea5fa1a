"""Users: ``GET`` and ``PATCH /api/v2/users/{id}`` (protocol doc §5.2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ...errors import InvalidResponse
from ._api import answered_json, management_request

__all__ = [
    "prepare_get_user_request",
    "prepare_update_user_request",
    "process_get_user_response",
    "process_update_user_response",
]


def _user_path(user_id: str) -> str:
    return f"users/{quote(user_id, safe='')}"


def prepare_get_user_request(config: ClientConfig, user_id: str) -> HttpRequest:
    """``GET /api/v2/users/{user_id}`` (needs ``read:users``)."""
    return management_request(config, "GET", _user_path(user_id))


def process_get_user_response(response: HttpResponse) -> dict[str, Any]:
    """The user object.

    Raises:
        ManagementApiError: the API refused (404 for an unknown user).
        InvalidResponse: the answer is not a JSON object.
    """
    document = answered_json(response, (200,))
    if not isinstance(document, dict):
        raise InvalidResponse("the Management API did not answer a user object")
    return document


def prepare_update_user_request(
    config: ClientConfig, user_id: str, *, user_metadata: Mapping[str, Any]
) -> HttpRequest:
    """``PATCH /api/v2/users/{user_id}`` replacing ``user_metadata`` (needs ``update:users``).

    Auth0 merges it into the stored metadata at the first level.
    """
    return management_request(
        config, "PATCH", _user_path(user_id), {"user_metadata": user_metadata}
    )


def process_update_user_response(response: HttpResponse) -> None:
    """Check the update was applied (the updated user is not needed).

    Raises:
        ManagementApiError: the API refused.
        InvalidResponse: a success without a JSON body.
    """
    answered_json(response, (200,))
