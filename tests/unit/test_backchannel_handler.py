"""The back-channel logout endpoint: the core's parsing and answers, and the WSGI and ASGI apps
run for real (wsgiref's validator and a wsgiref server; ASGI messages on asyncio and trio)."""

from __future__ import annotations

import http.client
import inspect
import io
import json
import re
import threading
from collections.abc import Iterator, MutableMapping
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import httpx
import pytest
import requests
from tests.backchannel_helpers import (
    BASE_URL,
    NOW,
    SECRET,
    FakeTenant,
    Keys,
    SpyStateStore,
    client_options,
    fill,
    logout_claims,
    mint,
    remaining,
    session,
)

import auth0_anyio
import auth0_requests
from auth0_core import FixedClock
from auth0_core._backchannel_http import (
    MAX_BODY_BYTES,
    EndpointResponse,
    declared_length,
    logout_response,
    method_not_allowed,
    read_logout_token,
)
from auth0_core._logout_token import MESSAGES, rejected
from auth0_core.errors import (
    BackchannelLogoutError,
    InvalidResponse,
    StoreNotSupportedError,
    StoreUnavailableError,
    TransportError,
    TransportTimeoutError,
)
from auth0_core.stores import CookieStateStore

SESSIONS = {
    "alice": session("auth0|alice", "sid-alice-1"),
    "bob": session("auth0|bob", "sid-bob-1"),
}
ALL = list(SESSIONS)
FORM = "application/x-www-form-urlencoded"
# RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no '"', no '\').
DESCRIPTION = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]+")


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


def form(token: str, **more: str) -> bytes:
    return urlencode({"logout_token": token, **more}).encode()


def reason_of(body: bytes) -> str:
    """The reason whose message a 400 answer carries."""
    description = json.loads(body)["error_description"]
    found = [r for r, m in MESSAGES.items() if description.startswith(m.rstrip("."))]
    return max(found, key=lambda r: len(MESSAGES[r]))  # the longest message that fits


