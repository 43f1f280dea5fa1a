"""The server stays up past its resources, over real loopback sockets on asyncio and trio.

Out of file descriptors it backs off and keeps serving; at its connection cap clients wait in
the listen backlog; idle, trickling and non-reading clients are closed after the idle timeout.
The descriptor tests run ``auth0-core tenant`` in a subprocess under a lowered open-file limit.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import trustme

from auth0_core import HttpRequest, HttpResponse
from auth0_tenant_server._cli import main
from auth0_tenant_server._server import MAX_CONNECTIONS, ServerThread, _AcceptRetry

BACKENDS = ["asyncio", "trio"]
FD_LIMIT = 64
HELD = 100  # more connections than FD_LIMIT descriptors let the server hold
OUT_OF_FDS = "Too many open files"  # strerror(EMFILE), quoted in the server's warning
AT_CAP = "the most allowed (max_connections)"
SHORT_IDLE = 0.2
WAIT = 10.0  # the most any single step may take before the test fails

# The CLI, under a soft open-file limit set before anything is imported.
_LIMITED_CLI = """
import resource, sys
_, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), hard))
from auth0_tenant_server._cli import main
sys.exit(main(sys.argv[2:]))
"""


class LimitedTenant:
    """``auth0-core tenant`` in a subprocess that may open only FD_LIMIT files."""

    def __init__(self, log_path: Path, *args: str) -> None:
        self.log_path = log_path
        command = [sys.executable, "-c", _LIMITED_CLI, str(FD_LIMIT), "tenant", "--port", "0"]
        with log_path.open("w") as log:
            self.process = subprocess.Popen(
                [*command, "--quiet", *args], stdout=subprocess.PIPE, stderr=log, text=True
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # the announcement, or "" if it died
        if not line.startswith("tenant listening on "):
            self.stop()
            raise AssertionError(f"no announcement, got {line!r}: {self.log()}")
        self.base_url = line.removeprefix("tenant listening on ").strip()
        host, port = self.base_url.split("://", 1)[1].rsplit(":", 1)
        self.address = (host, int(port))

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8")

    def running(self) -> bool:
        return self.process.poll() is None

    def wait_for_log(self, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in self.log():
            assert self.running(), f"the server died: {self.log()}"
            assert time.monotonic() < deadline, f"never logged {text!r}: {self.log()}"
            time.sleep(0.02)

    def stop(self) -> int:
        """SIGTERM by PID; the exit status."""
        if self.running():
            os.kill(self.process.pid, signal.SIGTERM)
        self.process.communicate(timeout=WAIT)
        return self.process.returncode


@contextmanager
def limited_tenant(log_path: Path, *args: str) -> Iterator[LimitedTenant]:
    server = LimitedTenant(log_path, *args)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def held_connections(address: tuple[str, int], count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that send nothing until the caller does; all closed on exit."""
    held: list[socket.socket] = []
    try:
        for _ in range(count):
            held.append(socket.create_connection(address, timeout=WAIT))
        yield held
    finally:
        for connection in held:
            connection.close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_out_of_descriptors_the_server_backs_off_and_keeps_serving(
    backend: str, scheme: str, ca: trustme.CA, tmp_path: Path
) -> None:
    tls_args: list[str] = []
    verify: ssl.SSLContext | bool = True
    if scheme == "https":
        pem = tmp_path / "server.pem"  # the key and the chain in one file
        ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(pem))
        tls_args = ["--certfile", str(pem)]
        verify = ssl.create_default_context()
        ca.configure_trust(verify)
    # The default cap (256) is above the limit, so accept() runs out of descriptors.
    with limited_tenant(tmp_path / "server.log", "--backend", backend, *tls_args) as server:
        with held_connections(server.address, HELD):
            server.wait_for_log(OUT_OF_FDS)
            assert server.running()
        # Closing them frees the server's descriptors; its next retry accepts again.
        response = httpx.get(
            server.base_url + "/.well-known/jwks.json", verify=verify, timeout=WAIT
        )
        assert response.status_code == 200
        assert server.stop() == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_at_the_cap_clients_wait_in_the_backlog(backend: str, tmp_path: Path) -> None:
    cap = 16
    args = ("--backend", backend, "--max-connections", str(cap))
    with limited_tenant(tmp_path / "server.log", *args) as server:
        host, port = server.address
        request = f"GET /.well-known/jwks.json HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
        with held_connections(server.address, HELD) as held:
            for connection in held:
                connection.sendall(request)
            server.wait_for_log(AT_CAP)
            assert server.running()
            # Answered in turn: each close frees the slot the next waiting client takes.
            for connection in held:
                assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")
                connection.close()
        assert OUT_OF_FDS not in server.log()
        assert server.stop() == 0


