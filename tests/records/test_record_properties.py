"""Properties of the typed records: stored JSON from any writer reads and writes back byte for
byte, records built by the flows survive a round trip, and nothing but InvalidRecordError
(naming a field, never a value) comes out of a bad record."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth0_core.errors import InvalidRecordError
from auth0_core.records import (
    ConnectionTokenSet,
    Session,
    SessionInternal,
    TokenSet,
    Transaction,
)

from .strategies import (
    connection_token_set_wire,
    json_values,
    session_wire,
    texts,
    token_set_wire,
    transaction_wire,
    unix,
    user_claims,
)

Parse = Callable[[Mapping[str, Any]], Any]
KINDS: list[tuple[Parse, st.SearchStrategy[dict[str, Any]]]] = [
    (Session.from_dict, session_wire),
    (Transaction.from_dict, transaction_wire),
    (TokenSet.from_dict, token_set_wire),
    (ConnectionTokenSet.from_dict, connection_token_set_wire),
]
IDS = ["session", "transaction", "token_set", "connection_token_set"]


def dumped(value: Mapping[str, Any]) -> str:
    """The plaintext a store seals: Python's default json.dumps, as both SDKs write it."""
    return json.dumps(value)


def written_back(parse: Parse, stored: Mapping[str, Any]) -> Mapping[str, Any]:
    """What a record read from ``stored`` writes: ``stored``, byte for byte, except that a
    token set's ``requested_scope`` equal to its ``scope`` (an absent scope: null) is left out,
    for an absent ``requested_scope`` reads as ``scope``."""
    if parse == TokenSet.from_dict:
        return without_requested_scope_as_granted(stored)
    if parse == Session.from_dict and "token_sets" in stored:
        sets = [without_requested_scope_as_granted(entry) for entry in stored["token_sets"]]
        return {**stored, "token_sets": sets}  # same key order
    return stored


def without_requested_scope_as_granted(stored: Mapping[str, Any]) -> dict[str, Any]:
    scope = stored.get("scope")
    return {k: v for k, v in stored.items() if k != "requested_scope" or v != scope}


@pytest.mark.parametrize(("parse", "wire"), KINDS, ids=IDS)
def test_stored_json_writes_back_byte_for_byte(
    parse: Parse, wire: st.SearchStrategy[dict[str, Any]]
) -> None:
    @given(wire)
    def check(stored: dict[str, Any]) -> None:
        record = parse(stored)
        assert dumped(record.to_dict()) == dumped(written_back(parse, stored))
        assert parse(record.to_dict()) == record

    check()


@st.composite
def _token_sets(draw: st.DrawFn) -> TokenSet:
    """Token sets as the flows build them: requested with the scope they were granted (the
    usual case), with another, or without saying (None; or left to the default: the scope)."""
    scope = draw(texts)
    requested = draw(st.sampled_from(["granted", "other", "none", "default"]))
    extra: dict[str, Any] = {}
    if requested != "default":
        extra["requested_scope"] = {"granted": scope, "none": None}.get(requested, draw(texts))
    return TokenSet(
        audience=draw(texts),
        access_token=draw(texts),
        scope=scope,
        expires_at=draw(unix),
        obtained_at=draw(unix),
        **extra,
    )


token_sets = _token_sets()
connection_token_sets = st.builds(
    ConnectionTokenSet,
    connection=texts,
    login_hint=st.none() | texts,
    access_token=texts,
    scope=st.none() | texts,
    expires_at=unix,
    obtained_at=unix,
)
sessions = st.builds(
    Session,
    user=user_claims,
    id_token=st.none() | texts,
    refresh_token=st.none() | texts,
    token_sets=st.lists(token_sets, max_size=3).map(tuple),
    connection_token_sets=st.lists(connection_token_sets, max_size=2).map(tuple),
    domain=texts,
    internal=st.builds(
        SessionInternal,
        sid=texts,
        created_at=unix,
        last_seen=unix,
        session_expires_at=st.none() | unix,
        expires_at=unix,
    ),
)
transactions = st.builds(
    Transaction,
    flow=st.sampled_from(["login", "link", "unlink"]),
    state=texts,
    nonce=texts,
    code_verifier=texts,
    redirect_uri=texts,
    audience=st.none() | texts,
    scope=texts,
    max_age=st.none() | st.integers(min_value=0, max_value=10**6),
    organization=st.none() | texts,
    app_state=json_values,
    domain=texts,
    created_at=unix,
    expires_at=unix,
    expected_sub=st.none() | texts,
    browser_binding=st.none() | texts,
)


