"""``login_required``: a view that needs a session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast, overload

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from auth0_web_common import login_required_answer

from ._web import response, web_request

F = TypeVar("F", bound=Callable[..., Any])


@overload
def login_required(view: F) -> F: ...
@overload
def login_required(*, api: bool | None = None) -> Callable[[F], F]: ...


def login_required(view: F | None = None, *, api: bool | None = None) -> F | Callable[[F], F]:
    """Guard a view: without a session, a redirect to the login that comes back to the page,
    or a 401 (``api=True``, or a client whose ``Accept`` asks for JSON). Needs the
    middleware."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not hasattr(request, "auth0_user"):
                raise ImproperlyConfigured(
                    "add 'auth0_django.middleware.Auth0Middleware' to MIDDLEWARE"
                )
            if request.auth0_user is None:
                return response(login_required_answer(web_request(request), api=api))
            return function(request, *args, **kwargs)

        return cast(F, guarded)

    return decorate(view) if view is not None else decorate
