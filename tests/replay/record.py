"""Record the fixtures in ``tests/fixtures`` from the emulated tenant, with the public recorder.

Run from the repository root::

    .venv/bin/python -m tests.replay.record

Each fixture is one :class:`~auth0_core.recording.Recorder` around the real sync facade
(``auth0_requests.ServerClient``), whose session performs requests in-process on the emulated
tenant through ``auth0_requests.recording.RecordingAdapter``; the browser's visit to the login
page is not a client exchange and is not recorded (its callback URL is, with
``recorder.callback_url``). Every flow's ``meta`` holds the call, its arguments, its outcome
and what it wrote to the stores (see ``scenarios.py``). Time is the tenant's ``FixedClock``,
randomness the recorder's seeded ``env``.

Recordings whose name starts with ``hand_`` are made from a real one by editing a response
(:func:`hand_made`); their later outcomes are what a replay of the edited file gives.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import requests

import auth0_requests
from auth0_core import Env, FixedClock
from auth0_core.recording import Recorder, Replayer
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_connect_flow, browser_login_flow
from auth0_requests import HandlerAdapter
from auth0_requests.recording import RecordingAdapter

from .scenarios import (
    BASE_URL,
    DAY,
    FIXTURES,
    SEED,
    START,
    DictStore,
    client_options,
    drive,
    outcome_of,
    replay_pure,
    to_json,
)

API = "https://api.example.com"
NO_POLICY_API = "https://not-in-any-policy.example.com"
CALLBACK_ARG = "<the recorded callback URL or input>"
ALICE = "auth0|alice"
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
LEGACY_TOKEN_TYPE = "urn:acme:legacy-token"


class LoggingStore:
    """A facade store keeping JSON copies, and the list of what was written."""

    def __init__(self, kind: str, writes: list[list[Any]]) -> None:
        self.kind = kind
        self.data: dict[str, Any] = {}
        self.writes = writes

    def get(self, identifier: str, options: Any = None) -> Any:
        return copy.deepcopy(self.data.get(identifier))

    def set(
        self, identifier: str, value: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = to_json(value)
        self.writes.append([self.kind, identifier, to_json(value)])

    def delete(self, identifier: str, options: Any = None) -> None:
        self.data.pop(identifier, None)

    def delete_by_logout_token(self, claims: Any, options: Any = None) -> None:
        for identifier, value in list(self.data.items()):
            user = value.get("user") or {} if isinstance(value, dict) else {}
            if user.get("sub") == claims.get("sub"):
                del self.data[identifier]


class Session:
    """One recording: a tenant, its clock, a recorder and a sync facade recorded by it."""

    def __init__(
        self, name: str, description: str, *, seed: int = SEED, client: dict[str, Any] | None = None
    ) -> None:
        self.name = name
        self.clock = FixedClock(START)
        self.tenant = Tenant(TenantConfig.default(), base_url=BASE_URL, env=Env(clock=self.clock))
        self.recorder = Recorder(
            description=description,
            seed=seed,
            clock=self.clock,
            meta={"client": client} if client else None,
        )
        http = requests.Session()
        http.mount(BASE_URL, RecordingAdapter(self.recorder, HandlerAdapter(self.tenant.handle)))
        self.writes: list[list[Any]] = []
        self.client = auth0_requests.ServerClient(
            session=http,
            env=self.recorder.env,
            state_store=LoggingStore("state", self.writes),
            transaction_store=LoggingStore("transaction", self.writes),
            **client_options({"meta": {"client": client}}),
        )

    def call(
        self,
        call: str,
        *args: Any,
        callback: str | None = None,
        given: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Record ``client.<call>(*args, **kwargs)`` as one flow; return its outcome.

        ``callback``: the browser's callback URL, recorded and passed as the first argument;
        ``given``: a credential from outside (a logout token), recorded and passed so.
        """
        outside = callback is not None or given is not None
        recorded_args = [CALLBACK_ARG, *args] if outside else list(args)
        meta = {
            "call": call,
            "args": to_json(recorded_args),
            "kwargs": to_json(kwargs),
            "callback": callback is not None,
            "input": given is not None,
        }
        with self.recorder.flow(call, meta) as meta:
            before = len(self.writes)
            if callback is not None:
                args = (self.recorder.callback_url(callback), *args)
            if given is not None:
                args = (self.recorder.input(given, "logout_token"), *args)
            meta["outcome"] = outcome_of(lambda: getattr(self.client, call)(*args, **kwargs))
            meta["writes"] = self.writes[before:]
        return meta["outcome"]

    def browser(self, authorize_url: str, user: str, password: str | None = None) -> str:
        flow = browser_login_flow(authorize_url, user, password or "")
        return str(drive(flow, self.tenant.handle, DictStore()))

    def login_as(self, email: str, password: str) -> None:
        start = self.call("start_interactive_login")
        self.call(
            "complete_interactive_login", callback=self.browser(start["result"], email, password)
        )

    def login(self, user: str = "alice") -> None:
        self.login_as(f"{user}@example.com", f"{user}-password")

    def recording(self) -> dict[str, Any]:
        data = self.recorder.recording()
        data["meta"]["name"] = self.name
        return data


