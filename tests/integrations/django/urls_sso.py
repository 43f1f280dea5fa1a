"""The same project with the integration under ``sso/``."""

from __future__ import annotations

from django.urls import include, path

from . import urls

urlpatterns = [path("sso/", include("auth0_django.urls")), *urls.urlpatterns[1:]]
