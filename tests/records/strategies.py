"""Hypothesis strategies for the stored JSON of each record, as any writer may shape it.

A wire object has its required members, each optional member absent, null or set, members of
other writers, and its keys in any order: what the official SDK, an older or newer version of
this SDK, or a store that re-serializes may hand back.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from auth0_core.records import VERSION_KEY

Strategy = st.SearchStrategy[Any]

texts = st.text(max_size=10)
unix = st.integers(min_value=0, max_value=2**33)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


def _wire(required: dict[str, Strategy], optional: dict[str, Strategy]) -> Strategy:
    known = set(required) | set(optional) | {VERSION_KEY}
    others = st.dictionaries(
        st.text(min_size=1, max_size=8).filter(lambda key: key not in known),
        json_values,
        max_size=3,
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        members = {key: draw(value) for key, value in required.items()}
        for key, value in optional.items():
            if draw(st.booleans()):
                members[key] = draw(value)
        members.update(draw(others))
        order = draw(st.permutations(list(members)))
        return {key: members[key] for key in order}

    return build()


def _versioned(members: dict[str, Strategy]) -> dict[str, Strategy]:
    # Version 1 may be written out (a future writer of version 1 records may do so).
    return {**members, VERSION_KEY: st.just(1)}


@st.composite
def _requested_as_granted(draw: st.DrawFn, wire: Strategy) -> dict[str, Any]:
    """``wire``, whose ``requested_scope`` (when present) is often its ``scope`` again: what
    older versions of this SDK wrote for every set requested with the scope it was granted."""
    value: dict[str, Any] = draw(wire)
    if "requested_scope" in value and draw(st.booleans()):
        value["requested_scope"] = value.get("scope")
    return value


token_set_wire = _requested_as_granted(
    _wire(
        {"access_token": texts, "expires_at": unix},
        {
            "audience": st.none() | texts,
            "scope": st.none() | texts,
            "requested_scope": st.none() | texts,
            "obtained_at": st.none() | unix,
        },
    )
)
connection_token_set_wire = _wire(
    {"connection": texts, "access_token": texts, "expires_at": unix},
    {"login_hint": st.none() | texts, "scope": st.none() | texts, "obtained_at": st.none() | unix},
)
internal_wire = _wire(
    {"sid": texts, "created_at": unix},
    _versioned(
        {
            "last_seen": st.none() | unix,
            "session_expires_at": st.none() | unix,
            "expires_at": st.none() | unix,
        }
    ),
)
user_claims = st.builds(
    lambda sub, claims: {"sub": sub, **claims},
    st.text(min_size=1, max_size=10),
    st.dictionaries(texts.filter(lambda key: key != "sub"), json_values, max_size=4),
)
session_wire = _wire(
    {"user": user_claims, "internal": internal_wire},
    {
        "id_token": st.none() | texts,
        "refresh_token": st.none() | texts,
        "token_sets": st.lists(token_set_wire, max_size=3),
        "connection_token_sets": st.lists(connection_token_set_wire, max_size=2),
        "domain": st.none() | texts,
    },
)
transaction_wire = _wire(
    {
        "flow": st.sampled_from(["login", "link", "unlink"]),
        "state": texts,
        "nonce": texts,
        "code_verifier": texts,
        "redirect_uri": texts,
        "scope": texts,
        "created_at": unix,
        "expires_at": unix,
    },
    _versioned(
        {
            "audience": st.none() | texts,
            "max_age": st.none() | st.integers(min_value=0, max_value=10**6),
            "organization": st.none() | texts,
            "app_state": json_values,
            "domain": st.none() | texts,
            "expected_sub": st.none() | texts,
            "browser_binding": st.none() | texts,
        }
    ),
)
