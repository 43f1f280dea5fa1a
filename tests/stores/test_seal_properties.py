"""Properties of unseal and seal: no untyped error escapes, arbitrary JSON round-trips."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auth0_core._seal import seal, unseal
from auth0_core.errors import UnsealError

from ..hypothesis_budget import examples

_VALID = seal({"user": {"sub": "auth0|1"}}, "s", "id")
_B64 = string.ascii_letters + string.digits + "-_"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(), json_values, max_size=6)


def _unseal_or_error(token: str) -> dict[str, Any] | None:
    return _unseal_or_error_with(token, "s", "id")


def _unseal_or_error_with(token: str, secret: str, identifier: str) -> dict[str, Any] | None:
    try:
        return unseal(token, [secret], identifier)
    except UnsealError:
        return None


@given(st.text())
def test_text_nobody_sealed_never_opens(token: str) -> None:
    assert _unseal_or_error(token) is None


@given(st.lists(st.text(alphabet=_B64, max_size=60), min_size=5, max_size=5))
def test_five_segments_nobody_sealed_never_open(parts: list[str]) -> None:
    assert _unseal_or_error(".".join(parts)) is None


@given(st.integers(min_value=0, max_value=len(_VALID) - 1), st.sampled_from(list(_B64 + ".")))
def test_single_character_mutations_never_escape(position: int, char: str) -> None:
    mutated = _VALID[:position] + char + _VALID[position + 1 :]
    result = _unseal_or_error(mutated)
    assert result is None or result == {"user": {"sub": "auth0|1"}}


@settings(max_examples=examples(200))
@given(json_objects, st.text(min_size=1), st.text())
def test_round_trip(payload: dict[str, Any], secret: str, identifier: str) -> None:
    assert unseal(seal(payload, secret, identifier), [secret], identifier) == payload


@given(st.text(alphabet=st.characters(codec=None)), st.text(alphabet=st.characters(codec=None)))
def test_only_the_sealing_secret_and_identifier_open(secret: str, identifier: str) -> None:
    # Any other secret or identifier (lone surrogates and all) is an UnsealError, nothing else.
    opened = _unseal_or_error_with(_VALID, secret, identifier)
    if (secret, identifier) == ("s", "id"):
        assert opened == {"user": {"sub": "auth0|1"}}
    else:
        assert opened is None


@given(st.sampled_from(["s", "t", "s "]), st.sampled_from(["id", "id2", "ID", ""]))
def test_the_sealed_value_opens_only_with_its_own_secret_and_identifier(
    secret: str, identifier: str
) -> None:
    opened = _unseal_or_error_with(_VALID, secret, identifier)
    assert opened == ({"user": {"sub": "auth0|1"}} if (secret, identifier) == ("s", "id") else None)
