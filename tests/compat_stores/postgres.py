"""A real PostgreSQL server for the tests, on loopback, in a temporary directory.

It is Debian's ``postgresql`` package (``scripts/test.sh`` installs it when missing): the
binaries live in ``/usr/lib/postgresql/<version>/bin``, off ``PATH``. PostgreSQL refuses to
run as root, so under root ``initdb`` and ``postgres`` run as the ``postgres`` user (or
``nobody``) through ``subprocess.Popen(user=...)``, which keeps the server's own PID: the
server is stopped by that PID (SIGINT, PostgreSQL's fast shutdown). Without the binaries the
tests fail, saying what to install: they are never skipped.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

INSTALL = "apt-get install -y postgresql (scripts/test.sh does it when missing)"


def binary(name: str) -> str:
    """The path of PostgreSQL's ``name`` (newest version first), or the test fails."""
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        pytest.fail(
            f"{name} is not installed; the PostgreSQL tests need it: {INSTALL}", pytrace=False
        )
    return found


def _run_as() -> pwd.struct_passwd | None:
    """Whom to run the server as: nobody else when not root; else ``postgres`` or ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    pytest.fail("running as root with neither a 'postgres' nor a 'nobody' user", pytrace=False)


class PostgresServer:
    """One ``postgres`` process on 127.0.0.1:``port`` with a database ``auth0`` (trust auth)."""

    user = "auth0"
    database = "auth0"

    def __init__(self, port: int) -> None:
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None
        # Not under pytest's tmp_path: its parent is private to root, and the server may run
        # as another user that must reach its data directory.
        self.directory = Path(tempfile.mkdtemp(prefix="auth0-core-pg-"))
        self._account = _run_as()

    @property
    def dsn(self) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{self.database}"

    @property
    def _uid(self) -> int | None:
        return None if self._account is None else self._account.pw_uid

    @property
    def _gid(self) -> int | None:
        return None if self._account is None else self._account.pw_gid

    def start(self) -> PostgresServer:
        data, sockets = self.directory / "data", self.directory / "sockets"
        sockets.mkdir()
        if self._account is not None:
            for path in (self.directory, sockets):
                os.chown(path, self._account.pw_uid, self._account.pw_gid)
        log = self.directory / "postgres.log"
        environment = {
            "PATH": os.environ.get("PATH", ""),
            "LC_ALL": "C",
            "HOME": str(self.directory),
        }
        subprocess.run(
            [binary("initdb"), "-D", str(data), "-U", self.user, "-A", "trust", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
            cwd=self.directory, user=self._uid, group=self._gid,
        )  # fmt: skip
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                [
                    binary("postgres"), "-D", str(data), "-p", str(self.port),
                    "-h", "127.0.0.1", "-k", str(sockets), "-c", "fsync=off",
                ],
                stdout=output, stderr=subprocess.STDOUT, env=environment, cwd=self.directory,
                user=self._uid, group=self._gid,
            )  # fmt: skip
        self._wait_ready(log)
        subprocess.run(
            [binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
             self.database],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment,
        )  # fmt: skip
        return self

    def _wait_ready(self, log: Path) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"postgres exited: {log.read_text(errors='replace')[-2000:]}")
            ready = subprocess.run(
                [binary("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("postgres did not become ready within 30 s")

    def psql(self, sql: str) -> str:
        """Run ``sql`` with ``psql`` (a check from outside the code under test)."""
        done = subprocess.run(
            [binary("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
             "-d", self.database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return done.stdout.strip()

    def stop(self) -> None:
        """Fast shutdown by PID, then SIGKILL if it lingers; the directory is removed."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
