"""Memory stores: copies, expiry with an injected clock, bounds, logout tokens, per-browser ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from auth0_core._effects import StoreOptions
from auth0_core.errors import ConfigurationError
from auth0_core.stores import (
    AsyncStateStore,
    AsyncTransactionStore,
    MemoryStateStore,
    MemoryTransactionStore,
    StateStoreProtocol,
    TransactionStoreProtocol,
)

from .browser import Browser, attributes
from .conformance import mismatches

NOW = 1_767_139_200
ISS = "https://t.eu.auth0.com/"
ID = "_a0_session"


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def session(
    sub: str = "auth0|1", sid: str = "S1", iss: str = ISS, **internal: Any
) -> dict[str, Any]:
    return {"user": {"sub": sub, "iss": iss}, "internal": {"sid": sid, **internal}}


def test_protocols() -> None:
    assert isinstance(MemoryStateStore(), StateStoreProtocol)
    assert isinstance(MemoryTransactionStore(), TransactionStoreProtocol)
    assert not isinstance(MemoryTransactionStore(), StateStoreProtocol)
    assert mismatches(MemoryStateStore(), StateStoreProtocol) == []
    assert mismatches(MemoryTransactionStore(), TransactionStoreProtocol) == []
    # Statically (mypy) the memory stores satisfy the sync protocols...
    state: StateStoreProtocol = MemoryStateStore()
    transaction: TransactionStoreProtocol = MemoryTransactionStore()
    assert state is not transaction


class _AsyncStore:
    """A minimal async store: mypy checks it against the async protocols."""

    def __init__(self) -> None:
        self.data: dict[str, dict[str, Any]] = {}

    async def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        return self.data.get(identifier)

    async def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        self.data[identifier] = dict(state)

    async def delete(self, identifier: str, options: StoreOptions = None) -> None:
        self.data.pop(identifier, None)

    async def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        self.data.clear()


def test_async_protocols() -> None:
    state: AsyncStateStore = _AsyncStore()
    transaction: AsyncTransactionStore = _AsyncStore()
    assert isinstance(state, AsyncStateStore)
    assert isinstance(transaction, AsyncTransactionStore)
    assert mismatches(state, AsyncStateStore) == []
    # A sync store has the names but not the kind: isinstance cannot tell, the signatures can.
    assert mismatches(MemoryStateStore(), AsyncStateStore) == [
        f"{name}: sync/async differs" for name in ("delete", "delete_by_logout_token", "get", "set")
    ]


def test_values_are_copied_in_and_out() -> None:
    s = MemoryStateStore()
    value = session()
    s.set(ID, value)
    value["user"]["sub"] = "changed"
    got = s.get(ID)
    assert got is not None
    assert got["user"]["sub"] == "auth0|1"
    got["user"]["sub"] = "changed again"
    assert s.get(ID) == session()


def test_session_expiry_with_injected_clock() -> None:
    clock = Clock()
    s = MemoryStateStore(clock=clock)
    s.set(ID, session(expires_at=NOW + 10))
    clock.now = NOW + 9.9
    assert s.get(ID) is not None
    clock.now = NOW + 10
    assert s.get(ID) is None


def test_transaction_expiry_with_injected_clock() -> None:
    clock = Clock()
    s = MemoryTransactionStore(clock=clock)
    s.set("_a0_tx:A", {"state": "A", "expires_at": NOW + 600})
    assert s.get("_a0_tx:A") == {"state": "A", "expires_at": NOW + 600}
    clock.now = NOW + 600
    assert s.get("_a0_tx:A") is None
    s.set("_a0_tx:B", {"state": "B"})  # no expiry: kept
    clock.now = NOW + 10**6
    assert s.get("_a0_tx:B") == {"state": "B"}
    s.delete("_a0_tx:B")
    assert s.get("_a0_tx:B") is None


def test_bool_is_not_an_expiry() -> None:
    s = MemoryTransactionStore(clock=Clock())
    s.set("k", {"expires_at": True})
    assert s.get("k") == {"expires_at": True}


def test_bounded_with_oldest_eviction() -> None:
    s = MemoryTransactionStore(max_entries=3)
    for i in range(5):
        s.set(f"k{i}", {"i": i})
    assert [s.get(f"k{i}") for i in range(5)] == [None, None, {"i": 2}, {"i": 3}, {"i": 4}]
    with pytest.raises(ConfigurationError):
        MemoryTransactionStore(max_entries=0)


def _filled() -> tuple[MemoryStateStore, list[Browser]]:
    s = MemoryStateStore()
    browsers = []
    for sub, sid, iss in [
        ("auth0|1", "S1", ISS),
        ("auth0|1", "S2", ISS),
        ("auth0|2", "S3", ISS),
        ("auth0|1", "S4", "https://other/"),
    ]:
        browser = Browser()
        s.set(ID, session(sub, sid, iss), options=browser.options())
        browser.absorb()
        browsers.append(browser)
    return s, browsers


def _alive(s: MemoryStateStore, browsers: list[Browser]) -> list[str]:
    found = [s.get(ID, options=b.options()) for b in browsers]
    return [v["internal"]["sid"] for v in found if v is not None]


def test_logout_token_by_sid() -> None:
    s, browsers = _filled()
    s.delete_by_logout_token({"sid": "S2", "sub": "auth0|1", "iss": ISS})
    assert _alive(s, browsers) == ["S1", "S3", "S4"]


def test_logout_token_by_sub_restricted_to_issuer() -> None:
    s, browsers = _filled()
    s.delete_by_logout_token({"sub": "auth0|1", "iss": ISS})
    assert _alive(s, browsers) == ["S3", "S4"]


def test_logout_token_by_sub_without_issuer() -> None:
    s, browsers = _filled()
    s.delete_by_logout_token({"sub": "auth0|1"})
    assert _alive(s, browsers) == ["S3"]


def test_logout_token_with_the_wrong_issuer_deletes_nothing() -> None:
    s, browsers = _filled()
    s.delete_by_logout_token({"sid": "S1", "iss": "https://evil/"})
    s.delete_by_logout_token({"iss": ISS})
    s.delete_by_logout_token({"sid": "", "sub": ""})
    assert _alive(s, browsers) == ["S1", "S2", "S3", "S4"]


def test_logout_token_on_the_single_user_key() -> None:
    s = MemoryStateStore()
    s.set(ID, session())
    s.delete_by_logout_token({"sid": "S1", "iss": ISS})
    assert s.get(ID) is None


class _CountingJson:
    """Stands in for the memory store's ``json`` module: counts the values it parses."""

    def __init__(self) -> None:
        import json

        self.real = json
        self.parsed = 0

    def loads(self, text: str) -> Any:
        self.parsed += 1
        return self.real.loads(text)

    def dumps(self, value: Any) -> str:
        return self.real.dumps(value)


