"""What every Management API call shares: the bearer request, and how answers are read."""

from __future__ import annotations

from collections.abc import Mapping

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt, json_body
from ...errors import ManagementApiError


def management_request(
    config: ClientConfig, method: str, path: str, body: object = None
) -> HttpRequest:
    """``{method} {base_url}/api/v2/{path}`` with a JSON ``body``; the flow puts the
    Management API token on it (Bearer or DPoP)."""
    headers = [("Accept", "application/json")]
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    return HttpRequest(
        method=method,
        url=f"{config.base_url}/api/v2/{path}",
        headers=tuple(headers),
        body=json_body(body) if body is not None else b"",
    )


def answered_json(response: HttpResponse, expected: tuple[int, ...]) -> object:
    """The JSON answer of a Management API call.

    Raises:
        ManagementApiError: an error status, with the body's ``statusCode``, ``error``,
            ``message`` and ``errorCode`` when present.
        InvalidResponse: a success status without a JSON body.
    """
    if response.status not in expected:
        document = response.json_or_none()
        details = document if isinstance(document, Mapping) else {}
        message = details.get("message")
        raise ManagementApiError(
            status=response.status,
            error=str(details.get("error") or "") or None,
            message=message if isinstance(message, str) else body_excerpt(response.body),
            error_code=str(details.get("errorCode") or "") or None,
        )
    return response.json()