# --- the core: reading the body -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"logout_token=abc.def.ghi", FORM),
        (b"logout_token=abc.def.ghi", "Application/X-WWW-Form-URLencoded; charset=UTF-8"),
        (b"logout_token=abc.def.ghi&state=x&other=1", FORM),
        (b"logout_token=abc.def.ghi", None),  # no Content-Type: read as a form
        (b"logout_token=abc.def.ghi", ""),
        (b'{"logout_token": "abc.def.ghi"}', "application/json"),
        (b'{"logout_token": "abc.def.ghi", "x": 1}', "application/json; charset=utf-8"),
        (b'{"logout_token": "abc.def.ghi"}', "application/vnd.example+json"),
        (
            b'{"nested": {"logout_token": 1, "logout_token": 2}, "logout_token": "abc.def.ghi"}',
            "application/json",
        ),
    ],
)
def test_the_token_is_read_from_a_form_or_json(body: bytes, content_type: str | None) -> None:
    assert read_logout_token(body, content_type) == "abc.def.ghi"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"", FORM, "missing_logout_token"),
        (b"state=x", FORM, "missing_logout_token"),
        (b"logout_token=", FORM, "missing_logout_token"),
        (b"logout_token=a&logout_token=b", FORM, "duplicate_logout_token"),
        (b"logout_token=a&logout_token=a", FORM, "duplicate_logout_token"),
        (b"{}", "application/json", "missing_logout_token"),
        (b'{"logout_token": ""}', "application/json", "missing_logout_token"),
        (
            b'{"logout_token": "a", "logout_token": "b"}',
            "application/json",
            "duplicate_logout_token",
        ),
        (b'{"logout_token": 7}', "application/json", "malformed_body"),
        (b'{"logout_token": null}', "application/json", "malformed_body"),
        (b'["logout_token"]', "application/json", "malformed_body"),
        (b"logout_token=a", "application/json", "malformed_body"),
        (b"\xff\xfe", FORM, "malformed_body"),
        (b"logout_token=a", "text/plain", "unsupported_content_type"),
        (b"logout_token=a", "multipart/form-data; boundary=x", "unsupported_content_type"),
        (b"logout_token=" + b"a" * MAX_BODY_BYTES, FORM, "body_too_large"),
        ("&".join(f"f{i}=1" for i in range(200)).encode(), FORM, "malformed_body"),
    ],
)
def test_a_bad_body_is_refused_with_its_reason(body: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(BackchannelLogoutError) as info:
        read_logout_token(body, content_type)
    assert info.value.reason == reason


def test_the_declared_length() -> None:
    assert declared_length(None) is None
    assert declared_length("") is None
    assert declared_length(" 12 ") == 12
    assert declared_length(str(MAX_BODY_BYTES)) == MAX_BODY_BYTES
    for value, reason in [
        (str(MAX_BODY_BYTES + 1), "body_too_large"),
        ("9" * 30, "body_too_large"),
        ("-1", "malformed_body"),
        ("1e3", "malformed_body"),
        ("١٢", "malformed_body"),  # Arabic-Indic digits: isdigit, not ASCII
    ]:
        with pytest.raises(BackchannelLogoutError) as info:
            declared_length(value)
        assert info.value.reason == reason


# --- the core: the answers ----------------------------------------------------------------------


def headers_of(response: EndpointResponse) -> dict[str, str]:
    return {name.lower(): value for name, value in response.headers}


def test_success_is_an_empty_200_not_to_be_cached() -> None:
    response = logout_response(None)
    assert (response.status, response.body, response.status_line) == (200, b"", "200 OK")
    assert headers_of(response) == {
        "content-type": "text/plain; charset=utf-8",
        "cache-control": "no-store",
        "content-length": "0",
    }


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (rejected("expired"), 400, "invalid_request"),
        (StoreNotSupportedError("cookie store"), 501, "server_error"),
        (TransportError("down", url="https://tenant.example/jwks"), 503, "temporarily_unavailable"),
        (TransportTimeoutError("slow", seconds=3.0), 503, "temporarily_unavailable"),
        (StoreUnavailableError("redis down", store="redis"), 503, "temporarily_unavailable"),
        (InvalidResponse("the JWKS document is not JSON"), 500, "server_error"),
    ],
)
def test_failures_are_json_errors_not_to_be_cached(error: Any, status: int, code: str) -> None:
    response = logout_response(error)
    assert response.status == status
    assert headers_of(response) == {
        "content-type": "application/json",
        "cache-control": "no-store",
        "content-length": str(len(response.body)),
    }
    document = json.loads(response.body)
    assert set(document) == {"error", "error_description"}
    assert document["error"] == code
    assert DESCRIPTION.fullmatch(document["error_description"])
    if status == 400:
        assert document["error_description"] == error.message
    else:  # the SDK's own words and the error's code only: no server text, no URL
        assert document["error_description"].endswith(f"({error.code}).")
        assert "tenant.example" not in document["error_description"]
        assert "down" not in document["error_description"]


@pytest.mark.parametrize("reason", sorted(MESSAGES))
def test_every_reason_makes_a_valid_error_description(reason: str) -> None:
    body = json.loads(logout_response(rejected(reason)).body)
    assert DESCRIPTION.fullmatch(body["error_description"])
    assert reason_of(logout_response(rejected(reason)).body) == reason


def test_other_methods_are_not_allowed() -> None:
    response = method_not_allowed()
    assert response.status == 405
    assert response.status_line == "405 Method Not Allowed"
    assert headers_of(response)["allow"] == "POST"
    assert headers_of(response)["cache-control"] == "no-store"
    assert json.loads(response.body)["error"] == "invalid_request"


# --- the apps: one client, sessions, a tenant ---------------------------------------------------


class Setup:
    def __init__(self, keys: Keys, state_store: Any = None) -> None:
        self.keys = keys
        self.clock = FixedClock(NOW)
        self.tenant = FakeTenant(keys.rsa)
        self.store = SpyStateStore(self.clock)
        fill(self.store, SESSIONS)
        self.state_store = state_store if state_store is not None else self.store

    def options(self) -> dict[str, Any]:
        return client_options(self.clock, state_store=self.state_store)

    def token(self, **changes: object) -> str:
        return mint(self.keys.rsa, logout_claims(**changes))


