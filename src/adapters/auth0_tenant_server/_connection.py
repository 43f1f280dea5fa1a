"""One HTTP/1.1 connection of the server: h11 over an anyio byte stream, TLS included.

Reads each request (bounded: 1 MiB of body, 64 KiB of headers, each request within the idle
timeout), hands it to the site's handler, writes the answer, and keeps the connection alive
until the peer leaves or idles. Nothing a peer does here can raise out of
:func:`serve_connection`: the accept loops in ``_server`` rely on that.
"""

from __future__ import annotations

import base64
import hashlib
import http
import inspect
import logging
import re
import ssl
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

import anyio
import anyio.abc
import h11
from anyio.abc import SocketStream
from anyio.streams.tls import TLSAttribute, TLSStream

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.tenant.authentication.client_auth import (
    TLS_CLIENT_SUBJECT_HEADER,
    TLS_CLIENT_THUMBPRINT_HEADER,
)

Handler = Callable[[HttpRequest], HttpResponse | Awaitable[HttpResponse]]

MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 64 * 1024
_RECEIVE_SIZE = 65536
DRAIN_TIMEOUT = 1.0
# Host header: a DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port.
_HOST = re.compile(r"^(?:[A-Za-z0-9.\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})

logger = logging.getLogger("auth0_tenant_server")


class _Reject(Exception):
    """Answer ``status`` and close the connection (malformed or oversized request)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class Site:
    """Per-server context shared by every connection."""

    def __init__(
        self,
        handler: Handler,
        scheme: str,
        authority: str,
        log: TextIO | None,
        *,
        ssl_context: ssl.SSLContext | None,
        idle_timeout: float,
    ) -> None:
        self.handler = handler
        self.scheme = scheme
        self.authority = authority
        self.access_log = log
        self.ssl_context = ssl_context
        self.idle_timeout = idle_timeout

    async def respond(self, request: HttpRequest) -> HttpResponse:
        try:
            result = self.handler(request)
            if inspect.isawaitable(result):
                result = await result
        except Exception:
            logger.exception("handler failed for %s %s", request.method, request.url)
            return _plain(500)
        if not isinstance(result, HttpResponse) or not 200 <= result.status <= 599:
            logger.error("handler returned %r for %s", result, request.url)
            return _plain(500)
        return result

    def log(self, method: str, path: str, status: int, body: bytes) -> None:
        if self.access_log is None:
            return
        line = f"{method} {path} {status}"
        if path == "/oauth/token":
            line += f" grant_type={_grant_type(body)}"
        try:
            self.access_log.write(line + "\n")
            self.access_log.flush()
        except (OSError, ValueError):  # a closed log stream must not break serving
            pass


def _grant_type(body: bytes) -> str:
    values = parse_form(body).get("grant_type") or ["-"]
    # Never echo arbitrary client bytes into the log verbatim.
    return re.sub(r"[^A-Za-z0-9:._\-]", "?", values[0])[:100]


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _plain(status: int) -> HttpResponse:
    phrase = http.HTTPStatus(status).phrase
    return HttpResponse(
        status=status,
        headers=(("Content-Type", "text/plain; charset=utf-8"),),
        body=f"{status} {phrase}\n".encode(),
    )


async def _next_event(conn: h11.Connection, stream: anyio.abc.ByteStream) -> Any:
    while True:
        event = conn.next_event()
        if event is not h11.NEED_DATA:
            return event
        try:
            data = await stream.receive(_RECEIVE_SIZE)
        except anyio.EndOfStream:
            data = b""
        conn.receive_data(data)


def _x5t_s256(der: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode("ascii")


# Headers only this server may set: removed from every request, whatever the client sent.
_TRUSTED_HEADERS = frozenset({TLS_CLIENT_SUBJECT_HEADER, TLS_CLIENT_THUMBPRINT_HEADER})
ClientIdentity = tuple[tuple[str, str], ...]


def client_certificate_identity(stream: anyio.abc.ByteStream) -> ClientIdentity:
    """The verified TLS client certificate of ``stream`` as trusted headers: its subject DN
    (RFC 4514) and SHA-256 thumbprint (``x5t#S256``, RFC 8705 §3.1); none without one.

    A certificate reaches here only if the server context verified it (``verify_mode``
    CERT_OPTIONAL or CERT_REQUIRED with the client CA loaded): OpenSSL fails the handshake
    otherwise.
    """
    if not isinstance(stream, TLSStream):
        return ()
    der = stream.extra(TLSAttribute.peer_certificate_binary, None)  # noqa: S610 (anyio)
    if not der:
        return ()
    from cryptography import x509  # the tenant extra's dependency, needed only with TLS

    subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
    return ((TLS_CLIENT_SUBJECT_HEADER, subject), (TLS_CLIENT_THUMBPRINT_HEADER, _x5t_s256(der)))


async def _read_request(
    conn: h11.Connection,
    stream: anyio.abc.ByteStream,
    site: Site,
    identity: ClientIdentity = (),
) -> tuple[HttpRequest, str] | None:
    """The next request and its path, or None when the peer closed the connection.

    Raises:
        _Reject: malformed request line/headers (400) or a body over the limit (413).
    """
    try:
        event = await _next_event(conn, stream)
        if isinstance(event, h11.ConnectionClosed):
            return None
        if not isinstance(event, h11.Request):
            raise _Reject(400)
        method = event.method.decode("ascii", "replace")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in event.headers]
        length = next((v for k, v in headers if k == "content-length"), "0")
        if int(length) > MAX_BODY_BYTES:
            raise _Reject(413)
        target = event.target.decode("latin-1")
        host = next((v for k, v in headers if k == "host"), site.authority)
        if not target.startswith("/") or not _HOST.match(host):
            raise _Reject(400)
        body = bytearray()
        while not isinstance(event := await _next_event(conn, stream), h11.EndOfMessage):
            if isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY_BYTES:  # chunked bodies have no Content-Length
                    raise _Reject(413)
    except h11.RemoteProtocolError:
        raise _Reject(400) from None
    headers = [(k, v) for k, v in headers if k not in _TRUSTED_HEADERS]  # h11 lowercases
    request = HttpRequest(
        method=method,
        url=f"{site.scheme}://{host}{target}",
        headers=(*headers, *identity),
        body=bytes(body),
    )
    return request, target.split("?", 1)[0]


async def _send(
    conn: h11.Connection,
    stream: anyio.abc.ByteStream,
    response: HttpResponse,
    *,
    head: bool,
    close: bool,
    timeout: float,
) -> None:
    """Write ``response``; raises TimeoutError if the peer stops reading for ``timeout``."""
    headers = [(k, v) for k, v in response.headers if k.lower() not in _HOP_BY_HOP]
    headers.append(("Content-Length", str(len(response.body))))
    if close:
        headers.append(("Connection", "close"))
    try:
        start = conn.send(
            h11.Response(
                status_code=response.status,
                headers=headers,
                reason=_reason(response.status),
            )
        )
    except h11.LocalProtocolError:  # e.g. a header value with a newline from the handler
        logger.error("handler produced an invalid response for status %s", response.status)
        await _send(conn, stream, _plain(500), head=head, close=True, timeout=timeout)
        return
    with anyio.fail_after(timeout):
        await stream.send(start or b"")
        if response.body and not head:
            await stream.send(conn.send(h11.Data(data=response.body)) or b"")
        await stream.send(conn.send(h11.EndOfMessage()) or b"")


async def _drain(stream: anyio.abc.ByteStream) -> None:
    """Read and drop what the client is still sending before closing ("lingering close").

    Closing a socket with unread input makes the kernel send a reset, and the client may then
    lose the 400/413 we just wrote. Bounded in time and bytes so a slow client cannot hold us.
    """
    with anyio.move_on_after(DRAIN_TIMEOUT):
        try:
            for _ in range(2 * MAX_BODY_BYTES // _RECEIVE_SIZE):
                await stream.receive(_RECEIVE_SIZE)
        except (anyio.EndOfStream, anyio.BrokenResourceError, OSError):
            pass


async def _exchange(site: Site, stream: anyio.abc.ByteStream) -> None:
    """Answer requests on one connection until either side ends it.

    Raises:
        TimeoutError: no complete request within ``site.idle_timeout`` (idle or trickling), or
            the peer stopped reading a response for that long.
    """
    conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADER_BYTES)
    identity = client_certificate_identity(stream)
    while True:
        try:
            with anyio.fail_after(site.idle_timeout):
                received = await _read_request(conn, stream, site, identity)
        except _Reject as reject:
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                reply = _plain(reject.status)
                await _send(conn, stream, reply, head=False, close=True, timeout=site.idle_timeout)
            site.log("-", "-", reject.status, b"")
            await _drain(stream)
            return
        if received is None:
            return
        request, path = received
        response = await site.respond(request)
        head = request.method == "HEAD"
        await _send(conn, stream, response, head=head, close=False, timeout=site.idle_timeout)
        site.log(request.method, path, response.status, request.body)
        if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
            return
        conn.start_next_cycle()


async def serve_connection(site: Site, accepted: SocketStream) -> None:
    """Serve one accepted connection (TLS handshake included) and close it; never raises."""
    stream: anyio.abc.ByteStream = accepted
    try:
        if site.ssl_context is not None:
            with anyio.fail_after(site.idle_timeout):
                stream = await TLSStream.wrap(
                    accepted,
                    server_side=True,
                    ssl_context=site.ssl_context,
                    standard_compatible=False,
                )
        await _exchange(site, stream)
    except TimeoutError:
        pass  # idle, too slow, or a handshake that never came
    except (
        anyio.EndOfStream,
        anyio.BrokenResourceError,
        anyio.ClosedResourceError,
        OSError,  # ssl.SSLError too: a failed handshake is the peer's problem
    ):
        pass  # the peer went away mid-exchange
    except h11.ProtocolError:
        pass
    except Exception:  # one bad connection must never take the server down
        logger.exception("connection failed")
    finally:
        await anyio.aclose_forcefully(stream)
