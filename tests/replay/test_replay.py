"""Every recorded exchange replays through the pure flows and through both real facades.

The recordings in ``tests/fixtures`` were made by ``python -m tests.replay.record`` against the
emulated tenant. Replaying one runs the same flow with the same clock and seeded randomness and
answers each effect from the recording, checking that the flow asks for exactly what it asked
for then, and ends the same way.
"""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import anyio
import pytest

from auth0_core._seal import unseal
from auth0_core.errors import MfaRequiredError

from .replay import (
    SECRET,
    Replayer,
    async_facade_steps,
    drive,
    load,
    make_client,
    names,
    replay_steps,
    start_flow,
    sync_facade_steps,
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
    "client_credentials",
    "hand_mfa_required",
    "hand_refresh_without_id_token",
    "hand_refresh_rotated",
}


def recorded_outcomes(recording: dict[str, Any]) -> list[dict[str, Any]]:
    return [step["outcome"] for step in recording["steps"]]


def claims(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def http_effects(recording: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for s in recording["steps"] for e in s["effects"] if e["kind"] == "http"]


def test_every_required_recording_exists() -> None:
    assert set(RECORDINGS) >= REQUIRED


@pytest.mark.parametrize("name", RECORDINGS)
def test_pure_driver_replays_the_recording(name: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    outcomes = replay_steps(recording, replayer)
    assert replayer.finish() == []
    assert outcomes == recorded_outcomes(recording)


@pytest.mark.parametrize("name", RECORDINGS)
def test_sync_facade_replays_the_recording(name: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    outcomes = sync_facade_steps(recording, replayer)
    assert replayer.finish() == []
    assert outcomes == recorded_outcomes(recording)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("name", RECORDINGS)
def test_async_facade_replays_the_recording(name: str, backend: str) -> None:
    recording = load(name)
    replayer = Replayer(recording)
    outcomes = anyio.run(async_facade_steps, recording, replayer, backend=backend)
    assert replayer.finish() == []
    assert outcomes == recorded_outcomes(recording)


# --- the replay notices a flow that does something else -----------------------------------------


def test_a_different_seed_is_noticed() -> None:
    recording = load("login")
    recording["seed"] += 1  # other state, nonce and PKCE verifier
    replayer = Replayer(recording)
    replay_steps(recording, replayer)
    assert any("form fields differ" in m or "different value" in m for m in replayer.finish())


def test_a_different_request_is_noticed() -> None:
    recording = load("token_refresh")
    post = next(e for e in http_effects(recording) if e["request"]["method"] == "POST")
    post["request"]["body"] = post["request"]["body"].replace("refresh_token", "client_cred", 1)
    replayer = Replayer(recording)
    replay_steps(recording, replayer)
    assert any("form fields differ" in m for m in replayer.finish())


def test_a_different_outcome_is_noticed() -> None:
    recording = load("token_mrrt")
    post = next(e for e in http_effects(recording) if e["request"]["method"] == "POST")
    post["response"]["status"] = 500
    outcomes = replay_steps(recording, Replayer(recording, strict=False))
    assert outcomes != recorded_outcomes(recording)
    assert outcomes[0]["error"] == "InvalidResponse"


# --- what the recordings say ------------------------------------------------------------------


def test_login_recording() -> None:
    recording = load("login")
    start, complete = recording["steps"]
    assert start["outcome"]["result"].startswith("https://tenant.example/authorize?")
    assert complete["outcome"]["result"]["user"]["sub"] == "auth0|alice"
    kinds = [e["kind"] for e in complete["effects"]]
    assert kinds == ["store_get", "store_delete", "http", "http", "store_set"]
    session = complete["effects"][-1]["value"]
    answer = json.loads(complete["effects"][2]["response"]["body"])  # the code exchange
    assert complete["effects"][2]["request"]["url"].endswith("/oauth/token")
    assert (session["id_token"], session["refresh_token"]) == (
        answer["id_token"],
        answer["refresh_token"],
    )


def test_cached_token_needs_no_http() -> None:
    recording = load("token_cached")
    (step,) = recording["steps"]
    assert [e["kind"] for e in step["effects"]] == ["store_get"]
    session = step["effects"][0]["answer"]
    assert step["outcome"]["result"] == session["token_sets"][0]["access_token"]


def test_refresh_and_mrrt_recordings() -> None:
    refresh = load("token_refresh")["steps"][0]
    post = next(
        e for e in refresh["effects"] if e["kind"] == "http" and "token" in e["request"]["url"]
    )
    assert "grant_type=refresh_token" in post["request"]["body"]
    assert refresh["outcome"]["result"] == json.loads(post["response"]["body"])["access_token"]
    mrrt = load("token_mrrt")["steps"][0]
    assert "https://api.example.com" in claims(mrrt["outcome"]["result"])["aud"]
    wrong = load("token_mrrt_wrong_audience")["steps"][0]
    assert wrong["outcome"] == {"error": "AccessTokenError", "code": "incorrect_audience"}
    assert load("token_invalid_grant")["steps"][0]["outcome"] == {
        "error": "InvalidGrantError",
        "code": "refresh_token_error",
    }


def test_vault_and_client_credentials_recordings() -> None:
    vault = load("vault_exchange")["steps"][0]
    assert (
        vault["effects"][-1]["value"]["connection_token_sets"][0]["access_token"]
        == (vault["outcome"]["result"])
    )
    assert load("vault_not_connected")["steps"][0]["outcome"] == {
        "error": "AccountNotConnectedError",
        "code": "api_error",
    }
    first, second = load("client_credentials")["steps"]
    assert second["effects"] == []  # answered from the client's cache
    assert first["outcome"] == second["outcome"]
    assert claims(first["outcome"]["result"])["sub"] == "demo-client@clients"


# --- hand-made answers ------------------------------------------------------------------------


def run_raising(recording: dict[str, Any]) -> tuple[Any, Replayer]:
    """Replay the single step of ``recording`` and return its value, raising its error."""
    (step,) = recording["steps"]
    from auth0_core import FixedClock

    client = make_client(FixedClock(step["now"]), recording["seed"])
    replayer = Replayer(recording)
    replayer.driver = True
    value = drive(
        start_flow(client, step["flow"], step["args"]),
        replayer.http,
        replayer,
        shared=replayer.shared,
    )
    return value, replayer


def test_mfa_required_gives_a_sealed_mfa_token() -> None:
    recording = load("hand_mfa_required")
    with pytest.raises(MfaRequiredError) as info:
        run_raising(recording)
    error = info.value
    raw = "Fe26.2**raw-mfa-token-from-the-tenant"
    assert error.mfa_token != raw
    assert raw not in repr(error)
    assert raw not in str(error)
    assert error.mfa_token.count(".") == 4  # compact JWE
    opened = unseal(error.mfa_token, [SECRET], "mfa_token")
    assert isinstance(opened, dict)
    assert opened["mfa_token"] == raw
    assert opened["mfa_requirements"] == {"challenge": [{"type": "otp"}]}
    assert error.mfa_requirements == {"challenge": [{"type": "otp"}]}
    assert error.status == 403


def _session_before_refresh(recording: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(recording["steps"][0]["effects"][0]["answer"])


def test_refresh_without_id_token_keeps_the_sessions_id_token() -> None:
    recording = load("hand_refresh_without_id_token")
    before = _session_before_refresh(recording)
    post = next(e for e in http_effects(recording) if e["request"]["method"] == "POST")
    assert "id_token" not in json.loads(post["response"]["body"])
    value, replayer = run_raising(recording)
    assert replayer.finish() == []
    assert not any(e["request"]["url"].endswith("jwks.json") for e in http_effects(recording))
    store, _, session = replayer.written[-1]
    assert store == "state"
    assert session["id_token"] == before["id_token"]
    assert session["user"] == before["user"]
    assert session["refresh_token"] == before["refresh_token"]
    assert value == json.loads(post["response"]["body"])["access_token"]
    assert any(s["access_token"] == value for s in session["token_sets"])


def test_refresh_with_a_rotated_refresh_token_replaces_it() -> None:
    recording = load("hand_refresh_rotated")
    before = _session_before_refresh(recording)
    value, replayer = run_raising(recording)
    assert replayer.finish() == []
    _, _, session = replayer.written[-1]
    assert before["refresh_token"] != "v1.rotated-refresh-token-0123456789"
    assert session["refresh_token"] == "v1.rotated-refresh-token-0123456789"
    assert session["id_token"] != before["id_token"]  # the refresh's validated ID token
    assert claims(session["id_token"])["sub"] == before["user"]["sub"]
    assert any(s["access_token"] == value for s in session["token_sets"])
