"""A cookie session over its Cookie-header budget drops its oldest cached access token, and the
next call for it simply refreshes (issue 10, item 7), in every mode."""

from __future__ import annotations

import pytest

from auth0_core.stores import CookieStateStore, CookieTransactionStore

from .conftest import SECRET, App
from .test_tokens import API, refreshes, session, token

pytestmark = pytest.mark.anyio


async def test_the_oldest_cached_token_is_dropped_then_fetched_again(app: App) -> None:
    # Room for the session with one token set (about 3.5 KB here), not with two (4.7 KB).
    app.client = app.make_client(
        state_store=CookieStateStore(SECRET, secure=False, max_cookie_bytes=4000),
        transaction_store=CookieTransactionStore(SECRET, secure=False),
    )
    await app.login()
    login_token = await token(app)
    assert [s["audience"] for s in (await session(app))["token_sets"]] == ["default"]
    before = refreshes(app)
    await token(app, audience=API)
    assert [s["audience"] for s in (await session(app))["token_sets"]] == [API]
    cookies = app.browser.cookies.items()
    assert sum(len(k) + len(v) + 2 for k, v in cookies if k.startswith("_a0_session")) <= 4000
    again = await token(app)  # the login audience's token was dropped: refreshed, not lost
    assert again != login_token
    assert refreshes(app) == before + 2
    assert (await app.user())["sub"] == "auth0|alice"
