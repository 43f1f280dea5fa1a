"""What the ``complete_*`` calls return, compared with what the official SDK returns: a real
``dict`` with its keys (``state_data``, then ``app_state`` / ``authorization_details`` when set;
``{"app_state": ...}`` after a link), our extras reachable beside the dict (docs/compatibility.md).
"""

from __future__ import annotations

import copy
import json
import pickle
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core._result import LoginResult

from ..e2e.conftest import App
from ..e2e.test_linking import identities, link

STATE_DATA = {
    "user": {"sub": "auth0|alice", "name": "Alice"},
    "id_token": "eyJ.id.token",
    "refresh_token": "v1.refresh",
    "token_sets": [
        {"audience": "default", "access_token": "at", "scope": "openid", "expires_at": 1}
    ],
    "connection_token_sets": [],
    "domain": None,
    "internal": {"sid": "s", "created_at": 0},
}
# The session keys of the official SessionData/StateData models (auth0_server_python.auth_types).
OFFICIAL_STATE_DATA_KEYS = {
    "user",
    "id_token",
    "refresh_token",
    "token_sets",
    "connection_token_sets",
    "domain",
    "internal",
}


# --- the object, without a tenant -------------------------------------------------------------


def test_a_login_result_is_exactly_the_official_dict() -> None:
    result = LoginResult.login(state_data=STATE_DATA, app_state={"returnTo": "/x"})
    assert isinstance(result, dict)
    assert type(dict(result)) is dict
    assert result == {"state_data": STATE_DATA, "app_state": {"returnTo": "/x"}}
    assert {"state_data": STATE_DATA, "app_state": {"returnTo": "/x"}} == result  # noqa: SIM300 - the dict on the left
    assert json.loads(json.dumps(result)) == result
    assert list(result) == ["state_data", "app_state"]
    assert len(result) == 2


def test_empty_app_state_and_details_are_left_out_as_the_official_sdk_does() -> None:
    app_states: tuple[Any, ...] = (None, {}, "")
    for app_state in app_states:
        result = LoginResult.login(
            state_data=STATE_DATA, app_state=app_state, authorization_details=()
        )
        assert result == {"state_data": STATE_DATA}
        assert "app_state" not in result
        # ... yet indexing answers None (the official SDK raises KeyError here).
        assert result["app_state"] is None
        assert result["authorization_details"] is None
        assert result.get("app_state") is None
        assert result.app_state is None


def test_authorization_details_are_a_json_list() -> None:
    details = ({"type": "payment", "amount": 3},)
    result = LoginResult.login(state_data=STATE_DATA, authorization_details=details)
    assert result == {"state_data": STATE_DATA, "authorization_details": [dict(details[0])]}
    assert result.authorization_details == [{"type": "payment", "amount": 3}]
    assert result.get("authorizationDetails") == result["authorization_details"]
    assert json.dumps(result)


def test_extras_are_reachable_but_not_items() -> None:
    result = LoginResult.login(state_data=STATE_DATA, app_state={"returnTo": "/x"})
    assert result.user == {"sub": "auth0|alice", "name": "Alice"}
    assert result.state_data == STATE_DATA
    assert result.app_state == {"returnTo": "/x"}
    assert result.get("appState") == {"returnTo": "/x"}
    assert result["appState"] == {"returnTo": "/x"}
    assert result.get("nope", 7) == 7
    assert "user" not in result
    with pytest.raises(KeyError):
        result["user"]
    with pytest.raises(KeyError):
        result["nope"]


def test_a_link_result_is_exactly_the_official_dict() -> None:
    user = {"sub": "auth0|alice"}
    assert LoginResult.link(app_state=None, user=user) == {"app_state": None}
    result = LoginResult.link(app_state={"return_to": "/d"}, user=user)
    assert result == {"app_state": {"return_to": "/d"}}
    assert result.get("appState") == {"return_to": "/d"}
    assert result.user == user
    assert result.state_data is None
    assert json.dumps(result) == '{"app_state": {"return_to": "/d"}}'


def test_repr_hides_tokens_but_the_dict_keeps_them() -> None:
    result = LoginResult.login(state_data=STATE_DATA)
    text = repr(result)
    for token in ("eyJ.id.token", "v1.refresh", "'at'"):
        assert token not in text
    assert "auth0|alice" in text
    assert result["state_data"]["refresh_token"] == "v1.refresh"


def test_copies_and_pickles_keep_the_extras() -> None:
    result = LoginResult.login(state_data=STATE_DATA, app_state="a")
    for clone in (copy.copy(result), copy.deepcopy(result), pickle.loads(pickle.dumps(result))):
        assert isinstance(clone, LoginResult)
        assert clone == result
        assert clone.user == result.user


# --- through both facades, against the emulated tenant -----------------------------------------


@pytest.mark.anyio
async def test_complete_interactive_login_returns_the_official_shape(app: App) -> None:
    result = await app.login(options={"app_state": {"returnTo": "/x"}})
    assert isinstance(result, dict)
    assert isinstance(result, LoginResult)
    assert set(result) == {"state_data", "app_state"}
    assert result["app_state"] == {"returnTo": "/x"}
    state_data = result["state_data"]
    assert set(state_data) >= OFFICIAL_STATE_DATA_KEYS
    assert state_data["user"]["sub"] == "auth0|alice"  # examples/Passwordless.md reads this
    assert state_data["refresh_token"]
    assert state_data["internal"]["sid"]
    assert json.loads(json.dumps(result)) == result
    # The session written is the one returned (get_session leaves out "internal").
    session = await app.call("get_session", store_options=app.browser.store_options())
    assert session == {k: v for k, v in state_data.items() if k != "internal"}
    assert result.user == session["user"]


@pytest.mark.anyio
async def test_a_login_without_app_state_returns_state_data_only(app: App) -> None:
    result = await app.login()
    assert list(result) == ["state_data"]
    assert result.get("app_state") is None


@pytest.mark.anyio
@pytest.mark.usefixtures("fresh_user_directory")
async def test_complete_link_user_returns_only_app_state(app: App) -> None:
    await app.login()
    options = {"connection": "github", "app_state": {"return_to": "/dashboard"}}
    result: Any = await link(app, options, "alice.gh@example.com", "alice-github-password")
    assert result == {"app_state": {"return_to": "/dashboard"}}
    assert result.get("appState") == {"return_to": "/dashboard"}  # examples/UserLinking.md
    assert result.user["sub"] == "auth0|alice"
    assert ("github", "4242") in identities(app)


@pytest.mark.anyio
async def test_start_link_user_without_connection_sends_none(app: App) -> None:
    # examples/UserLinking.md passes options without a connection; the official SDK starts
    # the flow anyway. We send no requested_connection (it sends the text "None").
    await app.login()
    for method in ("start_link_user", "start_unlink_user"):
        url = await app.call(
            method,
            {"app_state": {"return_to": "/d"}},
            store_options=app.browser.store_options(),
        )
        sent = parse_qs(urlsplit(url).query)
        assert "requested_connection" not in sent
        assert "requested_connection_scope" not in sent
        assert sent["id_token_hint"]
