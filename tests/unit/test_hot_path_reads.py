"""The cached read path (issue 14 item 3): a cached ``get_access_token`` on the memory store is
a dict lookup and an expiry check, whatever the session holds, and sharing the parsed record
between reads never lets a caller change what is stored.

Costs are counted (calls to the parsers), never timed.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, _authorize, _token_sets
from auth0_core._options import GetAccessTokenOptions, LogoutOptions, coerce_options
from auth0_core.errors import InvalidArgumentError
from auth0_core.flows import tokens as tokens_flows
from auth0_core.records import Session, TokenSet
from auth0_core.records import token_set as token_set_module
from auth0_core.stores import MemoryStateStore

NOW = 1_700_000_000
LOGIN_SCOPE = "openid profile email offline_access"
IDENTIFIER = "_a0_session"


def session_dict(audiences: int) -> dict[str, Any]:
    """A session with ``audiences`` token sets, the default audience's last (a scan's worst)."""
    sets = [
        {
            "audience": f"https://api{i}.example.com",
            "access_token": f"at-{i}",
            "scope": "read:a write:a",
            "requested_scope": "read:a write:a",
            "expires_at": NOW + 3600,
            "obtained_at": NOW,
        }
        for i in range(1, audiences)
    ]
    sets.append(
        {
            "audience": "default",
            "access_token": "at-default",
            "scope": LOGIN_SCOPE,
            "requested_scope": LOGIN_SCOPE,
            "expires_at": NOW + 3600,
            "obtained_at": NOW,
            "other_writer": {"nested": [1, 2]},
        }
    )
    return {
        "user": {"sub": "auth0|alice", "iss": "https://t.example.com/", "address": {"c": "FR"}},
        "id_token": "id",
        "refresh_token": "rt",
        "token_sets": sets,
        "connection_token_sets": [],
        "domain": None,
        "internal": {"sid": "sid-1", "created_at": NOW, "last_seen": NOW, "expires_at": NOW + 99},
        "other_writer": {"kept": ["as", "is"]},
    }


def client_options(clock: FixedClock) -> dict[str, Any]:
    return {
        "domain": "t.example.com",
        "client_id": "cid",
        "client_secret": "cs",
        "secret": "z" * 32,
        "authorization_params": {"scope": LOGIN_SCOPE},
        "env": Env(clock=clock),
    }


def sync_client(audiences: int) -> tuple[auth0_requests.ServerClient, MemoryStateStore]:
    clock = FixedClock(NOW)
    store = MemoryStateStore(clock=clock)
    client = auth0_requests.ServerClient(state_store=store, **client_options(clock))
    store.set(client.config.state_identifier, session_dict(audiences))
    return client, store


class Calls:
    """Counts the calls of the functions that parse or copy on a read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.counts: Counter[str] = Counter()
        self.candidates: list[int] = []
        self._count(monkeypatch, json, "loads")
        self._count(monkeypatch, _authorize, "split_scope")
        self._count(monkeypatch, token_set_module, "scope_set")
        self._count(monkeypatch, TokenSet, "read", classmethod_of=TokenSet)
        self._count(monkeypatch, Session, "adopt_dict", classmethod_of=Session)
        find = _token_sets.find_token_set

        def counted_find(token_sets: Any, audience: str, requested: str) -> TokenSet | None:
            self.candidates.append(len(token_sets))
            return find(token_sets, audience, requested)

        monkeypatch.setattr(tokens_flows, "find_token_set", counted_find)
        _token_sets.requested_scopes.cache_clear()
        _authorize._merged.cache_clear()

    def _count(
        self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, classmethod_of: Any = None
    ) -> None:
        original: Callable[..., Any] = getattr(owner, name)
        label = f"{getattr(owner, '__name__', owner)}.{name}"

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[label] += 1
            return original(*args, **kwargs)

        if classmethod_of is not None:
            monkeypatch.setattr(
                classmethod_of, name, classmethod(lambda _cls, *a, **k: counted(*a, **k))
            )
        else:
            monkeypatch.setattr(owner, name, counted)

    def reset(self) -> None:
        self.counts.clear()
        self.candidates.clear()


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    return Calls(monkeypatch)


