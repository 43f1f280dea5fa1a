"""Wrong-typed or unbounding store constructor options are ConfigurationErrors.

Before, ``cookie_name=None`` and a ``max_*`` of None or a str escaped as TypeError, and a nan,
inf, float or bool ``max_*`` was accepted: ``len(...) > nan`` is never true, so the default
in-memory store grew without limit. Each refusal names the option and quotes no long value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from auth0_core.errors import ConfigurationError
from auth0_core.stores import (
    CookieStateStore,
    CookieTransactionStore,
    MemoryStateStore,
    MemoryTransactionStore,
)

SECRET = "s3cr3t-SESSION-value-of-at-least-32-chars"
LONG = "x" * 1_000_000


def _cookie_state(**options: Any) -> object:
    return CookieStateStore(SECRET, **options)


def _cookie_transactions(**options: Any) -> object:
    return CookieTransactionStore(SECRET, **options)


COOKIE_STORES = [
    pytest.param(_cookie_state, id="CookieStateStore"),
    pytest.param(_cookie_transactions, id="CookieTransactionStore"),
]
MEMORY_STORES = [
    pytest.param(MemoryStateStore, id="MemoryStateStore"),
    pytest.param(MemoryTransactionStore, id="MemoryTransactionStore"),
]


def cases(values: Mapping[str, object]) -> list[Any]:
    """``values`` as parameters with their labels as ids (a 1 MB string is no test id)."""
    return [pytest.param(value, id=label) for label, value in values.items()]


def assert_refused(make: Callable[..., object], option: str, value: object) -> None:
    with pytest.raises(ConfigurationError) as raised:
        make(**{option: value})
    message = str(raised.value)
    assert option in message
    assert SECRET not in message
    assert "xxxxxxxxxx" not in message
    assert len(message) <= 300


@pytest.mark.parametrize("make", COOKIE_STORES)
@pytest.mark.parametrize(
    "value",
    cases(
        {
            "None": None,
            "int": 0,
            "float": 1.5,
            "True": True,
            "list": [],
            "bytes": b"_a0",
            "object": object(),
        }
    ),
)
def test_a_cookie_name_that_is_not_a_string_is_refused(
    make: Callable[..., object], value: object
) -> None:
    assert_refused(make, "cookie_name", value)


# Each wrong value is one the old check ("< minimum") either crashed on or let through.
def _not_whole(typical: int) -> dict[str, object]:
    return {
        "None": None,
        "str": str(typical),
        "long-str": LONG,
        "float": typical + 0.5,
        "whole-float": float(typical),
        "nan": math.nan,
        "inf": math.inf,
        "list": [],
        "bytes": b"10",
        "object": object(),
    }


@pytest.mark.parametrize(
    "value", cases({**_not_whole(10), "True": True, "past-readable": 1001, "huge": 10**9})
)
def test_max_chunks_must_be_a_whole_number_from_1_to_1000(value: object) -> None:
    assert_refused(_cookie_state, "max_chunks", value)


@pytest.mark.parametrize("value", cases(_not_whole(6144)))
def test_max_cookie_bytes_must_be_a_whole_number(value: object) -> None:
    assert_refused(_cookie_state, "max_cookie_bytes", value)


@pytest.mark.parametrize(
    "value",
    cases({**_not_whole(600), "True": True, "past-400-days": 400 * 86_400 + 1, "huge": 10**30}),
)
def test_max_age_must_be_a_whole_number_of_seconds_up_to_400_days(value: object) -> None:
    assert_refused(_cookie_transactions, "max_age", value)


@pytest.mark.parametrize("value", cases({**_not_whole(5), "True": True}))
def test_max_transactions_must_be_a_whole_number(value: object) -> None:
    assert_refused(_cookie_transactions, "max_transactions", value)


@pytest.mark.parametrize("make", MEMORY_STORES)
@pytest.mark.parametrize("value", cases({**_not_whole(10_000), "True": True}))
def test_max_entries_must_be_a_whole_number(make: Callable[..., object], value: object) -> None:
    assert_refused(make, "max_entries", value)


def test_the_values_in_use_are_accepted() -> None:
    """A guard, not a reproducer: the bounds the store tests and docs use still construct."""
    for chunks in (1, 2, 16, 40, 1000):
        CookieStateStore(SECRET, max_chunks=chunks)
    for budget in (512, 4000, 6 * 1024, 256 * 1024):
        CookieStateStore(SECRET, max_cookie_bytes=budget)
    CookieTransactionStore(SECRET, max_age=1, max_transactions=1)
    CookieTransactionStore(SECRET, max_age=400 * 86_400, max_transactions=100)
    for entries in (1, 2, 10_000):
        MemoryStateStore(max_entries=entries)
        MemoryTransactionStore(max_entries=entries)
