"""CookieStateStore: chunking, stale chunks, tolerance, tampering, expiry and attributes."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from auth0_server_python import encryption as official  # type: ignore[import-untyped]

from auth0_core._seal import seal
from auth0_core.errors import Auth0Error, MissingRequiredArgumentError
from auth0_core.stores import (
    COOKIE_LIMIT,
    CookieRequest,
    CookieResponse,
    CookieStateStore,
    CookieTooLargeError,
    StateStoreProtocol,
    StoreNotSupportedError,
)

from .browser import Browser, attributes
from .conformance import mismatches

NOW = 1_767_139_200
ID = "_a0_session"


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def session(expires_in: int | None = 3600, **extra: Any) -> dict[str, Any]:
    internal: dict[str, Any] = {"sid": "S1", "created_at": NOW}
    if expires_in is not None:
        internal["expires_at"] = NOW + expires_in
    return {"user": {"sub": "auth0|1", "iss": "https://t/"}, "internal": internal, **extra}


def store(clock: Clock | None = None, **kwargs: Any) -> CookieStateStore:
    # The chunking tests write sessions above the default Cookie-header budget on purpose;
    # tests/stores/test_cookie_limits.py covers that budget.
    kwargs.setdefault("max_cookie_bytes", 64 * 1024)
    return CookieStateStore("secret-1", clock=clock or Clock(), **kwargs)


def write(s: CookieStateStore, browser: Browser, value: dict[str, Any]) -> CookieResponse:
    s.set(ID, value, options=browser.options())
    return browser.absorb()


def read(s: CookieStateStore, browser: Browser) -> dict[str, Any] | None:
    return s.get(ID, options=browser.options())


def test_satisfies_the_protocol() -> None:
    assert isinstance(store(), StateStoreProtocol)
    assert mismatches(store(), StateStoreProtocol) == []


def test_small_session_round_trips_in_chunk_zero() -> None:
    s, browser = store(), Browser()
    write(s, browser, session())
    assert list(browser.jar) == ["_a0_session_0"]
    assert read(s, browser) == session()


def test_large_session_is_chunked_and_every_cookie_fits(caplog: pytest.LogCaptureFixture) -> None:
    s, browser = store(), Browser()
    big = session(blob="".join(f"{i:05d}" for i in range(2000)))  # 10 KB of JSON text
    response = write(s, browser, big)
    set_lines = [v for _, v in response.headers() if "Max-Age=0" not in v]
    assert len(set_lines) == len(browser.jar) >= 3
    for line in set_lines:
        # Room left for the "; Expires=<date>" (39 bytes) Werkzeug and Django add.
        assert len(line.encode()) + 39 <= COOKIE_LIMIT
        assert len(line.split(";")[0].split("=", 1)[1]) <= COOKIE_LIMIT - len(ID) - 10
    assert sorted(browser.jar) == [f"_a0_session_{i}" for i in range(len(browser.jar))]
    assert read(s, browser) == big


def test_more_than_three_chunks_warns_with_sizes_only(caplog: pytest.LogCaptureFixture) -> None:
    s, browser = store(), Browser()
    with caplog.at_level(logging.WARNING, logger="auth0_core.stores"):
        write(s, browser, session(blob="y" * 14_000))
    assert len(browser.jar) > 3
    assert any("server-side" in r.getMessage() for r in caplog.records)
    assert all("yyyy" not in r.getMessage() for r in caplog.records)


def test_too_many_chunks_is_a_typed_error() -> None:
    s, browser = store(max_chunks=2), Browser()
    with pytest.raises(CookieTooLargeError):
        write(s, browser, session(blob="z" * 10_000))


def test_shrinking_deletes_stale_chunks() -> None:
    s, browser = store(), Browser()
    write(s, browser, session(blob="x" * 10_000))
    assert len(browser.jar) >= 3
    response = write(s, browser, session())
    assert list(browser.jar) == ["_a0_session_0"]
    deleted = {v.split("=")[0] for _, v in response.headers() if "Max-Age=0" in v}
    # Every index the request carried, and blindly up to max_chunks (other tabs).
    assert deleted == {f"_a0_session_{i}" for i in range(1, 10)}
    assert read(s, browser) == session()


def test_stale_chunks_beyond_max_chunks_that_the_request_carried_are_deleted() -> None:
    s, browser = store(), Browser({"_a0_session_15": "junk"})
    write(s, browser, session())
    assert "_a0_session_15" not in browser.jar


def test_bare_cookie_is_tolerated_as_a_single_chunk_and_then_replaced() -> None:
    s = store()
    token = seal(session(), "secret-1", ID)
    browser = Browser({ID: token})
    assert read(s, browser) == session()
    write(s, browser, session())
    assert list(browser.jar) == ["_a0_session_0"]


@pytest.mark.parametrize(
    "cookies",
    [
        {ID: "garbage"},
        {"_a0_session_foo": "x"},
        {"_a0_session_²": "x"},
        {"_a0_session_": "x"},
        {"_a0_session_-1": "x"},
        {"_a0_session_99999": "x"},
        {"_a0_session_1": "only-the-second"},
        {"_a0_session_0": "", "_a0_session_2": "gap"},
    ],
)
def test_odd_cookies_never_crash(cookies: dict[str, str]) -> None:
    assert read(store(), Browser(cookies)) is None


def test_non_numeric_suffix_is_ignored_next_to_a_valid_session() -> None:
    s, browser = store(), Browser({"_a0_session_foo": "x"})
    write(s, browser, session())
    assert read(s, browser) == session()


def test_tampered_chunk_is_none_and_logged_without_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    s, browser = store(), Browser()
    write(s, browser, session(blob="x" * 6000))
    value = browser.jar["_a0_session_1"]
    browser.jar["_a0_session_1"] = value[:100] + ("A" if value[100] != "A" else "B") + value[101:]
    with caplog.at_level(logging.WARNING, logger="auth0_core.stores"):
        assert read(s, browser) is None
    records = [r for r in caplog.records if r.name == "auth0_core.stores"]
    assert records
    assert records[0].levelno == logging.WARNING
    for record in records:
        text = record.getMessage()
        assert value[:30] not in text
        assert browser.jar["_a0_session_0"][:30] not in text


def test_truncated_and_wrong_key_cookies_are_none() -> None:
    s, browser = store(), Browser()
    write(s, browser, session())
    browser.jar["_a0_session_0"] = browser.jar["_a0_session_0"][:-10]
    assert read(s, browser) is None
    other = Browser()
    write(CookieStateStore("another-secret", clock=Clock()), other, session())
    assert read(s, other) is None


def test_rotation_reads_cookies_sealed_with_the_old_secret() -> None:
    browser = Browser()
    write(CookieStateStore("old", clock=Clock()), browser, session())
    rotated = CookieStateStore(["new", "old"], clock=Clock())
    assert read(rotated, browser) == session()
    write(rotated, browser, session())
    assert read(CookieStateStore("new", clock=Clock()), browser) == session()


def test_reads_a_session_chunked_as_auth0_fastapi_writes_it() -> None:
    token = official.encrypt(session(blob="q" * 9000), "secret-1", ID)
    size = 4096 - len(ID) - 10
    cookies = {f"{ID}_{i // size}": token[i : i + size] for i in range(0, len(token), size)}
    assert len(cookies) >= 3
    assert read(store(), Browser(cookies)) == session(blob="q" * 9000)


def test_expired_session_is_none() -> None:
    clock = Clock()
    s, browser = store(clock), Browser()
    write(s, browser, session(expires_in=100))
    clock.now = NOW + 99
    assert read(s, browser) is not None
    clock.now = NOW + 100
    assert read(s, browser) is None


def test_writing_an_already_expired_session_deletes_the_cookies() -> None:
    s, browser = store(), Browser()
    write(s, browser, session())
    write(s, browser, session(expires_in=0))
    assert browser.jar == {}


def test_attributes_and_max_age_is_the_remaining_lifetime() -> None:
    clock = Clock()
    s, browser = store(clock), Browser()
    clock.now = NOW + 600
    response = write(s, browser, session(expires_in=3600))
    attrs = attributes(response.headers()[0][1])
    assert attrs["Max-Age"] == "3000"
    assert attrs["Path"] == "/"
    assert attrs["SameSite"] == "Lax"
    assert "Secure" in attrs
    assert "HttpOnly" in attrs


def test_default_max_age_without_expiry_is_three_days() -> None:
    response = write(store(), Browser(), session(expires_in=None))
    assert attributes(response.headers()[0][1])["Max-Age"] == "259200"


def test_secure_false_for_loopback_development() -> None:
    response = write(store(secure=False, path="/app"), Browser(), session())
    attrs = attributes(response.headers()[0][1])
    assert "Secure" not in attrs
    assert attrs["Path"] == "/app"


def test_delete_removes_every_chunk_and_the_bare_cookie() -> None:
    s, browser = store(), Browser()
    write(s, browser, session(blob="x" * 10_000))
    browser.jar[ID] = "bare"
    s.delete(ID, options=browser.options())
    browser.absorb()
    assert browser.jar == {}


def test_logout_token_cannot_revoke_cookie_sessions() -> None:
    with pytest.raises(StoreNotSupportedError, match="server-side") as caught:
        store().delete_by_logout_token({"sid": "S1"})
    assert isinstance(caught.value, Auth0Error)


@pytest.mark.parametrize(
    "options", [None, {}, {"request": CookieRequest()}, {"response": CookieResponse()}]
)
def test_missing_request_or_response_is_a_clear_typed_error(options: Any) -> None:
    with pytest.raises(MissingRequiredArgumentError, match="store_options") as caught:
        store().set(ID, session(), options=options)
    assert caught.value.argument == "store_options"


def test_django_style_request_cookies_are_read() -> None:
    s, browser = store(), Browser()
    write(s, browser, session())

    class DjangoRequest:
        COOKIES = browser.jar

    assert s.get(ID, options={"request": DjangoRequest()}) == session()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": ""},
        {"secret": []},
        {"cookie_name": "a b"},
        {"path": "/\r\nSet-Cookie: x=1"},
        {"path": "/; Domain=evil.example"},
        {"path": "relative"},
        {"domain": "example.com; Secure"},
        {"domain": "exa\nmple.com"},
        {"same_site": "Lax; HttpOnly"},
        {"same_site": "Sometimes"},
        {"same_site": "None", "secure": False},
        {"max_cookie_bytes": 100},
    ],
)
def test_bad_configuration_is_refused(kwargs: dict[str, Any]) -> None:
    from auth0_core.errors import ConfigurationError

    args: dict[str, Any] = {"secret": "s", **kwargs}
    with pytest.raises(ConfigurationError):
        CookieStateStore(**args)


def test_chunks_are_ordered_numerically_not_lexically() -> None:
    token = seal(session(blob="n" * 40_000), "secret-1", ID)
    size = 4000
    cookies = {f"{ID}_{i // size}": token[i : i + size] for i in range(0, len(token), size)}
    assert len(cookies) > 10
    reordered = dict(sorted(cookies.items()))  # _0, _1, _10, _11, _2, ...
    assert read(store(), Browser(reordered)) == session(blob="n" * 40_000)
