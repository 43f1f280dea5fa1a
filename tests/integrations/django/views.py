"""The test project's own views, guarded by the integration."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from auth0_django import get_access_token, login_required


def home(request: HttpRequest) -> HttpResponse:
    user = request.auth0_user  # type: ignore[attr-defined]
    return HttpResponse(f"<p>user: {user['name'] if user else 'nobody'}</p>")


@login_required
def private(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"<p>Hello {request.auth0_user['name']}</p>")  # type: ignore[attr-defined]


@login_required(api=True)
def api_me(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"sub": request.auth0_user["sub"]})  # type: ignore[attr-defined]


@login_required
def token(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"length": len(get_access_token(request))})


def token_anyway(request: HttpRequest) -> JsonResponse:
    # No guard: the middleware answers a missing session.
    return JsonResponse({"length": len(get_access_token(request))})
