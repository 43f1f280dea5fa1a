"""Every recorded fixture replays through the pure flows and through both real facades.

The fixtures in ``tests/fixtures`` were written by ``python -m tests.replay.record`` with the
public recorder (``auth0_core.recording``) around the sync facade on the emulated tenant; those
in ``tests/fixtures/op`` by ``tests/replay/record_op.py`` from the real OpenID Provider.
Replaying one runs the same calls with the same clock and seeded randomness, answers each
request from the file (checking it is the one recorded next) and ends each call the same way.
"""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path
from typing import Any

import anyio
import pytest
import requests

import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._seal import unseal
from auth0_core.errors import MfaRequiredError
from auth0_core.recording import (
    FixtureFormatError,
    Recorder,
    Redactor,
    Replayer,
    ReplayError,
    ReplayMismatchError,
    UnrecordedRequestError,
    UnusedExchangesError,
    load_recording,
)
from auth0_core.tenant import Tenant, TenantConfig

from .scenarios import (
    BASE_URL,
    SECRET,
    DictStore,
    load,
    names,
    recorded_outcomes,
    replay_async,
    replay_pure,
    replay_sync,
)

RECORDINGS = names()

REQUIRED = {
    "login",
    "token_cached",
    "token_refresh",
    "token_mrrt",
    "token_mrrt_wrong_audience",
    "token_invalid_grant",
    "vault_exchange",
    "vault_not_connected",
    "session_and_logout",
    "client_credentials",
    "refresh_token_grant",
    "hand_mfa_required",
    "hand_refresh_without_id_token",
    "hand_refresh_rotated",
    # From the real OpenID Provider (tests/replay/record_op.py).
    "op/login_rs256",
    "op/login_ps256",
    "op/login_es256",
    "op/refresh",
    "op/client_credentials",
}


