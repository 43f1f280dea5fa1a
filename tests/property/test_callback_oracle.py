"""Hypothesis, with an oracle: a login callback completes exactly when every rule holds.

The pure core runs a real login: ``start_login_flow`` twice (two live transactions), the
scripted browser through the emulated tenant, then ``complete_login_flow`` on a callback built
from independently drawn perturbations (``state``, ``code``, ``error``, ``iss``, unknown and
repeated parameters, their order, URL or bare query, the clock, a store that answers with the
wrong transaction, a replay after success, a bad ID token). HTTP effects go to the emulated
tenant, store effects to plain dicts.

:func:`oracle` is written from protocol doc §2.3-§2.6 and RFC 9207, not from the flow: it names
the error (class and ``argument``/``error``/``claim``) the callback must fail with, or success,
and what must have happened meanwhile: whether the transaction was consumed, whether the code
was sent to the token endpoint, whether a session was written.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._result import LoginResult
from auth0_core.effects import (
    Effect,
    Flow,
    ResolveDomain,
    SharedRequest,
    Sleep,
    StoreDelete,
    StoreGet,
    StoreSet,
)
from auth0_core.effects import run as run_flow
from auth0_core.errors import Auth0Error
from auth0_core.flows.login import complete_login_flow, start_login_flow
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_login_flow

from ..hypothesis_budget import examples

# The demo client and user of the tenant's default configuration (tenant/default.toml).
BASE = "https://tenant.example"
CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-client-secret-please-change-0123456789"
CALLBACK = "http://127.0.0.1:3000/auth/callback"
USER, PASSWORD, USER_ID = "alice@example.com", "alice-password", "auth0|alice"
SECRET = "a-session-secret-of-at-least-32-characters"
START = 1_800_000_000
# §1.3: the issuer is https://{domain}/ with the trailing slash.
ISSUER = BASE + "/"
TRANSACTION_PREFIX = "_a0_tx:"  # §2.3: transactions live under "{identifier}:{state}"
SESSION_KEY = "_a0_session"
CODE_LIFETIME = TenantConfig.default().authorization_code_lifetime
# Parameters a callback may carry once only (§2.4 [Do]: duplicated state/code are rejected;
# a repeated error or iss would equally let an attacker choose which value is read).
SINGLE_VALUED = ("state", "code", "error", "error_description", "iss")
UNKNOWN_STATE = "never-issued-state"

AXES: dict[str, tuple[str, ...]] = {
    "state": (
        "kept",
        "missing",
        "empty",
        "unknown",
        "other-login",
        "repeated",
        "repeated-different",
    ),
    "code": ("kept", "missing", "empty", "forged", "repeated"),
    "error": ("absent", "with-description", "without-description", "description-only", "repeated"),
    "iss": ("absent", "expected", "other-tenant", "no-trailing-slash", "repeated"),
    "extra": ("none", "unknown", "unknown-repeated"),
    "form": ("url", "bare-query"),
    "clock": ("+1", "+59", "+61", "+599", "+600", "+3600"),
    "store": ("honest", "answers-other-transaction"),
    "replay": ("first-use", "after-success"),
    "id_token": ("intact", "wrong-nonce", "expired"),
}
SLOTS = ("state", "code", "error", "iss", "extra")
DEFAULT = {axis: variants[0] for axis, variants in AXES.items()}


@attrs.frozen(kw_only=True)
class Scenario:
    choices: Mapping[str, str]
    order: tuple[str, ...] = SLOTS  # the order the slots' parameters appear in

    def __getitem__(self, axis: str) -> str:
        return self.choices[axis]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """Up to five axes perturbed, each to a variant drawn independently; any order."""
    count = draw(st.integers(min_value=0, max_value=5))
    changed = draw(st.permutations(list(AXES)))[:count]
    choices = {
        axis: draw(st.sampled_from(variants[1:])) if axis in changed else variants[0]
        for axis, variants in AXES.items()
    }
    return Scenario(choices=choices, order=tuple(draw(st.permutations(SLOTS))))


# --- the world: the pure core, the emulated tenant for HTTP, dicts for the stores --------------


class World:
    def __init__(self, *, lying_store: bool) -> None:
        self.clock = FixedClock(START)
        env = Env(clock=self.clock)
        self.tenant = Tenant(TenantConfig.default(), base_url=BASE, env=env)
        self.client = CoreClient(
            make_config(
                domain=BASE,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                secret=SECRET,
                authorization_params={"redirect_uri": CALLBACK},
                env=env,
            )
        )
        self.stores: dict[str, dict[str, dict[str, Any]]] = {"transaction": {}, "state": {}}
        self.lying_store = lying_store
        self.lie: dict[str, Any] | None = None  # what a lying store answers every read with
        self.token_requests = 0

    def answer(self, effect: Effect) -> object:
        if isinstance(effect, SharedRequest):
            effect = effect.request
        if isinstance(effect, HttpRequest):
            if effect.method == "POST" and urlsplit(effect.url).path == "/oauth/token":
                self.token_requests += 1
            response: HttpResponse = self.tenant.handle(effect)
            return response
        if isinstance(effect, Sleep):  # no login flow waits
            return None
        if isinstance(effect, ResolveDomain):  # these clients have one domain
            raise AssertionError("no domain resolver is configured")
        store = self.stores[effect.store]
        if isinstance(effect, StoreGet):
            if effect.store == "transaction" and self.lie is not None:
                return copy.deepcopy(self.lie)
            return copy.deepcopy(store.get(effect.identifier))
        if isinstance(effect, StoreSet):
            store[effect.identifier] = copy.deepcopy(dict(effect.value))
        elif isinstance(effect, StoreDelete):
            store.pop(effect.identifier, None)
        return None

    def run(self, flow: Flow[Any]) -> Any:
        return run_flow(flow, self.answer)


@attrs.frozen(kw_only=True)
class Login:
    """What the world looks like when the perturbed callback arrives."""

    state: str  # the state of the login the browser completed
    code: str  # the code the tenant issued to it
    other_state: str  # the state of a second, live login
    genuine: str  # the untouched callback URL


def _state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


def set_up(world: World, s: Scenario) -> Login:
    first = world.run(start_login_flow(world.client, None, None))
    second = world.run(start_login_flow(world.client, None, None))
    genuine = world.run(browser_login_flow(first, USER, PASSWORD))
    query = parse_qs(urlsplit(genuine).query)
    login = Login(
        state=query["state"][0],
        code=query["code"][0],
        other_state=_state_of(second),
        genuine=genuine,
    )
    if s["replay"] == "after-success":
        assert isinstance(world.run(complete_login_flow(world.client, genuine, None)), LoginResult)
        world.stores["state"].clear()
    if world.lying_store:
        world.lie = copy.deepcopy(
            world.stores["transaction"][TRANSACTION_PREFIX + login.other_state]
        )
    if s["id_token"] == "wrong-nonce":
        world.tenant.id_token_hook = lambda claims, header: ({**claims, "nonce": "other"}, header)
    elif s["id_token"] == "expired":
        world.tenant.id_token_hook = lambda claims, header: (
            {**claims, "exp": int(claims["iat"]) - 3600},
            header,
        )
    world.clock.advance(int(s["clock"]))
    world.token_requests = 0
    return login


def callback_pairs(s: Scenario, login: Login) -> list[tuple[str, str]]:
    """The callback's query parameters, in order."""
    state, code = login.state, login.code
    slots: dict[str, list[tuple[str, str]]] = {
        "state": {
            "kept": [("state", state)],
            "missing": [],
            "empty": [("state", "")],
            "unknown": [("state", UNKNOWN_STATE)],
            "other-login": [("state", login.other_state)],
            "repeated": [("state", state), ("state", state)],
            "repeated-different": [("state", state), ("state", UNKNOWN_STATE)],
        }[s["state"]],
        "code": {
            "kept": [("code", code)],
            "missing": [],
            "empty": [("code", "")],
            "forged": [("code", "forged-code")],
            "repeated": [("code", code), ("code", code)],
        }[s["code"]],
        "error": {
            "absent": [],
            "with-description": [
                ("error", "access_denied"),
                ("error_description", "The user said no"),
            ],
            "without-description": [("error", "login_required")],
            "description-only": [("error_description", "stray words")],
            "repeated": [("error", "access_denied"), ("error", "login_required")],
        }[s["error"]],
        "iss": {
            "absent": [],
            "expected": [("iss", ISSUER)],
            "other-tenant": [("iss", "https://evil.example/")],
            "no-trailing-slash": [("iss", BASE)],
            "repeated": [("iss", ISSUER), ("iss", ISSUER)],
        }[s["iss"]],
        "extra": {
            "none": [],
            "unknown": [("ui", "dark")],
            "unknown-repeated": [("ui", "dark"), ("ui", "light")],
        }[s["extra"]],
    }
    return [pair for slot in s.order for pair in slots[slot]]


