"""Minted tokens are accepted where the tenant's own are, and refused once broken: an access
token by resource servers (an app's API checking the JWKS, the tenant's ``/userinfo``), an ID
token by the facade's login, a logout token by ``handle_backchannel_logout`` (called directly,
through an app's endpoint, and as the tenant itself delivers it). User-style projects run by
``pytester`` with the plugin loaded by its entry point."""

from __future__ import annotations

import pytest

from .projects import CONFTEST_DICT, STARLETTE_APP
from .test_plugin import run

pytest_plugins = ["pytester"]

API_FIXTURE = """
import pytest

import auth0_anyio
from app import create_app

@pytest.fixture
def browser(auth0_tenant, auth0_browser):
    http = auth0_tenant.httpx_client()
    auth0 = auth0_anyio.ServerClient(
        **auth0_tenant.client_options(),
        secret="a-long-random-secret-for-the-session-cookies",
        authorization_params={"redirect_uri": "http://localhost/auth/callback"},
        http_client=auth0_tenant.httpx_client(),
    )
    return auth0_browser(create_app(auth0, http, auth0_tenant.domain))
"""


def test_access_tokens_pass_resource_server_checks(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT + API_FIXTURE)
    pytester.makepyfile(app=STARLETTE_APP)
    pytester.makepyfile(
        """
        import time

        from auth0_core import HttpRequest

        API = "https://api.example.com"

        def call(browser, token):
            return browser.get("/api/items", headers={"Authorization": f"Bearer {token}"})

        def test_the_apps_api(browser, auth0_tokens):
            token = auth0_tokens.access_token(API, user="grace@example.com")
            claims = auth0_tokens.claims(token)
            assert claims["aud"] == API and claims["scope"] == "read:items write:items"
            assert call(browser, token).json() == {"items": ["a", "b"], "for": "auth0|grace"}
            machine = auth0_tokens.machine_token(API, scope="read:items")
            assert call(browser, machine).json()["for"] == "my-app@clients"

        def test_broken_on_purpose_they_are_refused(browser, auth0_tokens):
            assert call(browser, auth0_tokens.access_token("https://other.example")).status == 401
            expired = auth0_tokens.access_token(API, claims={"exp": int(time.time()) - 60})
            assert call(browser, expired).status == 401
            narrow = auth0_tokens.access_token(API, scope="write:items")
            assert call(browser, narrow).status == 403

        def test_the_tenants_userinfo(auth0_tenant, auth0_tokens):
            token = auth0_tokens.access_token(API, user="ada@example.com", scope="openid email")
            answer = auth0_tenant.handle(HttpRequest(
                method="GET", url=auth0_tenant.base_url + "/userinfo",
                headers=(("Authorization", f"Bearer {token}"),),
            ))
            assert answer.status == 200
            assert answer.json_or_none() == {
                "sub": "auth0|ada", "email": "ada@example.com", "email_verified": True
            }
        """
    )
    run(pytester, passed=3)


def test_id_tokens_pass_the_facades_validation(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT)
    pytester.makepyfile(
        """
        import json

        import pytest

        import auth0_requests
        from auth0_core import HttpResponse
        from auth0_core.errors import IdTokenError

        ROLES = "https://app.example/roles"

        def login(auth0_tenant, auth0_browser, id_token):
            # The tenant answers the code exchange; its ID token is swapped for a minted one
            # (with the login's nonce and sid), as an Action adding claims would.
            def tenant(request):
                answer = auth0_tenant.handle(request)
                if not request.url.endswith("/oauth/token"):
                    return answer
                body = json.loads(answer.body)
                issued = auth0_tenant.tokens.claims(body["id_token"])
                body["id_token"] = id_token(nonce=issued["nonce"], sid=issued["sid"])
                return HttpResponse(status=200, headers=answer.headers,
                                    body=json.dumps(body).encode())

            client = auth0_requests.ServerClient(
                **auth0_tenant.client_options(),
                secret="a-long-random-secret-for-the-session-cookies",
                authorization_params={"redirect_uri": "http://localhost/auth/callback"},
                session=auth0_tenant.requests_session(handler=tenant),
            )
            browser = auth0_browser()
            with browser.store_options() as store:
                url = client.start_interactive_login(store_options=store)
            callback = browser.authorize(url, "ada@example.com")
            with browser.store_options() as store:
                client.complete_interactive_login(callback, store_options=store)
            with browser.store_options() as store:
                return client.get_user(store_options=store)

        def test_a_minted_id_token_is_the_sessions_user(auth0_tenant, auth0_browser, auth0_tokens):
            def minted(**login):
                return auth0_tokens.id_token("ada@example.com", claims={ROLES: ["admin"]}, **login)

            user = login(auth0_tenant, auth0_browser, minted)
            assert user["sub"] == "auth0|ada" and user[ROLES] == ["admin"]

        @pytest.mark.parametrize("broken", [{"aud": "another-app"}, {"iss": "https://evil/"}])
        def test_a_broken_one_is_refused(auth0_tenant, auth0_browser, auth0_tokens, broken):
            def minted(**login):
                return auth0_tokens.id_token("ada@example.com", claims=broken, **login)

            with pytest.raises(IdTokenError):
                login(auth0_tenant, auth0_browser, minted)
        """
    )
    run(pytester, passed=3)


def test_logout_tokens_pass_handle_backchannel_logout(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT + API_FIXTURE)
    pytester.makepyfile(app=STARLETTE_APP)
    pytester.makepyfile(
        """
        import pytest

        import auth0_requests
        from auth0_core.errors import BackchannelLogoutError

        def test_called_on_the_facade(auth0_tenant, auth0_browser, auth0_tokens):
            client = auth0_requests.ServerClient(  # memory stores: sessions on the server
                **auth0_tenant.client_options(),
                secret="a-long-random-secret-for-the-session-cookies",
                authorization_params={"redirect_uri": "http://localhost/auth/callback"},
                session=auth0_tenant.requests_session(),
            )
            browser = auth0_browser()
            with browser.store_options() as store:
                url = client.start_interactive_login(store_options=store)
            with browser.store_options() as store:
                client.complete_interactive_login(browser.authorize(url), store_options=store)
            [session] = auth0_tenant.sessions("ada@example.com")
            token = auth0_tokens.logout_token("ada@example.com", sid=session["sid"])
            assert client.handle_backchannel_logout(token) is None
            with browser.store_options() as store:
                assert client.get_user(store_options=store) is None
            with pytest.raises(BackchannelLogoutError) as replayed:
                client.handle_backchannel_logout(token)
            assert replayed.value.reason == "replayed"
            stale = auth0_tokens.logout_token("ada@example.com", omit=["events"])
            with pytest.raises(BackchannelLogoutError):
                client.handle_backchannel_logout(stale)

        def test_posted_to_the_apps_endpoint(browser, auth0_tokens):
            browser.login("grace@example.com", path="/profile")
            token = auth0_tokens.logout_token("grace@example.com")  # every session of grace
            answer = browser.post("/auth/backchannel-logout/", form={"logout_token": token})
            assert answer.status == 200
            assert browser.get("/profile", follow_redirects=False).status == 303

        def test_delivered_by_the_tenant(browser, auth0_tenant):
            browser.login("ada@example.com", path="/profile")
            assert browser.get("/profile").json()["sub"] == "auth0|ada"
            auth0_tenant.tenant.end_sessions("auth0|ada")  # as an administrator would
            [delivery] = browser.deliver_backchannel_logouts()
            assert delivery.result.status == 200
            assert browser.get("/profile", follow_redirects=False).status == 303
        """
    )
    run(pytester, passed=3)
