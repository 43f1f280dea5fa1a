"""CookieStateStore(compress=True): fewer cookies for token-heavy sessions, read everywhere."""

from __future__ import annotations

import base64
import os
from typing import Any

from auth0_server_python import encryption as official  # type: ignore[import-untyped]

from auth0_core.stores import CookieStateStore

from .browser import Browser
from .test_cookie_state import ID, Clock, read, session, write

SECRET = "secret-1"


def _token(index: int) -> str:
    # Shaped like an RS256 access token: JSON claims, then 256 random signature bytes.
    claims = base64.urlsafe_b64encode(
        b'{"iss":"https://t/","sub":"auth0|1","aud":"https://api-%d/","scope":"read:x"}' % index
    ).decode()
    signature = base64.urlsafe_b64encode(os.urandom(256)).decode().rstrip("=")
    return f"eyJhbGciOiJSUzI1NiJ9.{claims}.{signature}"


def with_audiences(count: int) -> dict[str, Any]:
    sets = [
        {
            "audience": f"https://api-{index}/",
            "access_token": _token(index),
            "scope": "read:x",
            "expires_at": 2_000_000_000,
        }
        for index in range(count)
    ]
    return session(token_sets=sets)


def _store(compress: bool) -> CookieStateStore:
    return CookieStateStore(
        SECRET, clock=Clock(), compress=compress, max_chunks=40, max_cookie_bytes=256 * 1024
    )


def _chunks(browser: Browser) -> list[str]:
    return sorted(name for name in browser.jar if name.startswith(ID))


def test_compression_takes_fewer_cookies_and_every_instance_reads_both_forms() -> None:
    value = with_audiences(20)
    plain_browser, zip_browser = Browser(), Browser()
    write(_store(False), plain_browser, value)
    write(_store(True), zip_browser, value)
    plain, zipped = _chunks(plain_browser), _chunks(zip_browser)
    assert len(zipped) * 2 <= len(plain)
    for reader in (_store(False), _store(True)):
        assert read(reader, plain_browser) == value
        assert read(reader, zip_browser) == value


def test_the_official_sdk_reads_a_compressed_session() -> None:
    browser = Browser()
    value = with_audiences(3)
    write(_store(True), browser, value)
    sealed = "".join(browser.jar[name] for name in sorted(_chunks(browser), key=_index))
    assert sealed.startswith("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwiemlwIjoiREVGIn0")
    assert official.decrypt(sealed, SECRET, ID) == value


def test_off_by_default() -> None:
    browser = Browser()
    write(CookieStateStore(SECRET, clock=Clock()), browser, with_audiences(1))
    first = browser.jar[f"{ID}_0"]
    assert first.startswith("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..")


def _index(name: str) -> int:
    return int(name.rsplit("_", 1)[1])
