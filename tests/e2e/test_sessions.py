"""Session behaviour through the facades: logout strategies, tampered cookies, async stores."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from auth0_core.stores import CookieStateStore, CookieTransactionStore, MemoryStateStore

from .conftest import SECRET, App

pytestmark = pytest.mark.anyio


async def test_v2_logout_strategy(app: App) -> None:
    app.client = app.make_client(logout_strategy="v2")
    await app.login()
    store = app.browser.store_options()
    url = await app.call("logout", {"return_to": "http://127.0.0.1:3000/"}, store_options=store)
    assert urlsplit(url).path == "/v2/logout"
    assert "returnTo=http%3A%2F%2F127.0.0.1%3A3000%2F" in url


async def test_tampered_session_cookie_is_no_session(app: App) -> None:
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False),
        transaction_store=CookieTransactionStore(SECRET, secure=False),
    )
    await app.login()
    name = next(n for n in app.browser.cookies if n.startswith("_a0_session"))
    value = app.browser.cookies[name]
    app.browser.cookies[name] = value[:-5] + ("AAAAA" if not value.endswith("AAAAA") else "BBBBB")
    assert await app.user() is None
    app.browser.cookies[name] = value[: len(value) // 2]
    assert await app.user() is None


async def test_cookie_sealed_with_another_secret_is_no_session(app: App) -> None:
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False),
        transaction_store=CookieTransactionStore(SECRET, secure=False),
    )
    await app.login()
    other = "another-secret-of-at-least-32-characters!"
    app.client = app.make_client(secret=other, state_store=CookieStateStore(other, secure=False))
    assert await app.user() is None


async def test_rotated_secret_still_reads_old_sessions(app: App) -> None:
    app.client = app.make_client(state_store=CookieStateStore(SECRET, secure=False))
    await app.login()
    new = "the-new-secret-of-at-least-32-characters"
    app.client = app.make_client(
        secret=[new, SECRET], state_store=CookieStateStore([new, SECRET], secure=False)
    )
    assert (await app.user())["sub"] == "auth0|alice"


class AsyncMemoryStore:
    """An async store, as a Redis- or database-backed store would be."""

    def __init__(self) -> None:
        self.inner = MemoryStateStore()
        self.calls = 0

    async def get(self, identifier: str, options: Any = None) -> Any:
        self.calls += 1
        return self.inner.get(identifier)

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.calls += 1
        self.inner.set(identifier, state)

    async def delete(self, identifier: str, options: Any = None) -> None:
        self.calls += 1
        self.inner.delete(identifier)

    async def delete_by_logout_token(self, claims: Any, options: Any = None) -> None:
        self.inner.delete_by_logout_token(claims)


async def test_async_stores_work_with_the_async_facade_only(app: App) -> None:
    from auth0_core.errors import ConfigurationError

    state, transactions = AsyncMemoryStore(), AsyncMemoryStore()
    if app.mode.startswith("sync"):
        with pytest.raises(ConfigurationError, match="async"):
            app.make_client(state_store=state)
        return
    app.client = app.make_client(state_store=state, transaction_store=transactions)
    await app.login()
    assert (await app.user())["sub"] == "auth0|alice"
    assert state.calls >= 2
    assert transactions.calls >= 3


async def test_a_refresh_keeps_the_rolled_lifetime_in_a_cookie_session(app: App) -> None:
    # The cookie store can only re-read the incoming cookie; merging the refreshed token into
    # it must not undo the roll this same request made.
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False, clock=app.clock),
        transaction_store=CookieTransactionStore(SECRET, secure=False, clock=app.clock),
    )
    await app.login()
    for _ in range(2):
        app.clock.advance(86_400 - 59)  # the token expires; the day of rolling nearly so
        store = app.browser.store_options()
        assert await app.call("get_access_token", store_options=store)
        app.browser.absorb(store)
    assert (await app.user())["sub"] == "auth0|alice"
