"""Properties of unseal and seal: no untyped error escapes, arbitrary JSON round-trips."""

from __future__ import annotations

import contextlib
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from auth0_core._seal import seal, unseal
from auth0_core.errors import UnsealError

_VALID = seal({"user": {"sub": "auth0|1"}}, "s", "id")
_B64 = string.ascii_letters + string.digits + "-_"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(), json_values, max_size=6)


def _unseal_or_error(token: str) -> dict[str, Any] | None:
    try:
        return unseal(token, ["s"], "id")
    except UnsealError:
        return None


@given(st.text())
def test_any_text_is_a_dict_or_unseal_error(token: str) -> None:
    result = _unseal_or_error(token)
    assert result is None or isinstance(result, dict)


@given(st.lists(st.text(alphabet=_B64, max_size=60), min_size=5, max_size=5))
def test_any_five_segment_token_is_a_dict_or_unseal_error(parts: list[str]) -> None:
    result = _unseal_or_error(".".join(parts))
    assert result is None or isinstance(result, dict)


@given(st.integers(min_value=0, max_value=len(_VALID) - 1), st.sampled_from(list(_B64 + ".")))
def test_single_character_mutations_never_escape(position: int, char: str) -> None:
    mutated = _VALID[:position] + char + _VALID[position + 1 :]
    result = _unseal_or_error(mutated)
    assert result is None or result == {"user": {"sub": "auth0|1"}}


@settings(max_examples=200)
@given(json_objects, st.text(min_size=1), st.text())
def test_round_trip(payload: dict[str, Any], secret: str, identifier: str) -> None:
    assert unseal(seal(payload, secret, identifier), [secret], identifier) == payload


@given(st.text(alphabet=st.characters(codec=None)), st.text(alphabet=st.characters(codec=None)))
def test_hostile_identifiers_and_secrets_never_escape(secret: str, identifier: str) -> None:
    with contextlib.suppress(UnsealError):
        unseal(_VALID, [secret], identifier)
