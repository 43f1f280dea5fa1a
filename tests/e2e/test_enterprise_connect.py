"""Enterprise Connect end to end through both facades (sync, asyncio, trio; in process and on
loopback): ``start_enterprise_login`` asks the tenant by WebFinger whether the e-mail's domain
is one of its enterprise domains, starts the login with the e-mail as ``login_hint`` (the
tenant routes it to the domain's connection and organization, whose upstream page signs the
user in), and with ``enterprise_connect=True`` the login returns the verified user and tokens
and writes no session; the session calls are refused.

The negative matrix: no e-mail, a malformed one, an unmanaged domain, wrong upstream
credentials, an error callback, a replayed callback: each a typed error (or None for an
unmanaged domain), and nothing written.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from auth0_core.auth_types import LogoutOptions, StartEnterpriseLoginOptions
from auth0_core.errors import (
    AuthorizationError,
    EnterpriseConnectError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
    MissingTransactionError,
)
from auth0_core.tenant.browser import BrowserLoginError, browser_login_flow

from .conftest import App, run_sync

pytestmark = pytest.mark.anyio

DOMAIN = "acme-corp.test"
EMAIL = f"carol@{DOMAIN}"
PASSWORD = "carol-upstream-password"
CONNECTION = "acme-oidc"
ORG = "org_acme"


@pytest.fixture
def ec_app(app: App) -> Iterator[App]:
    """An Enterprise Connect client; the tenant with one enterprise domain."""
    app.tenant.state.enterprise.reset()
    app.tenant.state.enterprise.add(
        DOMAIN, CONNECTION, organization=ORG, accounts={EMAIL: PASSWORD}
    )
    app.client = app.make_client(enterprise_connect=True)
    yield app
    app.tenant.state.enterprise.reset()


async def start(app: App, options: Any, client: Any = None) -> Any:
    store = app.browser.store_options()
    url = await app.call("start_enterprise_login", options, store_options=store, client=client)
    app.browser.absorb(store)
    return url


def upstream_login(app: App, url: str, password: str = PASSWORD) -> str:
    flow = browser_login_flow(url, EMAIL, password, allow_error=True)
    return str(run_sync(flow, app.send))


async def complete(app: App, callback: str, client: Any = None) -> Any:
    store = app.browser.store_options()
    result = await app.call(
        "complete_interactive_login", callback, store_options=store, client=client
    )
    app.browser.absorb(store)
    return result


def written_session(app: App) -> bool:
    return any(name.startswith("_a0_session") for name in app.browser.cookies)


async def test_enterprise_login_returns_the_user_and_writes_no_session(ec_app: App) -> None:
    app = ec_app
    url = await start(app, StartEnterpriseLoginOptions(email=EMAIL, app_state={"to": "/x"}))
    assert url is not None
    query = parse_qs(urlsplit(url).query)
    assert query["login_hint"] == [EMAIL]
    assert "organization" not in query  # the tenant resolves it from the e-mail
    result = await complete(app, upstream_login(app, url))
    assert set(result) == {"user", "token_set", "id_token", "domain", "app_state"}
    assert result["user"]["sub"] == f"oidc|{CONNECTION}|{EMAIL}"
    assert result["user"]["email"] == EMAIL
    assert result["user"]["org_id"] == ORG
    assert result["app_state"] == {"to": "/x"}
    assert result["domain"] == urlsplit(app.base_url).netloc
    token_set = result["token_set"]
    assert set(token_set) == {"audience", "access_token", "scope", "expires_at"}
    assert token_set["audience"] == "default"
    assert token_set["expires_at"] > app.clock.now
    assert token_set["access_token"] not in repr(result)
    assert result["id_token"] not in repr(result)
    assert not written_session(app)


async def test_an_unmanaged_domain_answers_none_and_stores_nothing(ec_app: App) -> None:
    app = ec_app
    assert await start(app, {"email": "dave@elsewhere.test"}) is None
    assert app.browser.cookies == {}


async def test_webfinger_answers_are_cached(ec_app: App) -> None:
    app = ec_app
    before = app.tenant.count("/.well-known/webfinger")
    await start(app, {"email": EMAIL})
    await start(app, {"email": f"erin@{DOMAIN.upper()}"})
    assert await start(app, {"email": "x@unknown.test"}) is None
    assert await start(app, {"email": "y@unknown.test"}) is None
    assert app.tenant.count("/.well-known/webfinger") == before + 2
    app.clock.advance(61)  # both answers are stale now
    assert await start(app, {"email": "x@unknown.test"}) is None
    await start(app, {"email": EMAIL})
    assert app.tenant.count("/.well-known/webfinger") == before + 4


async def test_without_enterprise_connect_the_login_writes_a_session(ec_app: App) -> None:
    app = ec_app
    client = app.make_client()
    url = await start(app, {"email": EMAIL}, client=client)
    result = await complete(app, upstream_login(app, url), client=client)
    assert result["state_data"]["user"]["sub"] == f"oidc|{CONNECTION}|{EMAIL}"
    assert written_session(app)


async def test_session_calls_are_refused(ec_app: App) -> None:
    app = ec_app
    store = app.browser.store_options()
    for method, args in [
        ("get_user", ()),
        ("get_session", ()),
        ("get_access_token", ()),
        ("start_link_user", ({"connection": "github"},)),
        ("login_with_custom_token_exchange", ({},)),
    ]:
        with pytest.raises(EnterpriseConnectError) as refused:
            await app.call(method, *args, store_options=store)
        assert refused.value.code == "enterprise_connect_not_supported"
    with pytest.raises(EnterpriseConnectError):
        app.client.build_session_transfer_redirect("https://app.example/login", {})
    with pytest.raises(EnterpriseConnectError):
        _ = app.client.mfa
    with pytest.raises(EnterpriseConnectError):
        _ = app.client.passwordless
    assert await app.call("handle_backchannel_logout", "not-even-a-token") is None
    assert not store["response"].headers()


async def test_logout_warns_without_federated(ec_app: App) -> None:
    app = ec_app
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        url = await app.call("logout", store_options=app.browser.store_options())
        federated = await app.call(
            "logout", LogoutOptions(federated=True), store_options=app.browser.store_options()
        )
    assert url.startswith(app.base_url)
    assert "federated" in federated
    messages = [str(w.message) for w in caught]
    assert len([m for m in messages if "federated=True" in m]) == 1


async def test_configuration_it_ignores_is_warned_about(ec_app: App) -> None:
    app = ec_app
    with pytest.warns(UserWarning, match="organization"):
        client = app.make_client(enterprise_connect=True, organization="org_static")
    url = await start(app, {"email": EMAIL}, client=client)
    assert "organization" not in parse_qs(urlsplit(url).query)
    with pytest.warns(UserWarning, match="offline_access"):
        app.make_client(
            enterprise_connect=True,
            authorization_params={"redirect_uri": app.options["authorization_params"][
                "redirect_uri"], "scope": "openid offline_access"},
        )  # fmt: skip


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (None, MissingRequiredArgumentError),
        ({}, MissingRequiredArgumentError),
        ({"email": "   "}, MissingRequiredArgumentError),
        ({"email": "carol"}, InvalidArgumentError),
        ({"email": "@acme-corp.test"}, InvalidArgumentError),
        ({"email": "carol@"}, InvalidArgumentError),
        ({"email": EMAIL, "colour": "red"}, InvalidArgumentError),
    ],
)
async def test_bad_emails_are_refused_before_any_request(
    ec_app: App, options: Any, error: type[Exception]
) -> None:
    app = ec_app
    before = app.tenant.count("/.well-known/webfinger")
    with pytest.raises(error):
        await start(app, options)
    assert app.tenant.count("/.well-known/webfinger") == before
    assert app.browser.cookies == {}


async def test_wrong_upstream_credentials(ec_app: App) -> None:
    app = ec_app
    url = await start(app, {"email": EMAIL})
    with pytest.raises(BrowserLoginError) as refused:
        upstream_login(app, url, password="wrong")
    assert refused.value.status == 401
    assert not written_session(app)


async def test_an_error_callback_and_a_replay(ec_app: App) -> None:
    app = ec_app
    url = await start(app, {"email": EMAIL})
    state = parse_qs(urlsplit(url).query)["state"][0]
    denied = f"http://127.0.0.1:3000/auth/callback?error=access_denied&state={state}"
    with pytest.raises(AuthorizationError):
        await complete(app, denied)
    url = await start(app, {"email": EMAIL})
    callback = upstream_login(app, url)
    await complete(app, callback)
    with pytest.raises(MissingTransactionError):
        await complete(app, callback)
    assert not written_session(app)
