"""The pytest plugin as a user meets it: user-style test files run by ``pytester`` in a fresh
pytest session that loads ``auth0_core.testing`` through its ``pytest11`` entry point (the
package is installed, editable, in the venv), never with ``-p``."""

from __future__ import annotations

import importlib.metadata

import pytest

from .projects import CONFTEST_DICT, FLASK_APP, STARLETTE_APP, TOML

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str, passed: int, failed: int = 0) -> pytest.RunResult:
    """Run the project's tests as its user would: ``pytest`` in a fresh interpreter (which also
    keeps each project's modules and the tenant's lazily loaded ones apart)."""
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=passed, failed=failed)
    return result


def test_the_plugin_is_the_auth0_core_entry_point_of_pytest11() -> None:
    found = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "auth0_core"]
    assert [e.value for e in found] == ["auth0_core.testing.plugin"]


def test_pytest_loads_it_by_the_entry_point_with_its_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import auth0_core.testing.plugin

        def test_loaded(request):
            plugin = request.config.pluginmanager.get_plugin("auth0_core")
            assert plugin is auth0_core.testing.plugin
        """
    )
    run(pytester, passed=1)
    listed = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--fixtures").stdout.str()
    for name in (
        "auth0_tenant",
        "auth0_served_tenant",
        "auth0_tenant_config",
        "auth0_browser",
        "auth0_tokens",
    ):
        assert f"{name} -- " in listed or f"{name} [" in listed or f"\n{name}\n" in listed, name


def test_a_suite_that_does_not_use_it_imports_nothing_of_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_loaded():
            loaded = [m for m in sys.modules if m.startswith((
                "auth0_core.tenant", "auth0_core.testing._", "auth0_tenant_server",
                "auth0_requests", "auth0_anyio", "joserfc",
            ))]
            assert loaded == []
            assert "auth0_core.testing.plugin" in sys.modules
        """
    )
    run(pytester, passed=1)


def test_it_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses_it(auth0_tenant):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:auth0_core")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'auth0_tenant' not found*"])


def test_an_in_process_tenant_from_a_dict_for_the_sync_facade(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT)
    pytester.makepyfile(
        """
        import auth0_requests

        def test_login_with_no_socket(auth0_tenant, auth0_browser, monkeypatch):
            import socket
            def refuse(*args, **kwargs):
                raise AssertionError("a socket was opened")
            monkeypatch.setattr(socket, "create_connection", refuse)
            assert auth0_tenant.in_process and auth0_tenant.base_url == "https://tenant.example"
            assert auth0_tenant.client_id == "my-app"
            client = auth0_requests.ServerClient(
                **auth0_tenant.client_options(),
                secret="a-long-random-secret-for-the-session-cookies",
                authorization_params={"redirect_uri": "http://localhost/auth/callback"},
                session=auth0_tenant.requests_session(),
            )
            browser = auth0_browser()
            with browser.store_options() as store:
                url = client.start_interactive_login(store_options=store)
            callback = browser.authorize(url, "grace@example.com")
            with browser.store_options() as store:
                client.complete_interactive_login(callback, store_options=store)
            with browser.store_options() as store:
                assert client.get_user(store_options=store)["name"] == "Grace Hopper"
            assert auth0_tenant.tenant.count("/oauth/token") == 1

        def test_each_test_gets_a_fresh_tenant(auth0_tenant):
            assert auth0_tenant.tenant.count() == 0
            assert auth0_tenant.sessions() == []
        """
    )
    run(pytester, passed=2)


