"""The Django integration in a real browser: headless Chromium logs in to a Django project
served by Werkzeug on loopback, through the emulated tenant's login form
(:mod:`.wsgi_scenario`). Django's ``csrftoken`` cookie joins ours once a form is shown."""

from __future__ import annotations

from ..integrations.sites import configure_django
from .apps import listening_socket, make_client, origin_of, served_tenant, wsgi_server
from .chromium import Browser
from .steps import Steps
from .wsgi_scenario import Site, play, reader


def test_login_api_link_unlink_logout_on_django(browser: Browser, steps: Steps) -> None:
    configure_django()  # once per process, shared with tests/integrations
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    sock = listening_socket()
    origin = origin_of(sock)
    try:
        with served_tenant(origin) as tenant:
            client = make_client(tenant)
            project = override_settings(
                AUTH0={"CLIENT": client},
                ROOT_URLCONF="tests.browser.django_urls",
                BROWSER_TENANT_URL=tenant.base_url,
            )
            try:
                with project, wsgi_server(WSGIHandler(), sock):
                    site = Site(
                        url=origin,
                        tenant_url=tenant.base_url,
                        read_user=reader(client),
                        foreign=frozenset({"csrftoken"}),
                        tenant_sessions=lambda: tenant.sessions("alice@example.com"),
                    )
                    play(browser, steps, site)
            finally:
                client.close()
    finally:
        sock.close()
