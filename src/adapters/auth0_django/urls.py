"""``path("auth/", include("auth0_django.urls"))``: the integration's views, namespace
``auth0`` (``reverse("auth0:login")``)."""

from __future__ import annotations

from django.urls import path

from auth0_web_common import BACKCHANNEL_LOGOUT

from . import views

app_name = "auth0"
urlpatterns = [
    *(path(name, view, name=name) for name, view in views.VIEWS.items()),
    path(BACKCHANNEL_LOGOUT, views.backchannel_logout, name="backchannel_logout"),
]