def test_a_logout_token_reads_only_the_sessions_it_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """The store is indexed by sid and sub: with 2,000 sessions, a logout token parses the one
    (by sid) or two (by sub) it names, not every session under the store's lock."""
    from auth0_core.stores import _memory

    s = MemoryStateStore()
    browsers = []
    for n in range(2000):
        browser = Browser()
        s.set(ID, session(f"auth0|{n % 1000}", f"S{n}"), options=browser.options())
        browser.absorb()
        browsers.append(browser)
    counting = _CountingJson()
    monkeypatch.setattr(_memory, "json", counting)
    s.delete_by_logout_token({"sid": "S7", "sub": "auth0|7", "iss": ISS})
    assert counting.parsed == 1
    s.delete_by_logout_token({"sub": "auth0|8", "iss": ISS})
    assert counting.parsed == 3  # S8 and S1008
    s.delete_by_logout_token({"sid": "no-such-sid"})
    assert counting.parsed == 3
    monkeypatch.undo()
    gone = [n for n, b in enumerate(browsers) if s.get(ID, options=b.options()) is None]
    assert gone == [7, 8, 1008]


def test_the_index_follows_rewrites_deletes_evictions_and_expiry() -> None:
    clock = Clock()
    s = MemoryStateStore(clock=clock, max_entries=3)
    first = Browser()
    s.set(ID, session("auth0|1", "OLD"), options=first.options())
    first.absorb()
    s.set(ID, session("auth0|1", "NEW"), options=first.options())  # same browser, new sid
    s.delete_by_logout_token({"sid": "OLD"})
    assert s.get(ID, options=first.options()) is not None  # the old sid names nothing now
    s.delete_by_logout_token({"sid": "NEW"})
    assert s.get(ID, options=first.options()) is None
    for n in range(5):  # evicts the two oldest
        browser = Browser()
        s.set(ID, session(f"auth0|e{n}", f"E{n}", expires_at=NOW + 10), options=browser.options())
    s.delete(ID)  # the per-process session: absent, deleting it changes nothing
    assert set(s._table._index) == {
        (kind, f"{prefix}{n}")
        for n in (2, 3, 4)
        for kind, prefix in (("sid", "E"), ("sub", "auth0|e"))
    }
    clock.now = NOW + 10
    for key in list(s._table._data):
        assert s._table.get(key) is None  # expired: read as absent and dropped
    assert s._table._index == {}  # nothing of them is left behind


def test_two_browsers_get_distinct_sessions() -> None:
    s, alice, bob = MemoryStateStore(), Browser(), Browser()
    s.set(ID, session("alice", "SA"), options=alice.options())
    alice.absorb()
    s.set(ID, session("bob", "SB"), options=bob.options())
    bob.absorb()
    assert alice.jar[ID] != bob.jar[ID]
    assert len(alice.jar[ID]) >= 22  # 128 bits, base64url
    assert s.get(ID, options=alice.options()) == session("alice", "SA")
    assert s.get(ID, options=bob.options()) == session("bob", "SB")
    assert s.get(ID, options=Browser().options()) is None
    assert s.get(ID) is None  # the single-user key is separate


