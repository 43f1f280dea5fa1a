"""Django requests as the route plans see them, and answers as Django responses."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse

from auth0_web_common import Answer, WebRequest

from ._conf import get_client, get_error_page, get_settings


def web_request(request: HttpRequest) -> WebRequest:
    settings = get_settings()
    origin = settings.origin(f"{request.scheme}://{request.get_host()}")
    form: dict[str, list[str]] = {}
    if request.method == "POST":  # a form, urlencoded or multipart
        form = {key: request.POST.getlist(key) for key in request.POST}
    return WebRequest(
        method=request.method or "GET",
        url=request.build_absolute_uri(),
        origin=origin,
        path=request.get_full_path(),
        accept=request.headers.get("Accept", ""),
        query={key: request.GET.getlist(key) for key in request.GET},
        form=form,
        login_path=reverse("auth0:login"),
        callback_url=settings.callback_url(get_client(), origin + reverse("auth0:callback")),
        home=get_script_prefix(),
    )


def response(answer: Answer) -> HttpResponse:
    """``answer`` as Django's response; an error page rendered by ``AUTH0["ERROR_PAGE"]``."""
    body = answer.rendered_body(get_error_page())
    return HttpResponse(body, status=answer.status, headers=answer.headers)
