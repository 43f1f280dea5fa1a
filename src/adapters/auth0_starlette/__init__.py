"""Auth0 for Starlette and FastAPI, on the async facade (``auth0_anyio.ServerClient``).

Install it with the ``starlette`` extra (FastAPI brings Starlette too)::

    auth0 = Auth0(auth0_anyio.ServerClient(...))
    app = Starlette(routes=[auth0.mount, ...], middleware=[auth0.middleware])

``auth0.mount`` serves ``{prefix}/login``, ``/callback``, ``/logout``,
``/backchannel-logout``, ``/link``, ``/unlink`` and ``/connect``; ``auth0.middleware`` copies
the session's cookie writes onto every response and answers every ``Auth0Error`` a route
raises. ``await auth0.require_user(request)`` (a FastAPI dependency as it is) gives the user or
answers with a redirect to the login (a page) or a 401 (an API). See docs/starlette.md.
"""

from auth0_core._extras import require_extra

require_extra("auth0_starlette", "starlette", "starlette", "httpx", "anyio")

from auth0_web_common import ErrorPage, ErrorPageRenderer

from ._integration import Auth0, Auth0Middleware, LoginRequired

__all__ = ["Auth0", "Auth0Middleware", "ErrorPage", "ErrorPageRenderer", "LoginRequired"]
