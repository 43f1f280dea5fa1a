"""The tenant serves one stylesheet, and every HTML page it renders (login, consent, CIBA
approval, errors) links it: the same look as the demo app, with nothing fetched from elsewhere."""

from __future__ import annotations

import re

from auth0_core import HttpResponse
from auth0_core.tenant import Tenant
from auth0_core.tenant.stylesheet import STYLESHEET, STYLESHEET_PATH

from .tenant_helpers import authorize_params, get, pkce


def _text(response: HttpResponse) -> str:
    return response.body.decode("utf-8")


def _links_the_stylesheet(response: HttpResponse) -> None:
    assert response.header("content-type") == "text/html; charset=utf-8"
    page = _text(response)
    assert f'<link rel="stylesheet" href="{STYLESHEET_PATH}">' in page
    assert '<section class="card">' in page
    # Nothing else is loaded: no script, no other stylesheet, no remote URL of any kind.
    assert page.count("<link ") == 1
    assert "<script" not in page
    assert not re.search(r"(src|href)=\"(https?:)?//", page)


def test_the_stylesheet_is_served_as_css(tenant: Tenant) -> None:
    response = get(tenant, STYLESHEET_PATH)
    assert response.status == 200
    assert response.header("content-type") == "text/css; charset=utf-8"
    assert response.body == STYLESHEET.encode()
    # Self-contained: no @import, no url(...) to fetch, no web fonts.
    for fetches in ("@import", "url(", "@font-face"):
        assert fetches not in STYLESHEET


def test_the_login_consent_ciba_and_error_pages_link_it(tenant: Tenant) -> None:
    _, challenge = pkce()
    login = get(tenant, "/authorize", authorize_params(challenge))
    assert login.status == 200
    _links_the_stylesheet(login)
    assert '<form method="post" action="/u/login">' in _text(login)

    _links_the_stylesheet(get(tenant, "/ciba", {"user": "auth0|alice"}))
    refused = get(tenant, "/connect", {"ticket": "no-such-ticket"})
    assert refused.status == 400
    _links_the_stylesheet(refused)
    unknown_client = get(tenant, "/authorize", authorize_params(challenge, client_id="nobody"))
    assert unknown_client.status == 400
    _links_the_stylesheet(unknown_client)
