"""The typed records against the official auth0-server-python 1.0.0b20, in both directions.

Sessions: what the official SDK writes (its pydantic ``StateData`` dumped, and the dicts its own
refresh and Token Vault code store) reads into our Session and writes back byte for byte,
sealed both ways; what we write reads in the official model and through the official client.
Transactions: ours read in the official model and back; the official SDK's have no ``state``
or ``nonce`` and read as no transaction.
"""

from __future__ import annotations

import json
import time
import warnings
from typing import Any

import pytest
from auth0_server_python import encryption as official  # type: ignore[import-untyped]

with warnings.catch_warnings():  # Authlib 1.9 warns on import about its httpx glue
    import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401

    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from auth0_server_python.auth_server import (  # type: ignore[import-untyped]
        server_client as official_client,
    )
from auth0_server_python.auth_types import (  # type: ignore[import-untyped]
    ConnectionTokenSet as OfficialConnectionTokenSet,
)
from auth0_server_python.auth_types import (
    StateData,
    TransactionData,
    UserClaims,
)
from auth0_server_python.auth_types import (
    TokenSet as OfficialTokenSet,
)
from auth0_server_python.store.abstract import (  # type: ignore[import-untyped]
    StateStore,
    TransactionStore,
)
from auth0_server_python.utils.helpers import State  # type: ignore[import-untyped]

from auth0_core import Env, FixedClock
from auth0_core._config import make_config
from auth0_core._seal import seal, unseal
from auth0_core._session import new_session, rolled
from auth0_core.endpoints.authentication.token import TokenResponse
from auth0_core.errors import InvalidRecordError
from auth0_core.records import Session, Transaction

SECRET = "a-session-secret-of-at-least-32-characters"
SESSION_ID = "_a0_session"
SCOPE = "openid profile email offline_access"
NOW = int(time.time())  # the official client checks expiry against the real clock


def official_state() -> Any:
    return StateData(
        user=UserClaims(sub="auth0|123", name="Zoë", email="z@example.com", sid="S1"),
        id_token="eyJ.id.sig",
        refresh_token="v1.MRrT",
        token_sets=[
            OfficialTokenSet(
                audience="default", access_token="at", scope=SCOPE, expires_at=NOW + 3600
            )
        ],
        connection_token_sets=[
            OfficialConnectionTokenSet(
                audience="default",
                access_token="gat",
                scope="email",
                expires_at=NOW + 600,
                connection="google-oauth2",
                login_hint="z@example.com",
            )
        ],
        domain="t.eu.auth0.com",
        internal={"sid": "S1", "created_at": NOW, "session_expires_at": None},
        app_specific={"theme": "dark"},  # the model keeps unknown top-level members
    )


def test_official_session_reads_and_writes_back_byte_for_byte_sealed_both_ways() -> None:
    written = official_state().model_dump()
    sealed = official.encrypt(written, SECRET, SESSION_ID)

    session = Session.from_dict(unseal(sealed, [SECRET], SESSION_ID))
    rewritten = session.to_dict()

    assert json.dumps(rewritten) == json.dumps(written)
    opened = official.decrypt(seal(rewritten, SECRET, SESSION_ID), SECRET, SESSION_ID)
    assert json.dumps(opened) == json.dumps(written)
    assert StateData.model_validate(opened) == official_state()
    assert session.sub == "auth0|123"
    assert session.connection_token_sets[0].extra == {"audience": "default"}
    assert session.extra == {"app_specific": {"theme": "dark"}}


def test_sessions_the_official_refresh_and_vault_code_store_read_back_byte_for_byte() -> None:
    written = official_state().model_dump()
    # A refresh without an audience stores its set under audience None (protocol doc §4.4).
    refreshed = State.update_state_data(
        None, written, {"access_token": "at2", "scope": "openid", "expires_in": 60}
    )
    vaulted = State.update_state_data_for_connection_token_set(
        {"connection": "github", "login_hint": None},
        refreshed,
        {"access_token": "ghat", "scope": None, "expires_in": 60},
    )
    for stored in (refreshed, vaulted):
        assert json.dumps(Session.from_dict(stored).to_dict()) == json.dumps(stored)
    assert Session.from_dict(vaulted).token_sets[-1].audience is None


def test_our_read_modify_write_keeps_what_the_official_sdk_wrote() -> None:
    written = official_state().model_dump()
    config = make_config(
        domain="t.eu.auth0.com",
        client_id="c",
        client_secret="s",
        secret=SECRET,
        env=Env(clock=FixedClock(NOW + 120)),
    )
    seen = rolled(config, Session.from_dict(written), NOW + 120).to_dict()

    assert {k: v for k, v in seen.items() if k != "internal"} == {
        k: v for k, v in written.items() if k != "internal"
    }
    assert list(seen) == list(written)
    assert list(seen["internal"]) == [*written["internal"], "last_seen", "expires_at"]
    assert StateData.model_validate(seen) == official_state()


