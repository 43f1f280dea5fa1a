"""``Auth0(error_page=...)``: the integration's HTML error pages rendered in the app's own look
(the demo's), on Starlette and FastAPI; the status, the JSON answers and the redirects stay
the integration's."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from auth0_starlette import ErrorPage

from ..helpers import denied_callback, tenant_login
from .conftest import Site

pytestmark = pytest.mark.anyio


def render(page: ErrorPage) -> str:
    return (
        f"<main class='mine' data-status='{page.status}' data-code='{html.escape(page.code)}'>"
        f"<h2>{html.escape(page.title)}</h2><p>{html.escape(page.message)}</p>"
        f"<a href='{html.escape(page.home)}'>home</a></main>"
    )


async def test_error_pages_use_the_apps_renderer(site_factory: Callable[..., Site]) -> None:
    site = site_factory(error_page=render)
    async with site.browser() as browser:
        forged = await browser.get("/auth/callback?code=abc&state=forged")
        assert forged.status_code == 400
        assert forged.headers["content-type"] == "text/html; charset=utf-8"
        assert forged.text.startswith("<main class='mine' data-status='400'")
        assert "data-code='missing_transaction_error'" in forged.text
        assert "The login transaction is missing or has expired." in forged.text

        # A refused sign-in: the tenant's words, escaped by the renderer; 403 as before.
        start = await browser.get("/auth/login")
        refused = await browser.get(
            denied_callback(tenant_login(site.tenant, start.headers["location"]))
        )
        assert refused.status_code == 403
        assert "data-code='authorization_error'" in refused.text
        assert "<p>access_denied: User refused</p>" in refused.text

        # A refused returnTo (a route's own 400) and a JSON client: JSON stays JSON.
        bad = await browser.get("/auth/login", params={"returnTo": "https://evil.example/"})
        assert bad.status_code == 400
        assert "data-code='invalid_return_to'" in bad.text
        as_json = await browser.get(
            "/auth/callback?code=abc&state=forged", headers={"accept": "application/json"}
        )
        assert as_json.json()["error"] == "missing_transaction_error"

        # Redirects are not pages: the login still starts at the tenant.
        assert (await browser.get("/auth/login")).status_code == 302
    await site.client.aclose()


async def test_without_a_renderer_the_pages_are_the_integrations(site: Site) -> None:
    async with site.browser() as browser:
        forged = await browser.get("/auth/callback?code=abc&state=forged")
        assert forged.status_code == 400
        assert '<p id="message">The login transaction is missing or has expired.</p>' in (
            forged.text
        )