def test_updates_keep_the_id_and_login_rotates_it() -> None:
    s, browser = MemoryStateStore(), Browser()
    s.set(ID, session(), options=browser.options())
    first = browser.absorb().cookies[ID]
    s.set(ID, session(sid="S1b"), options=browser.options())
    assert browser.absorb().cookies[ID] == first
    s.set(ID, session(sid="S2"), remove_if_expires=True, options=browser.options())
    rotated = browser.absorb().cookies[ID]
    assert rotated != first
    assert s.get(ID, options=Browser({ID: first}).options()) is None
    assert s.get(ID, options=browser.options()) == session(sid="S2")


def test_an_unknown_id_is_never_adopted() -> None:
    s, planted = MemoryStateStore(), Browser({ID: "attacker-chosen-id"})
    s.set(ID, session(), options=planted.options())
    planted.absorb()
    assert planted.jar[ID] != "attacker-chosen-id"
    assert s.get(ID, options=Browser({ID: "attacker-chosen-id"}).options()) is None


def test_id_cookie_attributes_and_delete() -> None:
    clock = Clock()
    s, browser = MemoryStateStore(clock=clock), Browser()
    s.set(ID, session(expires_at=NOW + 500), options=browser.options())
    attrs = attributes(browser.absorb().headers()[0][1])
    assert attrs["Max-Age"] == "500"
    assert "HttpOnly" in attrs
    assert "Secure" in attrs
    assert attrs["SameSite"] == "Lax"
    s.delete(ID, options=browser.options())
    browser.absorb()
    assert browser.jar == {}


def test_expired_session_with_cookie() -> None:
    clock = Clock()
    s, browser = MemoryStateStore(clock=clock), Browser()
    s.set(ID, session(expires_at=NOW + 5), options=browser.options())
    browser.absorb()
    clock.now = NOW + 5
    assert s.get(ID, options=browser.options()) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"path": "/\r\nSet-Cookie: x=1"},
        {"path": "/a;b"},
        {"domain": "example.com; HttpOnly"},
        {"same_site": "Lax\n"},
        {"same_site": "None", "secure": False},
    ],
)
def test_cookie_attributes_that_could_inject_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        MemoryStateStore(**kwargs)


def test_cookie_attributes_reach_the_id_cookie_and_its_deletion() -> None:
    s = MemoryStateStore(path="/app", domain="example.com", same_site="strict")
    browser = Browser()
    options = browser.options()
    s.set(ID, {"user": {"sub": "1"}}, options=options)
    line = browser.absorb().headers()[0][1]
    assert "; Path=/app; Domain=example.com; Secure; HttpOnly; SameSite=Strict" in line
    options = browser.options()
    s.delete(ID, options=options)
    deletion = browser.absorb().headers()[0][1]
    assert "Max-Age=0" in deletion
    assert "Path=/app; Domain=example.com" in deletion


def test_a_request_without_a_response_reads_its_own_browser_never_the_process_session() -> None:
    from auth0_core.errors import MissingStoreOptionsError
    from auth0_core.stores import CookieRequest, CookieResponse

    store = MemoryStateStore(clock=Clock())
    store.set(ID, session(sub="auth0|script"))  # the one per-process session (a script's)
    response = CookieResponse()
    store.set(
        ID,
        session(sub="auth0|browser"),
        options={"request": CookieRequest({}), "response": response},
    )
    sid = next(v.split("=", 1)[1].split(";", 1)[0] for _, v in response.headers())
    alone = {"request": CookieRequest({ID: sid})}
    assert (store.get(ID, alone) or {})["user"]["sub"] == "auth0|browser"
    assert store.get(ID, {"request": CookieRequest({})}) is None  # a browser without a session
    with pytest.raises(MissingStoreOptionsError):  # nowhere to set its cookie: not the process's
        store.set(ID, session(sub="auth0|other"), options={"request": CookieRequest({})})
    store.delete(ID, alone)
    assert store.get(ID, alone) is None
    assert (store.get(ID) or {})["user"]["sub"] == "auth0|script"  # untouched throughout


@pytest.mark.parametrize("ending", ["delete", "logout token"])
def test_an_update_after_a_logout_does_not_write_the_session_back(ending: str) -> None:
    """A refresh read the session, a logout deleted it, the refresh writes: nothing comes
    back, under the old id or a new one, and the browser's id cookie is cleared."""
    store = MemoryStateStore()
    browser = Browser()
    store.set(ID, session("auth0|1", "S1", ISS), remove_if_expires=True, options=browser.options())
    browser.absorb()
    stale = store.get(ID, options=browser.options())
    assert stale is not None
    if ending == "delete":
        store.delete(ID, options=browser.options())
    else:
        store.delete_by_logout_token({"sid": "S1", "iss": ISS})
    store.set(ID, stale, options=browser.options())  # the refresh's update, sent before
    assert len(store._table) == 0
    browser.absorb()
    assert ID not in browser.jar  # its id cookie cleared
    fresh = Browser()  # a new login is a new session as ever
    store.set(ID, session("auth0|1", "S5", ISS), remove_if_expires=True, options=fresh.options())
    fresh.absorb()
    assert store.get(ID, options=fresh.options()) is not None
