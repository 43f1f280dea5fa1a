"""Mutated recordings: whatever the tenant answers, a flow ends in a result or an Auth0Error.

Each property takes a recording, mutates the response of one (or several) of its HTTP exchanges
and replays every step with the lenient replayer (no sockets; an HTTP request is answered with
the recorded, possibly mutated, response for the same method and URL). Any exception that is not
an :class:`~auth0_core.errors.Auth0Error` escapes ``run_flow`` and fails the property.
"""

from __future__ import annotations

import base64
import copy
import json
import os
from typing import Any, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..hypothesis_budget import examples
from .replay import Replayer, load, names, replay_steps

RECORDINGS = {name: load(name) for name in names()}

# (recording, index of an HTTP effect among all of its effects, in step order)
TARGETS = [
    (name, index)
    for name, recording in RECORDINGS.items()
    for index, effect in enumerate(e for step in recording["steps"] for e in step["effects"])
    if effect["kind"] == "http"
]

# Deterministic by default; REPLAY_EXAMPLES=5000 runs a longer, randomised bug hunt.
_HUNT = int(os.environ.get("REPLAY_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=_HUNT or examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=not _HUNT,
    database=None,
)

RESULT_TYPES = {
    "start_login": str,
    "complete_login": dict,
    "get_access_token": str,
    "get_access_token_for_connection": str,
    "client_credentials": str,
}


class Big(str):
    """A long string that hypothesis reports by length, not by content."""

    def __repr__(self) -> str:
        return f"Big({self[:8]!r}... {len(self)} chars)"


class Blob(bytes):
    """A long body that hypothesis reports by length, not by content."""

    def __repr__(self) -> str:
        return f"Blob({bytes(self[:8])!r}... {len(self)} bytes)"


# Values that have broken parsers before: non-ASCII digits, digit strings past int()'s limit,
# huge strings, control characters, lone surrogates.
AWKWARD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "²",
        "١٢٣",
        Big("1" * 5000),
        "9" * 30,
        "-1",
        "1e9",
        "NaN",
        "\x00",
        "\ud800",
        Big("é" * 10_000),
        Big("x" * 100_000),
        "a.b.c",
        "...",
        "https://tenant.example/",
    ]
)

JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(),
        st.text(max_size=20),
        AWKWARD_STRINGS,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)

GARBAGE_BODIES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"",
            b"<html><body>502 Bad Gateway</body></html>",
            b"null",
            b"[]",
            b"{}",
            b'"a string"',
            b"42",
            b"true",
            b"\xff\xfe\xfd",
            Blob(b'{"a":' * 500),  # truncated, nested 500 deep
            b'{"error": null}',
            b'{"error": {"nested": 1}}',
            b'{"keys": null}',
            b'{"keys": [null, 1, "x", {}]}',
        ]
    ),
    st.text(max_size=100).map(lambda t: t.encode("utf-8")),
)

CONTENT_TYPES = st.sampled_from(
    [
        None,
        "",
        "text/html",
        "text/plain; charset=utf-8",
        "application/json",
        "application/json; charset=latin-1",
        "application/jwk-set+json",
        "application/x-www-form-urlencoded",
        "image/png",
        ";;;",
    ]
)


def http_effect(recording: dict[str, Any], index: int) -> dict[str, Any]:
    effects = [e for step in recording["steps"] for e in step["effects"]]
    effect: dict[str, Any] = effects[index]
    assert effect["kind"] == "http"
    return effect


def check_case(case: Case) -> list[dict[str, Any]]:
    return check_outcomes(case.recording)


def check_outcomes(recording: dict[str, Any]) -> list[dict[str, Any]]:
    """Replay leniently; every outcome is a typed result or an Auth0Error (or this raises)."""
    outcomes = replay_steps(recording, Replayer(recording, strict=False))
    for step, outcome in zip(recording["steps"], outcomes, strict=True):
        if "result" in outcome:
            assert isinstance(outcome["result"], RESULT_TYPES[step["flow"]]), outcome
            assert outcome["result"], outcome
        else:
            assert set(outcome) == {"error", "code"}, outcome
    return outcomes