def our_session(**config_options: Any) -> Session:
    config = make_config(
        domain="t.eu.auth0.com",
        client_id="c",
        client_secret="s",
        secret=SECRET,
        env=Env(clock=FixedClock(NOW)),
        **config_options,
    )
    tokens = TokenResponse(
        access_token="our-at",
        token_type="Bearer",
        expires_in=3600,
        scope=SCOPE,
        id_token="eyJ.ours.sig",
        refresh_token="v1.ours",
    )
    claims = {"sub": "auth0|123", "sid": "S9", "iat": NOW, "email": "z@example.com"}
    return new_session(
        config, claims=claims, tokens=tokens, audience=None, requested_scope=SCOPE, now=NOW
    )


def test_our_session_reads_in_the_official_model_sealed_both_ways() -> None:
    ours = our_session().to_dict()
    opened = official.decrypt(seal(ours, SECRET, SESSION_ID), SECRET, SESSION_ID)
    model = StateData.model_validate(opened)
    assert model.user.sub == "auth0|123"
    assert model.refresh_token == "v1.ours"
    assert model.token_sets[0].model_dump() == {
        "audience": "default",
        "access_token": "our-at",
        "scope": SCOPE,
        "expires_at": NOW + 3600,
    }
    assert model.internal.sid == "S9"
    back = Session.from_dict(
        unseal(official.encrypt(ours, SECRET, SESSION_ID), [SECRET], SESSION_ID)
    )
    assert json.dumps(back.to_dict()) == json.dumps(ours)


def test_a_version_inside_internal_is_ignored_by_the_official_model() -> None:
    # Why the session's format version, once written, lives in internal: the official SDK
    # ignores members of internal it does not know.
    ours = our_session().to_dict()
    ours["internal"]["v"] = 1
    assert StateData.model_validate(ours).internal.sid == "S9"
    assert Session.from_dict(ours).to_dict() == ours


def test_the_official_sdk_merges_a_refresh_into_our_session_and_we_read_it() -> None:
    ours = our_session().to_dict()
    merged = State.update_state_data(
        "https://api", ours, {"access_token": "api-at", "scope": "read", "expires_in": 60}
    )
    session = Session.from_dict(merged)
    assert [s.audience for s in session.token_sets] == ["default", "https://api"]
    assert session.token_sets[0].requested_scope == SCOPE  # ours, untouched by the official
    assert json.dumps(session.to_dict()) == json.dumps(merged)


class Store(StateStore, TransactionStore):  # type: ignore[misc]
    def __init__(self, value: dict[str, Any] | None = None) -> None:
        super().__init__({"secret": SECRET})
        self.data: dict[str, Any] = {SESSION_ID: value} if value else {}

    async def set(
        self, identifier: str, state: Any, remove_if_expires: bool = False, options: Any = None
    ) -> None:
        self.data[identifier] = state

    async def get(self, identifier: str, options: Any = None) -> Any:
        return self.data.get(identifier)

    async def delete(self, identifier: str, options: Any = None) -> None:
        self.data.pop(identifier, None)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the official SDK is asyncio-only


@pytest.mark.anyio
async def test_the_official_client_serves_our_session() -> None:
    session = our_session()
    client = official_client.ServerClient(
        domain="t.eu.auth0.com",
        client_id="c",
        client_secret="s",
        secret=SECRET,
        authorization_params={"redirect_uri": "https://app/cb", "scope": SCOPE},
        transaction_store=Store(),
        state_store=Store(session.to_dict()),
    )
    assert await client.get_session() == session.public_dict()
    assert await client.get_user() == dict(session.user)
    assert await client.get_access_token() == "our-at"  # from our cached set, no request


def our_transaction() -> Transaction:
    return Transaction(
        flow="login",
        state="abc",
        nonce="n0nce",
        code_verifier="v" * 64,
        redirect_uri="https://app.example.com/callback",
        audience="https://api.example.com",
        scope=SCOPE,
        organization="org_1",
        app_state={"returnTo": "/dashboard"},
        domain="t.eu.auth0.com",
        created_at=NOW,
        expires_at=NOW + 600,
        browser_binding="0" * 64,
    )


def test_our_transaction_reads_in_the_official_model_and_back() -> None:
    transaction = our_transaction()
    identifier = "_a0_tx:abc"
    opened = official.decrypt(seal(transaction.to_dict(), SECRET, identifier), SECRET, identifier)
    model = TransactionData.model_validate(opened)
    assert (model.code_verifier, model.redirect_uri, model.audience) == (
        transaction.code_verifier,
        transaction.redirect_uri,
        transaction.audience,
    )
    assert (model.app_state, model.domain, model.organization) == (
        transaction.app_state,
        transaction.domain,
        transaction.organization,
    )
    # The official model writes its own members first and adds auth_session: still ours.
    dumped = model.model_dump()
    back = Transaction.from_dict(
        unseal(official.encrypt(dumped, SECRET, identifier), [SECRET], identifier)
    )
    assert back == Transaction.from_dict({**transaction.to_dict(), "auth_session": None})
    assert back.extra == {"auth_session": None}


def test_an_official_transaction_is_not_one_we_complete() -> None:
    theirs = TransactionData(code_verifier="v" * 64, redirect_uri="https://app/cb").model_dump()
    with pytest.raises(InvalidRecordError) as caught:
        Transaction.from_dict(theirs)
    assert caught.value.record == "transaction"
