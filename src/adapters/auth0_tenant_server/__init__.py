"""Serve the emulated Auth0 tenant (or any ``HttpRequest -> HttpResponse`` handler) over HTTP(S).

A small h11-on-anyio server for tests, demos and local development, and the ``auth0-core``
command line. Install it with the ``tenant`` extra: ``pip install 'auth0-core[tenant]'``.

``BackchannelSender`` delivers a served tenant's back-channel logout tokens over HTTP, in the
background, as they are queued (``auth0-core tenant`` runs one); ``send_over_http`` is the
``HttpRequest -> HttpResponse`` function it hands to ``Tenant.deliver_pending``.

The server's names load on first use, so that the ``auth0-core`` command starts (and can say
which extra is missing) from a base install.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._backchannel import BackchannelSender, send_over_http
    from ._server import (
        AddressInUseError,
        ServerAddress,
        ServerThread,
        run_until_signalled,
        serve,
    )

_MODULES = {
    "AddressInUseError": "_server",
    "BackchannelSender": "_backchannel",
    "ServerAddress": "_server",
    "ServerThread": "_server",
    "run_until_signalled": "_server",
    "send_over_http": "_backchannel",
    "serve": "_server",
}
__all__ = [
    "AddressInUseError",
    "BackchannelSender",
    "ServerAddress",
    "ServerThread",
    "run_until_signalled",
    "send_over_http",
    "serve",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f".{_MODULES[name]}", __name__)  # _server checks the extra
    return getattr(module, name)
