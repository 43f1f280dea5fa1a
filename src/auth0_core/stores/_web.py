"""The request/response duck types cookie-backed stores work with, and tiny concrete ones.

A store receives the framework's objects through ``store_options``:

- ``options["request"].cookies`` (Flask/Werkzeug, Starlette, :class:`CookieRequest`) or
  ``.COOKIES`` (Django): a mapping of cookie name to value;
- ``options["response"].set_cookie(key, value, max_age=..., path=..., secure=...,
  httponly=..., samesite=...)`` and ``.delete_cookie(key, path=...)``: the keyword set the
  Werkzeug, Starlette and Django signatures share.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .._effects import StoreOptions
from ..errors import InvalidArgumentError
from ._errors import MissingStoreOptionsError

# RFC 6265 §4.1.1: a cookie name is an HTTP token; a value is cookie-octets (no quoting here).
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*")
_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


class CookieRequest:
    """A minimal request for scripts, tests and the demo server: its cookies and, for a
    domain resolver (docs/custom-domains.md), optionally its URL and headers."""

    def __init__(
        self,
        cookies: Mapping[str, str] | None = None,
        *,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.cookies: dict[str, str] = dict(cookies or {})
        self.url = url
        self.headers: dict[str, str] = {k.lower(): v for k, v in (headers or {}).items()}


class CookieResponse:
    """A minimal response that records ``Set-Cookie`` lines (Werkzeug-style signatures)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self.cookies: dict[str, str] = {}
        self.deleted: set[str] = set()

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
    ) -> None:
        """Record a ``Set-Cookie`` line for ``key``.

        Raises:
            InvalidArgumentError: the name or value has characters a cookie cannot carry.
        """
        if not _NAME.fullmatch(key):
            raise InvalidArgumentError("key", "The cookie name is not a valid HTTP token.")
        if not _VALUE.fullmatch(value):
            raise InvalidArgumentError("value", "The cookie value has characters not allowed.")
        parts = [f"{key}={value}"]
        if max_age is not None:
            parts.append(f"Max-Age={int(max_age)}")
        parts += _attributes(path, domain, secure, httponly, samesite)
        self._lines.append("; ".join(parts))
        self.cookies[key] = value
        self.deleted.discard(key)

    def delete_cookie(
        self,
        key: str,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: str | None = None,
    ) -> None:
        """Record a ``Set-Cookie`` line that makes the browser drop ``key``.

        Raises:
            InvalidArgumentError: the name is not a valid cookie name.
        """
        if not _NAME.fullmatch(key):
            raise InvalidArgumentError("key", "The cookie name is not a valid HTTP token.")
        parts = [f"{key}=", "Max-Age=0", f"Expires={_EPOCH}"]
        parts += _attributes(path, domain, secure, httponly, samesite)
        self._lines.append("; ".join(parts))
        self.cookies.pop(key, None)
        self.deleted.add(key)

    def headers(self) -> list[tuple[str, str]]:
        """The recorded ``("Set-Cookie", line)`` header pairs, in the order written."""
        return [("Set-Cookie", line) for line in self._lines]


def _attributes(
    path: str | None, domain: str | None, secure: bool, httponly: bool, samesite: str | None
) -> list[str]:
    parts = []
    if path:
        parts.append(f"Path={path}")
    if domain:
        parts.append(f"Domain={domain}")
    if secure:
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite:
        parts.append(f"SameSite={samesite}")
    return parts


def request_cookies(options: StoreOptions, store: str) -> dict[str, str]:
    """The cookies of ``options["request"]``.

    Raises:
        MissingStoreOptionsError: there is no request, or it has no cookie mapping.
    """
    cookies = _cookies_of(options)
    if cookies is None:
        raise MissingStoreOptionsError(store, "options['request'] with .cookies or .COOKIES")
    return cookies


def response_of(options: StoreOptions, store: str) -> Any:
    """``options["response"]`` when it can set and delete cookies.

    Raises:
        MissingStoreOptionsError: there is no such response.
    """
    response = _response_of(options)
    if response is None:
        raise MissingStoreOptionsError(store, "options['response'] with set_cookie/delete_cookie")
    return response


def optional_exchange(options: StoreOptions) -> tuple[dict[str, str], Any] | None:
    """The request's cookies and the response, when ``options`` carries a usable pair."""
    cookies = _cookies_of(options)
    response = _response_of(options)
    if cookies is None or response is None:
        return None
    return cookies, response


def optional_cookies(options: StoreOptions) -> dict[str, str] | None:
    """The request's cookies, when ``options`` carries a request with a cookie mapping."""
    return _cookies_of(options)


def request_cookie_map(options: StoreOptions, store: str) -> tuple[object, Mapping[Any, Any]]:
    """The request ``options`` carries and its cookie mapping as the framework holds it, not
    copied (for reading a few names: check each value's type).

    Raises:
        MissingStoreOptionsError: there is no request, or it has no cookie mapping.
    """
    is_mapping = type(options) is dict or isinstance(options, Mapping)
    request = options.get("request") if is_mapping else None  # type: ignore[union-attr]
    cookies = _cookie_map(request)
    if cookies is None:
        raise MissingStoreOptionsError(store, "options['request'] with .cookies or .COOKIES")
    return request, cookies


def _cookie_map(request: object) -> Mapping[Any, Any] | None:
    cookies = getattr(request, "cookies", None)
    if type(cookies) is dict or isinstance(cookies, Mapping):
        return cookies
    cookies = getattr(request, "COOKIES", None)  # Django
    return cookies if isinstance(cookies, Mapping) else None


def _cookies_of(options: StoreOptions) -> dict[str, str] | None:
    if not isinstance(options, Mapping):
        return None
    cookies = _cookie_map(options.get("request"))
    if cookies is None:
        return None
    # Werkzeug's MultiDict yields the first value per name from items(), as we want.
    return {k: v for k, v in cookies.items() if isinstance(k, str) and isinstance(v, str)}


def _response_of(options: StoreOptions) -> Any:
    if not isinstance(options, Mapping):
        return None
    response = options.get("response")
    if callable(getattr(response, "set_cookie", None)) and callable(
        getattr(response, "delete_cookie", None)
    ):
        return response
    return None


__all__ = [
    "CookieRequest",
    "CookieResponse",
    "optional_cookies",
    "optional_exchange",
    "request_cookie_map",
    "request_cookies",
    "response_of",
]
