"""What every My Account API call shares: the request, and how refusals are read (protocol
doc §7.6). The flow puts the access token on the request (Bearer or DPoP)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote_plus

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt, json_body
from ...errors import InvalidArgumentError, MissingRequiredArgumentError, MyAccountApiError

MY_ACCOUNT_PATH = "/me/v1/"
# Printable ASCII without blanks: what an Authorization header can carry as a token.
_TOKEN = re.compile(r"[!-~]+")
# The public argument behind a query parameter, where its name differs (errors name it).
_QUERY_ARGUMENTS = {"from": "from_param", "type": "type_filter"}


def my_account_audience(config: ClientConfig) -> str:
    """The My Account API's identifier, ``https://{domain}/me/`` (trailing slash)."""
    return f"{config.base_url}/me/"


def my_account_request(
    config: ClientConfig,
    method: str,
    path: str,
    *,
    query: list[tuple[str, str]] | None = None,
    body: object = None,
) -> HttpRequest:
    """``{method} {base_url}/me/v1/{path}[?query]`` with a JSON ``body``, without credentials.

    Raises:
        InvalidArgumentError: a query value that is not valid Unicode text (a lone surrogate);
            ``argument`` names the call's argument it came from.
    """
    headers = [("Accept", "application/json")]
    if body is not None:
        headers.append(("Content-Type", "application/json"))
    url = f"{config.base_url}{MY_ACCOUNT_PATH}{path}"
    if query:
        url += "?" + _query_string(query)
    return HttpRequest(
        method=method,
        url=url,
        headers=tuple(headers),
        body=json_body(body) if body is not None else b"",
    )


def _query_string(query: list[tuple[str, str]]) -> str:
    """``urlencode(query)``, without its ``str(value)``: a str subclass's ``__str__`` is
    not called, and a value UTF-8 cannot encode is the caller's mistake, not an escape."""
    pairs = []
    for name, value in query:
        try:
            encoded = quote_plus(value, safe="")
        except UnicodeEncodeError:
            argument = _QUERY_ARGUMENTS.get(name, name)
            raise InvalidArgumentError(argument, f"{argument} is not valid Unicode text.") from None
        pairs.append(f"{quote_plus(name, safe='')}={encoded}")
    return "&".join(pairs)


def _validation_errors(value: object) -> list[dict[str, str]] | None:
    if not isinstance(value, list):
        return None
    items = [item for item in value if isinstance(item, Mapping)]
    return [
        {key: str(item[key]) for key in ("detail", "field", "pointer", "source") if key in item}
        for item in items
    ]


def _text(document: Mapping[str, object], key: str) -> str | None:
    value = document.get(key)
    return value if isinstance(value, str) else None


def raise_for_problem(response: HttpResponse, expected: tuple[int, ...]) -> None:
    """Raise the API's refusal unless ``response.status`` is one of ``expected``.

    Raises:
        MyAccountApiError: an error status; ``title``, ``type``, ``detail`` and
            ``validation_errors`` from an RFC 7807 body (``application/problem+json`` or
            ``application/json``); ``status`` from the body, else the HTTP status. A body that
            is no problem document (HTML from a proxy, nothing) gives a detail that says so.
    """
    if response.status in expected:
        return
    document = response.json_or_none()
    if not isinstance(document, Mapping):
        excerpt = body_excerpt(response.body)
        detail = f"The My Account API answered {response.status} without a problem document"
        raise MyAccountApiError(
            None, None, detail + (f": {excerpt}" if excerpt else "."), response.status
        )
    status = document.get("status")
    raise MyAccountApiError(
        _text(document, "title"),
        _text(document, "type"),
        _text(document, "detail"),
        status if type(status) is int else response.status,
        _validation_errors(document.get("validation_errors")),
    )


def check_access_token(access_token: object) -> str:
    """The access token, or the reason it cannot go in a header (never quoting it).

    Raises:
        MissingRequiredArgumentError: none given.
        InvalidArgumentError: not a string of printable ASCII without blanks.
    """
    if access_token is None or access_token == "":
        raise MissingRequiredArgumentError("access_token")
    if not isinstance(access_token, str) or not _TOKEN.fullmatch(access_token):
        raise InvalidArgumentError(
            "access_token", "access_token must be a string of printable ASCII without blanks."
        )
    return access_token
