"""One decrypt per request: CookieStateStore's per-request memo, and RequestMemo itself."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

import auth0_requests
from auth0_core import Env
from auth0_core._env import FixedClock
from auth0_core._seal import seal, unseal_plaintext
from auth0_core.stores import CookieRequest, CookieResponse, CookieStateStore
from auth0_core.stores._memo import RequestMemo

NOW = 1_767_139_200
ID = "_a0_session"
SECRET = "a-session-secret-of-at-least-32-characters"
DOMAIN = "tenant.example.com"


def session(sub: str = "auth0|alice", token: str = "AT-1") -> dict[str, Any]:
    return {
        "user": {"sub": sub, "iss": f"https://{DOMAIN}/", "sid": "S1"},
        "id_token": "eyJ.id.sig",
        "refresh_token": "RT",
        "token_sets": [
            {
                "audience": "default",
                "access_token": token,
                "scope": "openid profile email offline_access",
                "expires_at": NOW + 3600,
            }
        ],
        "connection_token_sets": [],
        "domain": DOMAIN,
        "internal": {"sid": "S1", "created_at": NOW, "last_seen": NOW, "expires_at": NOW + 86400},
    }


def cookies_of(value: dict[str, Any], store: CookieStateStore) -> dict[str, str]:
    sealed = seal(value, SECRET, ID)
    size = store.chunk_size
    return {f"{ID}_{i}": sealed[o : o + size] for i, o in enumerate(range(0, len(sealed), size))}


@pytest.fixture
def unseals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every decrypt the cookie store performs (the token it was asked to open)."""
    seen: list[str] = []

    def counting(token: str, secrets: Any, identifier: str) -> bytes:
        seen.append(token)
        return unseal_plaintext(token, secrets, identifier)

    monkeypatch.setattr("auth0_core.stores._cookie.unseal_plaintext", counting)
    return seen


def options(cookies: dict[str, str]) -> dict[str, Any]:
    return {"request": CookieRequest(cookies), "response": CookieResponse()}


# --- through the client: get_user, get_session, get_access_token -------------------------------


@pytest.fixture
def client() -> Iterator[auth0_requests.ServerClient]:
    clock = FixedClock(NOW)
    with auth0_requests.ServerClient(
        domain=DOMAIN,
        client_id="c",
        client_secret="client-secret-client-secret-client-secret",
        secret=SECRET,
        state_store=CookieStateStore(SECRET, secure=False, clock=clock),
        env=Env(clock=clock),
    ) as made:
        yield made


def test_three_reads_in_one_request_decrypt_once(
    client: auth0_requests.ServerClient, unseals: list[str]
) -> None:
    store = CookieStateStore(SECRET)
    opts = options(cookies_of(session(), store))
    user = client.get_user(store_options=opts)
    found = client.get_session(store_options=opts)
    token = client.get_access_token(store_options=opts)
    assert user is not None
    assert user["sub"] == "auth0|alice"
    assert found is not None
    assert found["user"]["sub"] == "auth0|alice"
    assert token == "AT-1"
    assert len(unseals) == 1


def test_a_multi_chunk_session_is_also_decrypted_once(
    client: auth0_requests.ServerClient, unseals: list[str]
) -> None:
    big = session()
    big["user"]["picture"] = "p" * 9000
    store = CookieStateStore(SECRET)
    cookies = cookies_of(big, store)
    assert len(cookies) >= 3
    opts = options(cookies)
    for _ in range(3):
        found = client.get_session(store_options=opts)
        assert found is not None
        assert found["user"]["picture"] == "p" * 9000
    assert client.get_access_token(store_options=opts) == "AT-1"
    assert len(unseals) == 1


def test_two_requests_with_the_same_cookie_bytes_do_not_share(
    client: auth0_requests.ServerClient, unseals: list[str]
) -> None:
    cookies = cookies_of(session(), CookieStateStore(SECRET))
    first, second = options(cookies), options(cookies)
    assert client.get_user(store_options=first) == client.get_user(store_options=second)
    assert len(unseals) == 2
    client.get_user(store_options=first)
    client.get_user(store_options=second)
    assert len(unseals) == 2


def test_different_users_in_different_requests(
    client: auth0_requests.ServerClient, unseals: list[str]
) -> None:
    store = CookieStateStore(SECRET)
    alice = options(cookies_of(session("auth0|alice", "AT-A"), store))
    bob = options(cookies_of(session("auth0|bob", "AT-B"), store))
    for _ in range(2):
        assert client.get_user(store_options=alice)["sub"] == "auth0|alice"  # type: ignore[index]
        assert client.get_user(store_options=bob)["sub"] == "auth0|bob"  # type: ignore[index]
        assert client.get_access_token(store_options=alice) == "AT-A"
        assert client.get_access_token(store_options=bob) == "AT-B"
    assert len(unseals) == 2


# --- the store directly ------------------------------------------------------------------------


