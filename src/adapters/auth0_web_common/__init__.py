"""What the framework integrations (``auth0_starlette``, ``auth0_flask``, ``auth0_django``)
share, framework-free: the routes' steps, redirect-target checks, cookie attributes, and the
answer every :class:`~auth0_core.errors.Auth0Error` gets.

Each integration turns its framework's request into a :class:`WebRequest`, runs one of the
route plans of :mod:`._routes` with :func:`run_plan` (sync facade) or :func:`arun_plan` (async
facade), and writes the :class:`Answer` and the :class:`PendingCookies` back into its
framework's response. The plans hold no protocol logic: they only choose which facade call
to make with which options; everything else is the facade's and the core's.
"""

from ._answers import (
    Answer,
    ErrorPage,
    ErrorPageRenderer,
    error_answer,
    login_required_answer,
    page,
)
from ._cookies import CookieWrite, PendingCookies
from ._redirects import same_origin_path
from ._request import Settings, WebRequest, wants_json
from ._routes import (
    BACKCHANNEL_LOGOUT,
    ROUTES,
    Call,
    Plan,
    RouteSpec,
    arun_plan,
    callback_plan,
    connect_plan,
    link_plan,
    login_plan,
    logout_plan,
    run_plan,
    unlink_plan,
)

__all__ = [
    "BACKCHANNEL_LOGOUT",
    "ROUTES",
    "Answer",
    "Call",
    "CookieWrite",
    "ErrorPage",
    "ErrorPageRenderer",
    "PendingCookies",
    "Plan",
    "RouteSpec",
    "Settings",
    "WebRequest",
    "arun_plan",
    "callback_plan",
    "connect_plan",
    "error_answer",
    "link_plan",
    "login_plan",
    "login_required_answer",
    "logout_plan",
    "page",
    "run_plan",
    "same_origin_path",
    "unlink_plan",
    "wants_json",
]
