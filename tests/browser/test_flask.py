"""The Flask integration in a real browser: headless Chromium logs in to a Flask app served by
Werkzeug on loopback, through the emulated tenant's login form (:mod:`.wsgi_scenario`)."""

from __future__ import annotations

from .apps import (
    flask_app,
    listening_socket,
    origin_of,
    served_tenant,
    tls_context,
    wsgi_server,
)
from .checks import BINDING, TRANSACTION
from .chromium import Browser
from .steps import Steps
from .wsgi_scenario import Site, play, play_secure, reader


def test_login_api_link_unlink_logout_on_flask(browser: Browser, steps: Steps) -> None:
    sock = listening_socket()
    origin = origin_of(sock)
    try:
        with served_tenant(origin) as tenant:
            app, client = flask_app(tenant)
            try:
                with wsgi_server(app, sock):
                    site = Site(
                        url=origin,
                        tenant_url=tenant.base_url,
                        read_user=reader(client),
                        tenant_sessions=lambda: tenant.sessions("alice@example.com"),
                        pending=(TRANSACTION, BINDING),
                    )
                    play(browser, steps, site)
            finally:
                client.close()
    finally:
        sock.close()


def test_cookies_are_secure_over_https_on_flask(browser: Browser, steps: Steps) -> None:
    """The same app over HTTPS (the tenant stays on http): the integration sees the scheme
    and every cookie it writes is Secure, which the browser then only sends over HTTPS."""
    sock = listening_socket()
    origin = origin_of(sock, "https")
    try:
        with served_tenant(origin) as tenant:
            app, client = flask_app(tenant)
            try:
                with wsgi_server(app, sock, tls_context()):
                    site = Site(
                        url=origin,
                        tenant_url=tenant.base_url,
                        read_user=reader(client),
                        tenant_sessions=lambda: tenant.sessions("alice@example.com"),
                        pending=(TRANSACTION, BINDING),
                        secure=True,
                    )
                    play_secure(browser, steps, site)
            finally:
                client.close()
    finally:
        sock.close()
