"""The test project's URLs, with the integration under ``auth/``."""

from __future__ import annotations

from django.urls import include, path

from . import views

PREFIX = "auth/"

urlpatterns = [
    path(PREFIX, include("auth0_django.urls")),
    path("", views.home),
    path("private", views.private),
    path("api/me", views.api_me),
    path("token", views.token),
    path("token-anyway", views.token_anyway),
]
