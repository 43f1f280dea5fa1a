"""Flask and Django apps behind one small browser interface, so that one suite of scenarios
runs through both frameworks' own test clients."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from auth0_core.tenant import Tenant

from .helpers import SetCookie, parse_set_cookies


class Reply:
    def __init__(self, status: int, location: str | None, cookies: list[str], text: str):
        self.status = status
        self.location = location
        self.cookies: list[SetCookie] = parse_set_cookies(cookies)
        self.text = text

    def json(self) -> Any:
        return json.loads(self.text)


class FlaskSite:
    """A Flask app (``http://localhost``) and its test client as the browser."""

    host = "localhost"

    def __init__(self, tenant: Tenant, **settings: Any) -> None:
        from auth0_flask import Auth0

        from .flask.apps import flask_app, make_client

        self.tenant = tenant
        self.client = make_client(tenant, **settings.pop("client", {}))
        self.auth0 = Auth0(self.client, **settings)
        self.app = flask_app(self.auth0)
        self.http = self.app.test_client()

    def browser(self) -> FlaskSite:
        other = object.__new__(FlaskSite)
        other.__dict__.update(self.__dict__)
        other.http = self.app.test_client()
        return other

    def _reply(self, response: Any) -> Reply:
        return Reply(
            response.status_code,
            response.headers.get("Location"),
            response.headers.getlist("Set-Cookie"),
            response.get_data(as_text=True),
        )

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        https: bool = False,
    ) -> Reply:
        base = f"{'https' if https else 'http'}://{self.host}"
        return self._reply(
            self.http.get(url, query_string=params, headers=headers or {}, base_url=base)
        )

    def post(self, path: str, data: dict[str, str], https: bool = False) -> Reply:
        base = f"{'https' if https else 'http'}://{self.host}"
        return self._reply(self.http.post(path, data=data, base_url=base))

    def cookie(self, name: str) -> str | None:
        found = self.http.get_cookie(name, domain=self.host)
        return None if found is None else found.value

    def set_cookie(self, name: str, value: str) -> None:
        self.http.set_cookie(name, value, domain=self.host)

    def close(self) -> None:
        self.client.close()


def configure_django() -> None:
    """Django's settings for the test project (once per process)."""
    import django
    from django.conf import settings

    if settings.configured:
        return
    settings.configure(
        DEBUG=False,
        SECRET_KEY="django-test-key-not-a-secret",
        ALLOWED_HOSTS=["testserver", "localhost", "127.0.0.1"],
        ROOT_URLCONF="tests.integrations.django.urls",
        INSTALLED_APPS=["auth0_django"],
        MIDDLEWARE=[
            "django.middleware.csrf.CsrfViewMiddleware",
            "auth0_django.middleware.Auth0Middleware",
        ],
        AUTH0={},
        USE_TZ=True,
    )
    django.setup()


class DjangoSite:
    """The Django test project (``http://testserver``) and Django's test client."""

    host = "testserver"

    def __init__(self, tenant: Tenant, **settings: Any) -> None:
        configure_django()
        from django.test import Client, override_settings

        from .flask.apps import make_client

        self.tenant = tenant
        self.client = make_client(tenant, **settings.pop("client", {}))
        self.auth0 = None
        urlconf = "tests.integrations.django.urls"
        if settings.get("prefix") == "/sso":
            urlconf = "tests.integrations.django.urls_sso"
        setting = {
            "CLIENT": self.client,
            "BASE_URL": settings.get("base_url"),
            "SECURE_COOKIES": settings.get("secure_cookies"),
            "LOGIN_PARAMS": settings.get("login_params"),
            "ERROR_PAGE": settings.get("error_page"),
        }
        self.override = override_settings(AUTH0=setting, ROOT_URLCONF=urlconf)
        self.override.enable()
        self.http = Client(raise_request_exception=False)

    def browser(self) -> DjangoSite:
        from django.test import Client

        other = object.__new__(DjangoSite)
        other.__dict__.update(self.__dict__)
        other.http = Client(raise_request_exception=False)
        return other

    def _reply(self, response: Any) -> Reply:
        return Reply(
            response.status_code,
            response.headers.get("Location"),
            [morsel.OutputString() for morsel in response.cookies.values()],
            response.content.decode(),
        )

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        https: bool = False,
    ) -> Reply:
        return self._reply(self.http.get(url, params, headers=headers, secure=https))

    def post(self, path: str, data: dict[str, str], https: bool = False) -> Reply:
        # What a browser's form sends (Django's client would send multipart).
        body = urlencode(data)
        form = "application/x-www-form-urlencoded"
        return self._reply(self.http.post(path, body, content_type=form, secure=https))

    def cookie(self, name: str) -> str | None:
        found = self.http.cookies.get(name)
        return None if found is None or not found.value else found.value

    def set_cookie(self, name: str, value: str) -> None:
        self.http.cookies[name] = value

    def close(self) -> None:
        self.override.disable()
        self.client.close()


Site = FlaskSite | DjangoSite
SITES: dict[str, type[FlaskSite] | type[DjangoSite]] = {"flask": FlaskSite, "django": DjangoSite}
