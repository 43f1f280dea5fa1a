"""One refresh per session among instances: with a store that keeps locks, a refresh holds the
session's lock, and an instance that waited for it re-reads the session and uses the token
the holder got instead of presenting the refresh token the holder rotated out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.errors import AccessTokenError, ConfigurationError, InvalidGrantError
from auth0_core.stores import MemoryStateStore
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from .conftest import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INPROCESS_BASE,
    SECRET,
    START,
    run_sync,
)

API = "https://api.example.com"


class LockingStore(MemoryStateStore):
    """A memory store with locks, recording what the flows asked of it; ``before_grant`` runs
    when a lock is asked for (another instance acting meanwhile)."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__(clock=clock)
        self.calls: list[tuple[str, str]] = []
        self.asked: list[tuple[float, float]] = []  # (ttl, wait) of each acquire
        self.held: dict[str, str] = {}
        self.before_grant: Any = None
        self.grant: str | None = "token-1"

    def acquire_lock(
        self, identifier: str, *, ttl: float, wait: float, options: Mapping[str, Any] | None = None
    ) -> str | None:
        self.calls.append(("acquire", identifier))
        self.asked.append((ttl, wait))
        assert "refresh" in identifier
        assert 0 < ttl < wait
        hook, self.before_grant = self.before_grant, None
        if hook is not None:
            hook()
        if self.grant is not None:
            self.held[identifier] = self.grant
        return self.grant

    def release_lock(
        self, identifier: str, token: str, options: Mapping[str, Any] | None = None
    ) -> None:
        self.calls.append(("release", identifier))
        if self.held.get(identifier) == token:
            del self.held[identifier]


def refreshes(tenant: Tenant) -> int:
    return tenant.count("/oauth/token", grant_type="refresh_token")


def logged_in(**options: Any) -> tuple[Tenant, LockingStore, Any, Any]:
    """A tenant, a locking store, and two instances (``options`` added to both) sharing it,
    the first logged in."""
    clock = FixedClock(START)
    tenant = Tenant(TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=clock))
    store = LockingStore(clock)

    def client() -> Any:
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(tenant.handle))
        return auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            authorization_params={"redirect_uri": CALLBACK},
            env=Env(clock=clock),
            state_store=store,
            **options,
        )

    first, second = client(), client()
    url = first.start_interactive_login()
    first.complete_interactive_login(
        str(run_sync(browser_login_flow(url, "alice@example.com", "alice-password"), tenant.handle))
    )
    return tenant, store, first, second


@pytest.fixture
def setup() -> tuple[Tenant, LockingStore, Any, Any]:
    return logged_in()


def test_a_waiter_uses_the_token_the_holder_got(setup: Any) -> None:
    tenant, store, first, second = setup
    before = refreshes(tenant)
    got: list[str] = []
    # While the first instance waits for the lock, the second refreshes for the same API.
    store.before_grant = lambda: got.append(second.get_access_token(audience=API))
    token = first.get_access_token(audience=API)
    assert token == got[0]
    assert refreshes(tenant) - before == 1
    assert store.held == {}  # every lock released
    assert [kind for kind, _ in store.calls] == ["acquire", "acquire", "release", "release"]


def test_without_a_waiter_one_lock_one_refresh(setup: Any) -> None:
    tenant, store, first, _ = setup
    before = refreshes(tenant)
    first.get_access_token(audience=API)
    assert refreshes(tenant) - before == 1
    assert [kind for kind, _ in store.calls] == ["acquire", "release"]
    first.get_access_token(audience=API)  # cached: no lock at all
    assert len(store.calls) == 2


def test_a_refused_refresh_releases_the_lock(setup: Any) -> None:
    _, store, first, _ = setup
    # Spoil the stored refresh token: the tenant refuses it.
    stored = store.get("_a0_session")
    assert stored is not None
    stored["refresh_token"] = "not-a-refresh-token"
    store.set("_a0_session", stored)
    with pytest.raises(InvalidGrantError):
        first.get_access_token(audience=API)
    assert store.held == {}
    assert [kind for kind, _ in store.calls] == ["acquire", "release"]


def test_a_lock_never_granted_is_a_typed_error_and_no_refresh(setup: Any) -> None:
    tenant, store, first, _ = setup
    store.grant = None
    before = refreshes(tenant)
    with pytest.raises(AccessTokenError, match="refresh lock"):
        first.get_access_token(audience=API)
    assert refreshes(tenant) == before


@pytest.mark.parametrize(
    ("options", "asked"),
    [
        ({}, (15.0, 16.0)),  # the default
        ({"refresh_lock_ttl": 40}, (40, 41)),
        ({"timeout": 25.0}, (25.0, 26.0)),  # the default raised to outlive an exchange
        ({"timeout": 25.0, "refresh_lock_ttl": 30}, (30, 31)),
    ],
)
def test_the_lock_is_held_for_refresh_lock_ttl(
    options: dict[str, Any], asked: tuple[float, float]
) -> None:
    _, store, first, _ = logged_in(**options)
    first.get_access_token(audience=API)
    assert store.asked == [asked]


@pytest.mark.parametrize("facade", [auth0_requests, auth0_anyio])
@pytest.mark.parametrize(
    "options",
    [
        {"refresh_lock_ttl": 5},  # below the default timeout (10 s): a refresh outlives it
        {"refresh_lock_ttl": 20, "timeout": 30.0},
        {"refresh_lock_ttl": 0},
        {"refresh_lock_ttl": 4000},
        {"refresh_lock_ttl": True},
        {"refresh_lock_ttl": "15"},
    ],
)
def test_a_refresh_lock_ttl_that_cannot_work_is_refused(
    facade: Any, options: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError, match="refresh_lock_ttl"):
        facade.ServerClient(
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            **options,
        )


@pytest.mark.parametrize("facade", [auth0_requests, auth0_anyio])
def test_both_facades_derive_the_same_lock_ttl(facade: Any) -> None:
    common = {
        "domain": INPROCESS_BASE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
    }
    assert facade.ServerClient(**common).config.refresh_lock_ttl == 15.0
    assert facade.ServerClient(**common, timeout=25.0).config.refresh_lock_ttl == 25.0
    assert facade.ServerClient(**common, refresh_lock_ttl=60).config.refresh_lock_ttl == 60
