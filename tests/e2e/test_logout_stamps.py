"""Stateless cookie sessions after logout (issue 10, item 6).

A cookie session lives in the browser: deleting it on logout cannot reach a copy of the cookie
or the user's other devices. With a ``logout_stamp_store`` (any shared store), logout stamps
the user "not before now", and every older session of that user reads as logged out.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core.stores import CookieStateStore, CookieTransactionStore, MemoryTransactionStore

from .conftest import SECRET, App, Browser

pytestmark = pytest.mark.anyio


def cookie_client(app: App, **options: Any) -> Any:
    return app.make_client(
        state_store=CookieStateStore(SECRET, secure=False),
        transaction_store=CookieTransactionStore(SECRET, secure=False),
        **options,
    )


async def log_out(app: App, browser: Browser) -> None:
    store = browser.store_options()
    await app.call("logout", {"return_to": "http://127.0.0.1:3000/"}, store_options=store)
    browser.absorb(store)


async def log_in(app: App, browser: Browser, user: str = "alice") -> None:
    """A login in another browser (another device) of the same app."""
    own, app.browser = app.browser, browser
    try:
        await app.login(user)
    finally:
        app.browser = own


async def user_in(app: App, browser: Browser) -> Any:
    store = browser.store_options()
    user = await app.call("get_user", store_options=store)
    browser.absorb(store)
    return user


async def test_without_stamps_a_copied_cookie_outlives_logout(app: App) -> None:
    app.client = cookie_client(app)
    await app.login()
    copy = Browser()
    copy.cookies = dict(app.browser.cookies)
    await log_out(app, app.browser)
    assert await user_in(app, app.browser) is None
    assert (await user_in(app, copy))["sub"] == "auth0|alice"  # the documented limitation


async def test_with_stamps_logout_ends_every_older_session_of_the_user(app: App) -> None:
    stamps = MemoryTransactionStore(clock=app.clock)
    app.client = cookie_client(app, logout_stamp_store=stamps)
    await app.login()
    copy = Browser()
    copy.cookies = dict(app.browser.cookies)
    laptop, bob = Browser(), Browser()  # the same user on a second device, another user
    await log_in(app, laptop)
    await log_in(app, bob, "bob")

    app.clock.advance(1)  # stamps have one-second granularity
    await log_out(app, app.browser)
    assert await user_in(app, copy) is None
    assert await user_in(app, laptop) is None
    assert (await user_in(app, bob))["sub"] == "auth0|bob"  # other users keep theirs
    # A stale cookie read as logged out is also cleared from that browser.
    assert not [name for name in copy.cookies if name.startswith("_a0_session")]

    app.clock.advance(1)
    await app.login()  # a new login after the logout is a new session
    assert (await app.user())["sub"] == "auth0|alice"
    assert stamps.get("_a0_session:not_before:auth0|alice") is not None


async def test_the_stamp_expires_with_the_longest_possible_session(app: App) -> None:
    stamps = MemoryTransactionStore(clock=app.clock)
    app.client = cookie_client(app, logout_stamp_store=stamps, absolute_duration=3600)
    await app.login()
    app.clock.advance(1)
    await log_out(app, app.browser)
    assert stamps.get("_a0_session:not_before:auth0|alice") is not None
    app.clock.advance(3601)
    assert stamps.get("_a0_session:not_before:auth0|alice") is None
