"""Back-channel logout over real HTTP: the served tenant delivers logout tokens to a receiver on
loopback in the background and records what each delivery got back; ``auth0-core logout-user``
ends a user's sessions at a running tenant."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from auth0_core import HttpRequest, HttpResponse
from auth0_core._http import parse_form
from auth0_core.effects import Effect, run
from auth0_core.tenant import (
    DeliveryResult,
    LogoutDelivery,
    Tenant,
    TenantConfig,
    browser_login_flow,
)
from auth0_tenant_server import BackchannelSender, ServerThread, send_over_http
from auth0_tenant_server._cli import main

from .tenant_helpers import CALLBACK, CLIENT_ID, SECRET, authorize_params, claims_of, pkce

ALICE = "auth0|alice"
RETURN_TO = "http://127.0.0.1:3000/"
WAIT = 10.0


class Receiver:
    """An application's back-channel logout endpoint on loopback, recording what arrives."""

    def __init__(self) -> None:
        self.status = 200
        self.answer = b"ok"
        self.headers: tuple[tuple[str, str], ...] = ()
        self.hold = False  # answer only once released (a receiver that hangs)
        self.released = threading.Event()
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = self.rfile.read(length)
                receiver.received.append(("POST", self.path, dict(self.headers), payload))
                if receiver.hold:
                    receiver.released.wait(WAIT)
                self.send_response(receiver.status)
                for name, value in receiver.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(receiver.answer)))
                self.end_headers()
                self.wfile.write(receiver.answer)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/backchannel-logout"


def config_for(uri: str) -> TenantConfig:
    client = {
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "callbacks": [CALLBACK],
        "allowed_logout_urls": [RETURN_TO],
        "backchannel_logout_uri": uri,
    }
    return TenantConfig.from_dict({"clients": [client]})


class Served:
    """A tenant served over HTTP, its back-channel sender running."""

    tenant: Tenant
    base_url: str


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@contextmanager
def serve(uri: str, *, timeout: float = 5.0) -> Iterator[Served]:
    served = Served()
    senders: list[BackchannelSender] = []

    def make_handler(base_url: str) -> Any:
        served.tenant = Tenant(config_for(uri), base_url=base_url)
        senders.append(BackchannelSender(served.tenant, timeout=timeout).start())
        return served.tenant.handle

    with ServerThread(make_handler=make_handler) as server:
        served.base_url = server.base_url
        try:
            yield served
        finally:
            senders[0].close()


def browse(client: httpx.Client, flow: Any) -> Any:
    """Run a scripted-browser flow over ``client`` (which keeps the tenant's cookies)."""

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest), effect
        reply = client.request(
            effect.method, effect.url, headers=list(effect.headers), content=effect.body
        )
        return HttpResponse(
            status=reply.status_code, headers=reply.headers.multi_items(), body=reply.content
        )

    return run(flow, perform)


def log_in(client: httpx.Client, base_url: str) -> dict[str, Any]:
    """A browser login (the client keeps the ``auth0`` cookie), the code exchanged."""
    verifier, challenge = pkce()
    url = f"{base_url}/authorize?{urlencode(authorize_params(challenge))}"
    callback = browse(client, browser_login_flow(url, "alice@example.com", "alice-password"))
    code = dict(httpx.URL(callback).params)["code"]
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }
    response = client.post(f"{base_url}/oauth/token", data=fields, auth=(CLIENT_ID, SECRET))
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def log_in_and_out(served: Served) -> str:
    """Log alice in and out in one browser; the session's sid."""
    with httpx.Client(timeout=WAIT) as browser:
        sid = str(claims_of(log_in(browser, served.base_url)["id_token"])["sid"])
        assert browser.cookies.get("auth0") == sid
        logout = browser.get(
            f"{served.base_url}/v2/logout?client_id={CLIENT_ID}&returnTo={RETURN_TO}"
        )
        assert logout.status_code == 302
        assert logout.headers["location"] == RETURN_TO
    return sid


def test_a_logout_at_the_served_tenant_posts_the_token_to_the_receiver(
    receiver: Receiver,
) -> None:
    with serve(receiver.url) as served:
        sid = log_in_and_out(served)
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result == DeliveryResult(status=200, body="ok")
    [(method, path, headers, payload)] = receiver.received
    assert (method, path) == ("POST", "/backchannel-logout")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_form(payload) == {"logout_token": [delivery.logout_token]}
    claims = claims_of(delivery.logout_token)
    assert (claims["sub"], claims["sid"], claims["aud"]) == (ALICE, sid, CLIENT_ID)
    assert claims["iss"] == served.base_url + "/"


def test_a_refusal_is_recorded(receiver: Receiver) -> None:
    receiver.status = 400
    receiver.answer = b'{"error":"invalid_request","error_description":"bad logout_token"}'
    with serve(receiver.url) as served:
        log_in_and_out(served)
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result is not None
    assert delivery.result.status == 400
    assert "bad logout_token" in delivery.result.body
    assert not delivery.result.ok


def test_a_connection_refused_is_recorded() -> None:
    with serve(closed_port_url()) as served:
        log_in_and_out(served)
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result is not None
    assert delivery.result.status is None
    assert delivery.result.error is not None
    assert delivery.result.error.startswith("ConnectionRefusedError")