def set_header(response: dict[str, Any], name: str, value: str | None) -> None:
    headers = [h for h in response["headers"] if h[0].lower() != name.lower()]
    if value is not None:
        headers.append([name, value])
    response["headers"] = headers


def body_json(response: dict[str, Any]) -> Any:
    body = response["body"]
    if not isinstance(body, str):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


@st.composite
def json_mutation(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one member somewhere in it dropped, retyped, or added."""
    document = copy.deepcopy(document)
    if not isinstance(document, dict | list) or not document:
        return draw(JSON_VALUES)
    container: Any = document
    while True:
        keys = (
            list(container.keys()) if isinstance(container, dict) else list(range(len(container)))
        )
        if not keys:
            break
        key = draw(st.sampled_from(keys))
        child = container[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            container = child
            continue
        action = draw(st.sampled_from(["drop", "retype", "retype", "add"]))
        if action == "drop":
            del container[key]
        elif action == "retype":
            container[key] = draw(JSON_VALUES)
        elif isinstance(container, dict):
            container[draw(st.text(max_size=8))] = draw(JSON_VALUES)
        else:
            container.append(draw(JSON_VALUES))
        break
    return document


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@st.composite
def jwt_mutation(draw: st.DrawFn, token: str) -> str:
    """A JWT whose header or payload is mutated (or not JSON, or not base64url)."""
    parts = token.split(".")
    if len(parts) != 3:
        return draw(AWKWARD_STRINGS)
    which = draw(st.sampled_from([0, 1]))
    kind = draw(st.sampled_from(["json", "json", "not-json", "not-base64", "parts"]))
    if kind == "parts":
        return draw(st.sampled_from([".".join(parts[:2]), token + ".x", "..", "a.b.c"]))
    if kind == "not-base64":
        parts[which] = draw(st.sampled_from(["!!!", "é", "a", "====", ""]))
    elif kind == "not-json":
        parts[which] = b64url(draw(GARBAGE_BODIES))
    else:
        padded = parts[which] + "=" * (-len(parts[which]) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded))
        parts[which] = b64url(json.dumps(draw(json_mutation(decoded))).encode("utf-8"))
    return ".".join(parts)


def jwt_members(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return []
    return [
        k for k, v in document.items() if isinstance(v, str) and v.count(".") == 2 and len(v) > 20
    ]


TOKEN_TARGETS = [
    (name, index)
    for name, index in TARGETS
    if jwt_members(body_json(http_effect(RECORDINGS[name], index)["response"]))
]


def targets() -> st.SearchStrategy[tuple[str, int]]:
    return st.sampled_from(TARGETS)


class Case:
    """A mutated recording; reported as the recording's name and the mutated response."""

    def __init__(self, recording: dict[str, Any], mutated: list[tuple[int, dict[str, Any]]]):
        self.recording = recording
        self.mutated = mutated

    def __repr__(self) -> str:
        shown = []
        for index, response in self.mutated:
            body = response["body"]
            if len(body) > 300:
                body = body[:300] + (b"..." if isinstance(body, bytes) else "...")
            shown.append(
                f"#{index}: status={response['status']} headers={response['headers']} body={body!r}"
            )
        return f"Case({self.recording['name']!r}, {'; '.join(shown)})"

    _repr_pretty_ = None  # let hypothesis use __repr__


def mutate_response(draw: st.DrawFn, response: dict[str, Any], mutation: str) -> None:
    if mutation == "json":
        response["body"] = json.dumps(draw(json_mutation(body_json(response))))
    elif mutation == "status":
        response["status"] = draw(st.integers(min_value=100, max_value=599))
    elif mutation == "body":
        response["body"] = draw(GARBAGE_BODIES)
    elif mutation == "truncate":
        body = response["body"].encode("utf-8")
        response["body"] = body[: draw(st.integers(min_value=0, max_value=max(len(body) - 1, 0)))]
    elif mutation == "content_type":
        set_header(response, "Content-Type", draw(CONTENT_TYPES))
    elif mutation == "jwt":
        document = body_json(response)
        member = draw(st.sampled_from(jwt_members(document)))
        document[member] = draw(jwt_mutation(document[member]))
        response["body"] = json.dumps(document)
    else:
        raise AssertionError(mutation)


@st.composite
def mutated_recording(draw: st.DrawFn, target: tuple[str, int], mutation: str) -> Case:
    name, index = target
    recording = copy.deepcopy(RECORDINGS[name])
    response = http_effect(recording, index)["response"]
    mutate_response(draw, response, mutation)
    return Case(recording, [(index, response)])


@SETTINGS
@given(st.data())
def test_json_members_dropped_or_retyped(data: st.DataObject) -> None:
    check_case(data.draw(mutated_recording(data.draw(targets()), "json")))


def step_of(recording: dict[str, Any], index: int) -> int:
    """The step whose effects hold the ``index``-th effect of the recording."""
    seen = 0
    for number, step in enumerate(recording["steps"]):
        seen += len(step["effects"])
        if index < seen:
            return number
    raise IndexError(index)


@SETTINGS
@given(st.data())
def test_any_status(data: st.DataObject) -> None:
    target = data.draw(targets())
    case = data.draw(mutated_recording(target, "status"))
    outcomes = check_case(case)
    name, index = target
    recorded = http_effect(RECORDINGS[name], index)["response"]["status"]
    ((_, mutated),) = case.mutated
    # The flows follow the recording up to the mutated exchange, so the step that sends that
    # request gets the new status: a success turned into anything but 2xx must fail that step
    # (protocol doc §0.2: never a result from an error answer).
    if 200 <= recorded < 300 and not 200 <= mutated["status"] < 300:
        assert "error" in outcomes[step_of(case.recording, index)], (name, mutated["status"])


def _parses(body: object) -> bool:
    try:
        json.loads(body)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def check_unparseable_fails(target: tuple[str, int], case: Case) -> None:
    """A success whose JSON body no longer parses fails the step that received it (protocol
    doc §0.2: a non-JSON body is a typed error, never a result)."""
    outcomes = check_case(case)
    name, index = target
    recorded = http_effect(RECORDINGS[name], index)["response"]
    ((_, mutated),) = case.mutated
    was_json_success = 200 <= recorded["status"] < 300 and _parses(recorded["body"])
    if was_json_success and not _parses(mutated["body"]):
        assert "error" in outcomes[step_of(case.recording, index)], name


@SETTINGS
@given(st.data())
def test_garbage_bodies(data: st.DataObject) -> None:
    target = data.draw(targets())
    check_unparseable_fails(target, data.draw(mutated_recording(target, "body")))


@SETTINGS
@given(st.data())
def test_truncated_bodies(data: st.DataObject) -> None:
    target = data.draw(targets())
    check_unparseable_fails(target, data.draw(mutated_recording(target, "truncate")))


@SETTINGS
@given(st.data())
def test_content_types_change_nothing(data: st.DataObject) -> None:
    """The flows judge a body, never its label (proxies and servers mislabel JSON): whatever
    Content-Type an answer carries, every step ends as in the untouched recording."""
    name, index = data.draw(targets())
    unmutated = check_outcomes(copy.deepcopy(RECORDINGS[name]))
    assert check_case(data.draw(mutated_recording((name, index), "content_type"))) == unmutated


@SETTINGS
@given(st.data())
def test_tokens_in_token_responses_mutated(data: st.DataObject) -> None:
    check_case(data.draw(mutated_recording(data.draw(st.sampled_from(TOKEN_TARGETS)), "jwt")))


@SETTINGS
@given(st.data())
def test_several_exchanges_mutated_at_once(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted({n for n, _ in TARGETS})))
    recording = copy.deepcopy(RECORDINGS[name])
    indices = [index for n, index in TARGETS if n == name]
    chosen = data.draw(st.lists(st.sampled_from(indices), min_size=1, max_size=3, unique=True))
    mutated = []
    for index in chosen:
        response = http_effect(recording, index)["response"]
        for mutation in data.draw(
            st.lists(
                st.sampled_from(["json", "status", "body", "content_type"]), min_size=1, max_size=2
            )
        ):
            if mutation == "json" and not isinstance(response["body"], str):
                continue
            # DataObject.draw is a DrawFn; the protocol's __signature__ member is docs-only.
            mutate_response(cast(st.DrawFn, data.draw), response, mutation)
        mutated.append((index, response))
    check_case(Case(recording, mutated))


