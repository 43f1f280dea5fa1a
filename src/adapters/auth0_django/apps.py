"""The Django application of the integration (``INSTALLED_APPS = [..., "auth0_django"]``)."""

from __future__ import annotations

from django.apps import AppConfig


class Auth0Config(AppConfig):
    name = "auth0_django"
    label = "auth0_django"
    verbose_name = "Auth0"

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from ._conf import reset

        setting_changed.connect(reset, dispatch_uid="auth0_django.reset")
