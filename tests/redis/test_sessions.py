"""RedisStateStore on a real Redis, standalone and a three-node cluster: ids, sealing, TTLs,
rotation, indexes and the race between a refresh and a logout."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from auth0_core import FixedClock
from auth0_core.errors import MissingStoreOptionsError
from auth0_redis import RedisStateStore

from .conftest import Backend
from .helpers import NAME, NOW, SECRET, SESSION_ID, Jar, clock, login, read, session, write


@pytest.fixture
def time_() -> FixedClock:
    return clock()


@pytest.fixture
def store(backend: Backend, time_: FixedClock) -> Iterator[RedisStateStore]:
    with RedisStateStore(
        backend.url, secret=SECRET, cluster=backend.cluster, secure=False, clock=time_
    ) as made:
        yield made


def session_keys(backend: Backend) -> set[str]:
    return {
        key
        for key in backend.all_keys()
        if ":s:" in key or key.endswith((":sub",)) or ":sid:" in key
    }


def test_the_cookie_holds_only_a_random_id_and_redis_only_sealed_values(
    backend: Backend, store: RedisStateStore
) -> None:
    jar = Jar()
    login(store, jar, session())
    assert jar.id is not None
    assert SESSION_ID.fullmatch(jar.id)
    assert "HttpOnly" in jar.lines()[0]
    assert "SameSite=Lax" in jar.lines()[0]
    assert read(store, jar) == session()
    dump = b" ".join(
        [key.encode() for key in backend.all_keys()]
        + [
            v
            for key in backend.all_keys()
            if ":s:" in key
            for v in backend.raw.hgetall(key).values()
        ]
    )
    for clear in (b"rt-SECRET-refresh-token", b"auth0|alice", b"idp-session-1", b"alice@"):
        assert clear not in dump
    other = Jar()
    login(store, other, session())
    assert other.id != jar.id  # the same user twice: two sessions, two ids


def test_ttl_is_the_remaining_lifetime_and_a_write_rolls_it(
    backend: Backend, store: RedisStateStore, time_: FixedClock
) -> None:
    jar = Jar()
    login(store, jar, session(expires_at=NOW + 600))
    (record,) = [key for key in backend.all_keys() if ":s:" in key]
    assert 599_000 < backend.raw.pttl(record) <= 600_000
    assert jar.max_age[NAME] == 600
    time_.advance(300)  # a roll: the core moves last_seen, so expires_at moves
    write(store, jar, session(expires_at=NOW + 900))
    assert 599_000 < backend.raw.pttl(record) <= 600_000
    time_.advance(500)  # the absolute lifetime caps it: 100 s left
    write(store, jar, session(expires_at=NOW + 900))
    assert 99_000 < backend.raw.pttl(record) <= 100_000
    assert jar.max_age[NAME] == 100
    for index in session_keys(backend) - {record}:
        assert backend.raw.pttl(index) >= 99_000  # indexes live as long as their sessions


def test_an_expired_write_deletes_and_clears(backend: Backend, store: RedisStateStore) -> None:
    jar = Jar()
    login(store, jar, session())
    write(store, jar, session(expires_at=NOW - 1))
    assert jar.id is None
    assert session_keys(backend) == set()
    login(store, jar, session(expires_at=NOW))
    assert jar.id is None
    assert session_keys(backend) == set()


def test_records_expire_and_their_index_entries_are_swept(
    backend: Backend, store: RedisStateStore, time_: FixedClock
) -> None:
    long, short = Jar(), Jar()
    login(store, long, session(sid="long"))
    time_.now = NOW - 0.25  # 250 ms of real TTL
    login(store, short, session(sid="short", expires_at=NOW))
    (sub_index,) = [key for key in backend.all_keys() if key.endswith(":sub")]
    assert backend.raw.scard(sub_index) == 2
    time.sleep(0.35)
    assert read(store, short) is None
    assert len([key for key in backend.all_keys() if ":s:" in key]) == 1
    assert len([key for key in backend.all_keys() if ":sid:" in key]) == 1  # its own TTL
    assert backend.raw.scard(sub_index) == 2  # still named by the user's index ...
    time_.now = NOW
    write(store, long, session(sid="long"))  # ... until a write of the user sweeps it
    assert backend.raw.smembers(sub_index) == {str(long.id).split(".")[1].encode()}


def test_login_rotates_the_id_and_deletes_the_old_record(
    backend: Backend, store: RedisStateStore
) -> None:
    jar = Jar()
    login(store, jar, session())
    first = jar.id
    login(store, jar, session(sid="second-login"))
    assert jar.id != first
    assert len([key for key in backend.all_keys() if ":s:" in key]) == 1
    stale = Jar()
    stale.cookies[NAME] = str(first)
    assert read(store, stale) is None


def test_a_planted_id_is_never_adopted(backend: Backend, store: RedisStateStore) -> None:
    victim = Jar()
    login(store, victim, session())
    planted = "A" * 22 + "." + "B" * 22  # well formed, unknown
    for value in (planted, "garbage", str(victim.id).split(".")[0] + "." + "C" * 22):
        jar = Jar()
        jar.cookies[NAME] = value
        assert read(store, jar) is None
        write(store, jar, session("auth0|mallory"))  # not a login: nothing is created
        assert jar.id is None
        login(store, jar, session("auth0|mallory"))  # a login: a fresh id, never the planted
        assert jar.id != value
        assert SESSION_ID.fullmatch(str(jar.id))
    assert len([key for key in backend.all_keys() if ":s:" in key]) == 4
    assert read(store, victim) == session()


def test_no_cookie_means_no_session_and_no_write(backend: Backend, store: RedisStateStore) -> None:
    jar = Jar()
    assert read(store, jar) is None
    write(store, jar, session())
    assert jar.id is None
    assert jar.lines() == []
    assert session_keys(backend) == set()


def test_a_value_copied_under_another_id_does_not_open(
    backend: Backend, store: RedisStateStore
) -> None:
    alice, mallory = Jar(), Jar()
    login(store, alice, session())
    login(store, mallory, session())  # same user: same slot, so the copy is possible
    records = {key.rsplit(":s:", 1)[1]: key for key in backend.all_keys() if ":s:" in key}
    source = records[str(alice.id).split(".")[1]]
    target = records[str(mallory.id).split(".")[1]]
    backend.raw.hset(target, "v", backend.raw.hget(source, "v"))
    assert read(store, mallory) is None
    assert read(store, alice) == session()


def test_a_value_sealed_with_another_secret_does_not_open(
    backend: Backend, store: RedisStateStore, time_: FixedClock
) -> None:
    jar = Jar()
    login(store, jar, session())
    other = "another-secret-of-at-least-32-characters!"
    with RedisStateStore(
        backend.url, secret=other, cluster=backend.cluster, clock=time_
    ) as foreign:
        assert read(foreign, jar) is None
    with RedisStateStore(
        backend.url, secret=[other, SECRET], cluster=backend.cluster, secure=False, clock=time_
    ) as rotated:
        assert read(rotated, jar) == session()
        write(rotated, jar, session(sid="idp-session-1"))
        assert read(rotated, jar) == session()
        rotated.delete_by_logout_token({"iss": session()["user"]["iss"], "sub": "auth0|alice"})
        assert read(rotated, jar) is None


def test_a_write_after_a_logout_does_not_bring_the_session_back(
    backend: Backend, store: RedisStateStore
) -> None:
    jar = Jar()
    login(store, jar, session())
    loaded = read(store, jar)  # a refresh starts: it has read the session ...
    assert loaded is not None
    other_tab = Jar()
    other_tab.cookies = dict(jar.cookies)
    store.delete(NAME, options=other_tab.options())  # ... a logout deletes it ...
    write(store, jar, {**loaded, "refresh_token": "rotated"})  # ... and the refresh writes
    assert jar.id is None
    assert session_keys(backend) == set()


class DeleteBeforeWrite:
    """A client that lets a logout in between the write script's arrival and its running:
    whatever the store checked before, only the script's own check can stop the write."""

    def __init__(self, inner: Any, store: RedisStateStore, jar: Jar) -> None:
        self.inner, self.store, self.jar, self.armed = inner, store, jar, False

    def execute_command(self, *args: Any) -> Any:
        if self.armed and args[0] in ("EVALSHA", "EVAL") and len(args) > 5:
            self.armed = False
            logout = Jar()
            logout.cookies = dict(self.jar.cookies)
            self.store.delete(NAME, options=logout.options())
        return self.inner.execute_command(*args)