@st.composite
def top_level_member(draw: st.DrawFn) -> Case:
    name, index = draw(targets())
    recording = copy.deepcopy(RECORDINGS[name])
    response = http_effect(recording, index)["response"]
    document = body_json(response)
    assert isinstance(document, dict)
    member = draw(st.sampled_from(sorted(document)))
    document[member] = draw(st.one_of(AWKWARD_STRINGS, JSON_VALUES))
    response["body"] = json.dumps(document)
    return Case(recording, [(index, response)])


@SETTINGS
@given(top_level_member())
def test_top_level_members_retyped(case: Case) -> None:
    check_case(case)


# --- bugs the properties above found (fixed in src), kept as regression tests ----------------


def _replace(recording: dict[str, Any], url_end: str, method: str, body: str) -> dict[str, Any]:
    recording = copy.deepcopy(recording)
    effect = next(
        e
        for step in recording["steps"]
        for e in step["effects"]
        if e["kind"] == "http"
        and e["request"]["method"] == method
        and e["request"]["url"].endswith(url_end)
    )
    effect["response"]["body"] = body
    return recording


INVALID_RESPONSE = {"error": "InvalidResponse", "code": "invalid_response"}


@pytest.mark.parametrize(
    ("url_end", "method"),
    [("/.well-known/openid-configuration", "GET"), ("/oauth/token", "POST"), ("/jwks.json", "GET")],
)
def test_deeply_nested_json_body_is_an_invalid_response(url_end: str, method: str) -> None:
    """Was a bug: json.loads raised RecursionError on a body nested ~1000+ deep, and
    HttpResponse.json caught only ValueError/UnicodeDecodeError."""
    recording = _replace(RECORDINGS["token_refresh"], url_end, method, "[" * 100_000)
    assert check_outcomes(recording) == [INVALID_RESPONSE]


