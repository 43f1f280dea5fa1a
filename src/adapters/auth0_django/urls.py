"""``path("auth/", include("auth0_django.urls"))``: the integration's views, namespace
``auth0`` (``reverse("auth0:login")``)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "auth0"
urlpatterns = [
    path("login", views.login, name="login"),
    path("callback", views.callback, name="callback"),
    path("logout", views.logout, name="logout"),
    path("backchannel-logout", views.backchannel_logout, name="backchannel_logout"),
    path("link", views.link, name="link"),
    path("unlink", views.unlink, name="unlink"),
    path("connect", views.connect, name="connect"),
]