def test_a_served_tenant_from_a_toml_file_named_in_the_ini(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", tenant=TOML)
    pytester.makeini("[pytest]\nauth0_tenant_config = tenant.toml\n")
    pytester.makepyfile(
        """
        import socket

        import auth0_requests

        PORTS = []

        def test_served_over_http(auth0_served_tenant, auth0_browser):
            tenant = auth0_served_tenant
            assert not tenant.in_process
            assert tenant.base_url.startswith("http://127.0.0.1:")
            assert tenant.issuer == tenant.base_url + "/"
            assert tenant.client_id == "toml-app"
            client = auth0_requests.ServerClient(
                **tenant.client_options(),
                secret="a-long-random-secret-for-the-session-cookies",
                authorization_params={"redirect_uri": "http://127.0.0.1:3000/callback"},
                session=tenant.requests_session(),
            )
            browser = auth0_browser()
            with browser.store_options() as store:
                url = client.start_interactive_login(store_options=store)
            callback = browser.authorize(url)  # the first user, from the TOML file
            with browser.store_options() as store:
                client.complete_interactive_login(callback, store_options=store)
            with browser.store_options() as store:
                assert client.get_user(store_options=store)["name"] == "Linus from TOML"
            PORTS.append(int(tenant.base_url.rsplit(":", 1)[1]))

        def test_the_server_stopped_after_the_test():
            with socket.socket() as probe:
                assert probe.connect_ex(("127.0.0.1", PORTS[0])) != 0
        """
    )
    run(pytester, passed=2)


def test_a_toml_path_or_a_dict_from_an_overridden_fixture(pytester: pytest.Pytester) -> None:
    pytester.makefile(".toml", tenant=TOML)
    pytester.makepyfile(
        """
        import pathlib

        import pytest

        @pytest.fixture
        def auth0_tenant_config():
            return pathlib.Path(__file__).with_name("tenant.toml")

        def test_from_toml(auth0_tenant):
            assert [u.email for u in auth0_tenant.config.users] == ["linus@example.com"]

        class TestFromADict:
            @pytest.fixture
            def auth0_tenant_config(self):
                return {"users": [{"email": "x@example.com", "password": "p"}]}

            def test_default_client_dict_users(self, auth0_tenant):
                assert auth0_tenant.client_id == "demo-client"
                assert auth0_tenant.user().user_id == "auth0|x"

        def test_a_typo_is_an_error():
            from auth0_core.errors import ConfigurationError
            from auth0_core.testing import tenant_config
            with pytest.raises(ConfigurationError, match="usres"):
                tenant_config({"usres": []})
        """
    )
    run(pytester, passed=3)


def test_the_browser_logs_in_and_out_of_an_asgi_app(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT)
    pytester.makepyfile(app=STARLETTE_APP)
    pytester.makepyfile(
        """
        import pytest

        import auth0_anyio
        from app import create_app

        @pytest.fixture(params=["asyncio", "trio"])
        def backend(request):
            return request.param

        @pytest.fixture
        def browser(auth0_tenant, auth0_browser, backend):
            http = auth0_tenant.httpx_client()
            auth0 = auth0_anyio.ServerClient(
                **auth0_tenant.client_options(),
                secret="a-long-random-secret-for-the-session-cookies",
                authorization_params={"redirect_uri": "http://localhost/auth/callback"},
                http_client=auth0_tenant.httpx_client(),
            )
            return auth0_browser(create_app(auth0, http, auth0_tenant.domain), backend=backend)

        def test_login_profile_logout(browser, auth0_tenant):
            assert browser.get("/profile", follow_redirects=False).location == (
                "http://localhost/auth/login"
            )
            page = browser.login("ada@example.com")
            assert page.url == "http://localhost/profile"
            assert page.json()["name"] == "Ada Lovelace"
            assert [r.status for r in page.history][-2:] == [302, 303]  # tenant, then callback
            [session] = auth0_tenant.sessions("ada@example.com")
            assert page.json()["sid"] == session["sid"]
            cookies = list(browser.cookie_jar)
            assert {c.domain for c in cookies} == {"localhost", "tenant.example"}
            assert all(c.http_only for c in cookies if c.domain == "localhost")
            assert browser.logout().json() == {"page": "home"}
            assert browser.get("/profile", follow_redirects=False).status == 303
            assert browser.get("/profile").url.startswith("https://tenant.example/authorize?")
            assert auth0_tenant.sessions("ada@example.com") == []
        """
    )
    run(pytester, passed=2)


def test_the_browser_logs_in_and_out_of_a_wsgi_app(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT)
    pytester.makepyfile(app=FLASK_APP)
    pytester.makepyfile(
        """
        from app import create_app

        def test_login_profile_logout(auth0_tenant, auth0_browser):
            browser = auth0_browser(create_app(auth0_tenant))
            page = browser.login("grace@example.com")
            assert page.path == "/profile"
            assert page.json()["sub"] == "auth0|grace"
            session = browser.cookie("_a0_session_0")
            assert session is not None and session.secure and session.http_only
            assert session.same_site == "Lax"
            assert browser.logout().json() == {"page": "home"}
            assert browser.cookie("_a0_session_0") is None
            assert browser.get("/profile", follow_redirects=False).location.endswith("/auth/login")
        """
    )
    run(pytester, passed=1)


def test_the_browser_on_a_live_url_with_a_served_tenant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(app=FLASK_APP)
    pytester.makepyfile(
        """
        import threading
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        import pytest

        from app import create_app

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        class Later:
            app = None

            def __call__(self, environ, start_response):
                return self.app(environ, start_response)

        @pytest.fixture
        def server():
            later = Later()
            server = make_server("127.0.0.1", 0, later, handler_class=Quiet)
            thread = threading.Thread(target=server.serve_forever)
            thread.start()
            yield server, later, f"http://127.0.0.1:{server.server_port}"
            server.shutdown()
            thread.join()
            server.server_close()

        @pytest.fixture
        def auth0_tenant_config(server):
            url = server[2]
            return {"clients": [{
                "client_id": "live-app", "client_secret": "live-app-secret-0123456789",
                "callbacks": [url + "/auth/callback"], "allowed_logout_urls": [url + "/"],
            }]}

        def test_login_over_real_http(server, auth0_served_tenant, auth0_browser):
            _, later, url = server
            later.app = create_app(auth0_served_tenant, callback=url + "/auth/callback")
            browser = auth0_browser(url)
            page = browser.login()
            assert page.url == url + "/profile"
            assert page.json()["email"] == "alice@example.com"
            assert auth0_served_tenant.tenant.count("/u/login") == 1
            assert browser.logout().json() == {"page": "home"}
            assert auth0_served_tenant.sessions() == []
        """
    )
    run(pytester, passed=1)


def test_a_wrong_password_fails_with_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST_DICT)
    pytester.makepyfile(app=FLASK_APP)
    pytester.makepyfile(
        """
        import pytest

        from app import create_app
        from auth0_core.tenant import BrowserLoginError

        def test_caught(auth0_tenant, auth0_browser):
            browser = auth0_browser(create_app(auth0_tenant))
            with pytest.raises(BrowserLoginError) as caught:
                browser.login("ada@example.com", "wrong")
            assert caught.value.status == 401
            assert browser.get("/profile", follow_redirects=False).status == 302

        def test_not_caught(auth0_tenant, auth0_browser):
            auth0_browser(create_app(auth0_tenant)).login("ada@example.com", "wrong")
        """
    )
    result = run(pytester, passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*BrowserLoginError: the tenant refused the login of 'ada@example.com': "
            "Wrong email or password. (HTTP 401 from POST https://tenant.example/u/login)"
        ]
    )
