"""Auth0 for Flask, on the sync facade (``auth0_requests.ServerClient``).

Install it with the ``flask`` extra::

    auth0 = Auth0(auth0_requests.ServerClient(...), app)   # or auth0.init_app(app)

The blueprint serves ``{prefix}/login``, ``/callback``, ``/logout``, ``/backchannel-logout``,
``/link``, ``/unlink`` and ``/connect``; every request gets the session's user on
``flask.g.user`` (None without a session), ``@auth0.login_required`` guards a view, and
``auth0.get_access_token()`` gives a token for the current request. See docs/flask.md.
"""

from auth0_core._extras import require_extra

require_extra("auth0_flask", "flask", "flask", "requests")

from auth0_web_common import ErrorPage, ErrorPageRenderer

from ._integration import Auth0

__all__ = ["Auth0", "ErrorPage", "ErrorPageRenderer"]
