"""The one-pass readers of the usual stored session and token set against the member-by-member
reading they shortcut: same records, same JSON written back, same errors.

The one-pass readers take plain dicts only; the same value wrapped in another Mapping (all the
way down) goes member by member, so each stored value is read both ways and compared.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth0_core.errors import InvalidRecordError
from auth0_core.records import Session, SessionInternal, TokenSet

from .strategies import json_values, session_wire, token_set_wire

Parse = Callable[[Mapping[str, Any]], Any]


class Wrapped(Mapping[str, Any]):
    """A read-only JSON object that is not a dict: the member-by-member reading's input."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = {key: wrapped(value) for key, value in data.items()}

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


def wrapped(value: Any) -> Any:
    if isinstance(value, dict):
        return Wrapped(value)
    if isinstance(value, list):
        return [wrapped(item) for item in value]
    return value


def outcome(parse: Parse, value: Mapping[str, Any]) -> tuple[str, Any]:
    try:
        record = parse(value)
    except InvalidRecordError as exc:
        return "refused", (exc.record, exc.field, exc.problem)
    return "read", record


def dumped(value: Mapping[str, Any]) -> str:
    return json.dumps(value)


def assert_same_reading(parse: Parse, stored: dict[str, Any]) -> None:
    fast, slow = outcome(parse, stored), outcome(parse, Wrapped(stored))
    assert fast[0] == slow[0]
    if fast[0] == "refused":
        assert fast[1] == slow[1]
        return
    assert fast[1] == slow[1]
    assert dumped(fast[1].to_dict()) == dumped(slow[1].to_dict())
    if parse == Session.from_dict:
        assert dumped(fast[1].public_dict()) == dumped(slow[1].public_dict())
        assert dumped(fast[1].user_dict()) == dumped(slow[1].user_dict())
        assert fast[1].internal.key_order == slow[1].internal.key_order
        for ours, theirs in zip(fast[1].token_sets, slow[1].token_sets, strict=True):
            assert ours.key_order == theirs.key_order
            assert ours.asked_scopes == theirs.asked_scopes
            assert ours.granted_scopes == theirs.granted_scopes
    # and a copy built field by field (no stored form kept) writes the same
    assert dumped(attrs.evolve(fast[1]).to_dict()) == dumped(fast[1].to_dict())


KINDS: list[tuple[Parse, st.SearchStrategy[dict[str, Any]]]] = [
    (Session.from_dict, session_wire),
    (TokenSet.from_dict, token_set_wire),
]


@pytest.mark.parametrize(("parse", "wire"), KINDS, ids=["session", "token_set"])
def test_the_usual_shape_reads_as_member_by_member(
    parse: Parse, wire: st.SearchStrategy[dict[str, Any]]
) -> None:
    @given(wire)
    def check(stored: dict[str, Any]) -> None:
        assert_same_reading(parse, stored)

    check()


WRONG: list[Any] = [None, True, False, 0, 1.5, "", "x", -1, [], {}, [{}]]


def spoil(value: Any, data: st.DataObject) -> Any:
    """``value`` with one member, at any depth, replaced by a wrong value or removed."""
    if isinstance(value, list) and value and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(value) - 1))
        return [*value[:index], spoil(value[index], data), *value[index + 1 :]]
    if not isinstance(value, dict) or not value:
        return data.draw(st.sampled_from(WRONG))
    key = data.draw(st.sampled_from(sorted(value)))
    spoiled = dict(value)
    if data.draw(st.booleans()):
        spoiled[key] = spoil(value[key], data)
    elif data.draw(st.booleans()):
        del spoiled[key]
    else:
        spoiled[key] = data.draw(json_values)
    return spoiled


@pytest.mark.parametrize(("parse", "wire"), KINDS, ids=["session", "token_set"])
def test_a_spoiled_value_is_refused_as_member_by_member(
    parse: Parse, wire: st.SearchStrategy[dict[str, Any]]
) -> None:
    @given(wire, st.data())
    def check(stored: dict[str, Any], data: st.DataObject) -> None:
        spoiled = spoil(stored, data)
        if isinstance(spoiled, dict):
            assert_same_reading(parse, spoiled)

    check()


def test_what_a_read_record_keeps_is_its_own() -> None:
    """The stored form a one-pass read keeps is a copy: changing the stored dict afterwards,
    or what ``to_dict`` returned, changes nothing the record writes."""
    stored: dict[str, Any] = {
        "audience": "api",
        "access_token": "at",
        "scope": "read",
        "expires_at": 2,
        "obtained_at": 1,
    }
    token_set = TokenSet.from_dict(stored)
    before = token_set.to_dict()
    stored["access_token"] = "changed"
    token_set.to_dict()["scope"] = "changed too"
    assert token_set.to_dict() == before
    assert token_set.access_token == "at"


def test_the_usual_internal_reads_as_member_by_member() -> None:
    from auth0_core.records._wire import Fields

    stored = {"sid": "S", "created_at": 1, "last_seen": None, "expires_at": 9}
    fast = SessionInternal.read(Fields(stored, "session"))
    slow = SessionInternal.read(Fields(Wrapped(stored), "session"))
    assert fast == slow
    assert fast.key_order == slow.key_order
    assert dumped(fast.to_dict()) == dumped(slow.to_dict()) == dumped(stored)
