"""Login CSRF: a callback only completes in the browser that started its transaction.

The attack: an attacker starts a login on the app, signs in as themself, and sends the victim
the callback URL; with a server-side transaction store found by ``state`` alone, the victim's
browser would complete it and be logged in as the attacker. Every mode, the default (memory)
stores and the cookie stores, login and linking.
"""

from __future__ import annotations

from typing import Any

import pytest

from auth0_core.errors import MissingTransactionError, TransactionBindingError
from auth0_core.stores import CookieStateStore, CookieTransactionStore
from auth0_core.tenant.browser import browser_login_flow

from .conftest import SECRET, App, Browser, run_sync

pytestmark = pytest.mark.anyio


def binding_cookies(browser: Browser) -> dict[str, str]:
    return {k: v for k, v in browser.cookies.items() if k.startswith("_a0_bind.")}


async def attacker_callback(app: App, attacker: Browser, user: str = "bob") -> str:
    """What the attacker sends the victim: a callback of a login they started and finished."""
    store = attacker.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    attacker.absorb(store)
    return app.browser_login(url, user)


async def complete(app: App, browser: Browser, callback: str, method: str) -> Any:
    store = browser.store_options()
    try:
        return await app.call(method, callback, store_options=store)
    finally:
        browser.absorb(store)


@pytest.mark.parametrize("stores", ["memory", "cookie"])
async def test_a_callback_from_another_browser_is_refused_and_consumes_nothing(
    app: App, stores: str
) -> None:
    if stores == "cookie":
        app.client = app.make_client(
            state_store=CookieStateStore(SECRET, secure=False),
            transaction_store=CookieTransactionStore(SECRET, secure=False),
        )
    attacker, victim = Browser(), Browser()
    callback = await attacker_callback(app, attacker)
    with pytest.raises(MissingTransactionError) as refused:
        await complete(app, victim, callback, "complete_interactive_login")
    if stores == "memory":  # a cookie-held transaction is simply absent in another browser
        assert isinstance(refused.value, TransactionBindingError)
        assert refused.value.code == "transaction_binding_error"
    assert await app.call("get_user", store_options=victim.store_options()) is None
    # Nothing was consumed: the browser that started it can still finish its own login.
    await complete(app, attacker, callback, "complete_interactive_login")
    user = await app.call("get_user", store_options=attacker.store_options())
    assert user["sub"] == "auth0|bob"
    assert binding_cookies(attacker) == {}  # cleared once the transaction is used


async def test_a_victim_with_a_login_of_their_own_in_progress_is_refused(app: App) -> None:
    attacker, victim = Browser(), Browser()
    store = victim.store_options()
    await app.call("start_interactive_login", store_options=store)
    victim.absorb(store)
    callback = await attacker_callback(app, attacker)
    assert len(binding_cookies(victim)) == 1  # for the victim's own transaction, not this one
    with pytest.raises(TransactionBindingError):
        await complete(app, victim, callback, "complete_interactive_login")


async def test_a_forged_binding_cookie_is_refused(app: App) -> None:
    attacker = Browser()
    callback = await attacker_callback(app, attacker)
    (name, value) = next(iter(binding_cookies(attacker).items()))
    victim = Browser()
    victim.cookies[name] = value[:-1] + ("A" if value[-1] != "A" else "B")
    with pytest.raises(TransactionBindingError):
        await complete(app, victim, callback, "complete_interactive_login")
    victim.cookies[name] = ""
    with pytest.raises(TransactionBindingError):
        await complete(app, victim, callback, "complete_interactive_login")


@pytest.mark.usefixtures("fresh_user_directory")
async def test_a_link_callback_from_another_browser_is_refused(app: App) -> None:
    attacker, victim = app.browser, Browser()
    await app.login("alice")
    store = attacker.store_options()
    url = await app.call("start_link_user", {"connection": "github"}, store_options=store)
    attacker.absorb(store)
    flow = browser_login_flow(url, "alice.gh@example.com", "alice-github-password")
    callback = str(run_sync(flow, app.send))
    with pytest.raises(TransactionBindingError):
        await complete(app, victim, callback, "complete_link_user")
    await complete(app, attacker, callback, "complete_link_user")
    user = await app.call("get_user", store_options=attacker.store_options())
    assert user["sub"] == "auth0|alice"


async def test_the_binding_cookie(app: App) -> None:
    store = app.browser.store_options()
    await app.call("start_interactive_login", store_options=store)
    lines = [line for _, line in store["response"].headers() if line.startswith("_a0_bind.")]
    assert len(lines) == 1
    attributes = lines[0].split("; ")[1:]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes
    assert "Path=/" in attributes
    assert "Max-Age=600" in attributes  # the transaction's lifetime
    assert "Secure" not in attributes  # the callback is plain-http loopback in these tests
    https = app.make_client(authorization_params={"redirect_uri": "https://app.example/cb"})
    store = app.browser.store_options()
    await app.call("start_interactive_login", store_options=store, client=https)
    lines = [line for _, line in store["response"].headers() if line.startswith("_a0_bind.")]
    assert "Secure" in lines[0].split("; ")


async def test_parallel_logins_keep_a_bounded_number_of_binding_cookies(app: App) -> None:
    for _ in range(12):
        store = app.browser.store_options()
        await app.call("start_interactive_login", store_options=store)
        app.browser.absorb(store)
    assert len(binding_cookies(app.browser)) == 8
    # The newest logins still complete in this browser.
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    await complete(app, app.browser, app.browser_login(url), "complete_interactive_login")
    assert (await app.user())["sub"] == "auth0|alice"


async def test_a_login_started_without_a_browser_is_not_completed_by_one(app: App) -> None:
    url = await app.call("start_interactive_login")
    with pytest.raises(TransactionBindingError, match="without a browser"):
        await complete(app, Browser(), app.browser_login(url), "complete_interactive_login")
    # ... and one started in a browser is not completed without it.
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    with pytest.raises(TransactionBindingError):
        await app.call("complete_interactive_login", app.browser_login(url))