def cached_reads(calls: Calls, audiences: int, reads: int = 5) -> tuple[Counter[str], list[int]]:
    client, _store = sync_client(audiences)
    assert client.get_access_token() == "at-default"  # the first read after a write parses
    calls.reset()
    for _ in range(reads):
        assert client.get_access_token() == "at-default"
    counts, candidates = Counter(calls.counts), list(calls.candidates)
    calls.reset()
    return counts, candidates


def test_a_cached_read_parses_nothing_whatever_the_session_holds(calls: Calls) -> None:
    one, one_candidates = cached_reads(calls, 1)
    fifty, fifty_candidates = cached_reads(calls, 50)
    assert one == fifty == Counter()  # no json.loads, record parsing nor scope split per read
    assert one_candidates == fifty_candidates == [1] * 5  # one audience's set looked at


def test_the_first_read_after_a_write_parses_once(calls: Calls) -> None:
    client, store = sync_client(50)
    calls.reset()
    client.get_access_token()
    first = Counter(calls.counts)
    assert first["Session.adopt_dict"] == 1
    assert first["TokenSet.read"] == 50
    assert first["json.loads"] == 1
    calls.reset()
    client.get_access_token()
    assert calls.counts == Counter()
    # A write replaces the entry and what was parsed from it.
    changed = session_dict(50)
    changed["token_sets"][-1]["access_token"] = "at-new"
    store.set(client.config.state_identifier, changed)
    assert client.get_access_token() == "at-new"
    assert calls.counts["Session.adopt_dict"] == 1


def test_asyncio_reads_take_the_same_path(calls: Calls) -> None:
    async def main() -> tuple[Counter[str], list[int]]:
        clock = FixedClock(NOW)
        store = MemoryStateStore(clock=clock)
        client = auth0_anyio.ServerClient(state_store=store, **client_options(clock))
        store.set(client.config.state_identifier, session_dict(50))
        assert await client.get_access_token() == "at-default"
        calls.reset()
        for _ in range(3):
            assert await client.get_access_token() == "at-default"
        return Counter(calls.counts), list(calls.candidates)

    counts, candidates = asyncio.run(main())
    assert counts == Counter()
    assert candidates == [1, 1, 1]


def mutate(value: Any) -> None:
    """Change every dict and list inside ``value`` in place."""
    if isinstance(value, dict):
        for item in list(value.values()):
            mutate(item)
        value["mutated"] = True
        value.pop("sub", None)
    elif isinstance(value, list):
        for item in value:
            mutate(item)
        value.append("mutated")


def test_mutating_what_a_read_returns_never_changes_the_store() -> None:
    client, store = sync_client(10)
    client.get_access_token()  # the parsed record is now shared by every read
    expected_session = client.get_session()
    expected_user = client.get_user()
    assert expected_session is not None
    assert expected_user is not None
    assert expected_user["address"] == {"c": "FR"}
    assert expected_session["other_writer"] == {"kept": ["as", "is"]}
    assert expected_session["token_sets"][-1]["other_writer"] == {"nested": [1, 2]}
    expected_stored = store.get(IDENTIFIER)

    for returned in (client.get_session(), client.get_user(), store.get(IDENTIFIER)):
        mutate(returned)

    assert client.get_session() == expected_session
    assert client.get_user() == expected_user
    assert store.get(IDENTIFIER) == expected_stored
    assert client.get_access_token() == "at-default"


def test_mutating_what_was_written_never_changes_the_store() -> None:
    client, store = sync_client(1)
    written = session_dict(3)
    store.set(IDENTIFIER, written)
    client.get_access_token()
    mutate(written)
    assert store.get(IDENTIFIER) == session_dict(3)
    assert client.get_user() == session_dict(3)["user"]


