"""The ``AUTH0`` setting: the client it describes, and the integration's settings.

``AUTH0`` is a dict:

- ``CLIENT``: an ``auth0_requests.ServerClient``, a callable returning one, or the dotted path
  of either; or else ``DOMAIN``, ``CLIENT_ID``, ``CLIENT_SECRET``, ``SECRET`` (and any other
  ``ServerClient`` argument in ``CLIENT_OPTIONS``, ``AUTHORIZATION_PARAMS`` for
  ``authorization_params``) to build one;
- ``BASE_URL`` (the public origin), ``SECURE_COOKIES`` (None: by the request's scheme) and
  ``LOGIN_PARAMS`` (``authorization_params`` of the logins the views start);
- ``ERROR_PAGE``: renders the HTML error pages in the site's own look, a callable (or its
  dotted path) given an ``auth0_web_common.ErrorPage`` and returning the page's HTML, escaping
  what it shows; the status, headers and JSON answers stay the integration's.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.module_loading import import_string

from auth0_requests import ServerClient
from auth0_web_common import ErrorPageRenderer, PendingCookies, Settings

_lock = threading.Lock()
_cache: dict[str, Any] = {}
_COOKIES = "auth0_cookies"


def _setting() -> Mapping[str, Any]:
    value = getattr(django_settings, "AUTH0", None)
    if not isinstance(value, Mapping):
        raise ImproperlyConfigured("auth0_django needs the AUTH0 setting (a dict).")
    return value


def _build_client(setting: Mapping[str, Any]) -> ServerClient:
    given = setting.get("CLIENT")
    if isinstance(given, str):
        given = import_string(given)
    if given is not None and not isinstance(given, ServerClient) and callable(given):
        given = given()
    if given is not None:
        if not isinstance(given, ServerClient):
            raise ImproperlyConfigured("AUTH0['CLIENT'] must be an auth0_requests.ServerClient.")
        return given
    missing = [k for k in ("DOMAIN", "CLIENT_ID", "SECRET") if not setting.get(k)]
    if missing:
        raise ImproperlyConfigured(f"AUTH0 needs {', '.join(missing)} (or CLIENT).")
    options: dict[str, Any] = dict(setting.get("CLIENT_OPTIONS") or {})
    if setting.get("AUTHORIZATION_PARAMS"):
        options["authorization_params"] = dict(setting["AUTHORIZATION_PARAMS"])
    return ServerClient(
        domain=setting["DOMAIN"],
        client_id=setting["CLIENT_ID"],
        client_secret=setting.get("CLIENT_SECRET"),
        secret=setting["SECRET"],
        **options,
    )


def get_client() -> ServerClient:
    """The ``ServerClient`` the ``AUTH0`` setting describes (built once, and again when a
    test overrides the setting)."""
    with _lock:
        if "client" not in _cache:
            _cache["client"] = _build_client(_setting())
        client: ServerClient = _cache["client"]
        return client


def get_settings() -> Settings:
    with _lock:
        if "settings" not in _cache:
            setting = _setting()
            _cache["settings"] = Settings(
                prefix="",  # Django's include() decides where the views are
                base_url=setting.get("BASE_URL"),
                secure_cookies=setting.get("SECURE_COOKIES"),
                login_params=setting.get("LOGIN_PARAMS"),
            )
        settings: Settings = _cache["settings"]
        return settings


def get_error_page() -> ErrorPageRenderer | None:
    """The ``ERROR_PAGE`` renderer, or None (the integration's own pages).

    Raises:
        ImproperlyConfigured: ``ERROR_PAGE`` is neither a callable nor the path of one.
    """
    with _lock:
        if "error_page" not in _cache:
            given = _setting().get("ERROR_PAGE")
            if isinstance(given, str):
                given = import_string(given)
            if given is not None and not callable(given):
                raise ImproperlyConfigured("AUTH0['ERROR_PAGE'] must be a callable.")
            _cache["error_page"] = given
        render: ErrorPageRenderer | None = _cache["error_page"]
        return render


def reset(*, setting: str, **_: Any) -> None:
    """Forget the client and settings when ``AUTH0`` changes (``override_settings``)."""
    if setting == "AUTH0":
        with _lock:
            _cache.clear()


def cookies_of(request: HttpRequest) -> PendingCookies:
    """The request's pending cookie writes (made by the middleware, or here)."""
    cookies = getattr(request, _COOKIES, None)
    if cookies is None:
        cookies = PendingCookies(secure=get_settings().secure(request.is_secure()))
        setattr(request, _COOKIES, cookies)
    assert isinstance(cookies, PendingCookies)
    return cookies


def store_options(request: HttpRequest) -> dict[str, Any]:
    """``store_options`` for a facade call of one's own in this request.

    Raises:
        ImproperlyConfigured: ``Auth0Middleware`` is not in ``MIDDLEWARE`` (it copies the
            stores' cookie writes onto the responses).
    """
    if not isinstance(getattr(request, _COOKIES, None), PendingCookies):
        raise ImproperlyConfigured("add 'auth0_django.middleware.Auth0Middleware' to MIDDLEWARE")
    return {"request": request, "response": cookies_of(request)}
