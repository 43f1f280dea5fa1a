"""Anonymous sessions end to end through both facades (sync, asyncio, trio; in process and on
loopback): ``server_client.anonymous`` creates an ``anon@`` session at the tenant's
``POST /anonymous/token``, keeps it in its own store in the official 1.0.0b20 shape, re-mints
tokens with the session token, and a login carries it over to the user
(``anon_transfer_token``), after which it is cleared.

The negative matrix: no anonymous store, the state store's instance, bad options and metadata,
no session, a corrupt stored session, a session the tenant says is over, a tenant that
refuses or sends no session token, a caller's own transfer ticket, a ticket used twice: each a
typed error, and nothing written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core import HttpRequest
from auth0_core.auth_types import AnonymousSession, CreateAnonymousSessionOptions
from auth0_core.errors import (
    AnonymousSessionCreateError,
    AnonymousSessionTokenError,
    AuthorizationError,
    ConfigurationError,
    InvalidArgumentError,
)
from auth0_core.stores import MemoryStateStore
from auth0_core.tenant.outbox import Email

from .conftest import CALLBACK, CLIENT_ID, CLIENT_SECRET, App

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
STORED_KEYS = {
    "session_token",
    "token_sets",
    "session_expires_at",
    "metadata",
    "created_at",
    "domain",
    "sub",
}


@pytest.fixture
def anon_app(app: App) -> Iterator[App]:
    """The app's client with an anonymous store; the tenant's anonymous state emptied."""
    app.tenant.state.anonymous.reset()
    app.anon_store = MemoryStateStore(clock=app.clock)  # type: ignore[attr-defined]
    app.client = app.make_client(anonymous_store=app.anon_store)  # type: ignore[attr-defined]
    yield app
    app.tenant.state.anonymous.reset()


async def anon(app: App, method: str, *args: Any, **kwargs: Any) -> Any:
    store = app.browser.store_options()
    result = await app.call(
        method, *args, client=app.client.anonymous, store_options=store, **kwargs
    )
    app.browser.absorb(store)
    return result


def stored(app: App) -> dict[str, Any] | None:
    store = app.browser.store_options()
    found: dict[str, Any] | None = app.anon_store.get("_a0_anon", options=store)  # type: ignore[attr-defined]
    return found


def claims(token: str) -> dict[str, Any]:
    import base64

    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


async def test_create_get_token_and_session(anon_app: App) -> None:
    app = anon_app
    created = await anon(app, "create_session", metadata={"cart": ["sku-1"]})
    assert isinstance(created, AnonymousSession)
    assert created.sub is not None
    assert created.sub.startswith("anon@")
    assert claims(created.access_token)["sub"] == created.sub
    assert created.metadata == {"cart": ["sku-1"]}
    assert created.expires_at > app.clock.now
    assert created.access_token not in repr(created)
    record = stored(app)
    assert record is not None
    assert set(record) == STORED_KEYS  # the official AnonymousSessionContext shape
    assert record["sub"] == created.sub
    assert record["created_at"] == int(app.clock.now)
    (entry,) = record["token_sets"]
    assert set(entry) == {"access_token", "expires_at", "audience", "scope", "granted_scope"}
    session = await anon(app, "get_session")
    assert session.sub == created.sub
    assert session.metadata == {"cart": ["sku-1"]}
    assert session.domain == urlsplit(app.base_url).netloc
    assert record["session_token"] not in repr(session)
    # The cached token while it is fresh: no request.
    calls = app.tenant.count("/anonymous/token")
    again = await anon(app, "get_token")
    assert again.access_token == created.access_token
    assert app.tenant.count("/anonymous/token") == calls


async def test_token_for_an_api_and_renewal(anon_app: App) -> None:
    app = anon_app
    created = await anon(app, "create_session", CreateAnonymousSessionOptions(scope="openid"))
    for_api = await anon(app, "get_token", audience=API, scope="read:items")
    assert for_api.access_token != created.access_token
    assert for_api.scope == "read:items"
    assert for_api.sub == created.sub
    assert API in claims(for_api.access_token)["aud"]
    record = stored(app)
    assert record is not None
    assert [(e["audience"], e["scope"]) for e in record["token_sets"]] == [
        (None, "openid"),
        (API, "read:items"),
    ]
    # Within 30 s of its expiry a token is re-minted with the session token.
    app.clock.advance(for_api.expires_at - app.clock.now - 10)
    renewed = await anon(app, "get_token", audience=API, scope="read:items")
    assert renewed.access_token != for_api.access_token
    assert renewed.expires_at > for_api.expires_at


async def test_a_login_carries_the_visitor_over_and_clears_the_session(anon_app: App) -> None:
    app = anon_app
    created = await anon(app, "create_session", {"metadata": {"cart": 2}})
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    assert "anon_transfer_token" in parse_qs(urlsplit(url).query)
    callback = app.browser_login(url)
    store = app.browser.store_options()
    result = await app.call("complete_interactive_login", callback, store_options=store)
    app.browser.absorb(store)
    (transfer,) = app.tenant.state.anonymous.transfers
    assert transfer.anonymous_sub == created.sub
    assert transfer.user_id == result.user["sub"]
    assert transfer.metadata == {"cart": 2}
    assert stored(app) is None
    assert await anon(app, "get_session") is None


async def test_kept_across_a_login_when_asked(anon_app: App) -> None:
    app = anon_app
    app.client = app.make_client(
        anonymous_store=app.anon_store,  # type: ignore[attr-defined]
        clear_anonymous_session_on_login=False,
    )
    created = await anon(app, "create_session")
    await app.login()
    assert (await anon(app, "get_session")).sub == created.sub
    # A logout ends it.
    store = app.browser.store_options()
    await app.call("logout", store_options=store)
    app.browser.absorb(store)
    assert stored(app) is None


async def test_a_passwordless_login_clears_it_too(anon_app: App) -> None:
    app = anon_app
    app.tenant.state.passwordless.reset()
    app.tenant.outbox.take(Email)
    await anon(app, "create_session")
    email = "anon-visitor@example.org"
    await app.call("start", {"email": email}, client=app.client.passwordless)
    (message,) = app.tenant.outbox.take(Email)
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code is not None
    store = app.browser.store_options()
    await app.call(
        "verify",
        {"connection": "email", "email": email, "verification_code": code.group(1)},
        store_options=store,
        client=app.client.passwordless,
    )
    app.browser.absorb(store)
    assert stored(app) is None
    app.tenant.state.passwordless.reset()


async def test_no_session_in_the_store_means_a_plain_login(anon_app: App) -> None:
    app = anon_app
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    assert "anon_transfer_token" not in url
    await anon(app, "create_session")
    await anon(app, "logout")
    assert stored(app) is None
    assert await anon(app, "get_session") is None


async def test_without_an_anonymous_store(app: App) -> None:
    calls = app.tenant.count("/anonymous/token")
    with pytest.raises(ConfigurationError):
        await app.call("create_session", client=app.client.anonymous)
    with pytest.raises(ConfigurationError):
        await app.call("get_token", client=app.client.anonymous)
    with pytest.raises(ConfigurationError):
        await app.call("logout", client=app.client.anonymous)
    assert await app.call("get_session", client=app.client.anonymous) is None
    assert app.tenant.count("/anonymous/token") == calls


async def test_the_state_store_instance_is_refused(app: App) -> None:
    shared = MemoryStateStore(clock=app.clock)
    with pytest.raises(ConfigurationError, match="distinct"):
        app.make_client(state_store=shared, anonymous_store=shared)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"metadata": {"blob": "x" * 1100}}, "metadata_too_large"),
        ({"metadata": {"when": float("nan")}}, "invalid_metadata"),
        ({"options": {"audience": API, "color": "red"}}, "invalid_options"),
        ({"options": {"scope": 3}}, "invalid_options"),
    ],
)
async def test_bad_options_are_refused_before_any_request(
    anon_app: App, kwargs: dict[str, Any], code: str
) -> None:
    app = anon_app
    calls = app.tenant.count("/anonymous/token")
    kwargs = dict(kwargs)  # the parameters are shared by the six modes
    options = kwargs.pop("options", None)
    with pytest.raises(AnonymousSessionCreateError) as refused:
        await anon(app, "create_session", options, **kwargs)
    assert refused.value.code == code
    assert app.tenant.count("/anonymous/token") == calls
    assert stored(app) is None


async def test_tenant_refusals_write_nothing(anon_app: App) -> None:
    app = anon_app
    app.tenant.state.anonymous.settings.enabled = False
    with pytest.raises(AnonymousSessionCreateError) as off:
        await anon(app, "create_session")
    assert off.value.code == "feature_not_enabled"
    assert off.value.status == 403
    app.tenant.state.anonymous.settings.enabled = True
    app.tenant.state.anonymous.settings.clients = ("another-client",)
    with pytest.raises(AnonymousSessionCreateError) as refused:
        await anon(app, "create_session")
    assert refused.value.code == "unauthorized_client"
    assert refused.value.status == 403
    app.tenant.state.anonymous.settings.clients = None
    with pytest.raises(AnonymousSessionCreateError) as bad_scope:
        await anon(app, "create_session", audience=API, scope="read:items launch:rockets")
    assert bad_scope.value.code == "invalid_scope"
    app.tenant.state.anonymous.settings.return_session_token = False
    with pytest.raises(AnonymousSessionCreateError) as missing:
        await anon(app, "create_session")
    assert missing.value.code == "missing_session_token"
    with pytest.raises(AnonymousSessionCreateError) as unknown_api:
        await anon(app, "create_session", audience="https://nowhere.example")
    assert unknown_api.value.code == "invalid_target"
    assert stored(app) is None


async def test_get_token_without_a_session(anon_app: App) -> None:
    with pytest.raises(AnonymousSessionTokenError) as refused:
        await anon(anon_app, "get_token")
    assert refused.value.code == "anonymous_token_error"


async def test_a_session_the_tenant_ended_is_deleted(anon_app: App) -> None:
    app = anon_app
    created = await anon(app, "create_session")
    assert created.session_expires_at is not None
    app.clock.advance(created.session_expires_at - app.clock.now + 1)
    with pytest.raises(AnonymousSessionTokenError) as refused:
        await anon(app, "get_token")
    assert refused.value.code == "session_expired"
    assert stored(app) is None


async def test_an_unknown_session_token_is_deleted(anon_app: App) -> None:
    app = anon_app
    await anon(app, "create_session")
    app.tenant.state.anonymous.sessions.clear()  # the tenant forgot it
    with pytest.raises(AnonymousSessionTokenError) as refused:
        await anon(app, "get_token", audience=API)
    assert refused.value.code == "invalid_session_token"
    assert stored(app) is None


async def test_a_corrupt_stored_session_is_deleted(anon_app: App) -> None:
    app = anon_app
    await anon(app, "create_session")
    record = stored(app)
    assert record is not None
    store = app.browser.store_options()
    app.anon_store.set("_a0_anon", {**record, "extra": 1}, options=store)  # type: ignore[attr-defined]
    app.browser.absorb(store)
    assert await anon(app, "get_session") is None
    with pytest.raises(AnonymousSessionTokenError) as refused:
        await anon(app, "get_token")
    assert refused.value.code == "invalid_session_state"
    assert stored(app) is None


async def test_a_callers_own_transfer_ticket_is_refused(anon_app: App) -> None:
    app = anon_app
    store = app.browser.store_options()
    with pytest.raises(InvalidArgumentError):
        await app.call(
            "start_interactive_login",
            {"authorization_params": {"anon_transfer_token": "someone-elses"}},
            store_options=store,
        )
    assert not store["response"].headers()


async def test_a_ticket_works_once(anon_app: App) -> None:
    app = anon_app
    await anon(app, "create_session")
    store = app.browser.store_options()
    url = await app.call("start_interactive_login", store_options=store)
    app.browser.absorb(store)
    app.browser_login(url)  # the code is issued: the ticket is used
    replay = app.send(HttpRequest(method="GET", url=url))
    location = replay.header("location") or ""
    assert replay.status == 302
    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]
    # Handed to the app, the refusal is an AuthorizationError and no session is written.
    store = app.browser.store_options()
    with pytest.raises(AuthorizationError):
        await app.call("complete_interactive_login", location, store_options=store)
    assert await app.call("get_session", store_options=app.browser.store_options()) is None
    assert len(app.tenant.state.anonymous.transfers) == 1


async def test_the_client_secret_never_shows(anon_app: App) -> None:
    app = anon_app
    await anon(app, "create_session")
    assert CLIENT_SECRET not in repr(app.client.anonymous)
    assert CLIENT_ID in repr(app.client.anonymous)
    assert CALLBACK
