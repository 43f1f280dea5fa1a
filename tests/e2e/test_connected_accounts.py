"""Connected Accounts through the My Account API, end to end in every mode (sync, asyncio,
trio; in process and over loopback), with the calls of seed 001 written as the seed writes
them (typos fixed are listed in each test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.errors import (
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    Auth0Error,
    AuthorizationError,
    InvalidArgumentError,
    InvalidResponse,
    MissingRequiredArgumentError,
    MissingTransactionError,
    MyAccountApiError,
    WrongCallbackError,
)
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.browser import browser_connect_flow, browser_deny_connect_flow
from auth0_core.tenant.vault import Vault

from .conftest import CALLBACK, App, run_sync

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("fresh_accounts")]
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
ALICE = "auth0|alice"
BOB = "auth0|bob"


@pytest.fixture
def fresh_accounts(app: App) -> Iterator[None]:
    """The loopback tenant is shared by the whole run: put its vault and settings back."""
    yield
    state = app.tenant.state
    state.vault = Vault(state.config, state.env)
    settings = app.tenant.settings
    settings.repeat_next_cursor = settings.reconnect_conflict = False


def me(app: App) -> str:
    return f"{app.base_url}/me/"


def with_me_defaults(app: App, **overrides: Any) -> Any:
    """A client whose authorization_params give the /me/ audience its default scopes."""
    params = {"redirect_uri": CALLBACK, "scope": {me(app): ME_SCOPES}}
    return app.make_client(authorization_params=params, **overrides)


async def call(app: App, method: str, *args: Any, **kwargs: Any) -> Any:
    """``method`` with the browser's cookies, absorbing what it sets."""
    store_options = app.browser.store_options()
    result = await app.call(method, *args, store_options=store_options, **kwargs)
    app.browser.absorb(store_options)
    return result


def consent(app: App, url: str, *, deny: bool = False) -> str:
    flow = browser_deny_connect_flow(url) if deny else browser_connect_flow(url)
    return str(run_sync(flow, app.send))


async def connect(app: App, connection: str = "github", **options: Any) -> Any:
    url = await call(app, "start_connect_account", {"connection": connection, **options})
    return await call(app, "complete_connect_account", url=consent(app, url))


def grants(app: App) -> int:
    return app.tenant.count("/oauth/token", grant_type="refresh_token")


def my_account_requests(app: App) -> int:
    return sum(1 for entry in app.tenant.log if entry.path.startswith("/me/"))


async def collect(iterator: Any) -> list[Any]:
    if hasattr(iterator, "__aiter__"):
        return [item async for item in iterator]
    return list(iterator)


# --- seed 001 ---------------------------------------------------------------------------------