# --- the oracle ------------------------------------------------------------------------------

# (error class name, detail): detail is the error's ``argument``, ``error`` or ``claim``.
Failure = tuple[str, str | None]


@attrs.frozen(kw_only=True)
class Expected:
    """Either ``success``, or a failure with one of ``failures`` (several only where the doc
    leaves the order open), plus what must have happened on the way."""

    failures: frozenset[Failure] = frozenset()
    consumed: bool = False  # the callback's transaction was deleted
    exchanged: bool = False  # the code was sent to the token endpoint
    success: bool = False
    description: str | None = None  # an AuthorizationError's error_description


def oracle(
    pairs: Sequence[tuple[str, str]],
    s: Scenario,
    login: Login,
    transactions: Mapping[str, Mapping[str, Any]],
    lie: Mapping[str, Any] | None,
    now: int,
) -> Expected:
    """What completing the callback ``pairs`` must do, from the protocol doc.

    §2.4 [Do]: duplicated parameters are rejected; then state (missing -> ``state`` is a
    required argument), the transaction (none -> MissingTransactionError; it is deleted from
    here on, whatever the outcome), the stored state compared with the returned one
    (StateMismatch), its expiry (§2.3: an expired transaction is a missing one), ``error=``
    (AuthorizationError with the server's words), then ``code`` (required). An ``iss``
    (RFC 9207 §2.4) must equal the issuer before the code is exchanged; the doc does not place
    it relative to ``error`` and ``code``, so either may be reported first. §2.5: the tenant
    answers ``invalid_grant`` for an unknown, used or expired code, or one whose PKCE verifier
    (the transaction's) does not match. §2.6: then the ID token's nonce and exp.
    """
    names = [name for name, _ in pairs]
    if any(names.count(name) > 1 for name in SINGLE_VALUED):
        return Expected(failures=frozenset({("InvalidArgumentError", "url")}))
    params = dict(pairs)
    state = params.get("state")
    if not state:
        return Expected(failures=frozenset({("MissingRequiredArgumentError", "state")}))
    record = lie if lie is not None else transactions.get(TRANSACTION_PREFIX + state)
    if record is None:
        return Expected(failures=frozenset({("MissingTransactionError", None)}))

    def failed(*failures: Failure, description: str | None = None) -> Expected:
        return Expected(failures=frozenset(failures), consumed=True, description=description)

    if record["state"] != state:
        return failed(("StateMismatch", None))
    if now >= record["expires_at"]:
        return failed(("MissingTransactionError", None))
    error, code, iss = params.get("error"), params.get("code"), params.get("iss")
    issuer_failure = [("IssuerValidationError", "iss")] if iss not in (None, ISSUER) else []
    if error is not None:
        return failed(
            ("AuthorizationError", error),
            *issuer_failure,
            description=params.get("error_description"),
        )
    if not code:
        return failed(("MissingRequiredArgumentError", "code"), *issuer_failure)
    if issuer_failure:
        return failed(*issuer_failure)
    code_live = (
        code == login.code
        and s["replay"] == "first-use"
        and now < START + CODE_LIFETIME
        and record["state"] == login.state  # the verifier of the login the code belongs to
    )
    exchanged = attrs.evolve(failed(), exchanged=True)
    if not code_live:
        return attrs.evolve(exchanged, failures=frozenset({("OAuthError", "invalid_grant")}))
    if s["id_token"] == "wrong-nonce":
        return attrs.evolve(exchanged, failures=frozenset({("IdTokenError", "nonce")}))
    if s["id_token"] == "expired":
        return attrs.evolve(exchanged, failures=frozenset({("IdTokenError", "exp")}))
    return attrs.evolve(exchanged, success=True)


