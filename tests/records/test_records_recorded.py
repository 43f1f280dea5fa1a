"""The records against what the dict-based code wrote: the recordings in ``tests/fixtures``
(key order kept by ``json``) hold sessions and transactions written before the records
existed. Each reads and writes back byte for byte, and the flows, replayed, write the very
bytes the recording holds, key order included."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from auth0_core.records import Session, Transaction

from ..replay.replay import Replayer, load, names, replay_steps

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


@pytest.mark.parametrize("name", names())
def test_replayed_flows_write_the_recorded_bytes(name: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    replay_steps(recording, replayer)
    assert replayer.finish() == []
    recorded = [
        (effect["store"], effect["identifier"], effect["value"])
        for step in recording["steps"]
        for effect in step["effects"]
        if effect["kind"] == "store_set"
    ]
    assert [(s, i, json.dumps(v)) for s, i, v in replayer.written] == [
        (s, i, json.dumps(v)) for s, i, v in recorded
    ]