def claims(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def exchanges(recording: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for flow in recording["flows"] for e in flow["exchanges"]]


def token_post(recording: dict[str, Any], flow: int = -1) -> dict[str, Any]:
    return next(
        e
        for e in recording["flows"][flow]["exchanges"]
        if e["request"]["method"] == "POST" and e["request"]["url"].endswith("/oauth/token")
    )


def test_every_required_recording_exists() -> None:
    assert set(RECORDINGS) >= REQUIRED


@pytest.mark.parametrize("name", RECORDINGS)
def test_pure_flows_replay_the_recording(name: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    writes: list[list[list[Any]]] = []
    assert replay_pure(recording, replayer, writes=writes) == recorded_outcomes(recording)
    replayer.finish()
    # What each flow wrote to the stores is what it wrote when recorded, byte for byte.
    assert [json.dumps(w) for w in replayer.redact(writes)] == [
        json.dumps(flow["meta"]["writes"]) for flow in recording["flows"]
    ]


@pytest.mark.parametrize("name", RECORDINGS)
def test_sync_facade_replays_the_recording(name: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    assert replay_sync(recording, replayer) == recorded_outcomes(recording)
    replayer.finish()


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("name", RECORDINGS)
def test_async_facade_replays_the_recording(name: str, backend: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    assert anyio.run(replay_async, recording, replayer, backend=backend) == recorded_outcomes(
        recording
    )
    replayer.finish()


# --- a replay that goes another way is a typed error -------------------------------------------


def test_a_different_seed_is_noticed() -> None:
    recording = load("login")
    recording["seed"] += 1  # another state, nonce and PKCE verifier
    outcomes = replay_pure(recording, Replayer(recording, ordered=False))
    assert outcomes[0] != recorded_outcomes(recording)[0]  # another authorize URL
    assert outcomes[1] == {"error": "MissingTransactionError", "code": "missing_transaction_error"}


def test_a_different_request_is_a_mismatch_naming_the_field() -> None:
    recording = load("token_refresh")
    post = token_post(recording)
    post["request"]["body"] = post["request"]["body"].replace("refresh_token", "other_grant", 1)
    with pytest.raises(ReplayMismatchError) as info:
        replay_pure(recording, Replayer(recording))
    error = info.value
    assert (error.flow, error.index) == ("get_access_token", 1)
    assert "grant_type='refresh_token' (recorded 'other_grant')" in str(error)


def test_an_unrecorded_request_is_a_typed_error_through_every_driver() -> None:
    recording = load("login")
    del recording["flows"][1]["exchanges"][1]  # the JWKS
    with pytest.raises(UnrecordedRequestError) as info:
        replay_pure(recording, Replayer(recording))
    assert (info.value.method, info.value.flow) == ("GET", "complete_interactive_login")
    assert info.value.url.endswith("/.well-known/jwks.json")
    with pytest.raises(UnrecordedRequestError):
        replay_sync(recording, Replayer(recording))
    with pytest.raises(UnrecordedRequestError):
        anyio.run(replay_async, recording, Replayer(recording))


def test_a_request_never_asked_for_is_reported_when_the_flow_ends() -> None:
    recording = load("token_cached")
    recording["flows"][2]["exchanges"].append(copy.deepcopy(exchanges(recording)[0]))
    with pytest.raises(UnusedExchangesError) as info:
        replay_pure(recording, Replayer(recording))
    assert info.value.unused == [
        "get_access_token#0: GET https://tenant.example/.well-known/openid-configuration"
    ]


def test_flows_are_replayed_in_the_recorded_order() -> None:
    replayer = Replayer(load("login"))
    with (
        pytest.raises(ReplayMismatchError, match="the next recorded flow is 'start_interactive"),
        replayer.flow("complete_interactive_login"),
    ):
        pass


def test_replay_errors_are_not_auth0_errors() -> None:
    from auth0_core.errors import Auth0Error

    assert not issubclass(ReplayError, Auth0Error)


def test_a_file_that_is_not_a_recording_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(FixtureFormatError):
        load_recording(path)
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(FixtureFormatError):
        Replayer(path)


# --- what the recordings say ------------------------------------------------------------------


def test_login_recording() -> None:
    recording = load("login")
    start, complete = recording["flows"]
    assert start["meta"]["outcome"]["result"].startswith("https://tenant.example/authorize?")
    assert complete["meta"]["outcome"]["result"]["user"]["sub"] == "auth0|alice"
    assert [e["request"]["url"] for e in complete["exchanges"]] == [
        "https://tenant.example/oauth/token",
        "https://tenant.example/.well-known/jwks.json",
    ]
    (callback,) = complete["callback_urls"]
    assert "code=redacted-code-1" in callback
    ((store, _, session),) = complete["meta"]["writes"]
    answer = json.loads(complete["exchanges"][0]["response"]["body"])
    assert store == "state"
    assert (session["id_token"], session["refresh_token"]) == (
        answer["id_token"],
        answer["refresh_token"],
    )


def test_cached_token_needs_no_http() -> None:
    flow = load("token_cached")["flows"][2]
    assert flow["exchanges"] == []
    assert flow["meta"]["outcome"]["result"].count(".") == 2


def test_refresh_and_mrrt_recordings() -> None:
    refresh = load("token_refresh")
    post = token_post(refresh)
    assert "grant_type=refresh_token" in post["request"]["body"]
    assert "refresh_token=redacted-refresh_token-1" in post["request"]["body"]
    assert (
        refresh["flows"][-1]["meta"]["outcome"]["result"]
        == (json.loads(post["response"]["body"])["access_token"])
    )
    mrrt = load("token_mrrt")["flows"][-1]
    assert "https://api.example.com" in claims(mrrt["meta"]["outcome"]["result"])["aud"]
    assert load("token_mrrt_wrong_audience")["flows"][-1]["meta"]["outcome"] == {
        "error": "AccessTokenError",
        "code": "incorrect_audience",
    }
    assert load("token_invalid_grant")["flows"][-1]["meta"]["outcome"] == {
        "error": "InvalidGrantError",
        "code": "refresh_token_error",
    }


def test_vault_and_client_credentials_recordings() -> None:
    vault = load("vault_exchange")["flows"][-1]
    assert vault["meta"]["outcome"]["result"] == "redacted-access_token-1"  # opaque
    assert (
        vault["meta"]["writes"][-1][2]["connection_token_sets"][0]["access_token"]
        == (vault["meta"]["outcome"]["result"])
    )
    assert load("vault_not_connected")["flows"][-1]["meta"]["outcome"] == {
        "error": "AccountNotConnectedError",
        "code": "api_error",
    }
    first, second = load("client_credentials")["flows"]
    assert second["exchanges"] == []  # answered from the client's cache
    assert first["meta"]["outcome"] == second["meta"]["outcome"]
    assert claims(first["meta"]["outcome"]["result"])["sub"] == "demo-client@clients"


# --- hand-made answers ------------------------------------------------------------------------


def test_mfa_required_gives_a_sealed_mfa_token() -> None:
    recording = load("hand_mfa_required")
    replayer = Replayer(recording)
    store = DictStore()
    replay_pure(recording, replayer, store=store)  # MfaRequiredError becomes an outcome there
    from auth0_core._client import CoreClient
    from auth0_core._config import make_config
    from auth0_core.flows import api

    from .scenarios import client_options, drive

    replayer = Replayer(recording)
    client = CoreClient(make_config(**client_options(recording), env=replayer.env))
    store = DictStore()
    for flow in recording["flows"][:-1]:
        with replayer.flow(flow["name"]) as meta:
            args = [replayer.callback_url()] if meta["callback"] else meta["args"]
            drive(getattr(api, meta["call"])(client, *args), replayer.handle, store)
    with replayer.flow("get_access_token"), pytest.raises(MfaRequiredError) as info:
        drive(api.get_access_token(client), replayer.handle, store)
    error = info.value
    raw = "redacted-mfa_token-1"
    assert raw not in repr(error)
    assert raw not in str(error)
    assert error.mfa_token.count(".") == 4  # compact JWE
    opened = unseal(error.mfa_token, [SECRET], "mfa_token")
    assert isinstance(opened, dict)
    assert opened["mfa_token"] == raw
    assert error.mfa_requirements == {"challenge": [{"type": "otp"}]}
    assert error.status == 403


def _sessions(recording: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The session the login wrote, and the one the last flow wrote."""
    login = recording["flows"][1]["meta"]["writes"][-1][2]
    last = recording["flows"][-1]["meta"]["writes"][-1][2]
    return login, last


def test_refresh_without_id_token_keeps_the_sessions_id_token() -> None:
    recording = load("hand_refresh_without_id_token")
    assert "id_token" not in json.loads(token_post(recording)["response"]["body"])
    assert not any(
        e["request"]["url"].endswith("jwks.json") for e in recording["flows"][-1]["exchanges"]
    )
    before, after = _sessions(recording)
    assert (after["id_token"], after["user"], after["refresh_token"]) == (
        before["id_token"],
        before["user"],
        before["refresh_token"],
    )
    value = recording["flows"][-1]["meta"]["outcome"]["result"]
    assert value == json.loads(token_post(recording)["response"]["body"])["access_token"]
    assert any(s["access_token"] == value for s in after["token_sets"])


def test_refresh_with_a_rotated_refresh_token_replaces_it() -> None:
    recording = load("hand_refresh_rotated")
    before, after = _sessions(recording)
    assert before["refresh_token"] == "redacted-refresh_token-1"
    assert after["refresh_token"] == "redacted-refresh_token-rotated"
    assert after["id_token"] != before["id_token"]  # the refresh's validated ID token
    assert claims(after["id_token"])["sub"] == before["user"]["sub"]


# --- redaction --------------------------------------------------------------------------------


def _tenant_and_recorder() -> tuple[Tenant, Recorder, FixedClock]:
    clock = FixedClock(1_800_000_000)
    tenant = Tenant(TenantConfig.default(), base_url=BASE_URL, env=Env(clock=clock))
    return tenant, Recorder(seed=7, clock=clock), clock


def test_the_same_secret_gets_the_same_placeholder_everywhere() -> None:
    redactor = Redactor()
    token = HttpResponse(
        status=200,
        headers=(("Set-Cookie", "did=s3cr3t-cookie-value; Path=/; HttpOnly"),),
        body=json.dumps(
            {"access_token": "opaque-access-token-1234", "refresh_token": "rt-9876543210"}
        ).encode(),
    )
    answer = json.loads(redactor.response(token).body)
    assert answer == {
        "access_token": "redacted-access_token-1",
        "refresh_token": "redacted-refresh_token-1",
    }
    assert redactor.response(token).headers[0][1] == "did=redacted-cookie-1; Path=/; HttpOnly"
    request = redactor.request(
        HttpRequest(
            method="POST",
            url="https://x.example/api?token=opaque-access-token-1234&page=2",
            headers=(
                ("Authorization", "Bearer opaque-access-token-1234"),
                ("Content-Type", "application/json"),
                ("Cookie", "did=s3cr3t-cookie-value; other=abc"),
                ("X-Echo", "carries rt-9876543210 inside"),
            ),
            body=json.dumps({"subject_token": "rt-9876543210", "client_secret": "cs"}).encode(),
        )
    )
    assert request.url == "https://x.example/api?token=redacted-access_token-1&page=2"
    assert dict(request.headers) == {
        "Authorization": "Bearer redacted-access_token-1",
        "Content-Type": "application/json",
        "Cookie": "did=redacted-cookie-1; other=redacted-cookie-2",
        "X-Echo": "carries redacted-refresh_token-1 inside",
    }
    assert json.loads(request.body) == {
        "subject_token": "redacted-refresh_token-1",
        "client_secret": "redacted-client_secret-1",
    }


def test_at_hash_is_that_of_the_replacement_access_token() -> None:
    from joserfc import jws
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(2048)
    import hashlib

    access = "real-access-token-abcdef"
    at_hash = base64.urlsafe_b64encode(hashlib.sha256(access.encode()).digest()[:16])
    id_token = jws.serialize_compact(
        {"alg": "RS256", "kid": "k1"},
        json.dumps({"sub": "x", "at_hash": at_hash.rstrip(b"=").decode()}).encode(),
        key,
    )
    redactor = Redactor()
    body = json.dumps({"id_token": id_token, "access_token": access}).encode()
    answer = json.loads(redactor.response(HttpResponse(status=200, body=body)).body)
    assert answer["access_token"] == "redacted-access_token-1"
    digest = hashlib.sha256(b"redacted-access_token-1").digest()[:16]
    assert (
        claims(answer["id_token"])["at_hash"]
        == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    )
    header = json.loads(base64.urlsafe_b64decode(answer["id_token"].split(".")[0] + "=="))
    assert header == {"alg": "RS256", "kid": "fixture-key-1"}


def test_no_secret_of_the_recorded_session_reaches_the_file(tmp_path: Path) -> None:
    """Record a login and a refresh on the sync facade; every token the tenant issued and the
    client secret are absent from the file, which replays."""
    tenant, recorder, clock = _tenant_and_recorder()
    issued: list[str] = []

    def handle(request: HttpRequest) -> HttpResponse:
        response = tenant.handle(request)
        if request.url.endswith("/oauth/token") and response.status == 200:
            answer = json.loads(response.body)
            issued.extend(
                answer[k] for k in ("access_token", "id_token", "refresh_token") if k in answer
            )
        return response

    from auth0_core.tenant.browser import browser_login_flow
    from auth0_requests.recording import recording_session

    from .scenarios import client_options, drive

    http = requests.Session()
    http.mount(BASE_URL, auth0_requests.HandlerAdapter(handle))
    options = client_options({})
    client = auth0_requests.ServerClient(
        session=recording_session(recorder, http), env=recorder.env, **options
    )
    with recorder.flow("start"):
        url = client.start_interactive_login()
    callback = drive(
        browser_login_flow(url, "alice@example.com", "alice-password"), tenant.handle, DictStore()
    )
    with recorder.flow("complete"):
        client.complete_interactive_login(recorder.callback_url(callback))
    clock.advance(86_400 - 59)  # inside the token's expiry leeway, before the session's end
    with recorder.flow("refresh") as meta:
        meta["token"] = client.get_access_token()
    recorder.save(tmp_path / "f.json")
    text = (tmp_path / "f.json").read_text("utf-8")
    code = callback.split("code=")[1].split("&")[0]
    assert len(issued) == 5  # no rotation: the refresh answer has no new refresh token
    for secret in [*issued, options["client_secret"], code]:
        assert secret not in text
    recording = load_recording(tmp_path / "f.json")
    assert recording["flows"][2]["meta"]["token"].count(".") == 2  # re-minted, not the real one
    # The ID tokens verify on replay against the fixture key, the only key in the file.
    real_jwks = json.loads(
        tenant.handle(HttpRequest(method="GET", url=f"{BASE_URL}/.well-known/jwks.json")).body
    )
    for key in real_jwks["keys"]:
        assert key["kid"] not in text
        assert key["n"] not in text
    jwks = json.loads(recording["flows"][1]["exchanges"][1]["response"]["body"])
    assert [k["kid"] for k in jwks["keys"]] == ["fixture-key-1"]
    assert "d" not in jwks["keys"][0]  # the public half only

    replayer = Replayer(recording)
    replayed = auth0_requests.ServerClient(
        session=__import__("auth0_requests.recording").recording.replay_session(replayer),
        env=replayer.env,
        **{**options, "client_secret": "any-secret-will-do-on-replay"},
    )
    with replayer.flow("start"):
        replayed.start_interactive_login()
    with replayer.flow("complete"):
        replayed.complete_interactive_login(replayer.callback_url())
    with replayer.flow("refresh") as meta:
        assert replayed.get_access_token() == meta["token"]
    replayer.finish()


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256"])
def test_op_id_tokens_keep_their_algorithm_and_verify_with_a_fixture_key(alg: str) -> None:
    """oidc-provider signed the ID token with ``alg``; the fixture's token is re-signed with a
    fixture key of the same type, named in the recorded JWKS (and the replays above verify it)."""
    recording = load(f"op/login_{alg.lower()}")
    token_answer, jwks_answer = recording["flows"][1]["exchanges"]
    id_token = json.loads(token_answer["response"]["body"])["id_token"]
    header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
    assert header["alg"] == alg
    keys = {k["kid"]: k for k in json.loads(jwks_answer["response"]["body"])["keys"]}
    assert header["kid"] in keys
    assert keys[header["kid"]]["kty"] == ("EC" if alg == "ES256" else "RSA")
    assert all(kid.startswith("fixture-key-") for kid in keys)


def test_op_refresh_rotates_the_refresh_token() -> None:
    recording = load("op/refresh")
    login, refresh = recording["flows"][1], recording["flows"][2]
    assert "prompt=consent" in recording["flows"][0]["meta"]["outcome"]["result"]
    (post,) = refresh["exchanges"]
    assert "grant_type=refresh_token" in post["request"]["body"]
    before = login["meta"]["writes"][-1][2]["refresh_token"]
    after = refresh["meta"]["writes"][-1][2]["refresh_token"]
    assert before.startswith("redacted-refresh_token-")
    assert after.startswith("redacted-refresh_token-")
    assert after != before  # rotated by the OP


# --- the recording transports, over real sockets -------------------------------------------


def test_the_async_recording_client_records_what_the_sync_client_replays() -> None:
    """Record a login and a refresh through auth0_anyio on recording_client (httpx on real
    loopback sockets, the emulated tenant served by ServerThread), then replay the file through
    auth0_requests: the transports record the same exchanges."""
    from auth0_anyio import ServerClient as AsyncServerClient
    from auth0_anyio.recording import recording_client
    from auth0_core.tenant.browser import browser_login_flow
    from auth0_requests.recording import replay_session
    from auth0_tenant_server import ServerThread

    from .scenarios import client_options, drive

    clock = FixedClock(1_800_000_000)
    recorder = Recorder(seed=11, clock=clock)
    tenants: list[Tenant] = []

    def make_handler(base_url: str) -> Any:
        tenants.append(Tenant(TenantConfig.default(), base_url=base_url, env=Env(clock=clock)))
        return tenants[-1].handle

    async def record(base_url: str) -> str:
        options = {**client_options({}), "domain": base_url}
        async with recording_client(recorder) as http:
            client = AsyncServerClient(http_client=http, env=recorder.env, **options)
            with recorder.flow("start"):
                url = await client.start_interactive_login()
            login = browser_login_flow(url, "alice@example.com", "alice-password")
            callback = drive(login, tenants[0].handle, DictStore())
            with recorder.flow("complete"):
                await client.complete_interactive_login(recorder.callback_url(callback))
            clock.advance(86_400 - 59)
            with recorder.flow("refresh"):
                token: str = await client.get_access_token()
        return token

    with ServerThread(make_handler=make_handler) as server:
        base_url = server.base_url
        token = anyio.run(record, base_url)
    recording = recorder.recording()
    assert [len(f["exchanges"]) for f in recording["flows"]] == [1, 2, 3]
    assert token not in json.dumps(recording)

    replayer = Replayer(recording)
    options = {**client_options({}), "domain": base_url, "client_secret": "whatever-replays"}
    client = auth0_requests.ServerClient(
        session=replay_session(replayer), env=replayer.env, **options
    )
    with replayer.flow("start"):
        client.start_interactive_login()
    with replayer.flow("complete"):
        client.complete_interactive_login(replayer.callback_url())
    with replayer.flow("refresh"):
        replayed = client.get_access_token()
    replayer.finish()
    assert replayed == recorder.redact(token)


def test_exchanges_outside_any_flow_are_recorded_and_replayed_in_order() -> None:
    """Without ``flow()`` blocks, a recording is one ``"default"`` flow, replayed in order."""
    tenant, recorder, _ = _tenant_and_recorder()
    client = auth0_requests.ServerClient(
        session=_recorded_http(tenant, recorder), env=recorder.env, **_options()
    )
    client.get_client_credentials_token("https://api.example.com")
    client.get_client_credentials_token("https://api.example.com")  # cached: no exchange
    recording = recorder.recording()
    assert [f["name"] for f in recording["flows"]] == ["default"]
    assert len(recording["flows"][0]["exchanges"]) == 2  # discovery, token

    from auth0_requests.recording import replay_session

    replayer = Replayer(recording)
    replayed = auth0_requests.ServerClient(
        session=replay_session(replayer), env=replayer.env, **_options()
    )
    token = replayed.get_client_credentials_token("https://api.example.com")
    replayer.finish()
    assert token.count(".") == 2
    with pytest.raises(UnrecordedRequestError, match="was not recorded"):
        replayer.handle(HttpRequest(method="GET", url=f"{BASE_URL}/userinfo"))


def _options() -> dict[str, Any]:
    from .scenarios import client_options

    return client_options({})


def _recorded_http(tenant: Tenant, recorder: Recorder) -> requests.Session:
    from auth0_requests.recording import recording_session

    http = requests.Session()
    http.mount(BASE_URL, auth0_requests.HandlerAdapter(tenant.handle))
    return recording_session(recorder, http)
