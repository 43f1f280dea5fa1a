"""A tiny cookie jar that plays the browser between a store's responses and next requests."""

from __future__ import annotations

from typing import Any

from auth0_core.stores import CookieRequest, CookieResponse


class Browser:
    """Holds cookies; ``options()`` starts an exchange, ``absorb()`` applies its Set-Cookies."""

    def __init__(self, cookies: dict[str, str] | None = None) -> None:
        self.jar: dict[str, str] = dict(cookies or {})
        self.last: CookieResponse | None = None

    def options(self) -> dict[str, Any]:
        self.last = CookieResponse()
        return {"request": CookieRequest(self.jar), "response": self.last}

    def absorb(self) -> CookieResponse:
        assert self.last is not None
        for line in (value for _, value in self.last.headers()):
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in line.split("; "):
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return self.last


def attributes(line: str) -> dict[str, str]:
    """The attributes of a Set-Cookie line, e.g. {"Max-Age": "600", "HttpOnly": ""}."""
    result = {}
    for part in line.split("; ")[1:]:
        key, _, value = part.partition("=")
        result[key] = value
    return result
