"""Test an application's Auth0 integration against the emulated tenant: pytest fixtures and
the tools under them (``docs/testing.md``).

Installed with auth0-core, the pytest plugin (:mod:`auth0_core.testing.plugin`, entry point
``auth0_core`` in the ``pytest11`` group) gives every test suite these fixtures, none of them
autouse:

- ``auth0_tenant``: an :class:`EmulatedTenant` answering in process (no socket);
- ``auth0_served_tenant``: the same, served over HTTP on a free loopback port for the test;
- ``auth0_tenant_config``: where both get their configuration (override it: a dict, a TOML
  path, a ``TenantConfig``; default: the ``auth0_tenant_config`` ini option, else the
  packaged default tenant);
- ``auth0_browser``: opens a scripted :class:`Browser` on a WSGI app, an ASGI app or a URL;
- ``auth0_tokens``: a :class:`TokenMinter` for the test's tenant (access, ID, logout tokens).

The names below load on first use, so that pytest loading the plugin costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._browser import Browser, BrowserError, BrowserResponse, Cookie, CookieJar
    from ._config import ConfigSource, tenant_config
    from ._tenant import EmulatedTenant, is_asgi
    from ._tokens import TokenMinter
    from ._wsgi import call_wsgi, wsgi_sender

_MODULES = {
    "Browser": "._browser",
    "BrowserError": "._browser",
    "BrowserResponse": "._browser",
    "ConfigSource": "._config",
    "Cookie": "._browser",
    "CookieJar": "._browser",
    "EmulatedTenant": "._tenant",
    "TokenMinter": "._tokens",
    "call_wsgi": "._wsgi",
    "is_asgi": "._tenant",
    "tenant_config": "._config",
    "wsgi_sender": "._wsgi",
}
__all__ = [
    "Browser",
    "BrowserError",
    "BrowserResponse",
    "ConfigSource",
    "Cookie",
    "CookieJar",
    "EmulatedTenant",
    "TokenMinter",
    "call_wsgi",
    "is_asgi",
    "tenant_config",
    "wsgi_sender",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_MODULES[name], __name__), name)
