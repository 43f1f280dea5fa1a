"""The views of ``auth0_django.urls``: each runs one of the shared route plans on the sync
facade; the back-channel logout view hands the request to the SDK's WSGI endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from auth0_requests import backchannel_logout_wsgi_app
from auth0_web_common import (
    Plan,
    WebRequest,
    callback_plan,
    connect_plan,
    link_plan,
    login_plan,
    logout_plan,
    run_plan,
    unlink_plan,
)

from ._conf import cookies_of, get_client, get_settings, store_options
from ._web import response, web_request


def _view(plan: Callable[[WebRequest], Plan]) -> Callable[[HttpRequest], HttpResponse]:
    def view(request: HttpRequest) -> HttpResponse:
        web = web_request(request)
        answer = run_plan(plan(web), get_client(), store_options(request), web)
        answered = response(answer)
        cookies_of(request).write_to(answered)
        return answered

    return view


login = require_GET(_view(lambda web: login_plan(web, get_settings())))
callback = require_GET(_view(callback_plan))
logout = require_http_methods(["GET", "POST"])(_view(logout_plan))
# POST forms of the app's own pages: Django's CSRF protection applies ({% csrf_token %}).
link = require_POST(_view(link_plan))
unlink = require_POST(_view(unlink_plan))
connect = require_POST(_view(connect_plan))


@csrf_exempt  # the tenant's POST: the logout token's signature authenticates it
def backchannel_logout(request: HttpRequest) -> HttpResponse:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        answer.update(status=int(status.split()[0]), headers=headers)

    endpoint = backchannel_logout_wsgi_app(get_client())
    body = b"".join(endpoint(request.META, start_response))
    return HttpResponse(body, status=answer["status"], headers=dict(answer["headers"]))
