"""Every public flow, driven from the recorded fixtures with mutated answers and inputs.

For each public call recorded in ``tests/fixtures`` (and ``tests/fixtures/op``), the flows
before it are replayed once (their store contents kept), then the call runs again and again
through the pure flows with a fresh core client and a copy of those stores, its recorded
exchanges answered by ``auth0_core.recording.Replayer(ordered=False)`` after a mutation: status,
headers, bodies (members dropped, added or retyped, truncated or garbage JSON, oversized
values, mangled JWTs), the callback URL or the logout token it is handed. Whatever happens:

- the call returns, or raises an :class:`~auth0_core.errors.Auth0Error` subclass;
- a call that fails leaves the stores as they were, but for records it deleted (a consumed
  transaction); a call that succeeds leaves only records that read back;
- no token or secret of the fixture appears in the error's message, ``repr`` or arguments,
  nor in those of the errors it chains.

A second property drives the cookie stores (the real ``CookieStateStore`` and
``CookieTransactionStore``) with arbitrary cookies. Budgets: :func:`per_flow` examples per call
(2,000 under the ``ci`` profile, which ``tests/conftest.py`` loads when ``CI=true``).

The regression tests at the end are bugs these properties found before (fixed in src).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import random
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core.errors import Auth0Error
from auth0_core.recording import FORMAT, SECRET_FIELDS, Replayer, UnrecordedRequestError
from auth0_core.records import Session, Transaction
from auth0_core.records.connect_transaction import ConnectTransaction
from auth0_core.stores import CookieStateStore, CookieTransactionStore

from ..hypothesis_budget import per_flow
from ..replay.scenarios import (
    CLIENT_SECRET,
    SECRET,
    DictStore,
    callback_arg,
    client_options,
    drive,
    load,
    names,
    pure_call,
    replay_pure,
)
from ..stores.browser import Browser

T = TypeVar("T")
RECORDINGS = {name: load(name) for name in names()}

# (fixture, flow number) of every recorded call, by call.
CALLS: dict[str, list[tuple[str, int]]] = {}
for _name, _recording in RECORDINGS.items():
    for _number, _flow in enumerate(_recording["flows"]):
        CALLS.setdefault(_flow["meta"]["call"], []).append((_name, _number))

SETTINGS = settings(
    max_examples=per_flow(),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def test_every_public_call_is_recorded() -> None:
    """The fixtures cover every public call of the facades that talks to the server or the
    stores (build_session_transfer_redirect and callback_kind are pure string functions)."""
    from auth0_core.flows import api

    public = {
        name
        for name in dir(api)
        if not name.startswith("_")
        and callable(getattr(api, name))
        and getattr(getattr(api, name), "__module__", "") == api.__name__
        and not name.startswith("iter_")  # the pages of list_* (same requests)
    }
    left_out = {
        "build_session_transfer_redirect",
        "callback_kind",
        "backchannel_authentication",  # initiate + grant, polled: both recorded
        "login_backchannel",  # the same, then the session write of a login
        "link_user_accounts",  # Management API identities (tests/e2e/test_management.py)
        "unlink_user_accounts",
    }
    missing = sorted(public - left_out - set(CALLS))
    assert not missing, (
        f"public calls with no recorded fixture: {missing}. Add a scenario calling them to "
        "tests/replay/record.py and run `python -m tests.replay.record` (docs/"
        "testing-with-fixtures.md): the properties here then drive them too."
    )


# --- secrets ----------------------------------------------------------------------------------


def _secrets_of(recording: dict[str, Any]) -> set[str]:
    """Every credential the fixture holds: placeholders, re-minted tokens, the client secret."""
    found: set[str] = {CLIENT_SECRET, SECRET}

    def walk(value: Any, named: bool = True) -> None:
        """Placeholders and JWTs anywhere; with ``named``, credential members' values too."""
        if isinstance(value, dict):
            for member, item in value.items():
                if named and member in SECRET_FIELDS and isinstance(item, str):
                    found.add(item)
                walk(item, named)
        elif isinstance(value, list):
            for item in value:
                walk(item, named)
        elif isinstance(value, str) and (
            value.startswith("redacted-") or (value.count(".") == 2 and len(value) > 40)
        ):
            found.add(value)

    for flow in recording["flows"]:
        walk(flow["meta"], named=False)  # an outcome's "code" is an error code
        for exchange in flow["exchanges"]:
            for part in ("request", "response"):
                body = exchange[part]["body"]
                if isinstance(body, str) and body[:1] in "{[":
                    with contextlib.suppress(ValueError):
                        walk(json.loads(body))
                elif isinstance(body, str):
                    walk(dict(parse_qsl(body)))
        for url in flow.get("callback_urls") or []:
            walk(dict(parse_qsl(urlsplit(url).query)))
        found.update(flow.get("inputs") or [])
    return {s for s in found if len(s) >= 8}


