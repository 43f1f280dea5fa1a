"""The auth0-core demo: the emulated tenant and a small web app, served side by side on loopback.

The app is a Starlette app on ``auth0_starlette``, served by Hypercorn (asyncio or trio); the
tenant is served by ``auth0_tenant_server``. Run it with ``auth0-core demo``. Install it with
the ``demo`` extra: ``pip install 'auth0-core[demo]'``.
"""

from auth0_core._extras import require_extra

require_extra("auth0_demo", "demo", "httpx", "anyio", "h11", "starlette", "hypercorn")

# The check must run before these imports, which need the extra.
from ._app import DemoApp
from ._run import DemoAddresses, run_demo, serve_demo

__all__ = ["DemoAddresses", "DemoApp", "run_demo", "serve_demo"]
