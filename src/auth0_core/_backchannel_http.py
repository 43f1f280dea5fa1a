"""The back-channel logout endpoint's HTTP, without HTTP: what the WSGI and ASGI apps share.

The apps (``auth0_requests.backchannel_logout_wsgi_app``,
``auth0_anyio.backchannel_logout_asgi_app``) only move bytes: they answer a method other than
POST with :func:`method_not_allowed`, read at most :data:`MAX_BODY_BYTES` + 1 bytes of body
(:func:`declared_length` refuses a longer declared one before reading), turn the body into the
token with :func:`read_logout_token`, call ``handle_backchannel_logout`` and answer
:func:`logout_response` of what it raised (None when nothing).

The contract (protocol doc §8.2 [Do]; docs/backchannel-logout.md):

- 200, empty body (``text/plain``), ``Cache-Control: no-store``: the token was valid and
  its sessions were deleted;
- 400 ``{"error": "invalid_request", "error_description": ...}``: the request or the token
  failed a check (:class:`~auth0_core.errors.BackchannelLogoutError`; its ``reason`` message);
- 405 with ``Allow: POST``: another method;
- 501 ``{"error": "server_error", ...}``: the state store cannot delete sessions by logout
  token (a cookie store); the application is misconfigured, the token was fine;
- 503 ``{"error": "temporarily_unavailable", ...}``: the tenant (discovery, JWKS) or the
  store could not be reached in time (:class:`~auth0_core.errors.TransportError`, e.g.
  ``store_unavailable``; its ``code`` as description);
- 500 ``{"error": "server_error", ...}``: any other SDK error (its ``code`` as description).

Every answer carries ``Cache-Control: no-store``; every JSON answer ``Content-Type:
application/json``. No answer repeats the token or anything read from it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import attrs

from ._logout_token import rejected
from .errors import Auth0Error, BackchannelLogoutError, StoreNotSupportedError, TransportError
from .stores._web import CookieRequest

#: The longest body read; Auth0's form with a logout token is well under 4 KiB.
MAX_BODY_BYTES = 16 * 1024
_FORM = "application/x-www-form-urlencoded"
_JSON = "application/json"
# An empty body still gets a Content-Type: WSGI validators (PEP 3333's wsgiref.validate)
# require one on every answer that may have a body.
_EMPTY_200 = (
    ("Content-Type", "text/plain; charset=utf-8"),
    ("Cache-Control", "no-store"),
    ("Content-Length", "0"),
)


@attrs.frozen
class EndpointResponse:
    """What the endpoint answers: a status, headers and a body, for any server to send."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def status_line(self) -> str:
        """``"200 OK"``: the status as WSGI's ``start_response`` takes it."""
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def _json_answer(
    status: int, error: str, description: str, extra: tuple[tuple[str, str], ...] = ()
) -> EndpointResponse:
    body = json.dumps({"error": error, "error_description": description}).encode("utf-8")
    headers = (
        ("Content-Type", _JSON),
        ("Cache-Control", "no-store"),
        ("Content-Length", str(len(body))),
        *extra,
    )
    return EndpointResponse(status, headers, body)


def method_not_allowed() -> EndpointResponse:
    """405: the endpoint takes only POST."""
    return _json_answer(
        405, "invalid_request", "back-channel logout takes only POST.", (("Allow", "POST"),)
    )


def logout_response(error: Auth0Error | None) -> EndpointResponse:
    """The answer to a request that ended with ``error`` (None: the logout succeeded)."""
    if error is None:
        return EndpointResponse(200, _EMPTY_200, b"")
    if isinstance(error, BackchannelLogoutError):
        return _json_answer(400, "invalid_request", error.message)
    if isinstance(error, StoreNotSupportedError):
        description = "the session store cannot end sessions by logout token (store_not_supported)."
        return _json_answer(501, "server_error", description)
    if isinstance(error, TransportError):
        return _json_answer(
            503, "temporarily_unavailable", f"back-channel logout is unavailable ({error.code})."
        )
    return _json_answer(500, "server_error", f"back-channel logout failed ({error.code}).")


def endpoint_store_options(url: str | None, headers: Mapping[str, str]) -> dict[str, Any]:
    """The ``store_options`` an endpoint passes on: a request with the endpoint's URL and
    headers (no cookies: a logout token comes from the tenant, not a browser), so that a
    domain resolver (docs/custom-domains.md) can pick the domain the delivery came to."""
    return {"request": CookieRequest({}, url=url, headers=headers)}


def declared_length(value: str | None) -> int | None:
    """The request's ``Content-Length``, None when absent.

    Raises:
        BackchannelLogoutError: ``body_too_large`` above :data:`MAX_BODY_BYTES`;
            ``malformed_body`` when it is not a decimal number.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit():
        raise rejected("malformed_body")
    length = int(text)
    if length > MAX_BODY_BYTES:
        raise rejected("body_too_large")
    return length


def read_logout_token(body: bytes, content_type: str | None) -> str:
    """The ``logout_token`` of a request body.

    A form (``application/x-www-form-urlencoded``, what Auth0 sends; also when there is no
    ``Content-Type``) or, leniently, a JSON object (``application/json`` or ``+json``). Other
    members and parameters are ignored.

    Raises:
        BackchannelLogoutError: ``body_too_large`` (over :data:`MAX_BODY_BYTES`),
            ``unsupported_content_type``, ``malformed_body`` (not UTF-8, not a JSON object, a
            token that is not a string), ``missing_logout_token`` (absent or empty),
            ``duplicate_logout_token``.
    """
    if len(body) > MAX_BODY_BYTES:
        raise rejected("body_too_large")
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise rejected("malformed_body") from None
    if media_type == _JSON or (
        media_type.startswith("application/") and media_type.endswith("+json")
    ):
        values = _json_values(text)
    elif media_type in ("", _FORM):
        values = _form_values(text)
    else:
        raise rejected("unsupported_content_type")
    if len(values) > 1:
        raise rejected("duplicate_logout_token")
    if not values or not values[0]:
        raise rejected("missing_logout_token")
    return values[0]


def _form_values(text: str) -> list[str]:
    try:
        fields = parse_qs(text, keep_blank_values=True, max_num_fields=100)
    except ValueError:  # too many fields, or a decoding problem
        raise rejected("malformed_body") from None
    return fields.get("logout_token", [])


class _Members(dict[str, object]):
    """A JSON object, remembering how many times it named ``logout_token``."""

    tokens = 0


def _members(pairs: list[tuple[str, object]]) -> _Members:
    members = _Members(pairs)
    members.tokens = sum(1 for name, _ in pairs if name == "logout_token")
    return members


def _json_values(text: str) -> list[str]:
    try:
        document = json.loads(text, object_pairs_hook=_members)
    except (ValueError, RecursionError):
        raise rejected("malformed_body") from None
    if not isinstance(document, _Members):
        raise rejected("malformed_body")
    if document.tokens > 1:
        raise rejected("duplicate_logout_token")
    if "logout_token" not in document:
        return []
    token = document["logout_token"]
    if not isinstance(token, str):
        raise rejected("malformed_body")
    return [token]


__all__ = [
    "endpoint_store_options",
    "MAX_BODY_BYTES",
    "EndpointResponse",
    "declared_length",
    "logout_response",
    "method_not_allowed",
    "read_logout_token",
]