def record_all() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def scenario(
        name: str,
        description: str,
        then: Callable[[Session], object] | None = None,
        *,
        user: str = "alice",
        login: bool = True,
        client: dict[str, Any] | None = None,
    ) -> None:
        session = Session(name, description, client=client)
        if login:
            session.login(user)
        if then is not None:
            then(session)
        out[name] = session.recording()

    scenario("login", "interactive login: start (discovery, transaction) and complete")
    scenario(
        "token_cached",
        "login, then get_access_token: the login's token from the session, no HTTP",
        lambda s: s.call("get_access_token"),
    )

    def refresh(s: Session) -> None:
        s.clock.advance(DAY - 59)
        s.call("get_access_token")

    scenario(
        "token_refresh",
        "login, then get_access_token inside the expiry leeway: refresh of the login audience",
        refresh,
    )
    scenario(
        "token_mrrt",
        "login, then get_access_token for another API: the refresh token used as an MRRT",
        lambda s: s.call("get_access_token", options={"audience": API}),
    )
    scenario(
        "token_mrrt_wrong_audience",
        "MRRT for an API without a refresh-token policy: the tenant answers for the default "
        "audience, the flow raises AccessTokenError(incorrect_audience)",
        lambda s: s.call("get_access_token", options={"audience": NO_POLICY_API}),
    )

    def revoked(s: Session) -> None:
        s.tenant.revoke_refresh_tokens("auth0|alice")
        s.clock.advance(DAY - 59)
        s.call("get_access_token")

    scenario(
        "token_invalid_grant",
        "login, refresh token revoked, refresh: InvalidGrantError",
        revoked,
    )
    scenario(
        "vault_exchange",
        "login, Token Vault: alice's google-oauth2 token, stored in the session",
        lambda s: s.call("get_access_token_for_connection", {"connection": "google-oauth2"}),
    )
    scenario(
        "vault_not_connected",
        "login as bob (no connected account), Token Vault: 401, AccountNotConnectedError",
        lambda s: s.call("get_access_token_for_connection", {"connection": "google-oauth2"}),
        user="bob",
    )

    def session_reads(s: Session) -> None:
        s.call("get_user")
        s.call("get_session")
        s.call("logout", {"return_to": "http://127.0.0.1:3000/"})
        s.call("get_user")

    scenario(
        "session_and_logout",
        "login, get_user, get_session, logout (the logout URL), get_user after it: None",
        session_reads,
    )
    scenario(
        "client_credentials",
        "client credentials for the API, then the same call answered from the cache",
        lambda s: (
            s.call("get_client_credentials_token", API),
            s.call("get_client_credentials_token", API),
        ),
        login=False,
    )

    def stateless(s: Session) -> None:
        refresh_token = s.call("get_session")["result"]["refresh_token"]
        s.call("get_token_by_refresh_token", {"refresh_token": refresh_token})
        s.clock.advance(31)  # past the single-flight window
        s.call(
            "get_token_for_connection",
            {"refresh_token": refresh_token, "connection": "google-oauth2"},
        )

    scenario(
        "refresh_token_grant",
        "login, then the stateless helpers with the session's refresh token: "
        "get_token_by_refresh_token and get_token_for_connection (Token Vault)",
        stateless,
    )

    def linking(s: Session) -> None:
        url = s.call("start_link_user", {"connection": "google-oauth2"})["result"]
        callback = s.browser(url, "alice@gmail.com", "alice-google-password")
        s.call("complete_link_user", callback=callback)
        url = s.call("start_unlink_user", {"connection": "google-oauth2"})["result"]
        s.call("complete_unlink_user", callback=s.browser(url, "", ""))

    scenario(
        "linking",
        "login (audience urn:custom:api, as seed 000), link alice's Google identity (a second "
        "login), then unlink it",
        linking,
        client={
            "authorization_params": {
                "audience": "urn:custom:api",
                "redirect_uri": "http://127.0.0.1:3000/auth/callback",
                "scope": "openid profile email offline_access",
            }
        },
    )

    me = f"{BASE_URL}/me/"

    def connected_accounts(s: Session) -> None:
        s.call("list_connected_accounts")
        s.call("list_connected_account_connections")
        url = s.call("start_connect_account", {"connection": "google-oauth2"})["result"]
        callback = str(drive(browser_connect_flow(url), s.tenant.handle, DictStore()))
        s.call("complete_connect_account", callback=callback)
        page = s.call("list_connected_accounts")["result"]
        s.call("delete_connected_account", page["accounts"][0]["id"])

    def with_accounts(s: Session) -> None:
        s.tenant.add_connected_accounts(ALICE, 2, connection="github")
        s.login()
        connected_accounts(s)

    scenario(
        "connected_accounts",
        "login with My Account API scopes; list accounts and connections, connect "
        "google-oauth2 (consent page), delete an account",
        with_accounts,
        login=False,
        client={
            "authorization_params": {
                "redirect_uri": "http://127.0.0.1:3000/auth/callback",
                "scope": {me: ME_SCOPES},
            }
        },
    )

    ciba_user = {"login_hint": {"sub": ALICE}, "binding_message": "Kiosk 4711"}

    def ciba(s: Session) -> None:
        started = s.call("initiate_backchannel_authentication", ciba_user)["result"]
        s.call("backchannel_authentication_grant", started["auth_req_id"])  # pending
        s.tenant.approve_backchannel(user_id=ALICE)
        s.clock.advance(started.get("interval") or 5)
        s.call("backchannel_authentication_grant", started["auth_req_id"])

    scenario(
        "ciba",
        "CIBA: initiate, a poll while pending, the user approves, the poll that gets tokens",
        ciba,
        login=False,
    )

    def exchange(s: Session) -> None:
        s.call(
            "custom_token_exchange",
            {
                "subject_token": "legacy-token-bob",
                "subject_token_type": LEGACY_TOKEN_TYPE,
                "audience": API,
                "scope": "openid read:items",
            },
        )
        s.call(
            "login_with_custom_token_exchange",
            {"subject_token": "legacy-token-alice", "subject_token_type": LEGACY_TOKEN_TYPE},
        )
        s.call("request_session_transfer_token", "legacy-token-alice", LEGACY_TOKEN_TYPE)

    scenario(
        "token_exchange",
        "custom token exchange (bob's legacy token), login by exchange (alice), a session "
        "transfer token",
        exchange,
        login=False,
    )

    def backchannel(s: Session) -> None:
        session = s.call("get_session")["result"]
        token = s.tenant.mint_logout_token("demo-client", sub=ALICE, sid=session["user"]["sid"])
        s.call("handle_backchannel_logout", given=token)

    scenario(
        "backchannel_logout",
        "login, then a back-channel logout token from the tenant (verified with its JWKS)",
        backchannel,
    )

    def enterprise(s: Session) -> None:
        s.tenant.state.enterprise.add(
            "acme-corp.test",
            "acme-oidc",
            organization="org_acme",
            accounts={"carol@acme-corp.test": "carol-upstream-password"},
        )
        s.call("start_enterprise_login", {"email": "dave@elsewhere.test"})
        start = s.call("start_enterprise_login", {"email": "carol@acme-corp.test"})
        callback = s.browser(start["result"], "carol@acme-corp.test", "carol-upstream-password")
        s.call("complete_interactive_login", callback=callback)

    scenario(
        "enterprise_connect",
        "Enterprise Connect (enterprise_connect=True): WebFinger for an unmanaged and a managed "
        "e-mail domain, the managed one's login (no session written)",
        enterprise,
        login=False,
        client={"enterprise_connect": True},
    )
    out.update(hand_made(out))
    return out


