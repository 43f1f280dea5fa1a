"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0) from a certified OP, through
every facade: the OP posts a logout token to the client's ``backchannel_logout_uri`` when a
user logs out there, and ``handle_backchannel_logout`` accepts it and ends exactly that
user's session."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest

from auth0_core.errors import BackchannelLogoutError

from ..e2e.conftest import Browser
from ..oidc_provider.harness import LOGOUT_RETURN, OpenIDProvider, client_metadata
from .conftest import OPApp, jwt_claims

pytestmark = pytest.mark.anyio

CLIENT_ID = "rp-backchannel"


class Receiver:
    """The client's back-channel logout endpoint: a real HTTP server on loopback that keeps
    every logout token posted to it (the test hands them to the SDK)."""

    def __init__(self) -> None:
        self.tokens: list[str] = []
        received = self.tokens

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                form = parse_qs(self.rfile.read(length).decode())
                received.extend(form.get("logout_token", []))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def receiver(oidc_op: OpenIDProvider) -> Iterator[Receiver]:
    with Receiver() as receiver:
        oidc_op.register(
            [
                client_metadata(
                    CLIENT_ID,
                    backchannel_logout_uri=receiver.url,
                    backchannel_logout_session_required=True,
                )
            ]
        )
        yield receiver


async def test_the_op_logout_token_ends_exactly_that_session(
    op_app: OPApp, oidc_op: OpenIDProvider, receiver: Receiver
) -> None:
    op_app.use(client_id=CLIENT_ID)
    alice_app, alice_op = Browser(), oidc_op.browser()
    bob_app, bob_op = Browser(), oidc_op.browser()
    for app_jar, op_jar, user in ((alice_app, alice_op, "alice"), (bob_app, bob_op, "bob")):
        op_app.browser, op_app.op_browser = app_jar, op_jar
        await op_app.login(user)
    op_app.browser = alice_app
    alice_sid = jwt_claims((await op_app.session())["id_token"])["sid"]

    # Alice logs out at the OP (RP-initiated, from another app tab: the app's own session
    # is still there when the OP posts the logout token).
    op_app.browser = Browser()
    url = await op_app.with_store("logout", {"return_to": LOGOUT_RETURN})
    receiver.tokens.clear()
    assert alice_op.logout(url) == LOGOUT_RETURN
    assert len(receiver.tokens) == 1, oidc_op.log()[-1500:]
    token = receiver.tokens[0]
    claims = jwt_claims(token)
    assert claims["sub"] == "alice"
    assert claims["sid"] == alice_sid
    assert claims["iss"] == oidc_op.issuer

    assert await op_app.call("handle_backchannel_logout", token) is None
    op_app.browser = alice_app
    assert await op_app.user() is None
    op_app.browser = bob_app
    assert (await op_app.user())["sub"] == "bob"

    with pytest.raises(BackchannelLogoutError):  # its jti is spent
        await op_app.call("handle_backchannel_logout", token)
    for op_jar in (alice_op, bob_op):
        op_jar.close()