def sync_client(setup: Setup) -> auth0_requests.ServerClient:
    session = requests.Session()
    session.mount(BASE_URL, auth0_requests.HandlerAdapter(setup.tenant.handle))
    return auth0_requests.ServerClient(session=session, **setup.options())


def async_client(setup: Setup) -> auth0_anyio.ServerClient:
    transport = auth0_anyio.handler_transport(setup.tenant.handle)
    return auth0_anyio.ServerClient(
        http_client=httpx.AsyncClient(transport=transport), **setup.options()
    )


# --- WSGI ---------------------------------------------------------------------------------------


def call_wsgi(
    app: Any,
    method: str = "POST",
    body: bytes = b"",
    content_type: str | None = FORM,
    content_length: str | None = "auto",
    **extra: Any,
) -> tuple[str, dict[str, str], bytes]:
    """One request through wsgiref's validator (which checks both sides of PEP 3333)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "QUERY_STRING": "",
        "wsgi.input": io.BytesIO(body),
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if content_length == "auto":
        environ["CONTENT_LENGTH"] = str(len(body))
    elif content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    environ.update(extra)
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, {k.lower(): v for k, v in headers}
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        data = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    return answer["status"], answer["headers"], data


def test_wsgi_a_form_post_ends_the_named_session(keys: Keys) -> None:
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    status, headers, body = call_wsgi(app, body=form(setup.token()))
    assert (status, body) == ("200 OK", b"")
    assert headers["cache-control"] == "no-store"
    assert remaining(setup.store, ALL) == ["bob"]


def test_wsgi_a_json_post_is_accepted(keys: Keys) -> None:
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    body = json.dumps({"logout_token": setup.token(sid="sid-bob-1", sub="auth0|bob")}).encode()
    status, _, _ = call_wsgi(app, body=body, content_type="application/json")
    assert status == "200 OK"
    assert remaining(setup.store, ALL) == ["alice"]


def test_wsgi_a_replayed_token_is_a_400(keys: Keys) -> None:
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    token = setup.token()
    assert call_wsgi(app, body=form(token))[0] == "200 OK"
    status, headers, body = call_wsgi(app, body=form(token))
    assert status == "400 Bad Request"
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert reason_of(body) == "replayed"
    assert token not in body.decode()
    assert len(setup.store.deletes) == 1


@pytest.mark.parametrize(
    ("request_args", "reason"),
    [
        ({"body": b"logout_token=" + b"a" * MAX_BODY_BYTES}, "body_too_large"),
        # declared too large: refused before anything is read
        ({"body": b"", "content_length": str(MAX_BODY_BYTES + 1)}, "body_too_large"),
        # no Content-Length but a terminated (chunked) stream: read one byte past the limit
        (
            {
                "body": b"logout_token=" + b"a" * (2 * MAX_BODY_BYTES),
                "content_length": None,
                "wsgi.input_terminated": True,
            },
            "body_too_large",
        ),
        ({"body": b"", "content_length": None}, "missing_logout_token"),
        ({"body": b"logout_token=a&logout_token=b"}, "duplicate_logout_token"),
        ({"body": b"logout_token=x", "content_type": "text/plain"}, "unsupported_content_type"),
        ({"body": b"logout_token=not-a-jwt"}, "malformed"),
    ],
)
def test_wsgi_bad_requests_are_400s(keys: Keys, request_args: dict[str, Any], reason: str) -> None:
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    status, _, body = call_wsgi(app, **request_args)
    assert status == "400 Bad Request"
    assert reason_of(body) == reason
    assert setup.store.deletes == []
    assert setup.tenant.paths == []  # nothing fetched for a request that carries no token


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
def test_wsgi_only_post(keys: Keys, method: str) -> None:
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    status, headers, _ = call_wsgi(app, method=method, body=form(setup.token()))
    assert status == "405 Method Not Allowed"
    assert headers["allow"] == "POST"
    assert setup.store.deletes == []


def test_wsgi_a_cookie_store_is_a_501_after_validation(keys: Keys) -> None:
    setup = Setup(keys, state_store=CookieStateStore(secret=SECRET))
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    status, _, body = call_wsgi(app, body=form(setup.token(nonce="n")))
    assert (status, reason_of(body)) == ("400 Bad Request", "nonce_present")
    status, _, body = call_wsgi(app, body=form(setup.token()))
    assert status == "501 Not Implemented"
    assert json.loads(body)["error"] == "server_error"


def test_wsgi_an_unusable_tenant_is_a_500_and_logged(
    keys: Keys, caplog: pytest.LogCaptureFixture
) -> None:
    setup = Setup(keys)
    setup.tenant.down = True
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    token = setup.token()
    status, _, body = call_wsgi(app, body=form(token))
    assert status == "500 Internal Server Error"
    assert json.loads(body)["error_description"] == "back-channel logout failed (invalid_response)."
    assert "invalid_response" in caplog.text
    assert token not in caplog.text


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served(keys: Keys) -> Iterator[tuple[Setup, int]]:
    """The WSGI app behind wsgiref's own HTTP server on loopback."""
    setup = Setup(keys)
    app = auth0_requests.backchannel_logout_wsgi_app(sync_client(setup))
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield setup, server.server_port
    finally:
        server.shutdown()
        server.server_close()


