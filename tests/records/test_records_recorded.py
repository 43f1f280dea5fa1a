"""The records against what the dict-based code wrote: the recordings in
``tests/records/legacy_recordings`` (the replay fixtures of before the public recorder; key
order kept by ``json``) hold sessions and transactions written before the records existed.
Each reads and writes back byte for byte. That the flows, replayed, write the very bytes they
wrote when recorded, key order included, is checked for the current fixtures by
``tests/replay/test_replay.py::test_pure_flows_replay_the_recording``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from auth0_core.records import Session, Transaction

LEGACY = Path(__file__).resolve().parent / "legacy_recordings"


def names() -> list[str]:
    return sorted(p.stem for p in LEGACY.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((LEGACY / f"{name}.json").read_text(encoding="utf-8")))


PARSERS: dict[str, Callable[[Mapping[str, Any]], Session | Transaction]] = {
    "state": Session.from_dict,
    "transaction": Transaction.from_dict,
}


def stored_records(recording: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for step in recording["steps"]:
        for effect in step["effects"]:
            if effect.get("store") not in PARSERS:
                continue
            value = effect.get("value") if effect["kind"] == "store_set" else effect.get("answer")
            if value is not None:
                yield effect["store"], value


@pytest.mark.parametrize("name", names())
def test_recorded_records_read_and_write_back_byte_for_byte(name: str) -> None:
    for store, value in stored_records(load(name)):
        assert json.dumps(PARSERS[store](value).to_dict()) == json.dumps(value)


def test_the_recordings_hold_both_kinds() -> None:
    kinds = {store for name in names() for store, _ in stored_records(load(name))}
    assert kinds == {"state", "transaction"}
