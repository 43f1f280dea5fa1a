"""CookieTransactionStore: one cookie per login, bound to its state, bounded, expiring."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from auth0_core.errors import MissingRequiredArgumentError
from auth0_core.stores import CookieTransactionStore, TransactionStoreProtocol

from .browser import Browser, attributes
from .conformance import mismatches

NOW = 1_767_139_200


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def tx(state: str, **extra: Any) -> dict[str, Any]:
    return {"state": state, "code_verifier": "v" * 64, "created_at": NOW, **extra}


def key(state: str) -> str:
    return f"_a0_tx:{state}"


def write(s: CookieTransactionStore, browser: Browser, state: str, **extra: Any) -> str:
    s.set(key(state), tx(state, **extra), options=browser.options())
    response = browser.absorb()
    return response.headers()[-1][1]


def test_satisfies_the_protocol() -> None:
    assert isinstance(CookieTransactionStore("s"), TransactionStoreProtocol)
    assert mismatches(CookieTransactionStore("s"), TransactionStoreProtocol) == []


def test_cookie_name_is_prefix_dot_hash_of_the_identifier() -> None:
    s = CookieTransactionStore("s")
    digest = hashlib.sha256(b"_a0_tx:abc").hexdigest()[:16]
    assert s.cookie_name("_a0_tx:abc") == f"_a0_tx.{digest}"


def test_two_parallel_logins_coexist() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock()), Browser()
    write(s, browser, "A")
    write(s, browser, "B")
    assert len(browser.jar) == 2
    assert s.get(key("A"), options=browser.options()) == tx("A")
    assert s.get(key("B"), options=browser.options()) == tx("B")
    s.delete(key("A"), options=browser.options())
    browser.absorb()
    assert s.get(key("A"), options=browser.options()) is None
    assert s.get(key("B"), options=browser.options()) == tx("B")


def test_a_cookie_for_state_a_cannot_be_read_as_state_b() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock()), Browser()
    write(s, browser, "A")
    value = browser.jar[s.cookie_name(key("A"))]
    # Even presented under B's cookie name, A's value is sealed with A's salt.
    forged = Browser({s.cookie_name(key("B")): value})
    assert s.get(key("B"), options=forged.options()) is None


def test_attributes_and_default_max_age() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock()), Browser()
    attrs = attributes(write(s, browser, "A"))
    assert attrs["Max-Age"] == "600"
    assert attrs["SameSite"] == "Lax"
    assert "Secure" in attrs
    assert "HttpOnly" in attrs
    assert attrs["Path"] == "/"


def test_max_age_follows_the_record_expiry_when_sooner() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock()), Browser()
    assert attributes(write(s, browser, "A", expires_at=NOW + 120))["Max-Age"] == "120"


def test_expired_transaction_is_none() -> None:
    clock = Clock()
    s, browser = CookieTransactionStore("s", clock=clock), Browser()
    write(s, browser, "A", expires_at=NOW + 60)
    clock.now = NOW + 60
    assert s.get(key("A"), options=browser.options()) is None


def test_bounded_number_of_transactions_oldest_evicted() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock(), max_transactions=3), Browser()
    for state in "ABCDE":
        write(s, browser, state)
    assert len(browser.jar) == 3
    present = [st for st in "ABCDE" if s.get(key(st), options=browser.options())]
    assert present == ["C", "D", "E"]


def test_rewriting_the_same_state_does_not_evict_others() -> None:
    s, browser = CookieTransactionStore("s", clock=Clock(), max_transactions=2), Browser()
    write(s, browser, "A")
    write(s, browser, "B")
    write(s, browser, "B")
    assert len(browser.jar) == 2


def test_garbage_and_foreign_cookies_are_none() -> None:
    s = CookieTransactionStore("s", clock=Clock())
    browser = Browser({s.cookie_name(key("A")): "garbage", "_a0_tx": "x", "_a0_tx.zz": "y"})
    assert s.get(key("A"), options=browser.options()) is None
    write(s, browser, "B")
    assert "_a0_tx" in browser.jar  # not ours to delete


def test_rotation() -> None:
    browser = Browser()
    write(CookieTransactionStore("old", clock=Clock()), browser, "A")
    rotated = CookieTransactionStore(["new", "old"], clock=Clock())
    assert rotated.get(key("A"), options=browser.options()) == tx("A")


def test_missing_options() -> None:
    s = CookieTransactionStore("s")
    with pytest.raises(MissingRequiredArgumentError):
        s.get(key("A"))
    with pytest.raises(MissingRequiredArgumentError):
        s.delete(key("A"), options={"request": object()})


@pytest.mark.parametrize(
    "kwargs", [{"path": "/\r\nX: y"}, {"path": "/;Secure"}, {"domain": "a.example;"}]
)
def test_cookie_attributes_that_could_inject_are_refused(kwargs: dict[str, Any]) -> None:
    from auth0_core.errors import ConfigurationError

    with pytest.raises(ConfigurationError):
        CookieTransactionStore("secret", **kwargs)
