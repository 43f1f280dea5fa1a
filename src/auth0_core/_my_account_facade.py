"""What the sync and async ``MyAccountClient`` facades share (the official SDK's
``auth0_server_python.auth_server.my_account_client.MyAccountClient``).

The client is stateless, as the official one: each call takes the user's access token (and the
DPoP key it is bound to, if any). Its requests are performed by a driver of the adapter's own
``ServerClient`` kind, built for the tenant's domain and never used for a token request, so
the two clients share one transport, its timeouts and its retries (docs/network.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ._effects import Flow
from .endpoints.my_account._api import my_account_audience
from .errors import ConfigurationError
from .flows.my_account_methods import MyAccountCore

# The driver's client credentials: a driver of a MyAccountClient never asks for a token, and
# holds no session, so nothing is ever sent with or sealed by these.
DRIVER_OPTIONS: dict[str, Any] = {
    "client_id": "my-account-client",
    "client_secret": "not-used-by-my-account-calls",
    "secret": "a MyAccountClient seals no session with this key",
}
_RESERVED = frozenset({"authorization", "dpop", "content-type", "content-length", "host"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_VALUE = re.compile(r"[\t\x20-\x7e]*")


def default_headers(headers: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    """The headers given to the constructor, checked: names and values a request can carry,
    and none the client sets itself (``Authorization``, ``DPoP``, ``Content-Type``...).

    Raises:
        ConfigurationError: not a dict of strings, a malformed header, a reserved name.
    """
    if headers is None:
        return ()
    if not isinstance(headers, Mapping):
        raise ConfigurationError("'headers' must be a dict of header names to values.")
    checked: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not (isinstance(name, str) and _TOKEN.fullmatch(name)):
            raise ConfigurationError("'headers' has a name that is no HTTP header name.")
        if name.lower() in _RESERVED:
            raise ConfigurationError(f"'headers' must not set {name}: the client sets it.")
        if not (isinstance(value, str) and _VALUE.fullmatch(value)):
            raise ConfigurationError(f"'headers' has a value for {name} that no header can carry.")
        checked.append((name, value))
    return tuple(checked)


class MyAccountFacadeBase:
    """Holds the driver (the adapter's ``ServerClient``) and the core client of the calls."""

    def __init__(self, driver: Any, headers: Mapping[str, str] | None) -> None:
        self._driver = driver
        self._core = MyAccountCore(driver._core.config, default_headers(headers))
        self._run: Callable[[Flow[Any]], Any] = driver._run

    @property
    def audience(self) -> str:
        """The My Account API's identifier, ``https://{domain}/me/``: the ``audience`` of the
        tokens its calls take."""
        return my_account_audience(self._core.config)

    def _flow(
        self, flow: Callable[..., Flow[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Flow[Any]:
        return flow(self._core, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(domain={self._core.config.domain!r})"