def _failure(error: Auth0Error) -> Failure:
    detail = next(
        (getattr(error, a) for a in ("claim", "argument", "error") if hasattr(error, a)), None
    )
    return (type(error).__name__, detail)


def _event(name: str) -> None:
    """Tally outcomes (pytest --hypothesis-show-statistics) when hypothesis runs the test."""
    if currently_in_test_context():
        event(name)


def run_scenario(s: Scenario) -> Expected:
    world = World(lying_store=s["store"] != "honest")
    login = set_up(world, s)
    pairs = callback_pairs(s, login)
    query = urlencode(pairs)
    url = query if s["form"] == "bare-query" else f"{CALLBACK}?{query}"
    transactions_before = dict(world.stores["transaction"])
    expected = oracle(pairs, s, login, transactions_before, world.lie, int(world.clock()))
    result: LoginResult | Auth0Error
    try:
        result = world.run(complete_login_flow(world.client, url, None))
    except Auth0Error as error:
        result = error
    if isinstance(result, Auth0Error):
        _event("{}({})".format(*_failure(result)))
        assert not expected.success, f"{s}: expected success, got {result!r}"
        assert _failure(result) in expected.failures, s
        if expected.description is not None or type(result).__name__ == "AuthorizationError":
            assert getattr(result, "error_description", None) == expected.description
        assert world.stores["state"] == {}, "a failed login wrote a session"
    else:
        _event("success")
        assert expected.success, f"{s}: expected {set(expected.failures)}, got success"
        assert isinstance(result, LoginResult)
        assert world.stores["state"][SESSION_KEY]["user"]["sub"] == USER_ID
        assert result.user["sub"] == USER_ID
    # The transaction is consumed exactly when one was found for the state; nothing else is.
    consumed = {TRANSACTION_PREFIX + str(dict(pairs).get("state"))} if expected.consumed else set()
    assert set(world.stores["transaction"]) == set(transactions_before) - consumed, s
    assert world.token_requests == (1 if expected.exchanged else 0), s
    return expected


