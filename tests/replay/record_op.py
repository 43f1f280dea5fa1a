"""Record the fixtures in ``tests/fixtures/op`` from a real OpenID Provider, with the public
recorder.

Run from the repository root (Node and ``tests/oidc_provider/node_modules`` needed, see
``tests/oidc_provider/harness.py``)::

    .venv/bin/python -m tests.replay.record_op

The OP (``oidc-provider``) is started on a free loopback port and stopped by its PID. Each
fixture is a :class:`~auth0_core.recording.Recorder` around the real sync facade
(``auth0_requests.ServerClient`` on ``recording_session``, real HTTP), the user logging in
through the OP's development pages (not recorded: the callback URL is, with
``recorder.callback_url``). The clock is the wall clock in whole seconds, run ahead of the
OP's where a scenario needs a token to have expired; the flows' ``meta`` are as in
``record.py``. The recording's ``meta.client`` holds the client options to replay with (the
OP's issuer as ``domain``; never the secret, which any value replays).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import auth0_requests
from auth0_core.recording import Recorder
from auth0_requests.recording import recording_session

from ..oidc_provider.harness import (
    ACCESS_TOKEN_TTL,
    CALLBACK,
    CLIENT_SECRET,
    RESOURCE,
    OpenIDProvider,
    client_id_for,
    default_config,
)
from .record import LoggingStore, Session
from .scenarios import OP_FIXTURES, SECRET, SEED

# The OP grants offline_access (a refresh token) only with prompt=consent (OIDC Core §11).
CONSENT: dict[str, Any] = {"redirect_uri": CALLBACK, "prompt": "consent"}


class OPSession(Session):
    """One recording against the OP: a recorder, a sync facade recorded by it, a browser."""

    def __init__(
        self,
        op: OpenIDProvider,
        name: str,
        description: str,
        *,
        alg: str = "RS256",
        authorization_params: dict[str, Any] | None = None,
    ) -> None:
        self.name = name
        self.offset = 0
        client: dict[str, Any] = {
            "domain": op.issuer,
            "client_id": client_id_for(alg),
            "authorization_params": authorization_params or {"redirect_uri": CALLBACK},
        }
        if alg != "RS256":  # the SDK is told which algorithm to expect (RS256 by default)
            client["algorithms"] = [alg]
        self.recorder = Recorder(
            description=description,
            seed=SEED,
            clock=lambda: float(int(time.time()) + self.offset),
            meta={"client": client},
        )
        self.writes: list[list[Any]] = []
        self.client = auth0_requests.ServerClient(
            session=recording_session(self.recorder),
            env=self.recorder.env,
            state_store=LoggingStore("state", self.writes),
            transaction_store=LoggingStore("transaction", self.writes),
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            **client,
        )
        self.op_browser = op.browser()

    def login(self, user: str = "alice") -> None:
        start = self.call("start_interactive_login")
        callback = self.op_browser.authorize(start["result"], user=user)
        self.call("complete_interactive_login", callback=callback)


def record_all(op: OpenIDProvider) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def scenario(
        name: str,
        description: str,
        then: Callable[[OPSession], object] | None = None,
        *,
        login: bool = True,
        **options: Any,
    ) -> None:
        session = OPSession(op, name, description, **options)
        try:
            if login:
                session.login()
            if then is not None:
                then(session)
            out[name] = session.recording()
        finally:
            session.op_browser.close()
            session.client.close()

    for alg in ("RS256", "PS256", "ES256"):
        scenario(
            f"login_{alg.lower()}",
            f"interactive login at oidc-provider, the ID token signed {alg}",
            alg=alg,
        )

    def refresh(s: OPSession) -> None:
        s.offset = ACCESS_TOKEN_TTL + 60  # the access token has expired for the client
        s.call("get_access_token")  # a refresh; the OP rotates the refresh token
        s.call("get_access_token")  # the refreshed token, cached
        s.call("get_session")

    scenario(
        "refresh",
        "login with prompt=consent (offline_access), then get_access_token after the access "
        "token expired: a refresh with rotation, then the cached token",
        refresh,
        authorization_params=CONSENT,
    )
    scenario(
        "client_credentials",
        "client credentials at oidc-provider, then the same call answered from the cache",
        lambda s: (
            s.call("get_client_credentials_token", RESOURCE),
            s.call("get_client_credentials_token", RESOURCE),
        ),
        login=False,
    )
    return out


def main() -> None:
    OP_FIXTURES.mkdir(parents=True, exist_ok=True)
    with OpenIDProvider(default_config()) as op:
        recorded = record_all(op)
    for name, data in recorded.items():
        path = OP_FIXTURES / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
