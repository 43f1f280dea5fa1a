"""The facades call a user's store as the official SDK does, so stores written against the
official base classes (ours or auth0-server-python's own) run unchanged: login, session,
refresh, logout and back-channel logout on asyncio and trio; the sync facade refuses them."""

from __future__ import annotations

from typing import Any

import pytest
from auth0_server_python.store import abstract as official  # type: ignore[import-untyped]

from auth0_core import Env, FixedClock
from auth0_core._facade import _SET_TAKES_HINT, _set_takes_remove_if_expires
from auth0_core.errors import ConfigurationError, StoreNotSupportedError
from auth0_core.stores import StateStore, TransactionStore, session_matches
from auth0_core.tenant import Tenant, TenantConfig

from ..e2e.conftest import CLIENT_ID, INPROCESS_BASE, SECRET, START, App

pytestmark = pytest.mark.anyio
DAY = 86_400
ALICE = "auth0|alice"


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_app(backend: str, **stores: Any) -> App:
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
    return App(f"{backend}-inprocess", tenant, INPROCESS_BASE, clock, **stores)


class Calls:
    """Every store call, as (method, positional arguments after the first, keyword names)."""

    def __init__(self) -> None:
        self.log: list[tuple[str, int, tuple[str, ...]]] = []

    def record(self, method: str, positional: int, **keywords: Any) -> None:
        self.log.append((method, positional, tuple(sorted(keywords))))


