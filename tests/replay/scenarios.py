"""The recorded scenarios, and the drivers that replay them (pure flows, both facades).

A fixture in ``tests/fixtures`` is an ``auth0_core.recording`` file, written by
``python -m tests.replay.record`` through the public recorder (``auth0_requests.recording``
around the sync facade, on the emulated tenant) or by ``tests/replay/record_op.py`` (the real
OpenID Provider, ``tests/fixtures/op``). Each recorded flow is one public call; its ``meta``
says which (``call``, ``args``), what it gave (``outcome``: the result as JSON, or the error
class and code) and what it wrote to the stores (``writes``).

Every call is replayed three ways from the same file: through the pure flows of
``auth0_core.flows.api`` with a dict store and ``Replayer.handle`` as the HTTP driver, and
through ``auth0_requests.ServerClient`` and ``auth0_anyio.ServerClient`` on the replay
transports.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import attrs

import auth0_anyio
import auth0_requests
from auth0_anyio.recording import replay_client
from auth0_core import HttpRequest, HttpResponse
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._result import LoginResult
from auth0_core.effects import (
    Effect,
    SharedRequest,
    Sleep,
    StoreClaim,
    StoreDelete,
    StoreDeleteByLogoutToken,
    StoreGet,
    StoreLock,
    StoreSet,
    StoreUnlock,
    run,
)
from auth0_core.errors import Auth0Error
from auth0_core.flows import api
from auth0_core.recording import Replayer, load_recording
from auth0_requests.recording import replay_session

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
OP_FIXTURES = FIXTURES / "op"
BASE_URL = "https://tenant.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
START = 1_800_000_000
DAY = 86_400
SEED = 20_240_601

Json = Any


def client_options(recording: Mapping[str, Any]) -> dict[str, Any]:
    """The client options a recording was made with (its ``client`` meta, or the tenant's)."""
    options: dict[str, Any] = {
        "domain": BASE_URL,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "authorization_params": {"redirect_uri": CALLBACK},
    }
    options.update((recording.get("meta") or {}).get("client") or {})
    return options


# --- JSON forms of outcomes -------------------------------------------------------------------


def to_json(value: Any) -> Json:
    """``value`` as plain JSON data: records and attrs classes by their fields."""
    if isinstance(value, LoginResult):
        return {
            "app_state": to_json(value.app_state),
            "user": to_json(dict(value.user)),
            "authorization_details": to_json(value.authorization_details),
        }
    if hasattr(value, "to_dict"):
        return to_json(value.to_dict())
    if attrs.has(type(value)):
        return to_json(attrs.asdict(value, recurse=False))
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)


def outcome_of(call: Callable[[], Any]) -> dict[str, Any]:
    try:
        return {"result": to_json(call())}
    except Auth0Error as exc:
        return {"error": type(exc).__name__, "code": exc.code}


# --- the pure driver --------------------------------------------------------------------------


