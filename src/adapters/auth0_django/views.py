"""The views of ``auth0_django.urls``: each runs one of the shared route plans on the sync
facade; the back-channel logout view hands the request to the SDK's WSGI endpoint."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from auth0_requests import backchannel_logout_wsgi_app
from auth0_web_common import ROUTES, RouteSpec, run_plan

from ._conf import cookies_of, get_client, get_settings
from ._web import response, web_request


def view_for(route: RouteSpec) -> Callable[[HttpRequest], HttpResponse]:
    """The view of one of the shared routes (``require_http_methods`` its methods)."""

    @require_http_methods(list(route.methods))
    def view(request: HttpRequest) -> HttpResponse:
        web = web_request(request)
        plan = route.plan(web, get_settings())
        # The views work without the middleware too: they copy their own cookie writes.
        cookies = cookies_of(request)
        options = {"request": request, "response": cookies}
        answered = response(run_plan(plan, get_client(), options, web))
        cookies.write_to(answered)
        return answered

    return view


# login, callback, logout; link, unlink and connect are POST forms of the app's own pages:
# Django's CSRF protection applies to them ({% csrf_token %}).
VIEWS = {route.name: view_for(route) for route in ROUTES}


@csrf_exempt  # the tenant's POST: the logout token's signature authenticates it
def backchannel_logout(request: HttpRequest) -> HttpResponse:
    """The SDK's WSGI endpoint, given this request's body as its input: the same code serves
    Django under WSGI and under ASGI (whose requests have no ``wsgi.input``)."""
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        answer.update(status=int(status.split()[0]), headers=headers)

    body = request.body if request.method == "POST" else b""
    environ = {
        **request.META,
        "REQUEST_METHOD": request.method,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": request.scheme,
    }
    endpoint = backchannel_logout_wsgi_app(get_client())
    content = b"".join(endpoint(environ, start_response))
    return HttpResponse(content, status=answer["status"], headers=dict(answer["headers"]))
