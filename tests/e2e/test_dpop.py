"""DPoP (RFC 9449) end to end in every mode (sync, asyncio, trio; in process and over
loopback) against the emulated tenant's proof checks: tokens bound to the client's key, the one
nonce retry per server, bound tokens presented with the DPoP scheme to the My Account API."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from auth0_core.errors import MyAccountApiError
from auth0_core.stores import CookieStateStore
from auth0_core.tenant.vault import Vault

from .conftest import CALLBACK, SECRET, App

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("tenant_restored")]
ME_SCOPES = "create:me:connected_accounts read:me:connected_accounts delete:me:connected_accounts"
ALICE = "auth0|alice"
RSA_PEM = (
    rsa.generate_private_key(public_exponent=65537, key_size=2048)
    .private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    .decode()
)


@pytest.fixture
def tenant_restored(app: App) -> Iterator[None]:
    """The loopback tenant is shared by the whole run: put its settings and vault back."""
    yield
    settings = app.tenant.settings
    settings.dpop_require_nonce = settings.my_account_require_dpop = False
    state = app.tenant.state
    state.vault = Vault(state.config, state.env)


def me(app: App) -> str:
    return f"{app.base_url}/me/"


def dpop_client(app: App, **options: Any) -> Any:
    """A DPoP client (a generated key unless one is given) whose /me/ tokens carry every
    connected-accounts scope, made the app's client."""
    params = {"redirect_uri": CALLBACK, "scope": {me(app): ME_SCOPES}}
    app.client = app.make_client(authorization_params=params, **(options or {"dpop": True}))
    return app.client


def thumbprint(client: Any) -> str:
    key = client.config.dpop
    assert key is not None
    return str(key.thumbprint)


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    value = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert isinstance(value, dict)
    return value


async def call(app: App, method: str, *args: Any, **kwargs: Any) -> Any:
    """``method`` with the browser's cookies, absorbing what it sets."""
    store_options = app.browser.store_options()
    result = await app.call(method, *args, store_options=store_options, **kwargs)
    app.browser.absorb(store_options)
    return result


def statuses(app: App, since: int, prefix: str) -> list[int]:
    """The statuses of the requests to paths starting with ``prefix`` since log entry
    ``since``."""
    return [entry.status for entry in app.tenant.log[since:] if entry.path.startswith(prefix)]


def stored_sets(session: dict[str, Any], audience: str) -> list[dict[str, Any]]:
    return [entry for entry in session["token_sets"] if entry["audience"] == audience]


async def test_login_and_refresh_bind_tokens_to_our_key(app: App) -> None:
    client = dpop_client(app)
    jkt = thumbprint(client)
    await app.login()
    session = await call(app, "get_session")
    (login_set,) = session["token_sets"]
    assert login_set["token_type"] == "DPoP"
    assert login_set["dpop_jkt"] == jkt
    assert claims(login_set["access_token"])["cnf"] == {"jkt": jkt}
    # The login token runs out: a refresh brings another token, bound to the same key.
    app.clock.advance(login_set["expires_at"] - app.clock.now - 30)
    refreshes = app.tenant.count("/oauth/token", grant_type="refresh_token")
    token = await call(app, "get_access_token")
    assert token != login_set["access_token"]
    assert claims(token)["cnf"] == {"jkt": jkt}
    assert app.tenant.count("/oauth/token", grant_type="refresh_token") == refreshes + 1
    # MRRT for another API: bound as well, and stored as such.
    me_token = await call(app, "get_access_token", audience=me(app))
    assert claims(me_token)["cnf"] == {"jkt": jkt}
    (me_set,) = stored_sets(await call(app, "get_session"), me(app))
    assert (me_set["token_type"], me_set["dpop_jkt"]) == ("DPoP", jkt)


async def test_a_user_supplied_rsa_key_signs_ps256_proofs(app: App) -> None:
    client = dpop_client(app, dpop_key=RSA_PEM, dpop_alg="PS256")
    await app.login()
    token = await call(app, "get_access_token", audience=me(app))
    assert claims(token)["cnf"] == {"jkt": thumbprint(client)}
    page = await call(app, "list_connected_accounts")
    assert len(page.accounts) == len(app.tenant.connected_accounts(ALICE))


