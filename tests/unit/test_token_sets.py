"""The pure token-set rules: which set answers, freshness, merging (protocol doc §4.4, §4.7)."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth0_core._token_sets import (
    MAX_TOKEN_SETS,
    find_connection_token_set,
    find_token_set,
    is_fresh,
    with_connection_token_set,
    with_token_set,
)
from auth0_core.errors import InvalidRecordError
from auth0_core.records import ConnectionTokenSet, TokenSet


def ts(audience: str, requested: str, granted: str | None = None, **extra: Any) -> TokenSet:
    return TokenSet.from_dict(
        {
            "audience": audience,
            "requested_scope": requested,
            "scope": requested if granted is None else granted,
            "access_token": f"at-{audience}-{requested}",
            "expires_at": 2_000,
            **extra,
        }
    )


def cts(connection: str, login_hint: str | None, access_token: str) -> ConnectionTokenSet:
    return ConnectionTokenSet.from_dict(
        {
            "connection": connection,
            "login_hint": login_hint,
            "access_token": access_token,
            "expires_at": 2_000,
        }
    )


SETS = [ts("api", "read write admin"), ts("api", "read write"), ts("api", "read"), ts("me", "x")]


@pytest.mark.parametrize(
    ("audience", "scope", "expected"),
    [
        ("api", "read", "read"),  # exact match wins over supersets
        ("api", "write", "read write"),  # smallest superset
        ("api", "admin", "read write admin"),
        ("api", "", "read"),  # nothing asked: any set for the audience, the smallest
        ("api", "delete", None),
        ("other", "read", None),
        ("me", "x", "x"),
    ],
)
def test_find_token_set(audience: str, scope: str, expected: str | None) -> None:
    found = find_token_set(SETS, audience, scope)
    assert (found.requested_scope if found else None) == expected


def test_granted_scope_also_satisfies_a_request() -> None:
    # Asked for "read", granted "read write": a later request for "write" is covered.
    sets = [ts("api", "read", granted="read write")]
    assert find_token_set(sets, "api", "write") is sets[0]


def test_official_sdk_sets_without_requested_scope_still_match() -> None:
    legacy = TokenSet.from_dict(
        {
            "audience": "default",
            "scope": "openid profile",
            "access_token": "a",
            "expires_at": 9,
        }
    )
    assert find_token_set([legacy], "default", "openid") is legacy


@pytest.mark.parametrize(
    ("now", "obtained_at", "expires_at", "fresh"),
    [
        (1_000, None, 1_061, True),  # 61 s left, leeway 60
        (1_000, None, 1_060, False),  # within the leeway: refresh early
        (1_000, 990, 1_030, True),  # 40 s token: skew is capped at half its life (20 s)
        (1_011, 990, 1_030, False),
        (1_000, None, 999, False),
    ],
)
def test_freshness(now: int, obtained_at: int | None, expires_at: int, fresh: bool) -> None:
    entry = {"access_token": "a", "expires_at": expires_at, "obtained_at": obtained_at}
    assert is_fresh(TokenSet.from_dict(entry), now, leeway=60) is fresh


@pytest.mark.parametrize(
    "entry",
    [
        {},
        {"access_token": "a"},
        {"access_token": "", "expires_at": 5_000},
        {"access_token": "a", "expires_at": "soon"},
        {"access_token": "a", "expires_at": True},
    ],
)
def test_malformed_sets_are_never_fresh(entry: dict[str, Any]) -> None:
    try:
        token_set = TokenSet.from_dict(entry)
    except InvalidRecordError:
        return  # not a token set: a session holding it reads as no session
    assert not is_fresh(token_set, 0, leeway=0)


def test_with_token_set_replaces_same_key_and_caps_size() -> None:
    sets = with_token_set(SETS, ts("api", "write read", access_token="new"))
    assert [s.access_token for s in sets if s.requested_scope in ("read write", "write read")] == [
        "new"
    ]
    many: tuple[TokenSet, ...] = ()
    for index in range(MAX_TOKEN_SETS + 5):
        many = with_token_set(many, ts(f"api{index}", "read"))
    assert len(many) == MAX_TOKEN_SETS
    assert many[-1].audience == f"api{MAX_TOKEN_SETS + 4}"


def test_connection_sets_are_keyed_by_connection_and_login_hint() -> None:
    sets = with_connection_token_set([], cts("g", None, "1"))
    sets = with_connection_token_set(sets, cts("g", "a@x", "2"))
    sets = with_connection_token_set(sets, cts("g", None, "3"))
    assert len(sets) == 2
    assert find_connection_token_set(sets, "g", None).access_token == "3"  # type: ignore[union-attr]
    assert find_connection_token_set(sets, "g", "a@x").access_token == "2"  # type: ignore[union-attr]
    assert find_connection_token_set(sets, "g", "b@x") is None


scopes = st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True).map(" ".join)


@given(stored=st.lists(scopes, max_size=6), wanted=scopes)
def test_found_set_always_covers_the_request(stored: list[str], wanted: str) -> None:
    sets = [ts("api", s) for s in stored]
    found = find_token_set(sets, "api", wanted)
    covering = [s for s in stored if set(wanted.split()) <= set(s.split())]
    if not covering:
        assert found is None
    else:
        assert found is not None
        assert found.requested_scope is not None
        assert set(wanted.split()) <= set(found.requested_scope.split())
        assert len(found.requested_scope.split()) == min(len(c.split()) for c in covering)


def test_token_defaults_per_audience() -> None:
    from auth0_core._config import make_config
    from auth0_core.flows.tokens import token_defaults

    def config(**params: Any) -> Any:
        return make_config(
            domain="t.example",
            client_id="c",
            client_secret="s",
            secret="x" * 32,
            authorization_params=params,
        )

    me = "https://t.example/me/"
    as_dict = config(audience="https://api", scope={"https://api": "openid read", me: "read:me"})
    assert token_defaults(as_dict, None) == ("https://api", "openid read")
    assert token_defaults(as_dict, me) == (me, "read:me")
    assert token_defaults(as_dict, "https://other") == ("https://other", "")
    as_string = config(scope="openid profile offline_access")
    assert token_defaults(as_string, None) == ("default", "openid profile offline_access")
    # A string is the login's scope: other audiences get only what the call asks for.
    assert token_defaults(as_string, "https://api") == ("https://api", "")
    with_default_key = config(scope={"default": "openid email"})
    assert token_defaults(with_default_key, None) == ("default", "openid email")
