"""Parsing the redirect back from /authorize (RFC 6749 §4.1.2, RFC 9207)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import attrs

from .errors import InvalidArgumentError

MAX_CALLBACK_LENGTH = 16_384
# Parameters whose duplication would let an attacker choose which value we read.
_SINGLE_VALUED = ("state", "code", "error", "error_description", "iss", "connect_code")


@attrs.frozen(kw_only=True)
class CallbackParams:
    """The parameters of an authorization callback, each at most once. Values never in repr."""

    state: str | None = attrs.field(repr=False)
    code: str | None = attrs.field(repr=False)
    error: str | None
    error_description: str | None
    iss: str | None
    connect_code: str | None = attrs.field(default=None, repr=False)


def parse_callback(url: str) -> CallbackParams:
    """Read a callback URL's query (or a bare query string).

    Raises:
        InvalidArgumentError: the URL is not a string, is too long, is malformed, or repeats a
            parameter that must appear once.
    """
    if not isinstance(url, str):
        raise InvalidArgumentError("url", "the callback URL must be a string.")
    if len(url) > MAX_CALLBACK_LENGTH:
        raise InvalidArgumentError("url", "the callback URL is too long.")
    try:
        query = urlsplit(url).query if ("?" in url or "://" in url) else url
    except ValueError:  # an unbalanced IPv6 bracket, a host that NFKC turns into a separator
        raise InvalidArgumentError("url", "the callback URL is malformed.") from None
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value)
    for name in _SINGLE_VALUED:
        if len(values.get(name, ())) > 1:
            raise InvalidArgumentError("url", f"the callback repeats the '{name}' parameter.")

    def one(name: str) -> str | None:
        found = values.get(name)
        return found[0] if found else None

    return CallbackParams(
        state=one("state"),
        code=one("code"),
        error=one("error"),
        error_description=one("error_description"),
        iss=one("iss"),
        connect_code=one("connect_code"),
    )