SETTINGS = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(s=scenarios())
def test_a_callback_completes_exactly_when_every_rule_holds(s: Scenario) -> None:
    run_scenario(s)


SINGLE_PERTURBATIONS = [
    (axis, variant) for axis, variants in AXES.items() for variant in variants[1:]
]


@pytest.mark.parametrize(
    ("axis", "variant"), SINGLE_PERTURBATIONS, ids=[f"{a}={v}" for a, v in SINGLE_PERTURBATIONS]
)
def test_each_perturbation_alone(axis: str, variant: str) -> None:
    run_scenario(Scenario(choices={**DEFAULT, axis: variant}))


SUCCESS = Expected(consumed=True, exchanged=True, success=True)


def test_the_genuine_callback_completes() -> None:
    assert run_scenario(Scenario(choices=DEFAULT)) == SUCCESS


def test_parameter_order_changes_nothing() -> None:
    reordered = Scenario(choices={**DEFAULT, "iss": "expected"}, order=SLOTS[::-1])
    assert run_scenario(reordered) == SUCCESS


def test_single_perturbations_reach_every_outcome() -> None:
    """The oracle's own coverage: alone, the variants reach every failure and success."""
    reached: set[Failure | str] = set()
    for axis, variant in SINGLE_PERTURBATIONS:
        expected = run_scenario(Scenario(choices={**DEFAULT, axis: variant}))
        reached |= {"success"} if expected.success else set(expected.failures)
    assert reached == {
        "success",
        ("InvalidArgumentError", "url"),
        ("MissingRequiredArgumentError", "state"),
        ("MissingTransactionError", None),
        ("StateMismatch", None),
        ("AuthorizationError", "access_denied"),
        ("AuthorizationError", "login_required"),
        ("IssuerValidationError", "iss"),
        ("MissingRequiredArgumentError", "code"),
        ("OAuthError", "invalid_grant"),
        ("IdTokenError", "nonce"),
        ("IdTokenError", "exp"),
    }
