"""Record and replay the effects of the core flows (see ``record.py`` for the fixture format).

- :func:`run_flow` drives a flow: HTTP effects go to a handler, store effects to a store, and
  (when given a list) every effect is appended to it as JSON.
- :class:`Replayer` answers effects from a recording. Strict, it checks that each effect is the
  one recorded next (method, URL, parsed form fields and Authorization header; store kind,
  identifier and written value) and collects every difference in ``mismatches``. Lenient (for
  mutated recordings, whose flows may take another path), it answers an HTTP request with the
  recorded response for the same method and URL and a store read with the next recorded answer
  for the same identifier, and never complains.
- :func:`replay_steps` runs a recording through the pure flows, :func:`sync_facade_steps` and
  :func:`async_facade_steps` through the real ``ServerClient`` facades with the replayer as
  the transport's handler and as both stores.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests

import auth0_anyio
import auth0_requests
from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._http import parse_form
from auth0_core._result import LoginResult
from auth0_core.effects import (
    Effect,
    Flow,
    SharedRequest,
    Sleep,
    StoreDelete,
    StoreGet,
    StoreLock,
    StoreSet,
    run,
)
from auth0_core.errors import Auth0Error
from auth0_core.flows.client_credentials import client_credentials_flow
from auth0_core.flows.login import complete_login_flow, start_login_flow
from auth0_core.flows.token_vault import get_access_token_for_connection_flow
from auth0_core.flows.tokens import get_access_token_flow

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BASE_URL = "https://tenant.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
SECRET = "a-session-secret-of-at-least-32-characters"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
START = 1_800_000_000
DAY = 86_400
SEED = 20_240_601

Json = Any


def make_env(clock: Callable[[], float], seed: int) -> Env:
    """The deterministic Env of a recording: its clock, and bytes from a seeded PRNG."""
    return Env(clock=clock, token_bytes=random.Random(seed).randbytes)


def client_options(clock: Callable[[], float], seed: int) -> dict[str, Any]:
    return {
        "domain": BASE_URL,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "secret": SECRET,
        "authorization_params": {"redirect_uri": CALLBACK},
        "env": make_env(clock, seed),
    }


def make_client(clock: Callable[[], float], seed: int) -> CoreClient:
    return CoreClient(make_config(**client_options(clock, seed)))


def start_flow(client: CoreClient, name: str, args: Mapping[str, Any]) -> Flow[Any]:
    """The core flow a recorded step names."""
    if name == "start_login":
        return start_login_flow(client, args.get("options"), None)
    if name == "complete_login":
        return complete_login_flow(client, args["url"], None)
    if name == "get_access_token":
        return get_access_token_flow(client, args["options"], None)
    if name == "get_access_token_for_connection":
        return get_access_token_for_connection_flow(client, args["options"], None)
    if name == "client_credentials":
        return client_credentials_flow(client, args["audience"])
    raise ValueError(f"unknown flow {name!r}")


def call_facade(facade: Any, name: str, args: Mapping[str, Any]) -> Any:
    """The facade method a recorded step names (a coroutine for the async facade)."""
    if name == "start_login":
        return facade.start_interactive_login(args.get("options"))
    if name == "complete_login":
        return facade.complete_interactive_login(args["url"])
    if name == "get_access_token":
        return facade.get_access_token(options=args["options"])
    if name == "get_access_token_for_connection":
        return facade.get_access_token_for_connection(args["options"])
    if name == "client_credentials":
        return facade.get_client_credentials_token(args["audience"])
    raise ValueError(f"unknown flow {name!r}")


# --- JSON forms -------------------------------------------------------------------------------


def to_json(value: Any) -> Json:
    """``value`` as plain JSON data (tuples become lists); fails on anything else."""
    return json.loads(json.dumps(value))


def request_json(request: HttpRequest) -> dict[str, Any]:
    return {
        "method": request.method,
        "url": request.url,
        "headers": [list(h) for h in request.headers],
        "body": request.body.decode("utf-8"),
    }


def response_json(response: HttpResponse) -> dict[str, Any]:
    return {
        "status": response.status,
        "headers": [list(h) for h in response.headers],
        "body": response.body.decode("utf-8"),
    }


def response_from_json(data: Mapping[str, Any]) -> HttpResponse:
    body = data["body"]
    return HttpResponse(
        status=data["status"],
        headers=tuple((str(k), str(v)) for k, v in data["headers"]),
        body=body.encode("utf-8", "surrogateescape") if isinstance(body, str) else bytes(body),
    )


def outcome_of_result(value: Any) -> dict[str, Any]:
    if isinstance(value, LoginResult):
        value = {
            "app_state": value.app_state,
            "user": dict(value.user),
            "authorization_details": value.authorization_details,
        }
    return {"result": to_json(value)}


def outcome_of_error(exc: Auth0Error) -> dict[str, Any]:
    return {"error": type(exc).__name__, "code": exc.code}


# --- driving a flow ---------------------------------------------------------------------------


class RecordingStore:
    """A dict store for the recorder: holds JSON copies, so what is recorded is what is kept."""

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], Json] = {}

    def perform(self, effect: StoreGet | StoreSet | StoreDelete) -> Json:
        key = (effect.store, effect.identifier)
        if isinstance(effect, StoreGet):
            return copy.deepcopy(self.data.get(key))
        if isinstance(effect, StoreSet):
            self.data[key] = to_json(dict(effect.value))
        else:
            self.data.pop(key, None)
        return None


def effect_json(effect: Any, answer: Any) -> dict[str, Any]:
    """The JSON record of one effect and the answer it was given."""
    if isinstance(effect, HttpRequest | SharedRequest):
        request = effect.request if isinstance(effect, SharedRequest) else effect
        return {
            "kind": "http",
            "shared_key": effect.key if isinstance(effect, SharedRequest) else None,
            "request": request_json(request),
            "response": response_json(answer),
        }
    base = {"store": effect.store, "identifier": effect.identifier}
    if isinstance(effect, StoreGet):
        return {"kind": "store_get", **base, "answer": copy.deepcopy(answer)}
    if isinstance(effect, StoreSet):
        value = to_json(dict(effect.value))
        return {
            "kind": "store_set",
            **base,
            "value": value,
            "remove_if_expires": effect.remove_if_expires,
        }
    return {"kind": "store_delete", **base}


def run_flow(
    flow: Flow[Any],
    handle: Callable[[HttpRequest], HttpResponse],
    store: Any,
    record: list[dict[str, Any]] | None = None,
    *,
    shared: Callable[[SharedRequest], HttpResponse] | None = None,
) -> dict[str, Any]:
    """Drive ``flow`` to its end; return its outcome (result or Auth0Error) as JSON.

    Any other exception propagates: that is the point of the mutation tests.
    """
    try:
        return outcome_of_result(drive(flow, handle, store, record, shared=shared))
    except Auth0Error as exc:
        return outcome_of_error(exc)


def drive(
    flow: Flow[Any],
    handle: Callable[[HttpRequest], HttpResponse],
    store: Any,
    record: list[dict[str, Any]] | None = None,
    *,
    shared: Callable[[SharedRequest], HttpResponse] | None = None,
) -> Any:
    """Drive ``flow`` to its end and return its value; every exception propagates."""

    def perform(effect: Effect) -> Any:
        if isinstance(effect, StoreLock):
            return ""  # the recordings were made with stores that keep no locks: not recorded
        if isinstance(effect, Sleep):
            return None  # waits are not recorded: a replay does not wait
        if isinstance(effect, HttpRequest):
            answer: Any = handle(effect)
        elif isinstance(effect, SharedRequest):
            answer = shared(effect) if shared is not None else handle(effect.request)
        else:
            answer = store.perform(effect)
        if record is not None:
            record.append(effect_json(effect, answer))
        return answer

    return run(flow, perform)


# --- replaying --------------------------------------------------------------------------------


def _path(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


def _authorization(headers: Any) -> str | None:
    for name, value in headers:
        if str(name).lower() == "authorization":
            return str(value)
    return None


class Replayer:
    """Answers the effects of one recording, in order (strict) or by matching (lenient)."""

    def __init__(self, recording: Mapping[str, Any], *, strict: bool = True) -> None:
        self.recording = recording
        self.strict = strict
        self.expected: list[dict[str, Any]] = [
            e for step in recording["steps"] for e in step["effects"]
        ]
        self.used = [False] * len(self.expected)
        self.position = 0
        self.mismatches: list[str] = []
        self.kinds_seen: list[str] = []
        self.written: list[tuple[str, str, Json]] = []  # every StoreSet, as JSON
        self.driver = False  # set by replay_steps: the pure driver sees single-flight keys

    # strict ------------------------------------------------------------------------------

    def _next(self, kind: str, what: str) -> dict[str, Any] | None:
        if self.position >= len(self.expected):
            self.mismatches.append(f"unexpected extra effect {kind} {what}")
            return None
        recorded = self.expected[self.position]
        self.used[self.position] = True
        self.position += 1
        if recorded["kind"] != kind:
            self.mismatches.append(
                f"effect #{self.position - 1}: expected {recorded['kind']}, got {kind} {what}"
            )
            return None
        return recorded

    def _check_http(self, request: HttpRequest, recorded: dict[str, Any], key: str | None) -> None:
        want = recorded["request"]
        where = f"effect #{self.position - 1} ({want['method']} {want['url']})"
        if (request.method, request.url) != (want["method"], want["url"]):
            self.mismatches.append(f"{where}: got {request.method} {request.url}")
        if parse_form(request.body) != parse_form(want["body"].encode("utf-8")):
            self.mismatches.append(
                f"{where}: form fields differ: {sorted(parse_form(request.body))} vs "
                f"{sorted(parse_form(want['body'].encode('utf-8')))}"
            )
        if _authorization(request.headers) != _authorization(want["headers"]):
            self.mismatches.append(f"{where}: Authorization header differs")
        # Whether the request is single-flight is part of the contract; the key's digest is not.
        if self.driver and (key is None) != (recorded["shared_key"] is None):
            self.mismatches.append(f"{where}: shared (single-flight) or not differs")

    # lenient -----------------------------------------------------------------------------

    def _find(self, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
        for index, recorded in enumerate(self.expected):
            if not self.used[index] and predicate(recorded):
                self.used[index] = True
                return recorded
        return None

    def _lenient_http(self, request: HttpRequest) -> HttpResponse:
        def same(e: dict[str, Any]) -> bool:
            return (
                e["kind"] == "http"
                and e["request"]["method"] == request.method
                and _path(e["request"]["url"]) == _path(request.url)
            )

        recorded = self._find(same)
        if recorded is None:  # asked again (e.g. a JWKS re-fetch): the last answer for it
            recorded = next((e for e in reversed(self.expected) if same(e)), None)
        if recorded is None:
            return HttpResponse(status=404, headers=(("Content-Type", "text/plain"),), body=b"")
        return response_from_json(recorded["response"])

    # answering ---------------------------------------------------------------------------

    def http(self, request: HttpRequest, key: str | None = None) -> HttpResponse:
        self.kinds_seen.append("http")
        if not self.strict:
            return self._lenient_http(request)
        recorded = self._next("http", f"{request.method} {request.url}")
        if recorded is None:
            return HttpResponse(status=599, body=b"replay mismatch")
        self._check_http(request, recorded, key)
        return response_from_json(recorded["response"])

    def shared(self, effect: SharedRequest) -> HttpResponse:
        return self.http(effect.request, effect.key)

    def perform(self, effect: StoreGet | StoreSet | StoreDelete) -> Json:
        kind = {StoreGet: "store_get", StoreSet: "store_set", StoreDelete: "store_delete"}[
            type(effect)
        ]
        self.kinds_seen.append(kind)
        if not self.strict:
            if kind != "store_get":
                return None
            recorded = self._find(
                lambda e: (
                    e["kind"] == "store_get"
                    and (e["store"], e["identifier"]) == (effect.store, effect.identifier)
                )
            )
            return copy.deepcopy(recorded["answer"]) if recorded is not None else None
        recorded = self._next(kind, f"{effect.store}:{effect.identifier}")
        if recorded is None:
            return None
        where = f"effect #{self.position - 1} ({kind} {recorded['store']}:{recorded['identifier']})"
        if (recorded["store"], recorded["identifier"]) != (effect.store, effect.identifier):
            self.mismatches.append(f"{where}: got {effect.store}:{effect.identifier}")
        if isinstance(effect, StoreSet):
            self.written.append((effect.store, effect.identifier, to_json(dict(effect.value))))
            if to_json(dict(effect.value)) != recorded["value"]:
                self.mismatches.append(f"{where}: a different value was written")
            if effect.remove_if_expires != recorded["remove_if_expires"]:
                self.mismatches.append(f"{where}: remove_if_expires differs")
        if isinstance(effect, StoreGet):
            return copy.deepcopy(recorded["answer"])
        return None

    def finish(self) -> list[str]:
        """Every mismatch, including recorded effects the run never asked for."""
        if self.strict and self.position < len(self.expected):
            self.mismatches.append(
                f"{len(self.expected) - self.position} recorded effect(s) never requested"
            )
        return self.mismatches


class FacadeStore:
    """A ``state_store``/``transaction_store`` for the facades that answers from a Replayer."""

    def __init__(self, replayer: Replayer, kind: str) -> None:
        self.replayer = replayer
        self.kind = kind

    def get(self, identifier: str, options: Any = None) -> Json:
        return self.replayer.perform(StoreGet(store=self.kind, identifier=identifier))  # type: ignore[arg-type]

    def set(
        self, identifier: str, value: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.replayer.perform(
            StoreSet(
                store=self.kind,  # type: ignore[arg-type]
                identifier=identifier,
                value=value,
                remove_if_expires=remove_if_expires,
            )
        )

    def delete(self, identifier: str, options: Any = None) -> None:
        self.replayer.perform(StoreDelete(store=self.kind, identifier=identifier))  # type: ignore[arg-type]


def replay_steps(recording: Mapping[str, Any], replayer: Replayer) -> list[dict[str, Any]]:
    """Run every step through the pure flows, on one core client; return the outcomes."""
    clock = FixedClock(recording["steps"][0]["now"])
    client = make_client(clock, recording["seed"])
    replayer.driver = True
    outcomes = []
    for step in recording["steps"]:
        clock.now = step["now"]
        flow = start_flow(client, step["flow"], step["args"])
        outcomes.append(run_flow(flow, replayer.http, replayer, shared=replayer.shared))
    return outcomes


def _facade_kwargs(recording: Mapping[str, Any], replayer: Replayer) -> dict[str, Any]:
    clock = FixedClock(recording["steps"][0]["now"])
    return {
        **client_options(clock, recording["seed"]),
        "state_store": FacadeStore(replayer, "state"),
        "transaction_store": FacadeStore(replayer, "transaction"),
    }


def _steps(recording: Mapping[str, Any], facade: Any) -> Iterator[dict[str, Any]]:
    clock = facade.config.env.clock
    for step in recording["steps"]:
        clock.now = step["now"]
        yield step


def sync_facade_steps(recording: Mapping[str, Any], replayer: Replayer) -> list[dict[str, Any]]:
    """Run every step through ``auth0_requests.ServerClient`` on a mounted HandlerAdapter."""
    session = requests.Session()
    session.mount(BASE_URL, auth0_requests.HandlerAdapter(replayer.http))
    facade = auth0_requests.ServerClient(session=session, **_facade_kwargs(recording, replayer))
    outcomes = []
    for step in _steps(recording, facade):
        try:
            outcomes.append(outcome_of_result(call_facade(facade, step["flow"], step["args"])))
        except Auth0Error as exc:
            outcomes.append(outcome_of_error(exc))
    return outcomes


async def async_facade_steps(
    recording: Mapping[str, Any], replayer: Replayer
) -> list[dict[str, Any]]:
    """Run every step through ``auth0_anyio.ServerClient`` on a handler transport."""
    transport = auth0_anyio.handler_transport(replayer.http)
    async with httpx.AsyncClient(transport=transport) as http:
        facade = auth0_anyio.ServerClient(http_client=http, **_facade_kwargs(recording, replayer))
        outcomes = []
        for step in _steps(recording, facade):
            try:
                value = await call_facade(facade, step["flow"], step["args"])
                outcomes.append(outcome_of_result(value))
            except Auth0Error as exc:
                outcomes.append(outcome_of_error(exc))
    return outcomes


def rerecord(recording: dict[str, Any]) -> dict[str, Any]:
    """Re-derive every step's effects and outcome from an edited recording (lenient answers)."""
    replayer = Replayer(recording, strict=False)
    clock = FixedClock(recording["steps"][0]["now"])
    client = make_client(clock, recording["seed"])
    steps = []
    for step in recording["steps"]:
        clock.now = step["now"]
        effects: list[dict[str, Any]] = []
        flow = start_flow(client, step["flow"], step["args"])
        outcome = run_flow(flow, replayer.http, replayer, effects, shared=replayer.shared)
        steps.append({**step, "effects": effects, "outcome": outcome})
    return {**recording, "steps": steps}


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))


def names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))
