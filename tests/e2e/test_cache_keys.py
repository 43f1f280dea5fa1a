"""What a cache or single-flight key must include, and the ceilings a flow must enforce itself
(issue 10, item 13): each test fails when the key or check it names is dropped."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from auth0_core.errors import MissingTransactionError, SessionExpiredError

from .conftest import START, App
from .test_tokens import API, refreshes, token

pytestmark = pytest.mark.anyio


def claims(jwt: str) -> dict[str, Any]:
    payload = jwt.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return decoded


def audiences(jwt: str) -> list[str]:
    aud = claims(jwt)["aud"]
    return aud if isinstance(aud, list) else [aud]


async def test_refreshes_for_two_audiences_in_one_window_are_not_shared(app: App) -> None:
    await app.login()
    before = refreshes(app)
    my_account = f"{app.base_url}/me/"
    api_token = await token(app, audience=API)
    account_token = await token(app, audience=my_account)  # same refresh token, same second
    assert API in audiences(api_token)
    assert my_account in audiences(account_token)
    assert refreshes(app) == before + 2


class NeverForgets:
    """A transaction store that keeps records past their expiry, as some stores do."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def get(self, identifier: str, options: Any = None) -> dict[str, Any] | None:
        return self.records.get(identifier)

    def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.records[identifier] = dict(state)

    def delete(self, identifier: str, options: Any = None) -> None:
        self.records.pop(identifier, None)


async def test_the_flow_itself_refuses_an_expired_transaction(app: App) -> None:
    store = NeverForgets()
    app.client = app.make_client(transaction_store=store)
    options = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=options)
    app.browser.absorb(options)
    callback = app.browser_login(url)
    app.clock.advance(601)  # transactions live 600 s
    with pytest.raises(MissingTransactionError, match="expired"):
        await app.call(
            "complete_interactive_login", callback, store_options=app.browser.store_options()
        )
    assert store.records == {}  # consumed all the same


async def test_the_upstream_session_expiry_ends_the_session(app: App) -> None:
    ceiling = START + 100
    app.tenant.id_token_hook = lambda c, h: ({**c, "session_expiry": ceiling}, h)
    try:
        await app.login()
        assert (await app.user())["sub"] == "auth0|alice"
        app.clock.advance(69)  # honoured 30 s early: still on at ceiling - 31
        assert (await app.user())["sub"] == "auth0|alice"
        app.clock.advance(2)
        assert await app.user() is None
        # A ceiling already (nearly) reached at login persists nothing.
        app.tenant.id_token_hook = lambda c, h: ({**c, "session_expiry": c["iat"] + 30}, h)
        with pytest.raises(SessionExpiredError):
            await app.login("bob")
        assert await app.user() is None
    finally:
        app.tenant.id_token_hook = None
