"""The Django app of the browser tests (ROOT_URLCONF while they run): docs/django.md's
example with the ``/accounts`` page of :mod:`.apps`. The served tenant's URL is the
``BROWSER_TENANT_URL`` setting the test sets beside ``AUTH0``."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.utils.html import escape

from auth0_django import get_access_token, get_client, login_required

from .apps import API_AUDIENCE, Pages, identities


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(Pages.home(request.auth0_user))  # type: ignore[attr-defined]


@login_required
def profile(request: HttpRequest) -> JsonResponse:
    user = request.auth0_user  # type: ignore[attr-defined]
    return JsonResponse({"sub": user["sub"], "email": user["email"]})


@login_required(api=True)
def orders(request: HttpRequest) -> JsonResponse:
    token = get_access_token(request, audience=API_AUDIENCE)
    return JsonResponse({"audience": API_AUDIENCE, "token_length": len(token)})


@login_required
def accounts(request: HttpRequest) -> HttpResponse:
    user = request.auth0_user  # type: ignore[attr-defined]
    found = identities(get_client(), settings.BROWSER_TENANT_URL, user["sub"])
    csrf = f"<input type='hidden' name='csrfmiddlewaretoken' value='{escape(get_token(request))}'>"
    return HttpResponse(Pages.accounts(found, csrf))


urlpatterns = [
    path("auth/", include("auth0_django.urls")),
    path("", home),
    path("profile", profile),
    path("api/orders", orders),
    path("accounts", accounts),
]
