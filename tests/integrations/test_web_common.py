"""auth0_web_common on its own: which redirect targets pass, the answer to every Auth0Error
class, the cookie writes, the settings; and the facades import no integration."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import auth0_core.errors as errors
from auth0_web_common import (
    PendingCookies,
    Settings,
    WebRequest,
    error_answer,
    login_required_answer,
    same_origin_path,
)
from auth0_web_common._answers import page

ORIGIN = "https://app.example"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/", "/"),
        ("/orders?id=3#top", "/orders?id=3#top"),
        ("/a/b/../c", "/a/b/../c"),
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # a path: percent-encoding stays
        ("https://app.example/orders?x=1", "/orders?x=1"),
        ("https://APP.example:443/orders", "/orders"),
        ("https://app.example", "/"),
        ("/日本?q=é", "/%E6%97%A5%E6%9C%AC?q=%C3%A9"),
        ("https://app.example/ü", "/%C3%BC"),
    ],
)
def test_paths_of_the_app_pass(value: str, expected: str) -> None:
    assert same_origin_path(value, ORIGIN) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        "",
        "orders",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/ok\\..\\evil",
        "/\t/evil.example",
        "/\n/evil.example",
        "/x\r\nSet-Cookie: a=b",
        "/x\x00",
        "/x\x7f",
        "/x\x85",
        "/x y",
        "http://app.example/orders",  # another scheme is another origin
        "https://app.example:8443/orders",
        "https://app.example.evil.example/",
        "https://evil.example/?https://app.example/",
        "https://user:pw@app.example/",
        "https://app.example//evil.example",
        "https://app.example\\@evil.example/",
        "javascript:alert(1)",
        "data:text/html,x",
        "https:/app.example/",
        "https://[::1/",
        "https://app.example:99999/",
    ],
)
def test_anything_else_is_refused(value: Any) -> None:
    assert same_origin_path(value, ORIGIN) is None


def test_a_target_is_at_most_1024_characters_once_encoded() -> None:
    assert same_origin_path("/" + "a" * 1023, ORIGIN) == "/" + "a" * 1023
    assert same_origin_path("/" + "a" * 1024, ORIGIN) is None
    assert same_origin_path(f"{ORIGIN}/" + "a" * 1010, ORIGIN) is None  # the URL is too long
    assert same_origin_path("/" + "é" * 170, ORIGIN) is not None  # 1021 encoded
    assert same_origin_path("/" + "é" * 171, ORIGIN) is None  # 1027 encoded


@given(st.text())
def test_whatever_passes_is_one_local_path(value: str) -> None:
    found = same_origin_path(value, ORIGIN)
    if found is not None:
        assert found.startswith("/")
        assert not found.startswith("//")
        assert "\\" not in found
        assert found.isascii()
        assert all(0x20 < ord(c) < 0x7F for c in found)
        assert len(found) <= 1024


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_same_origin_urls_reduce_to_their_path(path: str) -> None:
    found = same_origin_path(f"{ORIGIN}/{path}", ORIGIN)
    if found is not None:
        assert f"{ORIGIN}{found}".startswith(ORIGIN + "/")


def request(accept: str = "", method: str = "GET", path: str = "/orders") -> WebRequest:
    return WebRequest(
        method=method,
        url=f"{ORIGIN}{path}",
        origin=ORIGIN,
        path=path,
        accept=accept,
        login_path="/auth/login",
    )


def all_error_classes() -> list[type[errors.Auth0Error]]:
    """Every error class of auth0_core.errors (not the test tools' own, like the scripted
    browser's, which no app call raises)."""
    found: list[type[errors.Auth0Error]] = []
    pending: list[type[errors.Auth0Error]] = [errors.Auth0Error]
    while pending:
        cls = pending.pop()
        if cls.__module__ == errors.__name__:
            found.append(cls)
        pending += cls.__subclasses__()
    return found


def bare(cls: type[errors.Auth0Error], status: int | None = None) -> errors.Auth0Error:
    """An instance of ``cls`` with the fields the answer reads (constructors differ)."""
    error = cls.__new__(cls)
    Exception.__init__(error, "what happened")
    error.message = "what happened <b>"
    error.__dict__.update(status=status, error=None)
    return error


SERVER_SIDE = (errors.TransportError, errors.InvalidResponse, errors.UsageError)


@pytest.mark.parametrize("cls", all_error_classes(), ids=lambda c: c.__name__)
def test_every_error_class_gets_a_clear_answer(cls: type[errors.Auth0Error]) -> None:
    answer = error_answer(bare(cls), request("text/html"))
    assert 300 <= answer.status < 600
    if answer.status >= 500:
        # Only the app's configuration or an unreachable/broken tenant is a 5xx.
        assert issubclass(cls, SERVER_SIDE) or cls is errors.Auth0Error, cls
        assert "what happened" not in answer.body.decode()
    elif answer.status >= 400:
        assert "what happened &lt;b&gt;" in answer.body.decode()  # escaped
    else:
        assert answer.location == "/auth/login?returnTo=%2Forders"
    if issubclass(cls, errors.ProtocolError) and not issubclass(cls, errors.InvalidResponse):
        assert answer.status == 400
    assert "Traceback" not in answer.body.decode()


def test_json_clients_and_api_routes_get_json() -> None:
    answer = error_answer(bare(errors.MissingTransactionError), request("application/json"))
    assert answer.json == {
        "error": "missing_transaction_error",
        "error_description": "what happened <b>",
    }
    assert answer.headers["Content-Type"] == "application/json"
    assert error_answer(bare(errors.MissingRefreshTokenError), request(), api=True).status == 401
    upstream = error_answer(bare(errors.ManagementApiError, status=503), request())
    assert upstream.status == 502


def test_the_login_required_answer() -> None:
    assert login_required_answer(request()).location == "/auth/login?returnTo=%2Forders"
    assert login_required_answer(request(path="/")).location == "/auth/login"
    assert login_required_answer(request(method="POST")).location == "/auth/login"
    assert login_required_answer(request("application/json")).status == 401
    assert login_required_answer(request("text/html, application/json")).status == 302
    assert login_required_answer(request("text/html"), api=True).status == 401
    assert login_required_answer(request("application/json"), api=False).status == 302
    assert login_required_answer(request()).headers["Cache-Control"] == "no-store"


def test_pages_escape_everything() -> None:
    body = page(400, "<t>", "<m>", "<c>", '/"><x').body.decode()
    assert "<t>" not in body
    assert "<m>" not in body
    assert "<c>" not in body
    assert '"><x' not in body


def test_cookie_writes_take_the_integration_attributes() -> None:
    cookies = PendingCookies(secure=True)
    cookies.set_cookie(
        "a", "1", max_age=60, path="/", secure=False, httponly=False, samesite="None"
    )
    cookies.set_cookie("b", "2")
    cookies.delete_cookie("a", path="/")  # the last write of a cookie wins, and goes last
    writes = cookies.flush()
    assert [(w.name, w.value, w.max_age, w.deleted) for w in writes] == [
        ("b", "2", None, False),
        ("a", "", 0, True),
    ]
    assert all(w.secure for w in writes)
    assert cookies.flush() == []

    class Recorder:
        def __init__(self) -> None:
            self.calls: list[dict[str, Any]] = []

        def set_cookie(self, key: str, value: str, **attributes: Any) -> None:
            self.calls.append({"key": key, "value": value, **attributes})

    cookies.set_cookie("c", "3", max_age=5)
    recorder = Recorder()
    cookies.write_to(recorder, samesite="lax")
    assert recorder.calls == [
        {
            "key": "c",
            "value": "3",
            "max_age": 5,
            "path": "/",
            "domain": None,
            "secure": True,
            "httponly": True,
            "samesite": "lax",
        }
    ]


def test_settings() -> None:
    assert Settings().secure(True) is True
    assert Settings().secure(False) is False
    assert Settings(secure_cookies=False).secure(True) is False
    assert Settings(secure_cookies=True).secure(False) is True
    assert Settings(base_url="https://app.example").secure(False) is True
    assert Settings(base_url="http://localhost").secure(True) is False
    assert Settings(base_url="https://app.example", secure_cookies=False).secure(True) is False
    assert Settings(base_url="https://app.example").origin("http://internal:8000") == ORIGIN
    assert Settings().origin("http://internal:8000") == "http://internal:8000"
    for prefix in ("auth", "/auth/"):
        with pytest.raises(ValueError, match="prefix"):
            Settings(prefix=prefix)
    for base_url in ("https://app.example/path", "ftp://x", "app.example"):
        with pytest.raises(ValueError, match="base_url"):
            Settings(base_url=base_url)


def test_the_facades_import_no_integration() -> None:
    code = (
        "import sys, auth0_anyio, auth0_requests\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(done.stdout.split())
    frameworks = {"starlette", "fastapi", "flask", "werkzeug", "django", "hypercorn", "uvicorn"}
    ours = {"auth0_web_common", "auth0_starlette", "auth0_flask", "auth0_django", "auth0_demo"}
    assert not loaded & (frameworks | ours | {"auth0_tenant_server", "h11"})