def post(port: int, body: bytes, content_type: str = FORM, method: str = "POST") -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, "/backchannel-logout", body, {"Content-Type": content_type})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_wsgi_over_real_http(served: tuple[Setup, int]) -> None:
    setup, port = served
    token = setup.token()
    assert post(port, form(token))[0] == 200
    status, headers, body = post(port, form(token))
    assert (status, headers["Cache-Control"], reason_of(body)) == (400, "no-store", "replayed")
    assert post(port, b"", method="GET")[0] == 405
    assert post(port, b"x" * (MAX_BODY_BYTES + 1))[0] == 400
    assert remaining(setup.store, ALL) == ["bob"]


# --- ASGI, on asyncio and trio ------------------------------------------------------------------


async def call_asgi(
    app: Any,
    method: str = "POST",
    chunks: tuple[bytes, ...] = (b"",),
    headers: tuple[tuple[bytes, bytes], ...] = ((b"content-type", FORM.encode()),),
    declare_length: bool = True,
    disconnect: bool = False,
) -> tuple[int | None, dict[str, str], bytes]:
    """One request as an ASGI server sends it: the scope, then the body in ``chunks``."""
    if declare_length:
        headers += ((b"content-length", str(sum(map(len, chunks))).encode()),)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": "/backchannel-logout",
        "raw_path": b"/backchannel-logout",
        "query_string": b"",
        "root_path": "",
        "headers": list(headers),
        "client": ("203.0.113.9", 4711),
        "server": ("app.example", 443),
    }
    incoming: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    if disconnect:
        incoming = [{"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    if not sent:
        return None, {}, b""
    start, body = sent
    assert start["type"] == "http.response.start"
    assert body["type"] == "http.response.body"
    assert not body.get("more_body", False)
    for name, value in start["headers"]:
        assert isinstance(name, bytes)
        assert name == name.lower()
        assert isinstance(value, bytes)
    decoded = {name.decode(): value.decode() for name, value in start["headers"]}
    return start["status"], decoded, body["body"]


BACKENDS = pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])


@BACKENDS
@pytest.mark.anyio
async def test_asgi_a_form_post_ends_the_named_session(keys: Keys, anyio_backend: str) -> None:
    setup = Setup(keys)
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    token = form(setup.token())
    status, headers, body = await call_asgi(app, chunks=(token[:10], token[10:]))
    assert (status, body) == (200, b"")
    assert headers["cache-control"] == "no-store"
    assert headers["content-length"] == "0"
    assert remaining(setup.store, ALL) == ["bob"]