def _token_post(recording: dict[str, Any], flow: int = -1) -> dict[str, Any]:
    exchanges = recording["flows"][flow]["exchanges"]
    return next(
        e
        for e in exchanges
        if e["request"]["method"] == "POST" and e["request"]["url"].endswith("/oauth/token")
    )


def _set_json(exchange: dict[str, Any], value: dict[str, Any], status: int) -> None:
    exchange["response"]["status"] = status
    exchange["response"]["body"] = json.dumps(value, separators=(",", ":"))


def hand_made(recorded: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Recordings made by editing the token response of ``token_refresh``'s refresh."""
    base = recorded["token_refresh"]
    made: dict[str, dict[str, Any]] = {}

    def edit(name: str, description: str, change: Callable[[dict[str, Any]], None]) -> None:
        recording = copy.deepcopy(base)
        change(_token_post(recording))
        recording["description"] = description
        recording["meta"]["name"] = name
        made[name] = rederive_outcomes(recording)

    edit(
        "hand_mfa_required",
        "refresh answered 403 mfa_required: MfaRequiredError, sealed mfa_token",
        lambda post: _set_json(
            post,
            {
                "error": "mfa_required",
                "error_description": "Multifactor authentication required",
                "mfa_token": "redacted-mfa_token-1",
                "mfa_requirements": {"challenge": [{"type": "otp"}]},
            },
            403,
        ),
    )

    def without_id_token(post: dict[str, Any]) -> None:
        answer = json.loads(post["response"]["body"])
        answer.pop("id_token", None)
        _set_json(post, answer, 200)

    edit(
        "hand_refresh_without_id_token",
        "refresh answer without id_token: the session keeps its id_token",
        without_id_token,
    )

    def rotated(post: dict[str, Any]) -> None:
        answer = json.loads(post["response"]["body"])
        answer["refresh_token"] = "redacted-refresh_token-rotated"
        _set_json(post, answer, 200)

    edit(
        "hand_refresh_rotated",
        "refresh answer with a new refresh_token: it replaces the stored one",
        rotated,
    )
    return made


def rederive_outcomes(recording: dict[str, Any]) -> dict[str, Any]:
    """Fill each flow's outcome and writes in from a pure replay of the (edited) recording."""
    # Drop the exchanges the edited answer makes the flows skip (a JWKS no longer fetched).
    lenient = Replayer(recording, ordered=False)
    replay_pure(recording, lenient)
    for flow, index in reversed(lenient.unused()):
        del recording["flows"][flow]["exchanges"][index]
    writes: list[list[list[Any]]] = []
    replayer = Replayer(recording)
    outcomes = replay_pure(recording, replayer, writes=writes)
    writes = replayer.redact(writes)
    for flow, outcome, written in zip(recording["flows"], outcomes, writes, strict=True):
        flow["meta"]["outcome"] = outcome
        flow["meta"]["writes"] = written
    return recording


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, data in record_all().items():
        path = FIXTURES / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