def test_the_write_checks_existence_atomically(backend: Backend, time_: FixedClock) -> None:
    plain = RedisStateStore(backend.url, secret=SECRET, cluster=backend.cluster, clock=time_)
    jar = Jar()
    login(plain, jar, session())
    racing = DeleteBeforeWrite(backend.store_client(), plain, jar)
    store = RedisStateStore(racing, secret=SECRET, clock=time_)
    racing.armed = True
    write(store, jar, session(refresh_token="rotated"))
    assert not racing.armed  # the logout ran between the store's decision and its script
    assert jar.id is None
    assert session_keys(backend) == set()
    plain.close()


def test_delete_removes_the_record_and_its_index_entries(
    backend: Backend, store: RedisStateStore
) -> None:
    jar, other = Jar(), Jar()
    login(store, jar, session())
    login(store, other, session(sid="other"))
    store.delete(NAME, options=jar.options())
    jar.absorb()
    assert jar.id is None
    remaining = session_keys(backend)
    assert len([key for key in remaining if ":s:" in key]) == 1
    sub_index = next(key for key in remaining if key.endswith(":sub"))
    assert backend.raw.smembers(sub_index) == {str(other.id).split(".")[1].encode()}
    store.delete(NAME, options=other.options())
    assert session_keys(backend) == set()
    store.delete(NAME, options=Jar().options())  # nothing to delete: no error


def test_a_write_for_another_user_moves_the_session_under_that_user(
    backend: Backend, store: RedisStateStore
) -> None:
    jar = Jar()
    login(store, jar, session())
    first = jar.id
    write(store, jar, session("auth0|bob"))
    assert jar.id != first
    assert read(store, jar) == session("auth0|bob")
    store.delete_by_logout_token({"iss": session()["user"]["iss"], "sub": "auth0|bob"})
    assert read(store, jar) is None
    assert session_keys(backend) == set()


def test_the_request_and_the_response_are_required(store: RedisStateStore) -> None:
    with pytest.raises(MissingStoreOptionsError):
        store.get(NAME)
    with pytest.raises(MissingStoreOptionsError):
        store.set(NAME, session(), options={"request": Jar().options()["request"]})
    with pytest.raises(MissingStoreOptionsError):
        store.delete(NAME, options=None)