def test_a_caller_mutating_its_result_changes_nothing_for_the_next_read(
    unseals: list[str],
) -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    opts = options(cookies_of(session(), store))
    first = store.get(ID, opts)
    assert first is not None
    first["user"]["sub"] = "mallory"
    first["token_sets"].clear()
    first["injected"] = True
    second = store.get(ID, opts)
    assert second == session()
    assert second is not first
    assert len(unseals) == 1


def test_a_write_in_the_same_request_is_seen(unseals: list[str]) -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    request = CookieRequest(cookies_of(session(token="AT-1"), store))
    response = CookieResponse()
    opts = {"request": request, "response": response}
    assert store.get(ID, opts)["token_sets"][0]["access_token"] == "AT-1"  # type: ignore[index]
    store.set(ID, session(token="AT-2"), options=opts)
    # The request still carries the old cookie: read again, not from memory.
    assert store.get(ID, opts)["token_sets"][0]["access_token"] == "AT-1"  # type: ignore[index]
    assert len(unseals) == 2
    # A framework that shows the request its own writes: the new bytes are a new key.
    request.cookies = dict(response.cookies)
    assert store.get(ID, opts)["token_sets"][0]["access_token"] == "AT-2"  # type: ignore[index]
    assert store.get(ID, opts)["token_sets"][0]["access_token"] == "AT-2"  # type: ignore[index]
    assert len(unseals) == 3
    store.delete(ID, opts)
    request.cookies = {}
    assert store.get(ID, opts) is None


def test_changed_cookie_bytes_are_never_answered_from_memory(unseals: list[str]) -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    request = CookieRequest(cookies_of(session(), store))
    opts = {"request": request, "response": CookieResponse()}
    assert store.get(ID, opts) is not None
    name = next(iter(request.cookies))
    value = request.cookies[name]
    # Same tail (the key's part), tampered elsewhere: the whole value is compared.
    request.cookies[name] = ("B" if value[60] != "B" else "C").join((value[:60], value[61:]))
    assert store.get(ID, opts) is None
    assert len(unseals) == 2


