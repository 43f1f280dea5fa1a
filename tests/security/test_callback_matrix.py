"""Bad callbacks and bad ID tokens delivered through the real login flow, each rejected with
its typed error and nothing written to the session. (Signature-level attacks on the token
itself are in tests/id_token.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.errors import (
    Auth0Error,
    AuthorizationError,
    IdTokenError,
    InvalidArgumentError,
    IssuerValidationError,
    MissingRequiredArgumentError,
    MissingTransactionError,
    OAuthError,
    StateMismatch,
)
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from ..e2e.conftest import (
    CALLBACK,
    CLIENT_ID,
    CLIENT_SECRET,
    INPROCESS_BASE,
    SECRET,
    START,
    run_sync,
)

Hook = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]


class Harness:
    def __init__(self, **options: Any) -> None:
        self.clock = FixedClock(START)
        self.tenant = Tenant(
            TenantConfig.default(), base_url=INPROCESS_BASE, env=Env(clock=self.clock)
        )
        session = requests.Session()
        session.mount(INPROCESS_BASE, auth0_requests.HandlerAdapter(self.tenant.handle))
        self.client = auth0_requests.ServerClient(
            session=session,
            domain=INPROCESS_BASE,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            secret=SECRET,
            authorization_params={"redirect_uri": CALLBACK},
            env=Env(clock=self.clock),
            **options,
        )

    def start(self, options: Any = None) -> str:
        return str(self.client.start_interactive_login(options))

    def authenticate(self, url: str) -> str:
        flow = browser_login_flow(url, "alice@example.com", "alice-password")
        return str(run_sync(flow, self.tenant.handle))


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def claims_hook(change: dict[str, Any], drop: tuple[str, ...] = ()) -> Hook:
    def hook(
        claims: dict[str, Any], header: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        kept = {k: v for k, v in claims.items() if k not in drop}
        return {**kept, **change}, header

    return hook


def header_hook(change: dict[str, Any]) -> Hook:
    return lambda claims, header: (claims, {**header, **change})


TOKEN_CASES: list[tuple[str, Hook, type[Auth0Error], str | None]] = [
    ("wrong iss", claims_hook({"iss": "https://evil.example/"}), IssuerValidationError, "iss"),
    ("iss without slash", claims_hook({"iss": INPROCESS_BASE}), IssuerValidationError, "iss"),
    ("wrong aud", claims_hook({"aud": "other-client"}), IdTokenError, "aud"),
    (
        "aud list without azp",
        claims_hook({"aud": [CLIENT_ID, "x"]}, drop=("azp",)),
        IdTokenError,
        "azp",
    ),
    ("wrong azp", claims_hook({"azp": "other-client"}), IdTokenError, "azp"),
    ("expired", claims_hook({"exp": START - 61}), IdTokenError, "exp"),
    ("issued in the future", claims_hook({"iat": START + 3600}), IdTokenError, "iat"),
    ("nbf in the future", claims_hook({"nbf": START + 3600}), IdTokenError, "nbf"),
    ("no exp", claims_hook({}, drop=("exp",)), IdTokenError, "exp"),
    ("no iat", claims_hook({}, drop=("iat",)), IdTokenError, "iat"),
    ("wrong nonce", claims_hook({"nonce": "not-the-nonce"}), IdTokenError, "nonce"),
    ("missing nonce", claims_hook({}, drop=("nonce",)), IdTokenError, "nonce"),
    ("no sub", claims_hook({}, drop=("sub",)), IdTokenError, "sub"),
    ("empty sub", claims_hook({"sub": ""}), IdTokenError, "sub"),
    ("unknown kid", header_hook({"kid": "no-such-key"}), IdTokenError, "kid"),
]


@pytest.mark.parametrize(
    ("name", "hook", "error", "claim"), TOKEN_CASES, ids=[c[0] for c in TOKEN_CASES]
)
def test_bad_id_token_is_rejected(
    name: str, hook: Hook, error: type[IdTokenError], claim: str | None
) -> None:
    harness = Harness()
    harness.tenant.id_token_hook = hook
    callback = harness.authenticate(harness.start())
    with pytest.raises(error) as info:
        harness.client.complete_interactive_login(callback)
    assert isinstance(info.value, IdTokenError)
    assert info.value.claim == claim
    assert harness.client.get_session() is None


def test_max_age_exceeded() -> None:
    harness = Harness()
    url = harness.start({"authorization_params": {"max_age": 60}})
    callback = harness.authenticate(url)
    harness.tenant.id_token_hook = claims_hook({"auth_time": START - 3600})
    with pytest.raises(IdTokenError) as info:
        harness.client.complete_interactive_login(callback)
    assert info.value.claim == "auth_time"


CALLBACK_CASES: list[tuple[str, Callable[[str], str], type[Auth0Error]]] = [
    ("missing state", lambda cb: cb.split("?")[0] + "?code=abc", MissingRequiredArgumentError),
    ("unknown state", lambda cb: cb.replace("state=", "state=x"), MissingTransactionError),
    ("duplicated state", lambda cb: cb + "&state=other", InvalidArgumentError),
    ("duplicated code", lambda cb: cb + "&code=other", InvalidArgumentError),
    (
        "missing code",
        lambda cb: "&".join(p for p in cb.split("?")[1].split("&") if not p.startswith("code=")),
        MissingRequiredArgumentError,
    ),
    ("forged code", lambda cb: _replace_code(cb, "forged-code"), OAuthError),
    (
        "error callback",
        lambda cb: cb + "&error=access_denied&error_description=no",
        AuthorizationError,
    ),
    (
        "wrong iss parameter",
        lambda cb: cb + "&iss=https%3A%2F%2Fevil.example%2F",
        IssuerValidationError,
    ),
    ("oversized callback", lambda cb: cb + "&junk=" + "a" * 20_000, InvalidArgumentError),
    # Deliberately not a string: the callback handler must reject it.
    ("not a string", cast("Callable[[str], str]", lambda cb: None), InvalidArgumentError),
]


def _replace_code(callback: str, code: str) -> str:
    head, query = callback.split("?")
    parts = [f"code={code}" if p.startswith("code=") else p for p in query.split("&")]
    return head + "?" + "&".join(parts)


@pytest.mark.parametrize(
    ("name", "mutate", "error"), CALLBACK_CASES, ids=[c[0] for c in CALLBACK_CASES]
)
def test_bad_callback_is_rejected(
    name: str, mutate: Callable[[str], str], error: type[Auth0Error]
) -> None:
    harness = Harness()
    callback = harness.authenticate(harness.start())
    with pytest.raises(error):
        harness.client.complete_interactive_login(mutate(callback))
    assert harness.client.get_session() is None


def test_replayed_code_with_a_new_transaction_is_rejected_by_the_tenant() -> None:
    harness = Harness()
    first = harness.authenticate(harness.start())
    harness.client.complete_interactive_login(first)
    second = harness.start()
    replay = _replace_code(
        first.replace(f"state={state_of(first)}", f"state={state_of(second)}"),
        parse_qs(urlsplit(first).query)["code"][0],
    )
    with pytest.raises(OAuthError) as info:
        harness.client.complete_interactive_login(replay)
    assert info.value.error == "invalid_grant"


def test_expired_transaction() -> None:
    harness = Harness()
    callback = harness.authenticate(harness.start())
    harness.clock.advance(601)
    with pytest.raises(MissingTransactionError):
        harness.client.complete_interactive_login(callback)


def test_transaction_of_another_state_is_a_state_mismatch() -> None:
    class LyingStore:
        """A broken store that answers every identifier with the last transaction it got."""

        def __init__(self) -> None:
            self.last: dict[str, Any] | None = None

        def get(self, identifier: str, options: Any = None) -> Any:
            return self.last

        def set(
            self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
        ) -> None:
            self.last = dict(state)

        def delete(self, identifier: str, options: Any = None) -> None:
            pass

    harness = Harness(transaction_store=LyingStore())
    callback = harness.authenticate(harness.start())
    with pytest.raises(StateMismatch):
        harness.client.complete_interactive_login(callback.replace("state=", "state=zz"))
    assert harness.client.get_session() is None