def test_the_logout_does_not_wait_for_the_delivery(receiver: Receiver) -> None:
    receiver.hold = True
    with serve(receiver.url, timeout=WAIT) as served:
        log_in_and_out(served)
        # The browser has its answer while the receiver still holds the delivery.
        [pending] = served.tenant.outbox.messages(LogoutDelivery)
        assert pending.result is None
        receiver.released.set()
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result == DeliveryResult(status=200, body="ok")


def test_a_receiver_that_hangs_times_out(receiver: Receiver) -> None:
    receiver.hold = True
    with serve(receiver.url, timeout=0.3) as served:
        log_in_and_out(served)
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result is not None
    assert delivery.result.status is None
    assert delivery.result.error is not None
    assert delivery.result.error.startswith("TimeoutError")
    assert len(receiver.received) == 1  # tried once, not retried


def test_redirects_are_not_followed(receiver: Receiver) -> None:
    receiver.status = 302
    receiver.answer = b""
    receiver.headers = (("Location", "/elsewhere"),)
    with serve(receiver.url) as served:
        log_in_and_out(served)
        [delivery] = served.tenant.wait_for_deliveries(WAIT)
    assert delivery.result == DeliveryResult(status=302, body="")
    assert len(receiver.received) == 1


def test_send_over_http_refuses_other_schemes() -> None:
    with pytest.raises(ValueError, match="http"):
        send_over_http(HttpRequest(method="POST", url="ftp://app.example/logout"))


def test_a_sender_delivers_what_was_queued_before_it_started(receiver: Receiver) -> None:
    tenant = Tenant(config_for(receiver.url), base_url="https://tenant.example")
    tenant.state.sessions.start("sid-1", ALICE, 0)
    tenant.state.sessions.add_client("sid-1", CLIENT_ID)
    tenant.end_sessions(ALICE)
    with BackchannelSender(tenant):
        [delivery] = tenant.wait_for_deliveries(WAIT)
    assert delivery.result is not None
    assert delivery.result.ok
    sender = BackchannelSender(tenant).start()
    with pytest.raises(RuntimeError, match="started"):
        sender.start()
    sender.close()


# --- auth0-core logout-user ------------------------------------------------------------------


def test_logout_user_ends_the_sessions_of_a_served_tenant(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(receiver.url) as served:
        with httpx.Client(timeout=WAIT) as browser:
            first = log_in(browser, served.base_url)
        with httpx.Client(timeout=WAIT) as other_browser:
            second = log_in(other_browser, served.base_url)
        status = main(["logout-user", ALICE, "--tenant", served.base_url])
        deliveries = served.tenant.wait_for_deliveries(WAIT)
        assert served.tenant.sessions(ALICE) == []
    assert status == 0
    assert capsys.readouterr().out == f"ended every session of {ALICE} at {served.base_url}\n"
    assert sorted(d.sid or "" for d in deliveries) == sorted(
        claims_of(tokens["id_token"])["sid"] for tokens in (first, second)
    )
    assert all(d.result is not None and d.result.ok for d in deliveries)
    assert len(receiver.received) == 2


def test_logout_user_reports_refusals(
    receiver: Receiver, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(receiver.url) as served:
        wrong = main(
            ["logout-user", ALICE, "--tenant", served.base_url, "--client-secret", "wrong"]
        )
        assert "getting a Management API token: HTTP 401" in capsys.readouterr().err
        unknown = main(["logout-user", "auth0|nobody", "--tenant", served.base_url])
        assert "ending the sessions: HTTP 404: The user does not exist." in capsys.readouterr().err
    assert (wrong, unknown) == (1, 1)
    assert main(["logout-user", ALICE, "--tenant", closed_port_url().split("/back")[0]]) == 1
    assert "cannot reach" in capsys.readouterr().err
    assert main(["logout-user", ALICE, "--client-id", "nobody"]) == 2
    assert "no secret for client 'nobody'" in capsys.readouterr().err


def test_the_tenant_command_delivers_and_logs(receiver: Receiver, tmp_path: Path) -> None:
    config = tmp_path / "tenant.toml"
    config.write_text(
        f"""
[[clients]]
client_id = "{CLIENT_ID}"
client_secret = "{SECRET}"
callbacks = ["{CALLBACK}"]
allowed_logout_urls = ["{RETURN_TO}"]
backchannel_logout_uri = "{receiver.url}"
""",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auth0_tenant_server",
            "tenant",
            "--port",
            "0",
            "--config",
            str(config),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("tenant listening on "), process.communicate()[1]
        base_url = line.removeprefix("tenant listening on ").strip()
        with httpx.Client(timeout=WAIT) as browser:
            log_in(browser, base_url)
        assert main(["logout-user", ALICE, "--tenant", base_url, "--config", str(config)]) == 0
        deadline = time.monotonic() + WAIT
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0
    assert len(receiver.received) == 1
    assert f"back-channel logout {CLIENT_ID} -> {receiver.url}: HTTP 200" in stderr
    assert "DELETE /api/v2/users/auth0%7Calice/sessions 202" in stderr
