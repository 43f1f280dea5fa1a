"""What the route plans need to know of a request and of the integration's settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import attrs


def _frozen_dict(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen(kw_only=True)
class Settings:
    """An integration's settings, the same in the three frameworks.

    - ``prefix``: where the routes are mounted (``/auth``: ``/auth/login``, ...).
    - ``base_url``: the application's public origin (``https://app.example``). Given, it is
      the origin redirect targets are checked against and the callback URL's; otherwise the
      request's scheme and ``Host`` decide (behind a proxy, let the framework read the
      forwarded headers, or set this).
    - ``secure_cookies``: ``None`` sets ``Secure`` on the cookies when ``base_url`` is https,
      or, without ``base_url``, when the request came over HTTPS; ``True`` or ``False``
      always or never does.
    - ``login_params``: ``authorization_params`` for every login the routes start.
    """

    prefix: str = "/auth"
    base_url: str | None = None
    secure_cookies: bool | None = None
    login_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_dict)

    def __attrs_post_init__(self) -> None:
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise ValueError("prefix must be '' or start with '/' and not end with '/'")
        if self.base_url is not None:
            parts = urlsplit(self.base_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("base_url must be an absolute http(s) URL")
            if parts.path not in ("", "/") or parts.query or parts.fragment:
                raise ValueError("base_url is an origin: scheme://host[:port], no path")

    def origin(self, request_origin: str) -> str:
        """``scheme://host[:port]`` of the application."""
        if self.base_url is None:
            return request_origin
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def secure(self, request_is_https: bool) -> bool:
        """Whether cookies get ``Secure`` for this request: ``secure_cookies`` when set, else
        whether ``base_url`` is https when set (a proxy in front terminates TLS), else whether
        the request came over https."""
        if self.secure_cookies is not None:
            return self.secure_cookies
        if self.base_url is not None:
            return self.base_url.startswith("https:")
        return request_is_https

    @staticmethod
    def callback_url(client: Any, route_url: str) -> str | None:
        """The ``redirect_uri`` the routes send: None when ``client`` has one of its own
        (``redirect_uri`` or ``authorization_params["redirect_uri"]``), else ``route_url``,
        the callback route's absolute URL at :meth:`origin`."""
        config = client.config
        if config.redirect_uri or config.authorization_params.get("redirect_uri"):
            return None
        return route_url


@attrs.frozen(kw_only=True)
class WebRequest:
    """One request, as the route plans see it.

    ``url`` is the URL as received (the callback's parameters are read from it); ``origin``
    is the application's; ``path`` is the request's path and query (where a login started
    here comes back to); ``home`` is the application's root path.
    """

    method: str
    url: str
    origin: str
    path: str
    accept: str = ""
    query: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    form: Mapping[str, Sequence[str]] = attrs.field(factory=dict)
    login_path: str
    callback_url: str | None = None
    home: str = "/"

    def first(self, name: str, *, form: bool = False) -> str | None:
        """The first value of the query (or form) parameter ``name``."""
        values = (self.form if form else self.query).get(name)
        return values[0] if values else None


def wants_json(accept: str) -> bool:
    """Whether an ``Accept`` header asks for JSON rather than a page: it names JSON (or any
    ``+json`` type) and not HTML."""
    lowered = accept.lower()
    return ("json" in lowered) and "text/html" not in lowered