@BACKENDS
@pytest.mark.anyio
async def test_asgi_a_json_post_is_accepted(keys: Keys, anyio_backend: str) -> None:
    setup = Setup(keys)
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    body = json.dumps({"logout_token": setup.token(sid=..., sub="auth0|bob")}).encode()
    headers = ((b"content-type", b"application/json"),)
    status, _, _ = await call_asgi(app, chunks=(body,), headers=headers)
    assert status == 200
    assert remaining(setup.store, ALL) == ["alice"]


@BACKENDS
@pytest.mark.anyio
async def test_asgi_a_replayed_token_is_a_400(keys: Keys, anyio_backend: str) -> None:
    setup = Setup(keys)
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    token = setup.token()
    assert (await call_asgi(app, chunks=(form(token),)))[0] == 200
    status, headers, body = await call_asgi(app, chunks=(form(token),))
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert headers["content-length"] == str(len(body))
    assert reason_of(body) == "replayed"
    assert len(setup.store.deletes) == 1


@BACKENDS
@pytest.mark.anyio
@pytest.mark.parametrize(
    ("request_args", "reason"),
    [
        # undeclared, in chunks: reading stops one chunk past the limit
        (
            {"chunks": (b"logout_token=",) + (b"a" * 4096,) * 10, "declare_length": False},
            "body_too_large",
        ),
        ({"chunks": (b"logout_token=" + b"a" * MAX_BODY_BYTES,)}, "body_too_large"),
        (
            {
                "chunks": (b"",),
                "headers": ((b"content-length", b"999999"),),
                "declare_length": False,
            },
            "body_too_large",
        ),
        ({"chunks": (b"",)}, "missing_logout_token"),
        ({"chunks": (b"logout_token=a&logout_token=b",)}, "duplicate_logout_token"),
        (
            {"chunks": (b"logout_token=a",), "headers": ((b"content-type", b"text/plain"),)},
            "unsupported_content_type",
        ),
    ],
)
async def test_asgi_bad_requests_are_400s(
    keys: Keys, anyio_backend: str, request_args: dict[str, Any], reason: str
) -> None:
    setup = Setup(keys)
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    status, _, body = await call_asgi(app, **request_args)
    assert status == 400
    assert reason_of(body) == reason
    assert setup.tenant.paths == []
    assert setup.store.deletes == []


@BACKENDS
@pytest.mark.anyio
@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "OPTIONS"])
async def test_asgi_only_post(keys: Keys, anyio_backend: str, method: str) -> None:
    setup = Setup(keys)
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    status, headers, _ = await call_asgi(app, method=method, chunks=(form(setup.token()),))
    assert (status, headers["allow"]) == (405, "POST")
    assert setup.store.deletes == []


@BACKENDS
@pytest.mark.anyio
async def test_asgi_a_cookie_store_is_a_501_and_a_disconnect_gets_nothing(
    keys: Keys, anyio_backend: str
) -> None:
    setup = Setup(keys, state_store=CookieStateStore(secret=SECRET))
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(setup))
    status, _, body = await call_asgi(app, chunks=(form(setup.token()),))
    assert (status, json.loads(body)["error"]) == (501, "server_error")
    assert await call_asgi(app, disconnect=True) == (None, {}, b"")


@BACKENDS
@pytest.mark.anyio
async def test_asgi_lifespan_and_other_scopes(keys: Keys, anyio_backend: str) -> None:
    app = auth0_anyio.backchannel_logout_asgi_app(async_client(Setup(keys)))
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return incoming.pop(0)

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    with pytest.raises(ValueError, match="websocket"):
        await app({"type": "websocket"}, receive, send)


def test_both_facades_have_the_call_with_one_signature() -> None:
    sync = auth0_requests.ServerClient.handle_backchannel_logout
    async_ = auth0_anyio.ServerClient.handle_backchannel_logout
    assert inspect.signature(sync) == inspect.signature(async_)
    assert list(inspect.signature(sync).parameters) == ["self", "logout_token", "store_options"]
    assert not inspect.iscoroutinefunction(sync)
    assert inspect.iscoroutinefunction(async_)
    assert "Raises:" in (sync.__doc__ or "")
    assert "backchannel_logout_wsgi_app" in auth0_requests.__all__
    assert "backchannel_logout_asgi_app" in auth0_anyio.__all__
