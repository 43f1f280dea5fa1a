"""The session's share of the Cookie header is bounded (issue 10, item 7).

A Cookie header above 8 KiB is refused by nginx, gunicorn and Node with their defaults, and the
user is then locked out of the app. Cached access tokens are dropped to fit, oldest first, when
a refresh token can fetch them again; otherwise the write is refused with a typed error.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from auth0_core.stores import CookieStateStore, CookieTooLargeError
from auth0_core.stores._cookie import DEFAULT_MAX_COOKIE_BYTES

from .browser import Browser
from .test_cookie_state import ID, NOW, Clock, read, write


def token_set(audience: str, obtained_at: int) -> dict[str, Any]:
    # An access token's worth of incompressible text, as real JWTs are.
    filler = "".join(f"{(obtained_at * 7919 + i) % 65536:04x}" for i in range(250))
    return {
        "audience": audience,
        "access_token": filler,
        "scope": "openid",
        "expires_at": NOW + 3600,
        "obtained_at": obtained_at,
    }


def big_session(count: int, refresh_token: str | None = "rt-1") -> dict[str, Any]:
    session: dict[str, Any] = {
        "user": {"sub": "auth0|1"},
        "internal": {"sid": "S1", "created_at": NOW, "expires_at": NOW + 3600},
        "token_sets": [token_set(f"https://api-{i}.example", NOW - 100 + i) for i in range(count)],
        "connection_token_sets": [],
    }
    if refresh_token:
        session["refresh_token"] = refresh_token
    return session


def cookie_header_bytes(browser: Browser) -> int:
    return len("; ".join(f"{name}={value}" for name, value in browser.jar.items()))


def test_a_session_over_the_budget_drops_its_oldest_cached_tokens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store, browser = CookieStateStore("secret-1", clock=Clock()), Browser()
    session = big_session(12)
    with caplog.at_level(logging.DEBUG, logger="auth0_core.stores"):
        write(store, browser, session)
    assert cookie_header_bytes(browser) <= DEFAULT_MAX_COOKIE_BYTES
    kept = read(store, browser)
    assert kept is not None
    audiences = [entry["audience"] for entry in kept["token_sets"]]
    assert 0 < len(audiences) < 12
    # The newest survive, in their order; the refresh token and the user always do.
    assert audiences == [f"https://api-{i}.example" for i in range(12 - len(audiences), 12)]
    assert kept["refresh_token"] == "rt-1"
    assert kept["user"] == session["user"]
    assert "cached access tokens were dropped" in caplog.text
    assert session["token_sets"][0]["access_token"] not in caplog.text


def test_without_a_refresh_token_nothing_is_dropped_and_the_write_is_refused() -> None:
    store, browser = CookieStateStore("secret-1", clock=Clock()), Browser()
    with pytest.raises(CookieTooLargeError, match="server-side state store"):
        write(store, browser, big_session(12, refresh_token=None))
    assert browser.jar == {}


def test_a_session_within_the_budget_is_untouched() -> None:
    store, browser = CookieStateStore("secret-1", clock=Clock()), Browser()
    write(store, browser, big_session(2))
    kept = read(store, browser)
    assert kept is not None
    assert len(kept["token_sets"]) == 2


def test_the_budget_is_configurable() -> None:
    store = CookieStateStore("secret-1", clock=Clock(), max_cookie_bytes=32 * 1024)
    browser = Browser()
    write(store, browser, big_session(12))
    kept = read(store, browser)
    assert kept is not None
    assert len(kept["token_sets"]) == 12
    assert cookie_header_bytes(browser) > DEFAULT_MAX_COOKIE_BYTES
    assert ID + "_0" in browser.jar
