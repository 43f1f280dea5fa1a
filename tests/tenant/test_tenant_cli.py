"""``python -m auth0_tenant_server tenant`` as a real subprocess."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import trustme

import auth0_core
from auth0_tenant_server._cli import build_parser, main


def _start(*args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "auth0_tenant_server", "tenant", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the server announces itself (or dies)
    if not line.startswith("tenant listening on "):
        process.kill()
        raise AssertionError(f"unexpected output {line!r}: {process.communicate()[1]}")
    return process, line.removeprefix("tenant listening on ").strip()


def _stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> tuple[int, str]:
    os.kill(process.pid, signum)
    _, stderr = process.communicate(timeout=20)
    return process.returncode, stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_tenant_and_exits_cleanly(signum: int) -> None:
    process, base_url = _start()
    try:
        assert base_url.startswith("http://127.0.0.1:")
        discovery = httpx.get(base_url + "/.well-known/openid-configuration", timeout=10)
        assert discovery.status_code == 200
        assert discovery.json()["issuer"] == base_url + "/"
    finally:
        status, stderr = _stop(process, signum)
    assert status == 0
    assert "GET /.well-known/openid-configuration 200" in stderr


def test_cli_https_with_config(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_pem.write_to_path(str(keyfile))
    with certfile.open("wb") as handle:
        for blob in cert.cert_chain_pems:
            handle.write(blob.bytes())
    config = tmp_path / "tenant.toml"
    config.write_text("[tenant]\npushed_authorization_requests = false\n", encoding="utf-8")
    process, base_url = _start(
        "--certfile", str(certfile), "--keyfile", str(keyfile), "--config", str(config),
        "--backend", "trio", "--quiet",
    )  # fmt: skip
    try:
        assert base_url.startswith("https://127.0.0.1:")
        context = ssl.create_default_context()
        ca.configure_trust(context)
        discovery = httpx.get(
            base_url + "/.well-known/openid-configuration", verify=context, timeout=10
        ).json()
        assert discovery["issuer"] == base_url + "/"
        assert "pushed_authorization_request_endpoint" not in discovery
    finally:
        status, stderr = _stop(process)
    assert status == 0
    assert "GET /" not in stderr  # --quiet


def test_cli_configuration_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[tenant]\nnope = 1\n", encoding="utf-8")
    assert main(["tenant", "--config", str(bad)]) == 2
    assert "unknown key(s) in [tenant]: nope" in capsys.readouterr().err
    assert main(["tenant", "--keyfile", str(bad)]) == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args([])


def _all_parsers() -> list[argparse.ArgumentParser]:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [parser, *commands.choices.values()]


def test_every_option_of_every_command_has_help() -> None:
    for parser in _all_parsers():
        for action in parser._actions:
            assert action.help, (parser.prog, action.option_strings or action.dest)
        text = parser.format_help()
        assert "\x1b[" not in text  # plain text, no colour codes
        assert "usage: auth0-core" in text


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"auth0-core {auth0_core.__version__}"


@contextmanager
def _taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["tenant", "--port", "{port}"], "--port"),
        (["demo", "--port", "{port}"], "--port"),
        (["demo", "--tenant-port", "{port}", "--port", "0"], "--tenant-port"),
        (["tenant", "--backend", "trio", "--port", "{port}"], "--port"),
    ],
)
def test_a_port_in_use_is_one_line(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with _taken_port() as port:
        status = main([arg.format(port=port) for arg in argv])
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"auth0-core: port {port} is already in use; choose another with {option} PORT\n"