def _with_expires_in(name: str, expires_in: str) -> dict[str, Any]:
    recording = copy.deepcopy(RECORDINGS[name])
    post = next(
        e
        for step in recording["steps"]
        for e in step["effects"]
        if e["kind"] == "http" and e["request"]["method"] == "POST"
    )
    answer = json.loads(post["response"]["body"])
    answer["expires_in"] = expires_in
    post["response"]["body"] = json.dumps(answer)
    return recording


@pytest.mark.parametrize(
    ("name", "refused"),
    [
        ("token_mrrt", [INVALID_RESPONSE]),
        ("vault_exchange", [{"error": "AccessTokenForConnectionError", "code": "retrieval_error"}]),
        ("client_credentials", [INVALID_RESPONSE, INVALID_RESPONSE]),
    ],
)
def test_expires_in_of_non_ascii_digits_is_refused(name: str, refused: list[Any]) -> None:
    """Was a bug: '²' passes str.isdigit() and made int() raise ValueError."""
    assert check_outcomes(_with_expires_in(name, "\u00b2")) == refused


@pytest.mark.parametrize("name", ["token_mrrt", "vault_exchange", "client_credentials"])
def test_expires_in_of_5000_digits_is_ignored(name: str) -> None:
    """Was a bug: int() raises ValueError beyond 4300 digits. An over-long numeric string now
    counts as no expires_in: the flows give exactly what the unmutated recording gives."""
    unmutated = check_outcomes(copy.deepcopy(RECORDINGS[name]))
    assert all("result" in outcome for outcome in unmutated)
    assert check_outcomes(_with_expires_in(name, "1" * 5000)) == unmutated


def test_mutations_do_change_outcomes() -> None:
    """The harness really feeds the mutated answers to the flows."""
    recording = _replace(RECORDINGS["token_mrrt"], "/oauth/token", "POST", "<html>oops</html>")
    assert check_outcomes(recording) == [{"error": "InvalidResponse", "code": "invalid_response"}]
    recording = _replace(RECORDINGS["vault_exchange"], "/oauth/token", "POST", "{}")
    assert check_outcomes(recording) == [
        {"error": "AccessTokenForConnectionError", "code": "retrieval_error"}
    ]