async def test_seed_connect_list_use_and_delete(app: App) -> None:
    # Seed 001, the constructor with default scopes for the My Account audience. Typo fixed:
    # `"scope" {` is written `"scope": {`. Placeholders: YOUR_AUTH0_DOMAIN is the tenant.
    from auth0_core._options import ConnectAccountOptions

    app.client = app.make_client(
        authorization_params={
            "scope": {
                me(app): "create:me:connected_accounts read:me:connected_accounts "
                "delete:me:connected_accounts",  # scopes required for the My Account audience
            }
        },
    )
    server_client = client = app.client
    request_response = app.browser.store_options()

    # Seed 001: log in with offline_access (the custom API is the tenant's).
    authorization_url = await app.call(
        "start_interactive_login",
        {
            "redirect_uri": CALLBACK,
            "authorization_params": {
                "audience": "https://api.example.com",
                "scope": "offline_access openid profile email read:items",
            },
        },
        store_options=request_response,
    )
    app.browser.absorb(request_response)
    full_callback_url = app.browser_login(authorization_url)
    store_options = app.browser.store_options()
    await app.call("complete_interactive_login", full_callback_url, store_options=store_options)
    app.browser.absorb(store_options)
    assert client is server_client

    # Seed 001, "start_connect_account". Typos fixed: the commas missing after
    # `redirect_uri=...`, `app_state=...` and `scopes=[...]`.
    store_options = app.browser.store_options()
    connect_url = await app.call(
        "start_connect_account",
        ConnectAccountOptions(
            connection="github",
            redirect_uri=CALLBACK,
            app_state={"returnUrl": "SOME_URL"},
            scopes=[
                # scopes to passed to the third-party IdP
                "read:user",
                "repo",
            ],
            authorization_params={
                # additional auth parameters to be sent to the third-party IdP
                "login_hint": "alice@github.example"
            },
        ),
        store_options=store_options,
    )
    app.browser.absorb(store_options)
    assert parse_qs(urlsplit(connect_url).query)["ticket"]
    connect_account_full_callback_url = consent(app, connect_url)
    assert await call(app, "callback_kind", connect_account_full_callback_url) == "connect"

    # Seed 001, "complete_connect_account".
    store_options = app.browser.store_options()
    complete_response = await app.call(
        "complete_connect_account",
        url=connect_account_full_callback_url,
        store_options=store_options,
    )
    app.browser.absorb(store_options)
    assert (complete_response.connection, complete_response.scopes) == (
        "github",
        ["read:user", "repo"],
    )
    assert complete_response.app_state == {"returnUrl": "SOME_URL"}
    assert complete_response.id.startswith("cac_")

    # Seed 001: the Token Vault answers for the connection just connected.
    access_token_for_github = await call(
        app, "get_access_token_for_connection", {"connection": "github"}
    )
    assert access_token_for_github == app.tenant.vault_token(ALICE, "github")

    # Seed 001, "list_connected_account_connections" (the cursor placeholder is a real one).
    available_connections = await call(app, "list_connected_account_connections", take=2)
    assert [c.name for c in available_connections.connections] == ["google-oauth2", "github"]
    following = await call(
        app, "list_connected_account_connections", take=2, from_param=available_connections.next
    )
    assert [c.name for c in following.connections] == ["windowslive"]
    assert following.next is None

    # Seed 001, "list_connected_accounts".
    connected_accounts = await call(
        app, "list_connected_accounts", connection="github", take=5, from_param=None
    )
    assert [a.id for a in connected_accounts.accounts] == [complete_response.id]

    # Seed 001, "delete_connected_account".
    await call(app, "delete_connected_account", connected_account_id=complete_response.id)
    remaining = await call(app, "list_connected_accounts")
    assert [a.connection for a in remaining.accounts] == ["google-oauth2"]  # the seeded one
    with pytest.raises(AccessTokenForConnectionError) as gone:
        await call(app, "get_access_token_for_connection", {"connection": "github"})
    assert isinstance(gone.value, AccountNotConnectedError)

    # Deleting again: a MyAccountApiError, an Auth0Error whose str is the API's detail.
    with pytest.raises(MyAccountApiError) as twice:
        await call(app, "delete_connected_account", connected_account_id=complete_response.id)
    assert twice.value.status == 404
    assert isinstance(twice.value, Auth0Error)
    assert str(twice.value) == twice.value.detail


# --- token cost -------------------------------------------------------------------------------


async def test_default_scopes_make_one_token_serve_every_call(app: App) -> None:
    app.client = with_me_defaults(app)
    await app.login()
    before = grants(app)
    await connect(app)
    await call(app, "list_connected_accounts")
    await call(app, "list_connected_account_connections")
    page = await call(app, "list_connected_accounts", connection="github")
    await call(app, "delete_connected_account", page.accounts[0].id)
    assert grants(app) - before == 1


async def test_without_default_scopes_each_scope_costs_one_token_request(app: App) -> None:
    await app.login()
    before = grants(app)
    await connect(app)  # create: connect and complete share one
    await call(app, "list_connected_accounts")
    page = await call(app, "list_connected_account_connections")  # read: cached
    assert page.connections
    accounts = await call(app, "list_connected_accounts", connection="github")
    await call(app, "delete_connected_account", accounts.accounts[0].id)
    assert grants(app) - before == 3