def test_max_connections_option_names_the_servers_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["tenant", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    option = help_text[help_text.index("--max-connections N ") :]
    assert f"({MAX_CONNECTIONS})" in option.split("--quiet", 1)[0]


@pytest.mark.anyio
async def test_accept_failures_back_off_and_warn_once_per_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    retry = _AcceptRetry(first=0.001, most=0.004)
    error = OSError(24, "Too many open files")
    delays = []
    for _ in range(4):
        await retry.after_failure(error)
        delays.append(retry.delay)
    assert delays == [0.001, 0.002, 0.004, 0.004]
    retry.after_success()
    await retry.after_failure(error)
    assert retry.delay == 0.001
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    expected = "cannot accept connections ([Errno 24] Too many open files); retrying"
    assert warnings == [expected, expected]  # one per run of failures


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=200, body=b"ok")


def _request(address: tuple[str, int]) -> bytes:
    return f"GET / HTTP/1.1\r\nHost: {address[0]}:{address[1]}\r\n\r\n".encode()


def _read_until_closed(connection: socket.socket) -> bytes:
    """What arrives until the server closes ``connection``; fails if it stays open for WAIT."""
    received = bytearray()
    try:
        while chunk := connection.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return bytes(received)


def _trickle_until_closed(connection: socket.socket) -> bool:
    """Send a header line every 20 ms, never ending the request; whether the server hung up."""
    for _ in range(int(WAIT / 0.02)):
        try:
            connection.sendall(b"X-Slow: 1\r\n")
        except OSError:  # broken pipe or reset: closed
            return True
        readable, _, _ = select.select([connection], [], [], 0.02)
        if readable:
            return _read_until_closed(connection) == b""
    return False


@pytest.mark.parametrize("backend", BACKENDS)
def test_idle_and_trickling_connections_are_closed(backend: str) -> None:
    with ServerThread(_ok, idle_timeout=SHORT_IDLE, backend=backend) as server:
        assert server.address is not None
        address = (server.address.host, server.address.port)
        with held_connections(address, 3) as (silent, kept_alive, trickling):
            kept_alive.sendall(_request(address))
            trickling.sendall(b"GET / HTTP/1.1\r\n")
            assert _trickle_until_closed(trickling)
            assert _read_until_closed(silent) == b""
            reply = _read_until_closed(kept_alive)
            assert reply.startswith(b"HTTP/1.1 200 ")
            assert reply.endswith(b"\r\n\r\nok")  # answered, then closed when idle


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_client_that_stops_reading_loses_its_slot(backend: str) -> None:
    # Far more than the kernel buffers between the two ends hold, so the server's send blocks.
    big = HttpResponse(status=200, body=b"x" * (8 * 1024 * 1024))
    with ServerThread(
        lambda request: big, max_connections=1, idle_timeout=SHORT_IDLE, backend=backend
    ) as server:
        assert server.address is not None
        address = (server.address.host, server.address.port)
        with socket.socket() as stalled:
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.settimeout(WAIT)
            stalled.connect(address)
            stalled.sendall(_request(address))  # and then reads nothing
            # The only slot is the stalled client's until the server gives up on it.
            response = httpx.get(server.base_url + "/", timeout=WAIT)
            assert response.content == big.body
            # The server hung up mid-response.
            assert len(_read_until_closed(stalled)) < len(big.body)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stalled_tls_handshake_is_closed(backend: str, ca: trustme.CA) -> None:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    with ServerThread(_ok, ssl_context=context, idle_timeout=SHORT_IDLE, backend=backend) as server:
        assert server.address is not None
        with held_connections((server.address.host, server.address.port), 1) as (silent,):
            assert _read_until_closed(silent) == b""


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"), ServerThread(_ok, max_connections=0):
        pass
    with pytest.raises(ValueError, match="positive"), ServerThread(_ok, idle_timeout=0):
        pass
