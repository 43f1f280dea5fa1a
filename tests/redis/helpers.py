"""Sessions, cookie jars and stores for the Redis tests."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from typing import Any

from auth0_core import FixedClock
from auth0_core.stores import CookieRequest, CookieResponse

SECRET = "a-session-secret-of-at-least-32-characters"
ISS = "https://tenant.example/"
NOW = 1_800_000_000
NAME = "_a0_session"
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}")


def session(
    sub: str = "auth0|alice",
    *,
    sid: str = "idp-session-1",
    iss: str = ISS,
    created_at: int = NOW,
    expires_at: float | None = None,
    refresh_token: str = "rt-SECRET-refresh-token",
) -> dict[str, Any]:
    """A session as the core writes it (only what the store reads matters)."""
    return {
        "user": {"sub": sub, "iss": iss, "email": f"{sub}@example.com"},
        "id_token": "header.payload.signature",
        "refresh_token": refresh_token,
        "token_sets": [],
        "internal": {
            "sid": sid,
            "created_at": created_at,
            "last_seen": created_at,
            "expires_at": created_at + 86_400 if expires_at is None else expires_at,
        },
    }


class Jar:
    """One browser's cookies between requests, through CookieRequest/CookieResponse."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.max_age: dict[str, int] = {}
        self.response = CookieResponse()

    def options(self) -> dict[str, Any]:
        self.response = CookieResponse()
        return {"request": CookieRequest(dict(self.cookies)), "response": self.response}

    def absorb(self) -> None:
        for _, line in self.response.headers():
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for key, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = morsel.value
                    self.max_age[key] = int(morsel["max-age"])

    def lines(self) -> list[str]:
        return [line for _, line in self.response.headers()]

    @property
    def id(self) -> str | None:
        return self.cookies.get(NAME)


def login(store: Any, jar: Jar, state: dict[str, Any]) -> None:
    """A login's write: rotates the id."""
    store.set(NAME, state, remove_if_expires=True, options=jar.options())
    jar.absorb()


def write(store: Any, jar: Jar, state: dict[str, Any]) -> None:
    """Any other write (a roll, a refresh)."""
    store.set(NAME, state, options=jar.options())
    jar.absorb()


def read(store: Any, jar: Jar) -> dict[str, Any] | None:
    found: dict[str, Any] | None = store.get(NAME, options=jar.options())
    return found


def clock() -> FixedClock:
    return FixedClock(NOW)