def test_a_refused_cookie_is_tried_once_per_request(
    unseals: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    other = CookieStateStore("another-secret-of-at-least-32-characters", clock=FixedClock(NOW))
    opts = options({f"{ID}_0": seal(session(), "another-secret-of-at-least-32-characters", ID)})
    assert store.get(ID, opts) is None
    assert store.get(ID, opts) is None
    assert len(unseals) == 1
    assert other.get(ID, opts) is not None  # another store (secret) has its own memory


def test_expiry_is_checked_on_every_read_not_remembered(unseals: list[str]) -> None:
    clock = FixedClock(NOW)
    store = CookieStateStore(SECRET, clock=clock)
    opts = options(cookies_of(session(), store))
    assert store.get(ID, opts) is not None
    clock.advance(86_400)
    assert store.get(ID, opts) is None
    assert len(unseals) == 1


def test_the_identifier_is_part_of_the_key(unseals: list[str]) -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    opts = options(cookies_of(session(), store))
    assert store.get(ID, opts) is not None
    assert store.get("another-identifier", opts) is None
    assert len(unseals) == 2


def test_requests_that_cannot_be_weakly_referenced_just_decrypt_each_time(
    unseals: list[str],
) -> None:
    class SlottedRequest:
        __slots__ = ("cookies",)

        def __init__(self, cookies: dict[str, str]) -> None:
            self.cookies = cookies

    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    opts = {"request": SlottedRequest(cookies_of(session(), store))}
    assert store.get(ID, opts) == store.get(ID, opts) == session()
    assert len(unseals) == 2


def test_unhashable_requests_are_remembered_by_identity(unseals: list[str]) -> None:
    class MappingLikeRequest(CookieRequest):  # like Starlette's Request: __eq__, no __hash__
        __hash__ = None  # type: ignore[assignment]

        def __eq__(self, other: object) -> bool:
            return True

    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    cookies = cookies_of(session(), store)
    first = {"request": MappingLikeRequest(cookies)}
    second = {"request": MappingLikeRequest(cookies)}
    store.get(ID, first)
    store.get(ID, first)
    store.get(ID, second)
    assert len(unseals) == 2


def test_memory_goes_with_the_request() -> None:
    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    cookies = cookies_of(session(), store)
    for _ in range(50):
        store.get(ID, options(cookies))
    gc.collect()
    assert len(store._memo) == 0


# --- RequestMemo -------------------------------------------------------------------------------


class Request:
    pass


def test_memo_basics() -> None:
    memo = RequestMemo()
    one, two = Request(), Request()
    memo.put(one, "k", b"v")
    assert memo.get(one, "k") == b"v"
    assert memo.get(two, "k") is None
    assert memo.get(one, "other") is None
    memo.forget(two)
    assert memo.get(one, "k") == b"v"
    memo.forget(one)
    assert memo.get(one, "k") is None


def test_memo_never_answers_a_new_object_at_a_reused_address() -> None:
    memo = RequestMemo()
    seen_ids = set()
    for _ in range(200):
        request = Request()
        assert memo.get(request, "k") is None
        memo.put(request, "k", b"v")
        seen_ids.add(id(request))
        del request
    assert len(seen_ids) < 200  # addresses were reused, and still nothing leaked across
    assert len(memo) <= 1


def test_memo_is_bounded_per_request() -> None:
    memo = RequestMemo()
    request = Request()
    for i in range(100):
        memo.put(request, i, b"v")
    assert memo.get(request, 99) == b"v"
    assert sum(memo.get(request, i) is not None for i in range(100)) <= 8


def test_memo_does_not_keep_its_store_alive() -> None:
    import weakref

    memo = RequestMemo()
    request = Request()
    memo.put(request, "k", b"v")
    ref = weakref.ref(memo)
    del memo
    gc.collect()
    assert ref() is None
    del request  # the callback finds no memo and does nothing


# --- get_record: the parsed session, once per request -------------------------------------------


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every session the SDK parses from a stored dict (whatever path the reading takes)."""
    from auth0_core.records import Session

    seen: list[object] = []

    def counted(name: str) -> Any:
        real = getattr(Session, name).__func__

        def counting(cls: type[Session], data: Any) -> Session:
            seen.append(data)
            parsed: Session = real(cls, data)
            return parsed

        return classmethod(counting)

    for name in ("from_dict", "adopt_dict"):
        monkeypatch.setattr(Session, name, counted(name))
    return seen


def test_three_reads_in_one_request_parse_once(
    client: auth0_requests.ServerClient, unseals: list[str], parses: list[object]
) -> None:
    opts = options(cookies_of(session(), CookieStateStore(SECRET)))
    user = client.get_user(store_options=opts)
    found = client.get_session(store_options=opts)
    token = client.get_access_token(store_options=opts)
    assert user == session()["user"]
    assert found == {k: v for k, v in session().items() if k != "internal"}
    assert token == "AT-1"
    assert (len(unseals), len(parses)) == (1, 1)
    # What each read handed out is the caller's own.
    assert user is not None
    assert found is not None
    user["sub"] = "mallory"
    found["token_sets"].clear()
    assert client.get_session(store_options=opts) == {
        k: v for k, v in session().items() if k != "internal"
    }
    assert (len(unseals), len(parses)) == (1, 1)


def test_get_record_is_the_parsed_get_kept_for_the_request(unseals: list[str]) -> None:
    from auth0_core.records import Session

    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    cookies = cookies_of(session(), store)
    opts = options(cookies)
    record = store.get_record(ID, Session.from_dict, opts)
    assert isinstance(record, Session)
    assert record == Session.from_dict(store.get(ID, opts))  # type: ignore[arg-type]
    assert store.get_record(ID, Session.from_dict, opts) is record
    # Never shared with another request, even with the very same cookie bytes.
    other = store.get_record(ID, Session.from_dict, options(cookies))
    assert other == record
    assert other is not record
    assert len(unseals) == 2


def test_get_record_checks_the_expiry_on_every_read(unseals: list[str]) -> None:
    from auth0_core.records import Session

    clock = FixedClock(NOW)
    store = CookieStateStore(SECRET, clock=clock)
    opts = options(cookies_of(session(), store))
    assert store.get_record(ID, Session.from_dict, opts) is not None
    clock.now = NOW + 86400  # internal.expires_at
    assert store.get_record(ID, Session.from_dict, opts) is None
    assert store.get(ID, opts) is None
    clock.now = NOW + 86399
    assert store.get_record(ID, Session.from_dict, opts) is not None
    assert len(unseals) == 1


def test_get_record_after_a_write_or_with_other_bytes_reads_again(unseals: list[str]) -> None:
    from auth0_core.records import Session

    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    request = CookieRequest(cookies_of(session(token="AT-1"), store))
    response = CookieResponse()
    opts = {"request": request, "response": response}
    first = store.get_record(ID, Session.from_dict, opts)
    assert isinstance(first, Session)
    store.set(ID, session(token="AT-2"), options=opts)
    again = store.get_record(ID, Session.from_dict, opts)
    assert again == first
    assert again is not first  # forgotten by the write: decrypted and parsed again
    request.cookies = dict(response.cookies)
    newer = store.get_record(ID, Session.from_dict, opts)
    assert isinstance(newer, Session)
    assert newer.token_sets[0].access_token == "AT-2"
    assert len(unseals) == 3


def test_get_record_answers_what_does_not_parse_as_the_dict_and_nothing_as_none(
    unseals: list[str],
) -> None:
    from auth0_core.records import Session

    store = CookieStateStore(SECRET, clock=FixedClock(NOW))
    broken = {**session(), "user": {"name": "no sub"}}
    opts = options(cookies_of(broken, store))
    assert store.get_record(ID, Session.from_dict, opts) == broken
    assert store.get_record(ID, Session.from_dict, opts) == broken  # a fresh dict again
    assert len(unseals) == 1
    assert store.get_record(ID, Session.from_dict, options({})) is None
    tampered = options({f"{ID}_0": seal(session(), "another-secret-of-at-least-32-characters", ID)})
    assert store.get_record(ID, Session.from_dict, tampered) is None