@given(st.one_of(sessions, transactions, token_sets, connection_token_sets))
def test_records_built_by_the_flows_round_trip(record: Any) -> None:
    again = type(record).from_dict(json.loads(json.dumps(record.to_dict())))
    assert again == record
    assert dumped(again.to_dict()) == dumped(record.to_dict())


def test_a_new_record_is_written_in_the_shape_the_dict_code_wrote() -> None:
    login = Transaction(
        flow="login",
        state="s",
        nonce="n",
        code_verifier="v",
        redirect_uri="r",
        scope="openid",
        created_at=1,
        expires_at=2,
    )
    assert list(login.to_dict()) == [
        "flow",
        "state",
        "nonce",
        "code_verifier",
        "redirect_uri",
        "audience",
        "scope",
        "max_age",
        "organization",
        "app_state",
        "domain",
        "created_at",
        "expires_at",
        "browser_binding",  # a login has no expected_sub key at all
    ]
    link = Transaction(**{**attrs_fields(login), "flow": "link", "expected_sub": "auth0|1"})
    assert list(link.to_dict())[-2:] == ["expected_sub", "browser_binding"]


def attrs_fields(record: Any) -> dict[str, Any]:
    import attrs

    return attrs.asdict(record, recurse=False)


@pytest.mark.parametrize(("parse", "wire"), KINDS, ids=IDS)
def test_any_json_object_parses_or_raises_invalid_record(
    parse: Parse, wire: st.SearchStrategy[dict[str, Any]]
) -> None:
    @given(st.one_of(st.dictionaries(texts, json_values, max_size=6), json_values))
    def check(value: Any) -> None:
        with contextlib.suppress(InvalidRecordError):
            parse(value)

    check()


WRONG: list[Any] = [None, True, 1.5, "x", 7, [], {}]


@pytest.mark.parametrize(("parse", "wire"), KINDS, ids=IDS)
def test_a_spoiled_member_names_the_field_and_never_a_value(
    parse: Parse, wire: st.SearchStrategy[dict[str, Any]]
) -> None:
    @given(wire, st.data())
    def check(stored: dict[str, Any], data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(stored)))
        spoiled = dict(stored)
        spoiled[key] = data.draw(st.sampled_from(WRONG))
        if data.draw(st.booleans()):
            del spoiled[key]
        error: InvalidRecordError | None = None
        try:
            parse(spoiled)
        except InvalidRecordError as exc:
            error = exc
        if error is None:
            return  # still valid: the member was optional, or another writer's
        assert error.field.split(".")[0].split("[")[0] == key
        # The message is a fixed sentence about the field: no stored value can be in it.
        assert (
            str(error)
            == f"The stored {error.record} is not valid: '{error.field}' {error.problem}."
        )
        assert error.problem in PROBLEMS

    check()


PROBLEMS = {
    "is missing",
    "must be an object",
    "must be a list",
    "must be a string",
    "must be a string or null",
    "must be an integer",
    "must be an integer or null",
    "must be a non-empty string",
    "must not be negative",
    "is not a flow this SDK completes",
    "is a format version this SDK does not read",
}


@pytest.mark.parametrize(
    ("parse", "stored", "field"),
    [
        (Transaction.from_dict, {"v": 2}, "v"),
        (Transaction.from_dict, {"v": "1"}, "v"),
        (Transaction.from_dict, {"v": True}, "v"),
        (Transaction.from_dict, {"flow": "connect"}, "flow"),
        (Transaction.from_dict, {"max_age": -1}, "max_age"),
        (Transaction.from_dict, {"expires_at": 1.0}, "expires_at"),
        (Session.from_dict, {"internal": {"sid": "s", "created_at": 1, "v": 2}}, "internal.v"),
        (Session.from_dict, {"internal": None}, "internal"),
        (Session.from_dict, {"user": {"name": "no sub"}}, "user.sub"),
        (Session.from_dict, {"token_sets": {}}, "token_sets"),
        (Session.from_dict, {"token_sets": [{"access_token": "a"}]}, "token_sets[0].expires_at"),
    ],
)
def test_what_does_not_validate(parse: Parse, stored: dict[str, Any], field: str) -> None:
    valid = VALID[parse]
    with pytest.raises(InvalidRecordError) as caught:
        parse({**valid, **stored})
    assert caught.value.field == field
    assert caught.value.code == "invalid_record"


