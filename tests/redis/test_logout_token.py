"""Back-channel logout on Redis: by sid, by sub, within the issuer, through the secondary
indexes only; with 10,000 sessions of 1,000 users, counted command by command."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auth0_core import FixedClock
from auth0_core.stores import session_matches
from auth0_redis import RedisStateStore

from .conftest import Backend
from .helpers import ISS, NAME, SECRET, Jar, clock, login, read, session

OTHER_ISS = "https://other-tenant.example/"


@pytest.fixture
def store(backend: Backend) -> Iterator[RedisStateStore]:
    with RedisStateStore(
        backend.url, secret=SECRET, cluster=backend.cluster, secure=False, clock=clock()
    ) as made:
        yield made


def population(store: RedisStateStore) -> dict[str, tuple[Jar, dict[str, Any]]]:
    """Sessions of alice (two IdP sessions, one of them twice), bob, and alice at another
    issuer."""
    states = {
        "alice-1": session("auth0|alice", sid="s1"),
        "alice-1b": session("auth0|alice", sid="s1"),
        "alice-2": session("auth0|alice", sid="s2"),
        "bob": session("auth0|bob", sid="s3"),
        "alice-other-iss": session("auth0|alice", sid="s1", iss=OTHER_ISS),
    }
    jars = {}
    for name, state in states.items():
        jar = Jar()
        login(store, jar, state)
        jars[name] = (jar, state)
    return jars


def alive(store: RedisStateStore, jars: dict[str, tuple[Jar, dict[str, Any]]]) -> set[str]:
    return {name for name, (jar, _) in jars.items() if read(store, jar) is not None}


CASES = [
    ({"iss": ISS, "sub": "auth0|alice", "sid": "s1"}, {"alice-1", "alice-1b"}),
    ({"iss": ISS, "sid": "s1"}, {"alice-1", "alice-1b"}),
    ({"iss": ISS, "sub": "auth0|alice"}, {"alice-1", "alice-1b", "alice-2"}),
    ({"sub": "auth0|alice"}, {"alice-1", "alice-1b", "alice-2", "alice-other-iss"}),
    ({"sid": "s1"}, {"alice-1", "alice-1b", "alice-other-iss"}),
    ({"iss": ISS, "sub": "auth0|bob", "sid": "s3"}, {"bob"}),
    ({"iss": ISS, "sub": "auth0|carol", "sid": "s9"}, set()),
    ({"iss": ISS}, set()),
    ({"iss": OTHER_ISS, "sub": "auth0|bob"}, set()),
    ({"iss": 42, "sub": "auth0|bob"}, set()),
]


@pytest.mark.parametrize(("claims", "deleted"), CASES)
def test_it_deletes_what_session_matches_names(
    backend: Backend, store: RedisStateStore, claims: dict[str, Any], deleted: set[str]
) -> None:
    jars = population(store)
    assert {name for name, (_, state) in jars.items() if session_matches(state, claims)} == deleted
    store.delete_by_logout_token(claims)
    assert alive(store, jars) == set(jars) - deleted


def test_it_leaves_no_index_entry_behind(backend: Backend, store: RedisStateStore) -> None:
    population(store)
    store.delete_by_logout_token({"sub": "auth0|alice"})
    store.delete_by_logout_token({"iss": ISS, "sid": "s3"})
    left = backend.all_keys()
    assert not [key for key in left if ":s:" in key or ":sub" in key or ":sid:" in key]
    # Only the lookup hints (sid -> users, with their TTL) and the issuers seen remain.
    assert all(key.endswith(":map") or key.endswith("issuers") for key in left)


def test_a_session_rolled_after_a_sid_change_is_found_by_its_new_sid(
    store: RedisStateStore,
) -> None:
    jar = Jar()
    login(store, jar, session(sid="old"))
    store.set(NAME, session(sid="new"), options=jar.options())
    jar.absorb()
    store.delete_by_logout_token({"iss": ISS, "sid": "old"})
    assert read(store, jar) is not None
    store.delete_by_logout_token({"iss": ISS, "sid": "new"})
    assert read(store, jar) is None


USERS, PER_USER = 1_000, 10


def fill(store: RedisStateStore, users: int) -> dict[int, list[Jar]]:
    jars: dict[int, list[Jar]] = {}
    for user in range(users):
        for n in range(PER_USER):
            jar = Jar()
            login(store, jar, session(f"auth0|user{user}", sid=f"sid-{user}-{n}"))
            jars.setdefault(user, []).append(jar)
    return jars


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    changed = {name: after[name] - before.get(name, 0) for name in after}
    return {name: count for name, count in changed.items() if count and name != "info"}


def measure(backend: Backend, action: Any) -> tuple[dict[str, int], int]:
    size, before = backend.dbsize(), backend.calls()
    action()
    return delta(before, backend.calls()), size - backend.dbsize()


def test_ten_thousand_sessions_logout_touches_only_the_matching_user(
    standalone: Backend, record_property: Any
) -> None:
    backend = standalone
    with RedisStateStore(backend.url, secret=SECRET, secure=False, clock=clock()) as store:
        jars = fill(store, USERS)
        assert backend.dbsize() > USERS * PER_USER

        by_sid, removed_sid = measure(
            backend,
            lambda: store.delete_by_logout_token(
                {"iss": ISS, "sub": "auth0|user7", "sid": "sid-7-3"}
            ),
        )
        by_sub, removed_sub = measure(
            backend, lambda: store.delete_by_logout_token({"iss": ISS, "sub": "auth0|user8"})
        )
        record_property("logout_by_sid_commands", by_sid)
        record_property("logout_by_sub_commands", by_sub)
        print(f"\nby sid: {by_sid} keys removed {removed_sid}")
        print(f"by sub: {by_sub} keys removed {removed_sub}")

        # By sid: the hint, then one script: 1 record, its sid index.
        assert by_sid == {"smembers": 2, "evalsha": 1, "hget": 1, "del": 2, "srem": 1}
        assert removed_sid == 2  # the record and its (now empty) sid index
        # By sub: one script over the user's 10 sessions: 10 records, 10 sid indexes, 1 index.
        assert by_sub == {"evalsha": 1, "smembers": 1, "hget": 10, "srem": 10, "del": 11}
        assert removed_sub == 21
        assert "scan" not in by_sid | by_sub
        assert "keys" not in by_sid | by_sub

        assert read(store, jars[7][3]) is None
        assert read(store, jars[7][2]) is not None
        assert all(read(store, jar) is None for jar in jars[8])
        assert all(read(store, jar) is not None for jar in jars[9])


def test_on_the_cluster_logout_runs_on_the_users_node_only(
    backend: Backend, store: RedisStateStore
) -> None:
    jars = fill(store, 30)
    per_node_before = [dict(node.info("commandstats")) for node in backend.nodes]
    store.delete_by_logout_token({"iss": ISS, "sub": "auth0|user3"})
    touched = [
        index
        for index, node in enumerate(backend.nodes)
        if node.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0)
        != per_node_before[index].get("cmdstat_evalsha", {}).get("calls", 0)
    ]
    assert len(touched) == 1
    assert all(read(store, jar) is None for jar in jars[3])
    assert all(read(store, jar) is not None for jar in jars[4])


def test_rotation_finds_sessions_written_under_the_old_secret(backend: Backend) -> None:
    time_: FixedClock = clock()
    new = "the-new-secret-of-at-least-32-characters"
    with RedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster, clock=time_) as old:
        jar = Jar()
        login(old, jar, session())
    with RedisStateStore(
        backend.url, secret=[new, SECRET], cluster=backend.cluster, clock=time_
    ) as rotated:
        fresh = Jar()
        login(rotated, fresh, session())
        rotated.delete_by_logout_token({"iss": ISS, "sid": "idp-session-1"})
        assert read(rotated, jar) is None
        assert read(rotated, fresh) is None
