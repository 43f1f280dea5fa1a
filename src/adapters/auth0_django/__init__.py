"""Auth0 for Django, on the sync facade (``auth0_requests.ServerClient``).

Install it with the ``django`` extra, then in the project's settings and URLs::

    INSTALLED_APPS = [..., "auth0_django"]
    MIDDLEWARE = [..., "auth0_django.middleware.Auth0Middleware"]
    AUTH0 = {"DOMAIN": ..., "CLIENT_ID": ..., "CLIENT_SECRET": ..., "SECRET": ...}
    urlpatterns = [path("auth/", include("auth0_django.urls")), ...]

The URLs serve ``login``, ``callback``, ``logout``, ``backchannel-logout``, ``link``,
``unlink`` and ``connect`` under the prefix they are included at; the middleware puts the
session's user on ``request.auth0_user`` (None without a session); ``@login_required`` guards
a view and ``get_access_token(request)`` gives a token. See docs/django.md.
"""

from auth0_core._extras import require_extra

require_extra("auth0_django", "django", "django", "requests")

from ._conf import get_client, store_options
from .decorators import login_required
from .tokens import get_access_token

__all__ = ["get_access_token", "get_client", "login_required", "store_options"]