VALID: dict[Parse, dict[str, Any]] = {
    Transaction.from_dict: {
        "flow": "login",
        "state": "s",
        "nonce": "n",
        "code_verifier": "v",
        "redirect_uri": "https://app/cb",
        "scope": "openid",
        "created_at": 1,
        "expires_at": 2,
    },
    Session.from_dict: {"user": {"sub": "auth0|1"}, "internal": {"sid": "S", "created_at": 1}},
}


def test_version_one_may_be_written_out() -> None:
    stored = {**VALID[Transaction.from_dict], "v": 1}
    assert Transaction.from_dict(stored).to_dict() == stored


SECRETS = ("SECRET-AT", "SECRET-RT", "SECRET-IDT", "SECRET-VERIFIER", "SECRET-BINDING")


def test_no_secret_in_any_repr() -> None:
    token_set = TokenSet(audience="a", access_token=SECRETS[0], scope="s", expires_at=1)
    session = Session(
        user={"sub": "auth0|1", "email": "SECRET-EMAIL"},
        id_token=SECRETS[2],
        refresh_token=SECRETS[1],
        token_sets=(token_set,),
        connection_token_sets=(
            ConnectionTokenSet(
                connection="g", login_hint=None, access_token=SECRETS[0], scope=None, expires_at=1
            ),
        ),
        domain="t",
        internal=SessionInternal(sid="SECRET-SID", created_at=1),
        extra={"x": "SECRET-EXTRA"},
    )
    transaction = Transaction(
        flow="login",
        state="s",
        nonce="SECRET-NONCE",
        code_verifier=SECRETS[3],
        redirect_uri="r",
        scope="openid",
        app_state={"SECRET-APP": 1},
        created_at=1,
        expires_at=2,
        browser_binding=SECRETS[4],
    )
    for record in (token_set, session, transaction):
        assert "SECRET" not in repr(record)


def test_records_are_frozen_and_their_mappings_read_only() -> None:
    session = Session.from_dict(VALID[Session.from_dict])
    with pytest.raises(AttributeError):
        session.domain = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        session.user["sub"] = "someone else"  # type: ignore[index]


def test_requested_scope_is_stored_only_when_it_is_not_the_scope() -> None:
    import attrs

    same = TokenSet(
        audience="a",
        access_token="t",
        scope="read write",
        requested_scope="read write",
        expires_at=1,
    )
    assert list(same.to_dict()) == ["audience", "access_token", "scope", "expires_at"]
    assert TokenSet.from_dict(same.to_dict()) == same
    assert TokenSet.from_dict(same.to_dict()).asked_scopes == {"read", "write"}
    # Left out, it defaults to the scope, as an absent one reads.
    assert TokenSet(audience="a", access_token="t", scope="x", expires_at=1).requested_scope == "x"
    other = attrs.evolve(same, requested_scope="read")
    assert other.to_dict()["requested_scope"] == "read"
    assert TokenSet.from_dict(other.to_dict()) == other
    unsaid = attrs.evolve(same, requested_scope=None)
    assert unsaid.to_dict()["requested_scope"] is None
    assert TokenSet.from_dict(unsaid.to_dict()) == unsaid
    assert unsaid.asked_scopes == {"read", "write"}


def test_a_session_an_earlier_version_wrote_loses_only_its_repeated_requested_scope() -> None:
    stored: dict[str, Any] = {
        "user": {"sub": "auth0|1", "nonce": "n-of-an-earlier-login"},
        "id_token": "idt",
        "refresh_token": None,
        "token_sets": [
            {
                "audience": "default",
                "access_token": "at1",
                "scope": "openid",
                "requested_scope": "openid",
                "expires_at": 2,
                "obtained_at": 1,
            },
            {
                "audience": "api",
                "access_token": "at2",
                "scope": "read write",
                "requested_scope": "read",
                "expires_at": 2,
                "obtained_at": 1,
            },
        ],
        "connection_token_sets": [],
        "domain": "t",
        "internal": {"sid": "S", "created_at": 1, "last_seen": 1, "expires_at": 9},
    }
    session = Session.from_dict(stored)
    written = session.to_dict()
    assert written["user"] == stored["user"]  # a stored user's claims are all kept
    first = {k: v for k, v in stored["token_sets"][0].items() if k != "requested_scope"}
    assert json.dumps(written["token_sets"]) == json.dumps([first, stored["token_sets"][1]])
    assert Session.from_dict(written) == session
    assert session.token_sets[0].requested_scope == "openid"
