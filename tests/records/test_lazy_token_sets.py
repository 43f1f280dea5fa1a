"""A session read in the usual shape builds its token sets only when a flow looks at them."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auth0_core.errors import InvalidRecordError
from auth0_core.records import Session, TokenSet
from auth0_core.records.token_set import StoredTokenSets, token_set_dicts


def _stored(count: int) -> dict[str, Any]:
    return {
        "user": {"sub": "auth0|1", "name": "Ada"},
        "id_token": "id",
        "refresh_token": "rt",
        "token_sets": [
            {
                "audience": f"https://api-{index}/",
                "access_token": f"at-{index}",
                "scope": "read:x",
                "expires_at": 2_000_000_000,
                "obtained_at": 1_000,
                **({"requested_scope": "read:x"} if index % 2 else {}),
            }
            for index in range(count)
        ],
        "internal": {"sid": "s", "created_at": 1, "last_seen": 2, "expires_at": 3},
    }


def _built(sets: StoredTokenSets) -> int:
    return sum(entry is not None for entry in sets._built)


def test_reading_builds_no_set_and_a_lookup_builds_only_its_audience() -> None:
    session = Session.from_dict(_stored(50))
    sets = session.token_sets
    assert isinstance(sets, StoredTokenSets)
    assert _built(sets) == 0
    (found,) = session.token_sets_for("https://api-7/")
    assert found.access_token == "at-7"
    assert _built(sets) == 1
    assert session.token_sets_for("https://api-7/")[0] is found  # built once
    assert session.token_sets_for("https://nowhere/") == ()
    session.public_dict()
    assert _built(sets) == 1  # get_session writes the stored objects, builds nothing


def test_the_lazy_record_equals_the_eager_one_in_every_way() -> None:
    stored = _stored(5)
    lazy = Session.from_dict(stored)
    eager = Session.from_dict({**stored, "token_sets": [dict(t) for t in stored["token_sets"]]})
    eager = Session(
        user=eager.user,
        id_token=eager.id_token,
        refresh_token=eager.refresh_token,
        token_sets=tuple(TokenSet.from_dict(t) for t in stored["token_sets"]),
        domain=None,
        internal=eager.internal,
        key_order=eager.key_order,
    )
    assert lazy == eager
    assert eager == lazy
    assert lazy.public_dict() == eager.public_dict()
    assert lazy.to_dict() == eager.to_dict()
    assert token_set_dicts(lazy.token_sets) == token_set_dicts(eager.token_sets)
    assert list(lazy.token_sets) == list(eager.token_sets)
    assert lazy.token_sets[1:3] == eager.token_sets[1:3]
    assert lazy.token_sets[-1] == eager.token_sets[-1]
    assert repr(lazy) == repr(eager)
    assert "at-1" not in repr(lazy)  # access tokens stay out of reprs


def test_the_caller_cannot_change_a_read_record() -> None:
    stored = _stored(3)
    session = Session.from_dict(stored)
    written = session.public_dict()
    stored["token_sets"][0]["access_token"] = "changed after the read"
    written["token_sets"][1]["access_token"] = "changed by the caller"
    assert [t.access_token for t in session.token_sets] == ["at-0", "at-1", "at-2"]
    assert session.public_dict()["token_sets"][1]["access_token"] == "at-1"


def test_a_set_of_another_shape_is_read_member_by_member_and_named() -> None:
    stored = _stored(3)
    bad = copy.deepcopy(stored)
    bad["token_sets"][2]["expires_at"] = "soon"
    with pytest.raises(InvalidRecordError, match=r"token_sets\[2\]\.expires_at"):
        Session.from_dict(bad)
    odd = copy.deepcopy(stored)
    odd["token_sets"][1]["another_writer"] = 1  # kept, read member by member: not lazy
    session = Session.from_dict(odd)
    assert not isinstance(session.token_sets, StoredTokenSets)
    assert session.to_dict()["token_sets"][1]["another_writer"] == 1
