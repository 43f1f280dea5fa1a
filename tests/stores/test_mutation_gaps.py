"""Store tests for mutants the mutation run left alive (scripts/mutants.toml)."""

from __future__ import annotations

from auth0_core.stores import MemoryStateStore

from .browser import Browser

ISS = "https://t.eu.auth0.com/"
ID = "_a0_session"


def test_logout_token_with_iss_spares_session_without_iss() -> None:
    store = MemoryStateStore()
    browser = Browser()
    store.set(
        ID, {"user": {"sub": "auth0|1"}, "internal": {"sid": "S1"}}, options=browser.options()
    )
    browser.absorb()
    store.delete_by_logout_token({"sub": "auth0|1", "sid": "S1", "iss": ISS})
    assert store.get(ID, options=browser.options()) is not None
    # Without iss in the token the same session is named and deleted.
    store.delete_by_logout_token({"sid": "S1"})
    assert store.get(ID, options=browser.options()) is None