class NoHintSessions(StateStore):
    """The official docs' shape: ``set`` without ``remove_if_expires``, values encrypted."""

    def __init__(self, secret: str) -> None:
        super().__init__({"secret": secret})
        self.rows: dict[str, str] = {}
        self.calls = Calls()

    async def set(  # type: ignore[override]  # as mypy would say of the official class
        self, identifier: str, state: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        self.calls.record("set", 2, options=options)
        self.rows[identifier] = self.encrypt(identifier, state)

    async def get(
        self, identifier: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        self.calls.record("get", 1, options=options)
        row = self.rows.get(identifier)
        return None if row is None else self.decrypt(identifier, row)

    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        self.calls.record("delete", 1, options=options)
        self.rows.pop(identifier, None)

    async def delete_by_logout_token(
        self, claims: dict[str, Any], options: dict[str, Any] | None = None
    ) -> None:
        assert type(claims) is dict
        for identifier, row in list(self.rows.items()):
            if session_matches(self.decrypt(identifier, row), claims):
                del self.rows[identifier]


class HintedTransactions(TransactionStore):
    """The official base class's full ``set`` signature: it is given the rotation hint."""

    def __init__(self, secret: str) -> None:
        super().__init__({"secret": secret})
        self.rows: dict[str, str] = {}
        self.hints: list[bool] = []

    async def set(
        self,
        identifier: str,
        state: dict[str, Any],
        remove_if_expires: bool = False,
        options: dict[str, Any] | None = None,
    ) -> None:
        self.hints.append(remove_if_expires)
        self.rows[identifier] = self.encrypt(identifier, state)

    async def get(
        self, identifier: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        row = self.rows.get(identifier)
        return None if row is None else self.decrypt(identifier, row)

    async def delete(self, identifier: str, options: dict[str, Any] | None = None) -> None:
        self.rows.pop(identifier, None)


class OfficialBaseSessions(official.StateStore):  # type: ignore[misc]
    """A store on auth0-server-python's own base class, its own encrypt/decrypt included."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.rows: dict[str, str] = {}

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.rows[identifier] = self.encrypt(identifier, state)

    async def get(self, identifier: str, options: Any = None) -> Any:
        row = self.rows.get(identifier)
        return None if row is None else self.decrypt(identifier, row)

    async def delete(self, identifier: str, options: Any = None) -> None:
        self.rows.pop(identifier, None)


async def whole_session(app: App) -> dict[str, Any]:
    """Login, session, a refresh, back-channel logout, login again, logout; the last session."""
    await app.login()
    store = app.browser.store_options()
    session = await app.call("get_session", store_options=store)
    assert session["user"]["sub"] == ALICE
    refreshes = app.tenant.count(path="/oauth/token", grant_type="refresh_token")
    first = session["token_sets"][0]["access_token"]
    app.clock.advance(DAY - 59)
    token = await app.call("get_access_token", store_options=app.browser.store_options())
    assert token != first
    assert app.tenant.count(path="/oauth/token", grant_type="refresh_token") == refreshes + 1
    refreshed = await app.call("get_session", store_options=app.browser.store_options())
    assert token in [each["access_token"] for each in refreshed["token_sets"]]
    logout_token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=refreshed["user"]["sid"])
    await app.call("handle_backchannel_logout", logout_token)
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    await app.login()
    last = dict(await app.call("get_session", store_options=app.browser.store_options()))
    url = await app.call("logout", store_options=app.browser.store_options())
    assert str(url).startswith(INPROCESS_BASE)
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    return last


async def test_official_style_stores_run_unchanged(anyio_backend: str) -> None:
    sessions, transactions = NoHintSessions(SECRET), HintedTransactions(SECRET)
    app = make_app(anyio_backend, state_store=sessions, transaction_store=transactions)
    await whole_session(app)
    # set(identifier, state, options=...) exactly as the official SDK calls it: no
    # remove_if_expires for a set that does not take it; get/delete with options=.
    assert {call for call in sessions.calls.log} == {
        ("set", 2, ("options",)),
        ("get", 1, ("options",)),
        ("delete", 1, ("options",)),
    }
    assert transactions.hints  # the transaction store's set takes it, so it is given
    assert sessions.rows == {}


async def test_a_store_on_the_official_sdks_own_base_class(anyio_backend: str) -> None:
    sessions = OfficialBaseSessions({"secret": SECRET})
    app = make_app(anyio_backend, state_store=sessions)
    with pytest.raises(StoreNotSupportedError, match="delete_by_logout_token"):
        await whole_session(app)  # its delete_by_logout_token is the official default
    app = make_app(anyio_backend, state_store=OfficialBaseSessions({"secret": SECRET}))
    await app.login()
    session = await app.call("get_session", store_options=app.browser.store_options())
    assert session["user"]["sub"] == ALICE
    # What it stored is the official SDK's own encryption, which our seal opens too.
    stored = app.client._stores["state"].rows
    (identifier, value), *_ = stored.items()
    assert NoHintSessions(SECRET).decrypt(identifier, value)["user"]["sub"] == ALICE


async def test_our_base_classes_default_delete_by_logout_token_is_not_supported(
    anyio_backend: str,
) -> None:
    class NoBackchannel(NoHintSessions):
        delete_by_logout_token = StateStore.delete_by_logout_token

    app = make_app(anyio_backend, state_store=NoBackchannel(SECRET))
    await app.login()
    token = app.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    with pytest.raises(StoreNotSupportedError, match="delete_by_logout_token"):
        await app.call("handle_backchannel_logout", token)


def test_the_sync_facade_refuses_async_official_style_stores() -> None:
    for stores in (
        {"state_store": NoHintSessions(SECRET)},
        {"transaction_store": HintedTransactions(SECRET)},
        {"state_store": OfficialBaseSessions({"secret": SECRET})},
    ):
        with pytest.raises(ConfigurationError, match=r"async.*auth0_anyio\.ServerClient"):
            make_app("sync", **stores)


def test_the_set_signature_is_read_once_per_class() -> None:
    class Keywords:
        def set(self, identifier: str, state: Any, **options: Any) -> None: ...

    class Positional:
        def set(self, identifier: str, state: Any, remove_if_expires: bool, /) -> None: ...

    class Builtin:
        set = dict.__setitem__  # no inspectable keyword: given the hint, as before

    assert _set_takes_remove_if_expires(NoHintSessions(SECRET)) is False
    assert _set_takes_remove_if_expires(HintedTransactions(SECRET)) is True
    assert _set_takes_remove_if_expires(Keywords()) is True
    assert _set_takes_remove_if_expires(Positional()) is False
    assert _SET_TAKES_HINT[NoHintSessions] is False
    assert _SET_TAKES_HINT[Keywords] is True
    assert _set_takes_remove_if_expires(Builtin()) in (True, False)
    on_instance = NoHintSessions(SECRET)
    on_instance.set = HintedTransactions(SECRET).set  # type: ignore[method-assign, assignment]
    assert _set_takes_remove_if_expires(on_instance) is True
