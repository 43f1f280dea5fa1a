"""The pure core reads a stored record that does not validate as no record: no session, no
transaction. It logs what failed (once at WARNING, without any stored value), and leaves the
record where it is, so an older instance never deletes what a newer one wrote."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from auth0_core import Env, FixedClock
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core.effects import Effect, Flow, StoreGet, run
from auth0_core.errors import MissingRefreshTokenError, MissingTransactionError, StartLinkUserError
from auth0_core.flows.linking import start_link_flow
from auth0_core.flows.login import complete_login_flow
from auth0_core.flows.session import get_session_flow, get_user_flow
from auth0_core.flows.tokens import get_access_token_flow
from auth0_core.records import _wire
from auth0_core.stores._common import OnceLogger

NOW = 1_800_000_000
SECRET_VALUES = ("SECRET-RT", "SECRET-AT", "SECRET-VERIFIER")

SESSION: dict[str, Any] = {
    "user": {"sub": "auth0|1", "name": "Alice"},
    "id_token": "eyJ.id.sig",
    "refresh_token": SECRET_VALUES[0],
    "token_sets": [
        {
            "audience": "default",
            "access_token": SECRET_VALUES[1],
            "scope": "openid",
            "expires_at": NOW + 3600,
        }
    ],
    "connection_token_sets": [],
    "domain": "t.example",
    "internal": {"sid": "S1", "created_at": NOW, "last_seen": NOW, "session_expires_at": None},
}
TRANSACTION: dict[str, Any] = {
    "flow": "login",
    "state": "abc",
    "nonce": "n",
    "code_verifier": SECRET_VALUES[2],
    "redirect_uri": "https://app.example/callback",
    "audience": None,
    "scope": "openid",
    "max_age": None,
    "organization": None,
    "app_state": None,
    "domain": "t.example",
    "created_at": NOW,
    "expires_at": NOW + 600,
    "browser_binding": None,
}


def spoiled(record: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``record`` with the member at ``path`` (dotted) set to ``value``, or removed (...)."""
    copy: dict[str, Any] = {**record, "internal": dict(record.get("internal") or {})}
    *parents, key = path.split(".")
    target = copy
    for parent in parents:
        target = target[parent]
    if value is ...:
        del target[key]
    else:
        target[key] = value
    return copy


BAD_SESSIONS = {
    "future version": spoiled(SESSION, "internal.v", 2),
    "wrong type": spoiled(SESSION, "internal.created_at", "yesterday"),
    "missing internal": spoiled(SESSION, "internal", ...),
    "no subject": spoiled(SESSION, "user", {"name": "Alice"}),
    "bad token set": spoiled(SESSION, "token_sets", [{"access_token": 1, "expires_at": 1}]),
}
BAD_TRANSACTIONS = {
    "future version": spoiled(TRANSACTION, "v", 2),
    "wrong type": spoiled(TRANSACTION, "max_age", True),
    "missing nonce": spoiled(TRANSACTION, "nonce", ...),
    "unknown flow": spoiled(TRANSACTION, "flow", "enroll"),
}


class Stores:
    """Answers store reads from ``records``; remembers every other effect."""

    def __init__(self, **records: dict[str, Any]) -> None:
        self.records = records
        self.effects: list[Effect] = []

    def perform(self, effect: Effect) -> object:
        self.effects.append(effect)
        if isinstance(effect, StoreGet):
            return self.records.get(effect.store)
        raise AssertionError(f"unexpected effect {type(effect).__name__}")


@pytest.fixture
def client() -> CoreClient:
    return CoreClient(
        make_config(
            domain="t.example",
            client_id="c",
            client_secret="s",
            secret="x" * 32,
            authorization_params={"redirect_uri": "https://app.example/callback"},
            env=Env(clock=FixedClock(NOW + 10)),
        )
    )


@pytest.fixture
def log(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Any:
    """The records' log, fresh (nothing seen yet), captured from DEBUG."""
    monkeypatch.setattr(_wire, "_log", OnceLogger(logging.getLogger("auth0_core.records")))
    caplog.set_level(logging.DEBUG, logger="auth0_core.records")
    return caplog


def check_one_line_without_content(log: Any, field: str) -> None:
    lines = [r for r in log.records if r.name == "auth0_core.records"]
    assert [r.levelno for r in lines] == [logging.WARNING]
    message = lines[0].getMessage()
    assert f"'{field}'" in message
    assert not any(secret in message for secret in SECRET_VALUES)


def test_a_valid_session_reads(client: CoreClient) -> None:
    stores = Stores(state=SESSION)
    assert run(get_user_flow(client, None), stores.perform) == SESSION["user"]


@pytest.mark.parametrize("stored", BAD_SESSIONS.values(), ids=BAD_SESSIONS.keys())
@pytest.mark.parametrize("flow", ["get_session", "get_user"])
def test_an_invalid_session_reads_as_none_and_stays(
    client: CoreClient, log: Any, stored: dict[str, Any], flow: str
) -> None:
    stores = Stores(state=stored)
    reader = get_session_flow if flow == "get_session" else get_user_flow
    assert run(reader(client, None), stores.perform) is None
    assert all(isinstance(effect, StoreGet) for effect in stores.effects)  # nothing deleted
    assert len([r for r in log.records if r.name == "auth0_core.records"]) == 1


def test_the_log_line_names_the_field_once_then_goes_quiet(client: CoreClient, log: Any) -> None:
    stores = Stores(state=BAD_SESSIONS["wrong type"])
    run(get_session_flow(client, None), stores.perform)
    check_one_line_without_content(log, "internal.created_at")
    run(get_session_flow(client, None), stores.perform)
    levels = [r.levelno for r in log.records if r.name == "auth0_core.records"]
    assert levels == [logging.WARNING, logging.DEBUG]


def test_an_invalid_session_has_no_token_and_links_nothing(client: CoreClient, log: Any) -> None:
    stores = Stores(state=BAD_SESSIONS["future version"])
    with pytest.raises(MissingRefreshTokenError):
        run(get_access_token_flow(client, None, None), stores.perform)
    with pytest.raises(StartLinkUserError):
        run(start_link_flow(client, "link", {"connection": "github"}, None), stores.perform)


@pytest.mark.parametrize("stored", BAD_TRANSACTIONS.values(), ids=BAD_TRANSACTIONS.keys())
def test_an_invalid_transaction_is_no_transaction(
    client: CoreClient, log: Any, stored: dict[str, Any]
) -> None:
    stores = Stores(transaction=stored)
    flow: Flow[Any] = complete_login_flow(
        client, "https://app.example/callback?code=c&state=abc", None
    )
    with pytest.raises(MissingTransactionError) as caught:
        run(flow, stores.perform)
    assert type(caught.value) is MissingTransactionError
    assert all(isinstance(effect, StoreGet) for effect in stores.effects)  # nothing consumed
    lines = [r for r in log.records if r.name == "auth0_core.records"]
    assert len(lines) == 1
    assert not any(secret in lines[0].getMessage() for secret in SECRET_VALUES)