# --- paging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 10, 11, 95])
async def test_paging_by_hand_and_by_iterator(app: App, count: int) -> None:
    app.client = with_me_defaults(app)
    await app.login(user="bob")
    added = [a["id"] for a in app.tenant.add_connected_accounts(BOB, count)]

    by_hand: list[str] = []
    pages = 0
    cursor = None
    while True:
        page = await call(app, "list_connected_accounts", from_param=cursor)
        pages += 1
        assert len(page.accounts) <= 10
        by_hand += [a.id for a in page.accounts]
        if page.next is None:
            break
        cursor = page.next
    assert by_hand == added
    assert pages == max(1, -(-count // 10))

    before = my_account_requests(app)
    store_options = app.browser.store_options()
    walked = await collect(app.client.iter_connected_accounts(take=20, store_options=store_options))
    assert [a.id for a in walked] == added
    assert my_account_requests(app) - before == max(1, -(-count // 20))


async def test_iterating_connections(app: App) -> None:
    await app.login()
    store_options = app.browser.store_options()
    walked = await collect(
        app.client.iter_connected_account_connections(take=1, store_options=store_options)
    )
    assert [c.name for c in walked] == ["google-oauth2", "github", "windowslive"]


async def test_a_repeated_cursor_ends_the_iterator_with_a_typed_error(app: App) -> None:
    await app.login(user="bob")
    app.tenant.add_connected_accounts(BOB, 30)
    app.tenant.settings.repeat_next_cursor = True
    store_options = app.browser.store_options()
    seen: list[str] = []

    async def walk() -> None:
        iterator = app.client.iter_connected_accounts(take=10, store_options=store_options)
        if hasattr(iterator, "__aiter__"):
            async for account in iterator:
                seen.append(account.id)
        else:
            seen.extend(account.id for account in iterator)

    with pytest.raises(InvalidResponse, match="cursor"):
        await walk()
    assert 10 <= len(seen) <= 30


# --- errors -----------------------------------------------------------------------------------


async def test_bad_arguments_fail_before_any_request(app: App) -> None:
    await app.login()
    before = len(app.tenant.log)
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any], type[Exception]]] = [
        ("start_connect_account", ({},), {}, MissingRequiredArgumentError),
        ("start_connect_account", ({"connection": ""},), {}, InvalidArgumentError),
        (
            "start_connect_account",
            ({"connection": "github", "scopes": "a b"},),
            {},
            InvalidArgumentError,
        ),
        (
            "start_connect_account",
            ({"connection": "github", "authorization_params": {"scope": "x"}},),
            {},
            InvalidArgumentError,
        ),
        (
            "start_connect_account",
            ({"connection": "github", "app_state": {1, 2}},),
            {},
            InvalidArgumentError,
        ),
        ("list_connected_accounts", (), {"take": 0}, InvalidArgumentError),
        ("list_connected_accounts", (), {"take": 21}, InvalidArgumentError),
        ("list_connected_accounts", (), {"connection": ""}, InvalidArgumentError),
        ("list_connected_account_connections", (), {"take": 100}, InvalidArgumentError),
        (
            "delete_connected_account",
            (),
            {"connected_account_id": ""},
            MissingRequiredArgumentError,
        ),
        ("delete_connected_account", ("cac_1/../x",), {}, InvalidArgumentError),
        ("complete_connect_account", (f"{CALLBACK}?state=s",), {}, MissingRequiredArgumentError),
    ]
    for method, args, kwargs, error in cases:
        with pytest.raises(error):
            await call(app, method, *args, **kwargs)
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(InvalidArgumentError):
        await call(app, "start_connect_account", {"connection": "github", "app_state": deep})
    with pytest.raises(InvalidArgumentError):
        app.client.iter_connected_accounts(take=50)
    assert len(app.tenant.log) == before


async def test_the_tenant_refusals_reach_my_account_api_error(app: App) -> None:
    await app.login()
    with pytest.raises(MyAccountApiError) as unknown:
        await call(app, "start_connect_account", {"connection": "myspace"})
    with pytest.raises(MyAccountApiError) as callback:
        await call(
            app,
            "start_connect_account",
            {"connection": "github", "redirect_uri": "https://evil.example/cb"},
        )
    with pytest.raises(MyAccountApiError) as missing:
        await call(app, "delete_connected_account", "cac_doesnotexist")
    with pytest.raises(MyAccountApiError) as cursor:
        await call(app, "list_connected_accounts", from_param="not-a-cursor-it-issued")
    assert cursor.value.validation_errors is not None
    assert [(v.get("field"), v.get("source")) for v in cursor.value.validation_errors] == [
        ("from", "query")
    ]
    assert all(v["detail"] for v in cursor.value.validation_errors)
    for caught, status in ((unknown, 400), (callback, 400), (missing, 404), (cursor, 400)):
        error = caught.value
        assert error.status == status
        assert error.title
        assert error.detail
        assert error.type
        assert str(error) == error.detail


# A tenant of its own configuration runs in process.
@pytest.mark.parametrize("mode", ["sync-inprocess", "asyncio-inprocess", "trio-inprocess"])
async def test_a_missing_scope_is_a_403(mode: str, app: App) -> None:
    document = {
        "clients": [
            {
                "client_id": "demo-client",
                "client_secret": "demo-client-secret-please-change-0123456789",
                "callbacks": [CALLBACK],
                "refresh_token": {
                    "rotation_type": "non-rotating",
                    "policies": [
                        {"audience": "my-account", "scope": ["read:me:connected_accounts"]}
                    ],
                },
            }
        ]
    }
    app.tenant = Tenant(TenantConfig.from_dict(document), base_url=app.base_url, env=app.tenant.env)
    app.handler = app.tenant.handle
    app.client = app.make_client()
    await app.login()
    page = await call(app, "list_connected_accounts")
    assert page.accounts
    with pytest.raises(MyAccountApiError) as caught:
        await call(app, "start_connect_account", {"connection": "github"})
    assert caught.value.status == 403

    # Seed 001's two error-handling snippets, as written but for the call through the harness
    # and the placeholders (redirect_to_login, the example.com callback is an allowed one).
    from auth0_core._options import ConnectAccountOptions

    def redirect_to_login() -> str:
        return "login"

    async def catch_all() -> Any:
        try:
            connect_url = await app.call(
                "start_connect_account",
                ConnectAccountOptions(connection="google-oauth2", redirect_uri=CALLBACK),
                store_options=app.browser.store_options(),
            )
        except Auth0Error as e:
            print(f"Error: {str(e)}")  # noqa: RUF010 - the seed's line, verbatim
            return {"error": "Failed to connect account"}
        return connect_url

    async def by_status() -> Any:
        try:
            connect_url = await app.call(
                "start_connect_account",
                ConnectAccountOptions(connection="google-oauth2", redirect_uri=CALLBACK),
                store_options=app.browser.store_options(),
            )
        except MyAccountApiError as e:
            if e.status == 401:
                return redirect_to_login()  # Token expired
            elif e.status == 403:
                return {"error": "Missing required permission"}  # Missing scope
            elif e.status == 400 and e.validation_errors:
                return {"error": "Validation failed", "details": e.validation_errors}
            raise  # Re-raise other cases
        except Auth0Error as e:
            return {"error": str(e)}
        return connect_url

    assert await catch_all() == {"error": "Failed to connect account"}
    assert await by_status() == {"error": "Missing required permission"}


async def test_a_conflict_on_reconnect_is_a_409(app: App) -> None:
    await app.login()
    app.tenant.settings.reconnect_conflict = True
    hint = {"login_hint": "alice@github.example"}
    await connect(app, authorization_params=hint)
    with pytest.raises(MyAccountApiError) as caught:
        await connect(app, authorization_params=hint)
    assert caught.value.status == 409


# --- callbacks ----------------------------------------------------------------------------------


async def test_each_complete_refuses_the_others_callbacks_and_consumes_nothing(app: App) -> None:
    await app.login()
    connect_callback = consent(
        app, await call(app, "start_connect_account", {"connection": "github"})
    )
    login_url = await call(app, "start_interactive_login")
    login_callback = app.browser_login(login_url)

    assert await call(app, "callback_kind", connect_callback) == "connect"
    assert await call(app, "callback_kind", login_callback) == "login"
    with pytest.raises(WrongCallbackError) as refused:
        await call(app, "complete_interactive_login", connect_callback)
    assert (refused.value.kind, refused.value.expected) == ("connect", "login")
    with pytest.raises(WrongCallbackError) as refused:
        await call(app, "complete_link_user", connect_callback)
    with pytest.raises(WrongCallbackError) as refused:
        await call(app, "complete_connect_account", login_callback)
    assert (refused.value.kind, refused.value.expected) == ("authorization", "connect")
    assert isinstance(refused.value, MissingTransactionError)

    # Nothing was consumed: each completes with its own call.
    account = await call(app, "complete_connect_account", url=connect_callback)
    assert account.connection == "github"
    await call(app, "complete_interactive_login", login_callback)
    with pytest.raises(MissingTransactionError):
        await call(app, "complete_connect_account", url=connect_callback)  # used once


async def test_a_declined_consent(app: App) -> None:
    await app.login()
    url = await call(app, "start_connect_account", {"connection": "github"})
    declined = consent(app, url, deny=True)
    assert await call(app, "callback_kind", declined) == "connect"
    with pytest.raises(AuthorizationError) as caught:
        await call(app, "complete_connect_account", url=declined)
    assert caught.value.error == "access_denied"
    assert [a["connection"] for a in app.tenant.connected_accounts(ALICE)] == ["google-oauth2"]


async def test_another_browser_cannot_complete_the_connect(app: App) -> None:
    await app.login()
    callback = consent(app, await call(app, "start_connect_account", {"connection": "github"}))
    victim_cookies = dict(app.browser.cookies)
    app.browser.cookies = {k: v for k, v in victim_cookies.items() if not k.startswith("_a0_bind")}
    with pytest.raises(MissingTransactionError):
        await call(app, "complete_connect_account", url=callback)
    app.browser.cookies = victim_cookies
    assert (await call(app, "complete_connect_account", url=callback)).connection == "github"