def test_the_record_path_keeps_expiry_and_invalid_records() -> None:
    clock = FixedClock(NOW)
    store = MemoryStateStore(clock=clock)
    store.set(IDENTIFIER, session_dict(1))  # internal.expires_at: NOW + 99
    record = store.get_record(IDENTIFIER, Session.from_dict)
    assert isinstance(record, Session)
    assert store.get_record(IDENTIFIER, Session.from_dict) is record  # kept, not reparsed
    clock.advance(99)
    assert store.get_record(IDENTIFIER, Session.from_dict) is None
    # A value the parser refuses comes back as the plain dict, for the reader to report.
    store.set(IDENTIFIER, {"user": {}})
    assert store.get_record(IDENTIFIER, Session.from_dict) == {"user": {}}
    client = auth0_requests.ServerClient(state_store=store, **client_options(clock))
    assert client.get_session() is None


@pytest.mark.parametrize(
    ("requested", "granted"),
    [(None, None), ("", "a"), ("a b a", "a"), (None, "b  c"), ("x", None), ("a b", "b a")],
)
def test_token_set_scopes_are_parsed_once_as_split_scope_parses_them(
    requested: str | None, granted: str | None
) -> None:
    entry = TokenSet(
        audience="api", access_token="at", scope=granted, requested_scope=requested, expires_at=1
    )
    asked = requested if requested is not None else granted
    assert entry.asked_scopes == frozenset(_authorize.split_scope(asked))
    assert entry.granted_scopes == frozenset(_authorize.split_scope(granted))


def test_sessions_index_token_sets_by_audience() -> None:
    session = Session.from_dict(session_dict(50))
    assert [s.access_token for s in session.token_sets_for("default")] == ["at-default"]
    assert session.token_sets_for("https://api7.example.com")[0].access_token == "at-7"
    assert session.token_sets_for("nowhere") == ()
    assert session == Session.from_dict(session_dict(50))  # the index is not part of equality


def test_merged_scopes_are_remembered_only_for_strings() -> None:
    assert _authorize.merge_scopes("openid a", "a b", None) == "openid a b"
    assert _authorize.merge_scopes("openid a", "a b", None) == "openid a b"
    with pytest.raises(AttributeError):
        _authorize.merge_scopes(["not", "a", "string"])  # type: ignore[arg-type]


def test_default_options_are_shared_and_equal_to_fresh_ones() -> None:
    assert coerce_options(GetAccessTokenOptions, None) == GetAccessTokenOptions()
    unset: Mapping[str, Any] = {"audience": None, "scope": None}
    assert coerce_options(GetAccessTokenOptions, dict(unset)) is coerce_options(
        GetAccessTokenOptions, None
    )
    assert coerce_options(GetAccessTokenOptions, {"audience": "api", "scope": None}) == (
        GetAccessTokenOptions(audience="api")
    )
    assert coerce_options(LogoutOptions, {}) == LogoutOptions()
    with pytest.raises(InvalidArgumentError):
        coerce_options(GetAccessTokenOptions, {"audience": None, "nope": None})


def test_a_copied_view_is_a_plain_dict_whatever_it_views() -> None:
    from collections import OrderedDict
    from types import MappingProxyType

    from auth0_core.records._wire import thawed

    for inner in ({"sub": "x", "n": [1]}, OrderedDict(sub="x", n=[1])):
        copy = thawed(MappingProxyType(inner))
        assert type(copy) is dict
        assert copy == {"sub": "x", "n": [1]}
        assert copy["n"] is not inner["n"]


def test_store_answers_are_told_awaitable_as_inspect_tells_them() -> None:
    import inspect

    from auth0_core._facade import is_awaitable

    async def coroutine() -> None:
        return None

    class Awaitable:
        def __await__(self) -> Any:
            return iter(())

    class Subclass(dict[str, Any]):
        def __await__(self) -> Any:
            return iter(())

    pending = coroutine()
    values: tuple[object, ...] = (
        None,
        True,
        "x",
        {},
        Session.from_dict(session_dict(1)),
        pending,
        Awaitable(),
        Subclass(),
    )
    try:
        for value in values:
            assert is_awaitable(value) == inspect.isawaitable(value)
    finally:
        pending.close()
