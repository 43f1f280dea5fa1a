"""Serve the emulated Auth0 tenant (or any ``HttpRequest -> HttpResponse`` handler) over HTTP(S).

A small h11-on-anyio server for tests, demos and local development, and the ``auth0-core``
command line. Install it with the ``tenant`` extra: ``pip install 'auth0-core[tenant]'``.

The server's names load on first use, so that the ``auth0-core`` command starts (and can say
which extra is missing) from a base install.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._server import (
        AddressInUseError,
        ServerAddress,
        ServerThread,
        run_until_signalled,
        serve,
    )

__all__ = ["AddressInUseError", "ServerAddress", "ServerThread", "run_until_signalled", "serve"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from . import _server  # checks the extra first

    return getattr(_server, name)
