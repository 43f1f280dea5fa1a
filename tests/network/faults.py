"""Real loopback servers that fail in one way each, for the network-fault suite.

:class:`FaultServer` listens on 127.0.0.1 and serves each connection on a thread of its own,
one request per connection. A request whose path has a fault registered
(:meth:`FaultServer.fail`) gets that fault, written on the raw socket; any other request is
answered by the emulated tenant behind it, so a test can log in for real and then make one
endpoint misbehave. Every request is counted by path (``hits``); ``sent`` counts the bytes a
fault wrote and ``hung_up`` says whether the client closed the connection on it.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from auth0_core import HttpRequest, HttpResponse
from auth0_core.tenant import Tenant

# How long any fault may hold a connection before it is plainly stuck.
STUCK = 20.0

Fault = Callable[["FaultServer", socket.socket, HttpRequest], None]


class FaultServer:
    """A loopback HTTP/1.1 server: faults where registered, the emulated tenant elsewhere."""

    def __init__(self) -> None:
        self.tenant: Tenant | None = None
        self.stopped = threading.Event()
        self.hits: Counter[str] = Counter()
        self.sent = 0
        self.hung_up = threading.Event()
        self._faults: dict[tuple[str, str], tuple[Fault, int | None]] = {}
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # closing a socket does not wake a blocked accept()
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._threads = [threading.Thread(target=self._accept, daemon=True)]

    def fail(self, method: str, path: str, fault: Fault, *, times: int | None = None) -> None:
        """Answer ``method path`` with ``fault`` (the first ``times`` requests; None: all)."""
        with self._lock:
            self._faults[(method, path)] = (fault, times)

    def _fault_for(self, request: HttpRequest) -> Fault | None:
        key = (request.method, urlsplit(request.url).path)
        with self._lock:
            found = self._faults.get(key)
            if found is None:
                return None
            fault, times = found
            if times is not None:
                if times <= 0:
                    return None
                self._faults[key] = (fault, times - 1)
            return fault

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(STUCK)
            try:
                request = self._read_request(conn)
                if request is None:
                    return
                self.hits[urlsplit(request.url).path] += 1
                fault = self._fault_for(request)
                if fault is not None:
                    fault(self, conn, request)
                else:
                    assert self.tenant is not None
                    conn.sendall(serialize(self.tenant.handle(request)))
            except OSError:
                self.hung_up.set()  # the client hung up: what a limited client does

    def _read_request(self, conn: socket.socket) -> HttpRequest | None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, body = data.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers = tuple(
            (name.strip(), value.strip())
            for name, value in (line.split(":", 1) for line in lines[1:] if ":" in line)
        )
        length = next((int(v) for n, v in headers if n.lower() == "content-length"), 0)
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return HttpRequest(
            method=method, url=self.base_url + target, headers=headers, body=body[:length]
        )

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def lasts(self, started: float) -> bool:
        return not self.stopped.is_set() and time.monotonic() - started < STUCK

    def __enter__(self) -> FaultServer:
        self._threads[0].start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(STUCK)


def serialize(response: HttpResponse) -> bytes:
    """``response`` as HTTP/1.1 bytes on a connection closed after it."""
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = "Status"
    skipped = {"content-length", "connection", "transfer-encoding"}
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    lines += [f"{name}: {value}" for name, value in response.headers if name.lower() not in skipped]
    lines += [f"Content-Length: {len(response.body)}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1") + response.body


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then closed): connecting is refused."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return int(probe.getsockname()[1])


# --- the faults ----------------------------------------------------------------------------------


def answer(status: int, body: bytes = b"", *headers: tuple[str, str]) -> Fault:
    """A complete answer with ``status``, ``headers`` and ``body``."""

    def fault(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
        server.send(conn, serialize(HttpResponse(status=status, headers=headers, body=body)))

    return fault


def reset_mid_response(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
    """The status line, some headers and half a body; then a TCP reset (RST), not a FIN."""
    server.send(
        conn,
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
        b'{"issuer": "http://half',
    )
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def never_answer(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
    """Read the request, then say nothing until the client hangs up (or STUCK)."""
    conn.settimeout(0.05)
    started = time.monotonic()
    while server.lasts(started):
        try:
            if conn.recv(1) == b"":
                server.hung_up.set()
                return
        except TimeoutError:
            continue


def drip_headers(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
    """A header line that never ends, a byte every 50 ms."""
    server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Slow: ")
    started = time.monotonic()
    while server.lasts(started):
        server.send(conn, b"a")
        time.sleep(0.05)


def drip_body(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
    """A 1 MB body announced, then sent a byte every 50 ms."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
    server.send(conn, head)
    started = time.monotonic()
    while server.lasts(started):
        server.send(conn, b" ")
        time.sleep(0.05)


HUNDRED_MB = 100 * 1000 * 1000


def huge_body(*, declared: bool) -> Fault:
    """A 100 MB JSON body sent as fast as the client reads, its length declared or not."""

    def fault(server: FaultServer, conn: socket.socket, _request: HttpRequest) -> None:
        length = f"Content-Length: {HUNDRED_MB}\r\n" if declared else ""
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}Connection: close"
        server.send(conn, (head + "\r\n\r\n").encode())
        chunk = b" " * 65536
        started = time.monotonic()
        while server.lasts(started) and server.sent < HUNDRED_MB:
            server.send(conn, chunk)

    return fault