SECRETS = {name: _secrets_of(recording) for name, recording in RECORDINGS.items()}


def _errors(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def check_no_secret(error: Auth0Error, secrets: set[str]) -> None:
    for link in _errors(error):
        shown = [str(link), repr(link), *(repr(a) for a in link.args)]
        for secret in secrets:
            for text in shown:
                assert secret not in text, (type(link).__name__, "shows a secret")


# --- replaying one call -----------------------------------------------------------------------


class Answers:
    """The HTTP answers of one call: its own (mutated) exchanges in any order, else the last
    recorded answer for the same endpoint (a discovery or JWKS re-fetch), else a 404."""

    def __init__(self, name: str, flow: dict[str, Any]) -> None:
        own = {"format": FORMAT, "seed": RECORDINGS[name]["seed"], "flows": [flow]}
        self.replayer = Replayer(own, ordered=False)
        self.fallback = FALLBACK[name]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.replayer.handle(request)
        except UnrecordedRequestError:
            path = urlsplit(request.url)
            response = self.fallback.get((request.method, path.netloc, path.path))
            if response is not None:
                return response
            return HttpResponse(status=404, headers=(("Content-Type", "text/plain"),), body=b"")


def _fallback(recording: dict[str, Any]) -> dict[tuple[str, str, str], HttpResponse]:
    from auth0_core.recording import response_from_json

    out = {}
    for flow in recording["flows"]:
        for exchange in flow["exchanges"]:
            url = urlsplit(exchange["request"]["url"])
            out[(exchange["request"]["method"], url.netloc, url.path)] = response_from_json(
                exchange["response"]
            )
    return out


FALLBACK = {name: _fallback(recording) for name, recording in RECORDINGS.items()}


@cache
def before(name: str, number: int) -> str:
    """The stores (as JSON) after the flows before flow ``number`` of ``name``, replayed."""
    recording = RECORDINGS[name]
    prefix = {**recording, "flows": recording["flows"][:number]}
    store = DictStore()
    replayer = Replayer(prefix)
    replay_pure(prefix, replayer, store=store)
    replayer.finish()
    return json.dumps([[list(k), v] for k, v in store.data.items()])


def stores(name: str, number: int) -> DictStore:
    store = DictStore()
    store.data = {(k[0], k[1]): v for k, v in json.loads(before(name, number))}
    return store


def run_call(
    name: str,
    number: int,
    flow: dict[str, Any],
    args: list[Any],
    store: DictStore | None = None,
) -> tuple[Any, DictStore]:
    """Run the call of ``flow`` (flow ``number`` of ``name``, maybe mutated) with ``args``, on
    ``store`` (default: the stores the flows before it left)."""
    recording = RECORDINGS[name]
    store = store if store is not None else stores(name, number)
    env = Env(
        clock=FixedClock(flow["now"]),
        token_bytes=random.Random(recording["seed"] + number).randbytes,
    )
    client = CoreClient(make_config(**client_options(recording), env=env))
    meta = flow["meta"]
    call = pure_call(client, meta["call"], args, meta.get("kwargs", {}))
    try:
        return drive(call, Answers(name, flow), store), store
    except Auth0Error as error:
        return error, store


def recorded_args(name: str, number: int) -> list[Any]:
    """The arguments the call was recorded with (a fresh copy)."""
    return copy.deepcopy(_recorded_args(name, number))


@cache
def _recorded_args(name: str, number: int) -> list[Any]:
    recording = RECORDINGS[name]
    replayer = Replayer(recording, ordered=False)
    flow = recording["flows"][number]
    for earlier in recording["flows"][: number + 1]:
        with replayer.flow(earlier["name"]):
            if earlier is flow:
                return callback_arg(flow, replayer)
    raise AssertionError


def _transaction(value: Any) -> object:
    if isinstance(value, dict) and value.get("flow") == "connect":
        return ConnectTransaction.from_dict(value)
    return Transaction.from_dict(value)


PARSERS: dict[str, Callable[[Any], object]] = {
    "state": Session.from_dict,
    "transaction": _transaction,
}


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def check_stores(before_: dict[Any, Any], after: DictStore, failed: bool) -> None:
    """Every record a call wrote reads back whole (a session, a transaction); a failed call
    started no new record, changed no transaction and left the session its user.

    A failed call may still have written its session: a token it obtained before the step
    that failed (a My Account API token, a rotated refresh token: keeping them is right) and
    the rolling expiry a read renews; it may have deleted records (a used-up transaction)."""
    for key, value in after.data.items():
        changed = key not in before_ or _json(before_[key]) != _json(value)  # NaN-safe
        if changed and key[0] in PARSERS:
            PARSERS[key[0]](value)  # whatever was written reads back whole
        if failed and changed:
            assert key in before_, ("a failed call wrote a new record", key[0])
            assert key[0] == "state", ("a failed call changed a record", key[0])
            assert value.get("user") == before_[key].get("user"), "a failed call's session user"


def check_outcome(
    name: str, outcome: Any, store: DictStore, number: int, initial: DictStore | None = None
) -> None:
    initial_data = (initial if initial is not None else stores(name, number)).data
    if isinstance(outcome, Auth0Error):
        check_no_secret(outcome, SECRETS[name])
        check_stores(initial_data, store, failed=True)
    else:
        check_stores(initial_data, store, failed=False)


# --- mutations --------------------------------------------------------------------------------


class Big(str):
    """A long string that hypothesis reports by length, not by content."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Big({self[:8]!r}... {len(self)} chars)"


class Blob(bytes):
    """A long body that hypothesis reports by length, not by content."""

    def __repr__(self) -> str:
        return f"Blob({bytes(self[:8])!r}... {len(self)} bytes)"


# Values that have broken parsers before: non-ASCII digits, digit strings past int()'s limit,
# huge strings, control characters, lone surrogates.
AWKWARD = [
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
AWKWARD_STRINGS = st.sampled_from(AWKWARD)

# The values a mutation puts in are drawn from pools made once (from a fixed seed): hypothesis
# then spends one choice per value, and the budget goes to running flows, not generating text.
_POOL_RANDOM = random.Random(20_251_201)
_ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz0123456789-._~",
    "".join(map(chr, range(32, 127))),
    "éüñ中文字🙂\u200b\u202e\ufeff",
    "".join(map(chr, range(0, 32))),
]


def _pool_string(max_size: int) -> str:
    alphabet = _POOL_RANDOM.choice(_ALPHABETS)
    return "".join(_POOL_RANDOM.choice(alphabet) for _ in range(_POOL_RANDOM.randint(0, max_size)))


STRING_POOL = [*AWKWARD, *(_pool_string(40) for _ in range(120))]
KEY_POOL = ["", "error", "access_token", "id_token", "expires_in", "keys", "x", "\ud800"] + [
    _pool_string(8) for _ in range(30)
]
SCALAR_POOL: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**31,
    2**63,
    -(2**80),
    10**30,
    0.5,
    -0.0,
    1e308,
    float("inf"),
    float("-inf"),
    float("nan"),
    *(_POOL_RANDOM.randint(-(2**40), 2**40) for _ in range(20)),
    *STRING_POOL,
]
JSON_POOL: list[Any] = [
    *SCALAR_POOL,
    *(
        [_POOL_RANDOM.choice(SCALAR_POOL) for _ in range(_POOL_RANDOM.randint(0, 3))]
        for _ in range(40)
    ),
    *(
        {_POOL_RANDOM.choice(KEY_POOL): _POOL_RANDOM.choice(SCALAR_POOL) for _ in range(3)}
        for _ in range(40)
    ),
]
JSON_VALUES = st.sampled_from(JSON_POOL)
STRINGS = st.sampled_from(STRING_POOL)
KEYS = st.sampled_from(KEY_POOL)

GARBAGE_BODIES = st.sampled_from(
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
        Blob(b"[" * 100_000),  # past the recursion limit
        Blob(b'{"x": "' + b"y" * 1_000_000 + b'"}'),  # an oversized value
        b'{"error": null}',
        b'{"error": {"nested": 1}}',
        b'{"keys": null}',
        b'{"keys": [null, 1, "x", {}]}',
        *(_POOL_RANDOM.randbytes(_POOL_RANDOM.randint(1, 200)) for _ in range(40)),
        *(text.encode("utf-8", "surrogatepass") for text in STRING_POOL),
    ]
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

HEADER_NAMES = st.sampled_from(
    ["Content-Type", "Cache-Control", "DPoP-Nonce", "WWW-Authenticate", "Retry-After", "X-Any"]
)
HEADER_VALUES = st.sampled_from(
    [
        "",
        "max-age=-1",
        "max-age=99999999999999999999",
        "no-store",
        "1",
        "x",
        *(t for t in STRING_POOL if t.isascii() and t.isprintable()),
    ]
)


def pick(draw: st.DrawFn, items: Sequence[T]) -> T:
    """One of ``items``: one integer choice (a cached strategy), not a new sampled_from."""
    return items[draw(st.integers(0, len(items) - 1))]


def body_json(response: dict[str, Any]) -> Any:
    body = response["body"]
    if not isinstance(body, str):
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def set_header(response: dict[str, Any], name: str, value: str | None) -> None:
    headers = [h for h in response["headers"] if h[0].lower() != name.lower()]
    if value is not None:
        headers.append([name, value])
    response["headers"] = headers


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
        key = pick(draw, keys)
        child = container[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            container = child
            continue
        action = pick(draw, ("drop", "retype", "retype", "add"))
        if action == "drop":
            del container[key]
        elif action == "retype":
            container[key] = draw(JSON_VALUES)
        elif isinstance(container, dict):
            container[draw(KEYS)] = draw(JSON_VALUES)
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
    which = draw(st.integers(0, 1))
    kind = pick(draw, ("json", "json", "not-json", "not-base64", "parts"))
    if kind == "parts":
        return pick(draw, (".".join(parts[:2]), token + ".x", "..", "a.b.c"))
    if kind == "not-base64":
        parts[which] = pick(draw, ("!!!", "é", "a", "====", ""))
    elif kind == "not-json":
        parts[which] = b64url(draw(GARBAGE_BODIES))
    else:
        padded = parts[which] + "=" * (-len(parts[which]) % 4)
        try:
            decoded = json.loads(base64.urlsafe_b64decode(padded))
        except (ValueError, RecursionError):  # mutated before: not JSON any more
            decoded = None
        parts[which] = b64url(json.dumps(draw(json_mutation(decoded))).encode("utf-8"))
    return ".".join(parts)


def jwt_members(document: Any) -> list[str]:
    if not isinstance(document, dict):
        return []
    return [
        k for k, v in document.items() if isinstance(v, str) and v.count(".") == 2 and len(v) > 20
    ]


MUTATIONS = ["json", "status", "body", "truncate", "content_type", "header", "jwt"]


def mutate_response(draw: st.DrawFn, response: dict[str, Any], mutation: str) -> None:
    document = body_json(response)
    if mutation == "json" and document is not None:
        response["body"] = json.dumps(draw(json_mutation(document)))
    elif mutation == "status":
        response["status"] = draw(st.integers(min_value=100, max_value=599))
    elif mutation == "truncate" and isinstance(response["body"], str):
        body = response["body"].encode("utf-8")
        response["body"] = body[: draw(st.integers(min_value=0, max_value=max(len(body) - 1, 0)))]
    elif mutation == "content_type":
        set_header(response, "Content-Type", draw(CONTENT_TYPES))
    elif mutation == "header":
        set_header(response, draw(HEADER_NAMES), draw(st.none() | HEADER_VALUES))
    elif mutation == "jwt" and jwt_members(document):
        member = pick(draw, jwt_members(document))
        document[member] = draw(jwt_mutation(document[member]))
        response["body"] = json.dumps(document)
    else:
        response["body"] = draw(GARBAGE_BODIES)


CALLBACK_KEYS = ["code", "state", "error", "error_description", "iss", "connect_code", "x"]


@st.composite
def callback_mutation(draw: st.DrawFn, url: str) -> str:
    """The recorded callback URL with parameters dropped, changed, repeated or added, or any
    text at all."""
    if draw(st.integers(0, 9)) == 0:
        return draw(STRINGS)
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for _ in range(draw(st.integers(1, 3))):
        action = pick(draw, ("drop", "change", "repeat", "add"))
        if action in ("drop", "change", "repeat") and pairs:
            index = draw(st.integers(0, len(pairs) - 1))
            if action == "drop":
                del pairs[index]
            elif action == "change":
                pairs[index] = (
                    pairs[index][0],
                    draw(STRINGS),
                )
            else:
                pairs.append(pairs[index])
        else:
            pairs.append((pick(draw, CALLBACK_KEYS), draw(STRINGS)))
    return parts._replace(query=urlencode(pairs, errors="surrogatepass")).geturl()


# --- the property: every public call ----------------------------------------------------------


@st.composite
def mutated_call(
    draw: st.DrawFn, call: str
) -> tuple[str, int, dict[str, Any], list[Any], DictStore, str]:
    name, number = pick(draw, CALLS[call])
    recorded = RECORDINGS[name]["flows"][number]
    # Copies of what a mutation may change: the responses (the rest is only read).
    flow = {
        **recorded,
        "exchanges": [
            {**e, "response": {**e["response"], "headers": list(e["response"]["headers"])}}
            for e in recorded["exchanges"]
        ],
    }
    args = recorded_args(name, number)
    store = stores(name, number)
    shown = []
    exchanges = flow["exchanges"]
    meta = flow["meta"]
    choices = (
        (["exchange"] if exchanges else [])
        + (["argument"] if meta.get("callback") or meta.get("input") else [])
        + (["record"] if store.data else [])
    )
    for target in [pick(draw, choices) for _ in range(draw(st.integers(1, 3)))] if choices else []:
        if target == "exchange":
            index = draw(st.integers(0, len(exchanges) - 1))
            mutation = pick(draw, MUTATIONS)
            mutate_response(draw, exchanges[index]["response"], mutation)
            shown.append(f"#{index} {mutation}")
        elif target == "record":  # a stored record spoiled (a store is a trust boundary too)
            key = pick(draw, sorted(store.data))
            store.data[key] = draw(json_mutation(store.data[key]))
            shown.append(f"record {key[0]}")
        else:
            args[0] = draw(
                callback_mutation(args[0]) if meta.get("callback") else jwt_mutation(args[0])
            )
            shown.append("argument")
    return name, number, flow, args, store, ", ".join(shown)


@pytest.mark.parametrize("call", sorted(CALLS))
@SETTINGS
@given(data=st.data())
def test_every_public_call_from_its_fixtures(call: str, data: st.DataObject) -> None:
    name, number, flow, args, store, _ = data.draw(mutated_call(call), label="case")
    initial = DictStore()
    initial.data = copy.deepcopy(store.data)
    outcome, after = run_call(name, number, flow, args, store)
    check_outcome(name, outcome, after, number, initial)


# --- arbitrary cookies ------------------------------------------------------------------------

COOKIE_CALLS = ["get_user", "get_session", "get_access_token", "logout"]


@cache
def cookie_jar_after_login() -> tuple[tuple[str, str], ...]:
    """The browser's cookies after the ``token_cached`` fixture's login, on cookie stores."""
    recording = RECORDINGS["token_cached"]
    jar, _ = _cookie_run(recording, dict(), until=2)
    return tuple(jar.items())


@cache
def cookie_jar_after_start() -> tuple[tuple[str, str], ...]:
    """The browser's cookies after the ``login`` fixture's start: the transaction's."""
    recording = RECORDINGS["login"]
    jar, _ = _cookie_run(recording, dict(), until=1)
    return tuple(jar.items())


def _cookie_run(
    recording: dict[str, Any],
    jar: dict[str, str],
    *,
    until: int,
    call: str | None = None,
    name: str = "token_cached",
    number: int = -1,
    args: tuple[Any, ...] = (),
) -> tuple[dict[str, str], Any]:
    clock = FixedClock(recording["flows"][0]["now"])
    state = CookieStateStore(SECRET, secure=False, clock=clock)
    transaction = CookieTransactionStore(SECRET, secure=False, clock=clock)
    browser = Browser(jar)
    replayer = Replayer(recording, ordered=False)
    env = Env(clock=clock, token_bytes=random.Random(recording["seed"]).randbytes)
    client = CoreClient(make_config(**client_options(recording), env=env))

    def perform_store(effect: Any) -> Any:
        store = state if effect.store == "state" else transaction
        if type(effect).__name__ == "StoreGet":
            return store.get(effect.identifier, effect.options)
        if type(effect).__name__ == "StoreSet":
            return store.set(
                effect.identifier, effect.value, effect.remove_if_expires, effect.options
            )
        if type(effect).__name__ == "StoreDelete":
            return store.delete(effect.identifier, effect.options)
        return DictStore().perform(effect)

    class Stores(DictStore):
        def perform(self, effect: Any) -> Any:
            return perform_store(effect)

    result: Any = None
    flows = recording["flows"][:until] if call is None else []
    for flow in flows:
        with replayer.flow(flow["name"]) as meta:
            flow_args = callback_arg(flow, replayer)
            options = browser.options()
            result = drive(
                pure_call(client, meta["call"], flow_args, {"store_options": options}),
                replayer.handle,
                Stores(),
            )
            browser.absorb()
    if call is not None:
        clock.now = recording["flows"][number]["now"]
        options = browser.options()
        try:
            result = drive(
                pure_call(client, call, list(args), {"store_options": options}),
                Answers(name, recording["flows"][number]),
                Stores(),
            )
        except Auth0Error as error:
            result = error
        browser.absorb()
    return browser.jar, result


@st.composite
def mangled_jar(
    draw: st.DrawFn, base: Callable[[], tuple[tuple[str, str], ...]] = cookie_jar_after_login
) -> dict[str, str]:
    jar = dict(base())
    names_ = sorted(jar)
    for _ in range(draw(st.integers(1, 3))):
        action = pick(draw, ("drop", "change", "truncate", "add", "swap"))
        if action == "drop" and jar:
            jar.pop(pick(draw, sorted(jar)), None)
        elif action == "change" and jar:
            jar[pick(draw, sorted(jar))] = draw(STRINGS)
        elif action == "truncate" and jar:
            key = pick(draw, sorted(jar))
            jar[key] = jar[key][: draw(st.integers(0, len(jar[key])))]
        elif action == "swap" and len(jar) > 1:
            a, b = draw(st.lists(st.sampled_from(sorted(jar)), min_size=2, max_size=2, unique=True))
            jar[a], jar[b] = jar[b], jar[a]
        else:
            name = pick(draw, [*names_, "_a0_session.9", "_a0_session.x", "other"])
            jar[name] = draw(STRINGS)
    return jar


@pytest.mark.parametrize("call", COOKIE_CALLS)
@SETTINGS
@given(jar=mangled_jar())
def test_arbitrary_cookies(call: str, jar: dict[str, str]) -> None:
    """Whatever cookies the browser sends, a call returns or raises an Auth0Error naming no
    secret, and the session it then reads is none or a whole one."""
    recording = RECORDINGS["token_cached"]
    after, outcome = _cookie_run(recording, jar, until=0, call=call)
    if isinstance(outcome, Auth0Error):
        check_no_secret(outcome, SECRETS["token_cached"])
    _, session = _cookie_run(recording, after, until=0, call="get_session")
    assert session is None or isinstance(session, dict), type(session).__name__
    if isinstance(session, dict):
        assert session["user"]["sub"] == "auth0|alice"


@SETTINGS
@given(jar=mangled_jar(cookie_jar_after_start))
def test_arbitrary_transaction_cookies_at_the_callback(jar: dict[str, str]) -> None:
    """complete_interactive_login with the recorded callback and whatever transaction cookies
    the browser sends: a login, or an Auth0Error naming no secret; then a session or none."""
    recording = RECORDINGS["login"]
    callback = recorded_args("login", 1)[0]
    after, outcome = _cookie_run(
        recording,
        jar,
        until=0,
        call="complete_interactive_login",
        name="login",
        number=1,
        args=(callback,),
    )
    if isinstance(outcome, Auth0Error):
        check_no_secret(outcome, SECRETS["login"])
    _, session = _cookie_run(recording, after, until=0, call="get_session", name="login")
    assert session is None or session["user"]["sub"] == "auth0|alice"


def test_the_cookie_login_really_logs_in() -> None:
    """The harness above starts from a real session in the cookies."""
    recording = RECORDINGS["token_cached"]
    jar = dict(cookie_jar_after_login())
    assert any(name.startswith("_a0_session") for name in jar)
    _, user = _cookie_run(recording, jar, until=0, call="get_user")
    assert user["sub"] == "auth0|alice"
    # And the transaction cookie of a start completes the login.
    login = RECORDINGS["login"]
    _, result = _cookie_run(
        login,
        dict(cookie_jar_after_start()),
        until=0,
        call="complete_interactive_login",
        name="login",
        number=1,
        args=(recorded_args("login", 1)[0],),
    )
    assert result.user["sub"] == "auth0|alice"


# --- what the harness does --------------------------------------------------------------------


def test_the_harness_replays_every_recorded_call_unmutated() -> None:
    """Unmutated, each call gives what it gave when recorded (so a mutation is what changes an
    outcome)."""
    from ..replay.scenarios import to_json

    for call, targets in CALLS.items():
        for name, number in targets:
            flow = RECORDINGS[name]["flows"][number]
            outcome, _ = run_call(name, number, flow, recorded_args(name, number))
            got = (
                {"error": type(outcome).__name__, "code": outcome.code}
                if isinstance(outcome, Auth0Error)
                else {"result": to_json(outcome)}
            )
            if call.startswith("start_"):  # another seed: another state in the URL
                assert ("result" in got) == ("result" in flow["meta"]["outcome"])
                continue
            assert got == flow["meta"]["outcome"], (name, number)


def _with_body(name: str, number: int, url_end: str, method: str, body: str) -> dict[str, Any]:
    flow: dict[str, Any] = copy.deepcopy(RECORDINGS[name]["flows"][number])
    exchange = next(
        e
        for e in flow["exchanges"]
        if e["request"]["method"] == method and e["request"]["url"].endswith(url_end)
    )
    exchange["response"]["body"] = body
    return flow


def outcome_of(name: str, number: int, flow: dict[str, Any]) -> Any:
    outcome, store = run_call(name, number, flow, recorded_args(name, number))
    check_outcome(name, outcome, store, number)
    if isinstance(outcome, Auth0Error):
        return {"error": type(outcome).__name__, "code": outcome.code}
    return "result"


INVALID_RESPONSE = {"error": "InvalidResponse", "code": "invalid_response"}


def test_mutations_do_change_outcomes() -> None:
    """The harness really feeds the mutated answers to the flows."""
    flow = _with_body("token_mrrt", 2, "/oauth/token", "POST", "<html>oops</html>")
    assert outcome_of("token_mrrt", 2, flow) == INVALID_RESPONSE
    flow = _with_body("vault_exchange", 2, "/oauth/token", "POST", "{}")
    assert outcome_of("vault_exchange", 2, flow) == {
        "error": "AccessTokenForConnectionError",
        "code": "retrieval_error",
    }


@pytest.mark.parametrize(
    ("url_end", "method"),
    [("/.well-known/openid-configuration", "GET"), ("/oauth/token", "POST"), ("/jwks.json", "GET")],
)
def test_deeply_nested_json_body_is_an_invalid_response(url_end: str, method: str) -> None:
    """Was a bug: json.loads raised RecursionError on a body nested ~1000+ deep, and
    HttpResponse.json caught only ValueError/UnicodeDecodeError."""
    flow = _with_body("token_refresh", 2, url_end, method, "[" * 100_000)
    assert outcome_of("token_refresh", 2, flow) == INVALID_RESPONSE


def _with_expires_in(name: str, number: int, expires_in: object) -> dict[str, Any]:
    flow: dict[str, Any] = copy.deepcopy(RECORDINGS[name]["flows"][number])
    post = next(e for e in flow["exchanges"] if e["request"]["method"] == "POST")
    answer = json.loads(post["response"]["body"])
    answer["expires_in"] = expires_in
    post["response"]["body"] = json.dumps(answer)
    return flow


@pytest.mark.parametrize(
    ("name", "number", "refused"),
    [
        ("token_mrrt", 2, INVALID_RESPONSE),
        (
            "vault_exchange",
            2,
            {"error": "AccessTokenForConnectionError", "code": "retrieval_error"},
        ),
        ("client_credentials", 0, INVALID_RESPONSE),
    ],
)
def test_expires_in_of_non_ascii_digits_is_refused(name: str, number: int, refused: Any) -> None:
    """Was a bug: '²' passes str.isdigit() and made int() raise ValueError."""
    assert outcome_of(name, number, _with_expires_in(name, number, "\u00b2")) == refused


@pytest.mark.parametrize(("name", "number"), [("token_mrrt", 2), ("client_credentials", 0)])
@pytest.mark.parametrize("expires_in", ["1" * 5000, 10**4299, "1" * 13])
def test_expires_in_of_thousands_of_digits_is_refused(
    name: str, number: int, expires_in: object
) -> None:
    """Was a bug: int() raises ValueError beyond 4300 digits, and an integer that long was
    accepted and then could not be stored. Beyond ten years, numeric string or integer, the
    answer is refused (converting no long run of digits)."""
    flow = _with_expires_in(name, number, expires_in)
    assert outcome_of(name, number, flow) == INVALID_RESPONSE


def test_a_success_turned_error_fails_the_call() -> None:
    """Protocol doc §0.2: never a result from an error answer."""
    flow = copy.deepcopy(RECORDINGS["token_refresh"]["flows"][2])
    post = next(e for e in flow["exchanges"] if e["request"]["method"] == "POST")
    for status in (199, 301, 400, 404, 500, 599):
        post["response"]["status"] = status
        assert outcome_of("token_refresh", 2, flow) != "result", status


def test_a_connect_ticket_with_a_lone_surrogate_is_an_invalid_response() -> None:
    """Was a bug: a JSON escape of a lone surrogate in the ticket made building the connect
    URL raise UnicodeEncodeError."""
    ((name, number),) = CALLS["start_connect_account"]
    assert name == "connected_accounts"
    flow = copy.deepcopy(RECORDINGS["connected_accounts"]["flows"][number])
    (exchange,) = flow["exchanges"]
    answer = json.loads(exchange["response"]["body"])
    answer["connect_params"]["ticket"] = "\ud800"
    exchange["response"]["body"] = json.dumps(answer)  # ASCII: the escape \\ud800
    assert outcome_of("connected_accounts", number, flow) == INVALID_RESPONSE


def test_a_logout_token_whose_kid_is_a_lone_surrogate_is_refused() -> None:
    """Was a bug: the JWKS re-fetch key hashed the kid with str.encode (UnicodeEncodeError)."""
    (name, number), *_ = CALLS["handle_backchannel_logout"]
    token = recorded_args(name, number)[0]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    header["kid"] = "\ud800"
    forged = ".".join([b64url(json.dumps(header).encode()), *token.split(".")[1:]])
    outcome, store = run_call(name, number, RECORDINGS[name]["flows"][number], [forged])
    assert isinstance(outcome, Auth0Error)
    check_outcome(name, outcome, store, number)


@pytest.mark.parametrize(
    ("name", "number"), [("vault_exchange", 2), ("token_refresh", 2), ("token_mrrt", 2)]
)
def test_a_stored_refresh_token_with_a_lone_surrogate_is_a_typed_error(
    name: str, number: int
) -> None:
    """Was a bug: a stored refresh token that is no Unicode (a JSON escape of a lone surrogate
    in the store) made the single-flight key raise UnicodeEncodeError."""
    store = stores(name, number)
    ((_, session),) = [(k, v) for k, v in store.data.items() if k[0] == "state"]
    session["refresh_token"] = "\ud800"
    initial = DictStore()
    initial.data = copy.deepcopy(store.data)
    flow = RECORDINGS[name]["flows"][number]
    outcome, after = run_call(name, number, flow, recorded_args(name, number), store)
    assert isinstance(outcome, Auth0Error)
    check_outcome(name, outcome, after, number, initial)


def test_a_stored_value_with_a_lone_surrogate_in_an_authorize_url_is_a_typed_error() -> None:
    """Was a bug: start_unlink_user put a stored session value that is no Unicode text into
    the authorize URL, and urlencode raised UnicodeEncodeError."""
    ((name, number),) = CALLS["start_unlink_user"]
    store = stores(name, number)
    ((_, session),) = [(k, v) for k, v in store.data.items() if k[0] == "state"]
    session["id_token"] = "\ud800"
    session["user"]["sub"] = "\ud800"
    initial = DictStore()
    initial.data = copy.deepcopy(store.data)
    flow = RECORDINGS[name]["flows"][number]
    outcome, after = run_call(name, number, flow, recorded_args(name, number), store)
    assert isinstance(outcome, Auth0Error)
    check_outcome(name, outcome, after, number, initial)


@pytest.mark.parametrize("member", ["state", "browser_binding"])
def test_a_stored_transaction_with_a_lone_surrogate_is_a_typed_error(member: str) -> None:
    """Was a bug: comparing the callback's state with a stored one that is no Unicode text
    raised UnicodeEncodeError."""
    ((name, number), *_) = CALLS["complete_interactive_login"]
    store = stores(name, number)
    ((_, transaction),) = [(k, v) for k, v in store.data.items() if k[0] == "transaction"]
    transaction[member] = "\ud800"
    initial = DictStore()
    initial.data = copy.deepcopy(store.data)
    flow = RECORDINGS[name]["flows"][number]
    outcome, after = run_call(name, number, flow, recorded_args(name, number), store)
    assert isinstance(outcome, Auth0Error)
    check_outcome(name, outcome, after, number, initial)
