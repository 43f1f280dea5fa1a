"""How CookieStateStore finds the session among a request's cookies: by name, chunk after chunk.

The chunks are looked up as ``_0``, ``_1``, ... up to the first one missing, so the read costs
the same whatever else the request carries, and a request cannot make the store join more than
any sealed session it could open.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from auth0_core._seal import MAX_SEALED_LENGTH
from auth0_core.records import Session
from auth0_core.stores import CookieRequest, CookieStateStore

from .browser import Browser

NOW = 1_767_139_200
ID = "_a0_session"


def session(**extra: Any) -> dict[str, Any]:
    internal = {"sid": "S1", "created_at": NOW, "expires_at": NOW + 3600}
    return {"user": {"sub": "auth0|1"}, "internal": internal, **extra}


def store(**kwargs: Any) -> CookieStateStore:
    kwargs.setdefault("max_cookie_bytes", 64 * 1024)
    return CookieStateStore("secret-1", clock=lambda: NOW, **kwargs)


def written(value: dict[str, Any], s: CookieStateStore | None = None) -> dict[str, str]:
    browser = Browser()
    (s or store()).set(ID, value, options=browser.options())
    browser.absorb()
    return browser.jar


class CountingCookies(Mapping[str, str]):
    """A framework's cookie mapping that records which names were looked up."""

    def __init__(self, cookies: dict[str, str]) -> None:
        self._cookies = cookies
        self.looked_up: list[str] = []
        self.iterated = False

    def __getitem__(self, name: str) -> str:
        self.looked_up.append(name)
        return self._cookies[name]

    def get(self, name: str, default: Any = None) -> Any:
        self.looked_up.append(name)
        return self._cookies.get(name, default)

    def __iter__(self) -> Iterator[str]:
        self.iterated = True
        return iter(self._cookies)

    def __len__(self) -> int:
        return len(self._cookies)


class Request:
    def __init__(self, cookies: Mapping[str, Any]) -> None:
        self.cookies = cookies


def test_only_the_chunk_names_are_looked_up_whatever_else_the_request_carries() -> None:
    jar = written(session(blob="x" * 9000))
    assert len(jar) == 4
    others = {f"analytics_{i}": "v" * 100 for i in range(200)}
    cookies = CountingCookies({**others, **jar})
    assert store().get(ID, options={"request": Request(cookies)}) == session(blob="x" * 9000)
    assert cookies.looked_up == [f"{ID}_{index}" for index in range(5)]
    assert not cookies.iterated


def test_the_bare_name_is_read_when_there_is_no_first_chunk() -> None:
    from auth0_core._seal import seal

    token = seal(session(), "secret-1", ID)
    assert store().get(ID, options={"request": CookieRequest({ID: token})}) == session()
    # A first chunk wins over a bare cookie, as before.
    jar = written(session(n=1))
    both = {ID: token, **jar}
    assert store().get(ID, options={"request": CookieRequest(both)}) == session(n=1)


def test_a_chunk_after_a_gap_is_not_read_and_the_rest_does_not_open() -> None:
    jar = written(session(blob="x" * 9000))
    del jar[f"{ID}_1"]
    cookies = CountingCookies(jar)
    assert store().get(ID, options={"request": Request(cookies)}) is None
    assert f"{ID}_2" not in cookies.looked_up


def test_non_string_values_are_no_chunks() -> None:
    jar: dict[str, Any] = written(session())
    assert store().get(ID, options={"request": CookieRequest(jar)}) == session()
    odd = {f"{ID}_0": b"bytes", ID: 42}
    assert store().get(ID, options={"request": Request(odd)}) is None


def test_chunks_beyond_what_could_unseal_are_not_joined() -> None:
    chunk = "A" * 4000
    count = MAX_SEALED_LENGTH // len(chunk) + 5
    cookies = CountingCookies({f"{ID}_{i}": chunk for i in range(count)})
    assert store().get(ID, options={"request": Request(cookies)}) is None
    # It stopped at the first chunk past the bound, not at the last one the request carried.
    assert len(cookies.looked_up) == MAX_SEALED_LENGTH // len(chunk) + 1


def test_more_chunks_than_the_store_writes_are_still_read() -> None:
    writer = store(max_chunks=16)
    jar = written(session(blob="x" * 40000), writer)
    assert len(jar) > 10
    reader = store(max_chunks=2)  # another instance's setting: reads what was written
    assert reader.get(ID, options={"request": CookieRequest(jar)}) == session(blob="x" * 40000)


def test_the_record_adopts_the_parsed_objects_and_hands_out_copies() -> None:
    user: dict[str, Any] = {"sub": "auth0|1", "address": {"city": "Paris"}}
    value: dict[str, Any] = {
        "user": user,
        "id_token": None,
        "refresh_token": None,
        "token_sets": [{"audience": "a", "access_token": "t", "scope": "s", "expires_at": NOW}],
        "domain": None,
        "internal": {"sid": "S1", "created_at": NOW},
    }
    copied = Session.from_dict(value)
    adopted = Session.adopt_dict(value)
    assert adopted == copied
    # from_dict leaves the caller's dict its own; adopt_dict keeps the objects it was given
    # (a store hands it a dict nobody else holds).
    user["sub"] = "auth0|2"
    assert copied.sub == "auth0|1"
    assert adopted.sub == "auth0|2"
    user["sub"] = "auth0|1"
    public = adopted.public_dict()
    public["user"]["address"]["city"] = "Lyon"
    public["token_sets"][0]["access_token"] = "changed"
    assert adopted.user_dict()["address"] == {"city": "Paris"}
    assert adopted.public_dict()["token_sets"][0]["access_token"] == "t"
    with pytest.raises(TypeError):
        adopted.user["sub"] = "mallory"  # type: ignore[index]
