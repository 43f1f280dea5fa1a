"""Record the exchanges of the core flows against the emulated tenant, as JSON fixtures.

Run from the repository root::

    .venv/bin/python -m tests.replay.record

Every recording is one or more *steps*; a step is one flow called on one ``CoreClient`` (shared
by the steps of a recording, so discovery and JWKS caches carry over exactly as in an app). A
step keeps every effect in order (HTTP request and response; store operation and what the store
answered) and the flow's outcome (its result, or the error class and code). Time comes from a
``FixedClock`` and randomness from ``random.Random(seed).randbytes``, so replaying a step with
the same ``now`` and ``seed`` makes the flow yield the very same requests.

The ID tokens are signed by the tenant's key; the JWKS response is part of the recording, so
the replay verifies them offline at the recorded ``now``. Recordings whose name starts with
``hand_`` are derived from a real one by editing a response (see :func:`hand_made`).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from auth0_core import Env, FixedClock, HttpRequest
from auth0_core._client import CoreClient
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from .replay import (
    BASE_URL,
    DAY,
    FIXTURES,
    SEED,
    START,
    RecordingStore,
    drive,
    make_client,
    run_flow,
    start_flow,
)

API = "https://api.example.com"
NO_POLICY_API = "https://not-in-any-policy.example.com"


class Recorder:
    """One tenant, one clock, one dict store; records steps run on fresh core clients."""

    def __init__(self) -> None:
        self.clock = FixedClock(START)
        self.tenant = Tenant(TenantConfig.default(), base_url=BASE_URL, env=Env(clock=self.clock))
        self.store = RecordingStore()

    def handle(self, request: HttpRequest) -> Any:
        return self.tenant.handle(request)

    def client(self, seed: int = SEED) -> CoreClient:
        return make_client(self.clock, seed)

    def step(self, client: CoreClient, flow: str, args: dict[str, Any]) -> dict[str, Any]:
        """Run ``flow`` and return the recorded step."""
        effects: list[dict[str, Any]] = []
        now = self.clock.now
        outcome = run_flow(start_flow(client, flow, args), self.handle, self.store, effects)
        return {"flow": flow, "args": args, "now": now, "effects": effects, "outcome": outcome}

    def browser(self, authorize_url: str, user: str) -> str:
        flow = browser_login_flow(authorize_url, f"{user}@example.com", f"{user}-password")
        return str(drive(flow, self.tenant.handle, self.store))  # HTTP only: the store stays idle

    def login(self, user: str = "alice", seed: int = SEED) -> list[dict[str, Any]]:
        """A recorded login: start, the browser at the tenant (not recorded), complete."""
        client = self.client(seed)
        start = self.step(client, "start_login", {})
        callback = self.browser(start["outcome"]["result"], user)
        complete = self.step(client, "complete_login", {"url": callback})
        return [start, complete]


def recording(name: str, description: str, steps: list[dict[str, Any]]) -> dict[str, Any]:
    return {"name": name, "description": description, "seed": SEED, "steps": steps}


def record_all() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def add(name: str, description: str, steps: list[dict[str, Any]]) -> None:
        out[name] = recording(name, description, steps)

    def scenario(
        name: str,
        description: str,
        flow: str,
        args: dict[str, Any],
        *,
        user: str = "alice",
        advance: int = 0,
        before: Callable[[Recorder], object] | None = None,
    ) -> None:
        rec = Recorder()
        rec.login(user, seed=SEED + 1)  # the setup login is not part of the recording
        rec.clock.advance(advance)
        if before is not None:
            before(rec)
        add(name, description, [rec.step(rec.client(), flow, args)])

    rec = Recorder()
    add("login", "interactive login: start (discovery, transaction) and complete", rec.login())

    scenario(
        "token_cached",
        "get_access_token right after login: the login's token from the session, no HTTP",
        "get_access_token",
        {"options": {}},
    )
    scenario(
        "token_refresh",
        "get_access_token inside the expiry leeway: refresh of the login audience",
        "get_access_token",
        {"options": {}},
        advance=DAY - 59,
    )
    scenario(
        "token_mrrt",
        "get_access_token for another API: the refresh token used as an MRRT",
        "get_access_token",
        {"options": {"audience": API}},
    )
    scenario(
        "token_mrrt_wrong_audience",
        "MRRT for an API without a refresh-token policy: the tenant answers for the default "
        "audience, the flow raises AccessTokenError(incorrect_audience)",
        "get_access_token",
        {"options": {"audience": NO_POLICY_API}},
    )
    scenario(
        "token_invalid_grant",
        "refresh with a revoked refresh token: InvalidGrantError",
        "get_access_token",
        {"options": {}},
        advance=DAY - 59,
        before=lambda r: r.tenant.revoke_refresh_tokens("auth0|alice") and None,
    )
    scenario(
        "vault_exchange",
        "Token Vault: alice's google-oauth2 token, stored in the session",
        "get_access_token_for_connection",
        {"options": {"connection": "google-oauth2"}},
    )
    scenario(
        "vault_not_connected",
        "Token Vault for bob, who has no connected account: 401, AccountNotConnectedError",
        "get_access_token_for_connection",
        {"options": {"connection": "google-oauth2"}},
        user="bob",
    )
    rec = Recorder()
    add(
        "client_credentials",
        "client credentials for the API, then the same call answered from the cache",
        [
            rec.step(client := rec.client(), "client_credentials", {"audience": API}),
            rec.step(client, "client_credentials", {"audience": API}),
        ],
    )
    out.update(hand_made(out))
    return out


def _response_json(effect: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(effect["response"]["body"]))


def _set_response_json(effect: dict[str, Any], value: dict[str, Any], status: int) -> None:
    effect["response"]["status"] = status
    effect["response"]["body"] = json.dumps(value)


def _token_effect(step: dict[str, Any]) -> dict[str, Any]:
    return next(
        e for e in step["effects"] if e["kind"] == "http" and e["request"]["method"] == "POST"
    )


def hand_made(recorded: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Recordings made by editing the token response of ``token_refresh``.

    The later effects and outcome are those the edited answer leads to: they are produced by
    replaying the edited recording once (the replay fills them in), then checked by the tests.
    """
    from .replay import rerecord  # the replay driver re-derives the tail of a step

    base = recorded["token_refresh"]
    made: dict[str, dict[str, Any]] = {}

    mfa = copy.deepcopy(base)
    _set_response_json(
        _token_effect(mfa["steps"][0]),
        {
            "error": "mfa_required",
            "error_description": "Multifactor authentication required",
            "mfa_token": "Fe26.2**raw-mfa-token-from-the-tenant",
            "mfa_requirements": {"challenge": [{"type": "otp"}]},
        },
        403,
    )
    mfa["name"] = "hand_mfa_required"
    mfa["description"] = "refresh answered 403 mfa_required: MfaRequiredError, sealed mfa_token"
    made["hand_mfa_required"] = rerecord(mfa)

    no_id = copy.deepcopy(base)
    effect = _token_effect(no_id["steps"][0])
    answer = _response_json(effect)
    answer.pop("id_token", None)
    _set_response_json(effect, answer, 200)
    no_id["name"] = "hand_refresh_without_id_token"
    no_id["description"] = "refresh answer without id_token: the session keeps its id_token"
    made["hand_refresh_without_id_token"] = rerecord(no_id)

    rotated = copy.deepcopy(base)
    effect = _token_effect(rotated["steps"][0])
    answer = _response_json(effect)
    answer["refresh_token"] = "v1.rotated-refresh-token-0123456789"
    _set_response_json(effect, answer, 200)
    rotated["name"] = "hand_refresh_rotated"
    rotated["description"] = "refresh answer with a new refresh_token: it replaces the stored one"
    made["hand_refresh_rotated"] = rerecord(rotated)
    return made


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, data in record_all().items():
        path: Path = FIXTURES / f"{name}.json"
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
