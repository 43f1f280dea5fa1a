"""``auth0_django.middleware.Auth0Middleware``: the user on ``request.auth0_user``, the
session's cookie writes on every response, an answer for every ``Auth0Error``."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase

from auth0_core.errors import Auth0Error
from auth0_web_common import error_answer

from ._conf import cookies_of, get_client, store_options
from ._web import response, web_request


class Auth0Middleware:
    """Put it after ``SessionMiddleware``/``CsrfViewMiddleware`` (it needs neither)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cookies = cookies_of(request)
        try:
            user = get_client().get_user(store_options=store_options(request))
        except Auth0Error as error:  # a store that cannot be read: answered, not a 500 trace
            answered = response(error_answer(error, web_request(request)))
            cookies.write_to(answered)
            return answered
        request.auth0_user = user  # type: ignore[attr-defined]
        result = self.get_response(request)
        cookies.write_to(result)
        return result

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Auth0Error):
            return None
        return response(error_answer(exception, web_request(request)))