async def test_a_nonce_costs_one_retry_per_server_and_then_none(app: App) -> None:
    app.tenant.settings.dpop_require_nonce = True
    app.tenant.settings.my_account_require_dpop = True
    app.tenant.add_connected_accounts(ALICE, connection="github")
    dpop_client(app)
    start = len(app.tenant.log)
    await app.login()
    # The code exchange: challenged once (400 use_dpop_nonce), then answered.
    assert statuses(app, start, "/oauth/token") == [400, 200]
    # The success answer brought the current nonce: MRRT and Token Vault go straight through.
    mark = len(app.tenant.log)
    await call(app, "get_access_token", audience=me(app))
    await call(app, "get_access_token_for_connection", {"connection": "github"})
    assert statuses(app, mark, "/oauth/token") == [200, 200]
    # The My Account API is another server with nonces of its own: one retry, then none.
    mark = len(app.tenant.log)
    first = await call(app, "list_connected_accounts", connection="github")
    assert [account.connection for account in first.accounts] == ["github"]
    assert statuses(app, mark, "/me/") == [401, 200]
    mark = len(app.tenant.log)
    await call(app, "list_connected_accounts")
    await call(app, "list_connected_account_connections")
    assert statuses(app, mark, "/me/") == [200, 200]
    assert statuses(app, start, "/oauth/token").count(400) == 1


async def test_a_bound_token_reaches_an_api_that_requires_dpop(app: App) -> None:
    app.tenant.settings.my_account_require_dpop = True
    app.tenant.add_connected_accounts(ALICE, 2, connection="github")
    dpop_client(app)
    await app.login()
    page = await call(app, "list_connected_accounts", connection="github")
    assert len(page.accounts) == 2
    # The same API refuses the bearer tokens of a client without DPoP.
    app.client = app.make_client(authorization_params={"redirect_uri": CALLBACK})
    app.browser.cookies.clear()
    await app.login()
    with pytest.raises(MyAccountApiError) as info:
        await call(app, "list_connected_accounts")
    assert info.value.status == 401


async def test_a_new_key_refreshes_tokens_bound_to_the_old_one(app: App) -> None:
    # The session lives in the browser's cookie, so it outlives the process that wrote it.
    dpop_client(app, dpop=True, state_store=CookieStateStore(SECRET, secure=False))
    await app.login()
    await call(app, "get_access_token", audience=me(app))
    # Another process (a new generated key) serves the same browser.
    restarted = dpop_client(app, dpop=True, state_store=CookieStateStore(SECRET, secure=False))
    refreshes = app.tenant.count("/oauth/token", grant_type="refresh_token")
    token = await call(app, "get_access_token", audience=me(app))
    assert claims(token)["cnf"] == {"jkt": thumbprint(restarted)}
    assert app.tenant.count("/oauth/token", grant_type="refresh_token") == refreshes + 1
    (me_set,) = stored_sets(await call(app, "get_session"), me(app))
    assert me_set["dpop_jkt"] == thumbprint(restarted)
    page = await call(app, "list_connected_accounts")
    assert len(page.accounts) == len(app.tenant.connected_accounts(ALICE))


async def test_client_credentials_tokens_are_bound_too(app: App) -> None:
    client = dpop_client(app)
    token = await app.call("get_client_credentials_token", f"{app.base_url}/api/v2/")
    assert claims(token)["cnf"] == {"jkt": thumbprint(client)}


@pytest.mark.usefixtures("fresh_user_directory")
async def test_the_management_api_gets_bound_tokens_with_the_dpop_scheme(app: App) -> None:
    dpop_client(app)
    app.tenant.settings.dpop_require_nonce = True  # the resource's nonce challenge too
    since = len(app.tenant.log)
    linked = await app.call(
        "link_user_accounts", "auth0|alice", user_id="github|4242", merge_user_metadata=True
    )
    assert ("github", "4242") in [(i["provider"], str(i["user_id"])) for i in linked]
    remaining = await app.call("unlink_user_accounts", "auth0|alice", "github", "github|4242")
    assert ("github", "4242") not in [(i["provider"], str(i["user_id"])) for i in remaining]
    # One challenge at the token endpoint and one at the Management API, then none:
    assert statuses(app, since, "/oauth/token") == [400, 200]
    # (the challenged get again), get, patch (the metadata merge), link (201), unlink.
    assert statuses(app, since, "/api/v2/") == [401, 200, 200, 200, 201, 200]


async def test_fifty_callers_share_one_refresh_through_a_nonce_challenge(app: App) -> None:
    app.tenant.settings.dpop_require_nonce = True
    app.client = app.make_client(dpop=True)  # memory store, no store_options: one session
    url = await app.call("start_interactive_login")
    await app.call("complete_interactive_login", app.browser_login(url))
    session = await app.call("get_session")
    # A day later: the login token has expired and the nonce the client holds is stale.
    app.clock.advance(session["token_sets"][0]["expires_at"] - app.clock.now - 30)
    mark = len(app.tenant.log)
    results = await app.concurrently(50, "get_access_token")
    assert len(results) == 50  # a caller that raised left no result
    assert len(set(results)) == 1
    answered = statuses(app, mark, "/oauth/token")
    # One refresh went through; every challenge (at least one) was answered by a shared retry,
    # so the refresh token was presented once and its family is intact.
    assert answered.count(200) == 1
    assert answered.count(400) >= 1
    assert claims(results[0])["cnf"] == {"jkt": thumbprint(app.client)}
    assert await app.call("get_access_token") == results[0]