class DictStore:
    """The stores of the pure driver: JSON copies in a dict, keyed by (store, identifier)."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Json] = {}
        self.writes: list[list[Any]] = []  # [store, identifier, value] per StoreSet
        self.claims: dict[tuple[str, str], int] = {}  # StoreClaim: (store, identifier) -> until

    def snapshot(self) -> dict[tuple[str, str], str]:
        return {key: json.dumps(value, sort_keys=True) for key, value in self.data.items()}

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, StoreLock):
            return ""  # keeps no locks
        if isinstance(effect, StoreUnlock):
            return None
        if isinstance(effect, StoreGet):
            return copy.deepcopy(self.data.get((effect.store, effect.identifier)))
        if isinstance(effect, StoreSet):
            value = to_json(dict(effect.value))
            self.data[(effect.store, effect.identifier)] = value
            self.writes.append([effect.store, effect.identifier, value])
            return None
        if isinstance(effect, StoreDelete):
            self.data.pop((effect.store, effect.identifier), None)
            return None
        if isinstance(effect, StoreClaim):  # kept apart: a claim is no record
            key = (effect.store, effect.identifier)
            if key in self.claims:
                return False
            self.claims[key] = effect.expires_at
            return True
        if isinstance(effect, StoreDeleteByLogoutToken):
            for held, value in list(self.data.items()):
                user = value.get("user") if isinstance(value, dict) else None
                sub = user.get("sub") if isinstance(user, dict) else None
                if held[0] == effect.store and sub == effect.claims.get("sub"):
                    del self.data[held]
            return None
        raise TypeError(f"the dict store does not perform {type(effect).__name__}")


def drive(flow: Any, handle: Callable[[HttpRequest], HttpResponse], store: DictStore) -> Any:
    """Run ``flow``: HTTP to ``handle``, store effects to ``store``; no waits."""

    def perform(effect: Effect) -> Any:
        if isinstance(effect, HttpRequest):
            return handle(effect)
        if isinstance(effect, SharedRequest):
            return handle(effect.request)
        if isinstance(effect, Sleep):
            return None
        return store.perform(effect)

    return run(flow, perform)


def pure_call(client: CoreClient, call: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """The flow of ``ServerClient.<call>(*args, **kwargs)``."""
    return getattr(api, call)(client, *args, **kwargs)


def callback_arg(flow: Mapping[str, Any], replayer: Replayer) -> list[Any]:
    """The call's arguments, the recorded callback URL (or input, such as a logout token)
    first where the call takes one."""
    meta = flow["meta"]
    if meta.get("callback"):
        return [replayer.callback_url(), *meta["args"][1:]]
    if meta.get("input"):
        return [replayer.input(), *meta["args"][1:]]
    return list(meta["args"])


def replay_pure(
    recording: Mapping[str, Any],
    replayer: Replayer,
    *,
    store: DictStore | None = None,
    handle: Callable[[HttpRequest], HttpResponse] | None = None,
    writes: list[list[list[Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Every flow through the pure flows, on one core client; ``writes`` gets each flow's
    store writes."""
    client = CoreClient(make_config(**client_options(recording), env=replayer.env))
    store = store if store is not None else DictStore()
    handle = handle if handle is not None else replayer.handle
    outcomes = []
    for flow in recording["flows"]:
        before = len(store.writes)
        with replayer.flow(flow["name"]) as meta:
            args = callback_arg(flow, replayer)
            outcomes.append(
                outcome_of(
                    partial(
                        drive,
                        pure_call(client, meta["call"], args, meta.get("kwargs", {})),
                        handle,
                        store,
                    )
                )
            )
        if writes is not None:
            writes.append(store.writes[before:])
    return outcomes


# --- the facades ------------------------------------------------------------------------------


def replay_sync(recording: Mapping[str, Any], replayer: Replayer) -> list[dict[str, Any]]:
    """Every flow through ``auth0_requests.ServerClient`` on ``replay_session``."""
    client = auth0_requests.ServerClient(
        session=replay_session(replayer), env=replayer.env, **client_options(recording)
    )
    outcomes = []
    with client:
        for flow in recording["flows"]:
            with replayer.flow(flow["name"]) as meta:
                args = callback_arg(flow, replayer)
                method = getattr(client, meta["call"])
                outcomes.append(outcome_of(partial(method, *args, **meta.get("kwargs", {}))))
    return outcomes


async def replay_async(recording: Mapping[str, Any], replayer: Replayer) -> list[dict[str, Any]]:
    """Every flow through ``auth0_anyio.ServerClient`` on ``replay_client``."""
    async with replay_client(replayer) as http:
        client = auth0_anyio.ServerClient(
            http_client=http, env=replayer.env, **client_options(recording)
        )
        outcomes = []
        for flow in recording["flows"]:
            with replayer.flow(flow["name"]) as meta:
                args = callback_arg(flow, replayer)
                try:
                    value = await getattr(client, meta["call"])(*args, **meta.get("kwargs", {}))
                    outcomes.append({"result": to_json(value)})
                except Auth0Error as exc:
                    outcomes.append({"error": type(exc).__name__, "code": exc.code})
    return outcomes


# --- the fixtures -----------------------------------------------------------------------------


def load(name: str) -> dict[str, Any]:
    """``tests/fixtures/<name>.json`` (``op/<name>`` for the OpenID Provider's)."""
    return load_recording(FIXTURES / f"{name}.json")


def names() -> list[str]:
    """Every fixture, the OpenID Provider's as ``op/<name>``."""
    return sorted(p.stem for p in FIXTURES.glob("*.json")) + sorted(
        f"op/{p.stem}" for p in OP_FIXTURES.glob("*.json")
    )


def recorded_outcomes(recording: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [flow["meta"]["outcome"] for flow in recording["flows"]]
