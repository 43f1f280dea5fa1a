"""The My Account API's error shape (protocol doc 7.6) and its request bodies.

Every error is an RFC 7807 problem: ``{"type", "status", "title", "detail"}`` plus, for schema
failures, ``validation_errors`` (``{"detail", "field", "pointer", "source"}``), sent as
``application/problem+json``. The ``type`` URLs are shaped like Auth0's; their numbers are not
Auth0's (the protocol doc calls its example illustrative).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from http import HTTPStatus
from typing import Any

from ..._http import HttpResponse, json_body
from ..params import Incoming, load_json
from ..responses import NO_STORE, RequestRejected

PROBLEM_JSON = "application/problem+json"
# Bodies are a few hundred bytes; anything much larger is refused before it is parsed.
MAX_BODY_BYTES = 64 * 1024

ValidationError = dict[str, str]


def problem(
    status: int,
    detail: str,
    *,
    validation_errors: Sequence[ValidationError] = (),
    headers: Iterable[tuple[str, str]] = (),
) -> HttpResponse:
    """An RFC 7807 problem response."""
    value: dict[str, Any] = {
        "type": f"https://auth0.com/api-errors/A0E-{status}-0001",
        "status": status,
        "title": HTTPStatus(status).phrase,
        "detail": detail,
    }
    if validation_errors:
        value["validation_errors"] = list(validation_errors)
    return HttpResponse(
        status=status,
        headers=(("Content-Type", PROBLEM_JSON), *NO_STORE, *headers),
        body=json_body(value),
    )


def reject(status: int, detail: str, **options: Any) -> RequestRejected:
    """A :class:`RequestRejected` carrying a problem (``options`` as :func:`problem`'s)."""
    return RequestRejected(problem(status, detail, **options))


def field_error(detail: str, field: str, source: str) -> ValidationError:
    """One ``validation_errors`` item; ``field`` may be a path (``authorization_params/prompt``)."""
    return {"detail": detail, "field": field, "pointer": f"/{field}", "source": source}


def invalid(errors: Sequence[ValidationError], source: str = "body") -> RequestRejected:
    """400 for schema failures, listing every one."""
    detail = f"Invalid request {'payload' if source == 'body' else source} input"
    return reject(400, detail, validation_errors=errors)


def json_object_body(incoming: Incoming) -> dict[str, Any]:
    """The request's JSON object body.

    Raises:
        RequestRejected: 415 not ``application/json``, 413 too large, 400 not a JSON object.
    """
    media = (incoming.request.header("content-type") or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise reject(415, "Content-Type must be application/json.")
    if len(incoming.request.body) > MAX_BODY_BYTES:
        raise reject(413, f"The request body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        document = load_json(incoming.request.body)
    except ValueError:
        raise reject(400, "Invalid request payload JSON format") from None
    if not isinstance(document, dict):
        raise invalid([field_error("must be object", "", "body")])
    return document
