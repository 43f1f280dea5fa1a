"""Through a facade, a stored record that does not validate reads as none: no session (user,
session and tokens alike), no transaction. One mode is enough: the reading is the core's,
the same in every adapter; cookie stores show the record is left where it was."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.errors import MissingRefreshTokenError, MissingTransactionError
from auth0_core.stores import CookieStateStore, CookieTransactionStore

from .conftest import SECRET, App

pytestmark = [pytest.mark.anyio, pytest.mark.parametrize("mode", ["asyncio-inprocess"])]

SESSION_ID = "_a0_session"


def cookie_stores(app: App) -> tuple[CookieStateStore, CookieTransactionStore]:
    sessions = CookieStateStore(SECRET, secure=False)
    transactions = CookieTransactionStore(SECRET, secure=False)
    app.client = app.make_client(state_store=sessions, transaction_store=transactions)
    return sessions, transactions


def rewrite(app: App, store: Any, identifier: str, value: dict[str, Any]) -> None:
    """Seal ``value`` into the browser's cookie for ``identifier``, as another writer would."""
    options = app.browser.store_options()
    store.set(identifier, value, options=options)
    app.browser.absorb(options)


async def test_a_session_of_a_newer_format_is_no_session_and_is_left_in_place(app: App) -> None:
    sessions, _ = cookie_stores(app)
    await app.login()
    stored = sessions.get(SESSION_ID, options=app.browser.store_options())
    assert stored is not None
    rewrite(app, sessions, SESSION_ID, {**stored, "internal": {**stored["internal"], "v": 2}})
    cookies = dict(app.browser.cookies)

    assert await app.user() is None
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    with pytest.raises(MissingRefreshTokenError):
        await app.call("get_access_token", store_options=app.browser.store_options())
    assert app.browser.cookies == cookies

    rewrite(app, sessions, SESSION_ID, stored)  # the same session in format 1 reads again
    assert (await app.user())["sub"] == "auth0|alice"


async def test_a_session_with_a_wrong_type_is_no_session(app: App) -> None:
    sessions, _ = cookie_stores(app)
    await app.login()
    stored = sessions.get(SESSION_ID, options=app.browser.store_options())
    assert stored is not None
    rewrite(app, sessions, SESSION_ID, {**stored, "refresh_token": 42})
    assert await app.user() is None


async def test_a_transaction_that_does_not_validate_is_no_transaction(app: App) -> None:
    _, transactions = cookie_stores(app)
    options = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=options)
    app.browser.absorb(options)
    identifier = f"_a0_tx:{parse_qs(urlsplit(url).query)['state'][0]}"
    stored = transactions.get(identifier, options=app.browser.store_options())
    assert stored is not None
    rewrite(app, transactions, identifier, {**stored, "nonce": None})
    callback = app.browser_login(url)

    options = app.browser.store_options()
    with pytest.raises(MissingTransactionError) as caught:
        await app.call("complete_interactive_login", callback, store_options=options)
    assert type(caught.value) is MissingTransactionError
    assert await app.user() is None
