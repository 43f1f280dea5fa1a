"""Checking stored JSON once on the way in, and writing it back in the shape it was read in.

A record read from a store is checked member by member here; a record the flows build is typed
by construction and never checked again. The usual stored shape (plain dicts, only members this
SDK knows) is read in one pass instead (each record's ``_read_plain``: the same checks and
values, inline), and anything else, or anything that fails there, is read member by member,
which names what fails. Writing keeps the stored key order, the keys of other
writers and the difference between an absent key and a null one, so a session moves between
this SDK and the official one byte for byte.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NoReturn, TypeVar

from ..errors import InvalidRecordError
from ..stores._common import OnceLogger

R = TypeVar("R")

# Version 1 is written with no version key, exactly as before versions existed (and as the
# official SDK writes a session); a later incompatible format writes "v": 2 or more, which this
# version then reads as absent instead of misreading it.
FORMAT_VERSION = 1
VERSION_KEY = "v"

NO_EXTRA: Mapping[str, Any] = MappingProxyType({})
_ABSENT = object()

_log = OnceLogger(logging.getLogger("auth0_core.records"))


def readonly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    """A read-only view of a shallow copy of ``value`` (once: a view is kept as it is)."""
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value)) if value else NO_EXTRA


class Fields:
    """The members of one stored JSON object, read by type; a failure names its path only."""

    __slots__ = ("data", "path", "record")

    def __init__(self, data: object, record: str, path: str = "") -> None:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise InvalidRecordError(record, path.rstrip(".") or record, "must be an object")
        self.data: Mapping[str, Any] = data
        self.record = record
        self.path = path

    def fail(self, key: str, problem: str) -> NoReturn:
        raise InvalidRecordError(self.record, self.path + key, problem)

    def _problem(self, key: str, kind: str) -> NoReturn:
        missing = self.data.get(key, _ABSENT) is _ABSENT
        self.fail(key, "is missing" if missing else f"must be {kind}")

    def string(self, key: str) -> str:
        value = self.data.get(key)
        if type(value) is str:
            return value
        self._problem(key, "a string")

    def optional_string(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or type(value) is str:
            return value
        self.fail(key, "must be a string or null")

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if type(value) is int:  # not bool, which JSON keeps apart
            return value
        self._problem(key, "an integer")

    def optional_integer(self, key: str) -> int | None:
        value = self.data.get(key)
        if value is None or type(value) is int:
            return value
        self.fail(key, "must be an integer or null")

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.data.get(key)
        if type(value) is dict or isinstance(value, Mapping):
            return value
        self._problem(key, "an object")

    def child(self, key: str) -> Fields:
        if key not in self.data:
            self.fail(key, "is missing")
        return Fields(self.data[key], self.record, f"{self.path}{key}.")

    def children(self, key: str) -> Iterator[Fields]:
        """The objects of the list ``key`` (an absent list is empty, as the official SDK has it)."""
        value = self.data.get(key)
        if value is None and key not in self.data:
            return
        if not isinstance(value, list):
            self.fail(key, "must be a list")
        for index, item in enumerate(value):
            yield Fields(item, self.record, f"{self.path}{key}[{index}].")

    def check_version(self) -> None:
        value = self.data.get(VERSION_KEY, FORMAT_VERSION)
        if type(value) is not int or value != FORMAT_VERSION:
            self.fail(VERSION_KEY, "is a format version this SDK does not read")

    def others(self, known: frozenset[str]) -> Mapping[str, Any]:
        """The members this SDK does not know: another writer's, kept as they are."""
        if known.issuperset(self.data):  # the usual case, decided without a loop in Python
            return NO_EXTRA
        extra = {key: value for key, value in self.data.items() if key not in known}
        return MappingProxyType(extra) if extra else NO_EXTRA

    def key_order(self) -> tuple[str, ...]:
        return tuple(self.data)


def thawed(value: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON object: every nested object and list is new, scalars are shared.

    Records may be shared by every read (the memory store keeps one parsed record per entry),
    so nothing mutable they hold is handed out: what leaves a record (``to_dict``, the user's
    claims) goes through here. A flat object (the usual claims) is one dict copy.
    """
    # A record's view copies its dict in C; dict(view) would look each key up through it.
    copy = value.copy() if type(value) is MappingProxyType else dict(value)
    if type(copy) is not dict:  # a view of another kind of mapping
        copy = dict(copy)
    if _SCALAR_TYPES.issuperset(map(type, copy.values())):  # the usual claims: decided in C
        return copy
    for key, item in copy.items():
        if type(item) not in _SCALAR_TYPES:  # rare: a nested object or list, or a subclass
            copy[key] = _thawed_value(item)  # replacing a value keeps the dict's size
    return copy


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _thawed_value(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {key: _thawed_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_thawed_value(item) for item in value]
    return value


def _holds_nothing(value: object) -> bool:
    return value is None or ((isinstance(value, list | dict)) and not value)


def to_wire(
    values: dict[str, Any],
    extra: Mapping[str, Any],
    key_order: tuple[str, ...] | None,
    omit_when_none: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The stored JSON object of a record: its ``values`` (in canonical order) and ``extra``.

    A record read from a store (``key_order`` given) is written in its stored order; a key it
    lacked is added only once it holds something. A new record is written in canonical order,
    with the ``omit_when_none`` keys left out while they are None.
    """
    if extra:
        values.update(thawed(extra))
    if key_order is None:
        if not omit_when_none:
            return values
        return {k: v for k, v in values.items() if v is not None or k not in omit_when_none}
    wire = {key: values[key] for key in key_order if key in values}
    if len(wire) < len(values):
        for key, value in values.items():
            if key not in wire and not _holds_nothing(value):
                wire[key] = value
    return wire


def from_stored(
    parse: Callable[[Mapping[str, Any]], R], value: Mapping[str, Any] | None
) -> R | None:
    """``parse(value)``, or None when nothing is stored or the record does not validate.

    An invalid record is logged (what failed, never its content) and reads as absent, as a
    cookie that does not unseal does; it is left in the store, so an instance of an older
    version of this SDK never deletes what a newer one wrote.
    """
    if value is None:
        return None
    try:
        return parse(value)
    except InvalidRecordError as exc:
        _log.warn(
            f"{exc.record}:{exc.field}", "Ignoring a stored record: %s It reads as absent.", exc
        )
        return None
