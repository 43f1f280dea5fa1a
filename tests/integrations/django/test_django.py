"""What is Django's own: the AUTH0 setting, the middleware being required by the helpers,
and CSRF (enforced on the POST forms, not on the tenant's back-channel POST)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from ..helpers import ALICE, CLIENT_ID, CLIENT_SECRET, SECRET, TENANT, make_tenant, tenant_login
from ..sites import DjangoSite, configure_django

configure_django()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

import auth0_requests  # noqa: E402
from auth0_django import get_client  # noqa: E402
from auth0_django._conf import get_error_page  # noqa: E402

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def site() -> Iterator[DjangoSite]:
    made = DjangoSite(make_tenant())
    yield made
    made.close()


def test_the_client_is_built_from_the_setting() -> None:
    setting = {
        "DOMAIN": TENANT,
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "SECRET": SECRET,
        "AUTHORIZATION_PARAMS": {"scope": "openid profile"},
        "CLIENT_OPTIONS": {"state_identifier": "_my_session"},
    }
    with override_settings(AUTH0=setting):
        client = get_client()
        assert isinstance(client, auth0_requests.ServerClient)
        assert client.config.client_id == CLIENT_ID
        assert client.config.state_identifier == "_my_session"
        assert get_client() is client  # built once
    with override_settings(AUTH0={**setting, "CLIENT_ID": "another"}):
        assert get_client().config.client_id == "another"  # and again when it changes
    with (
        override_settings(AUTH0={"CLIENT": "tests.integrations.django.made.make"}),
        pytest.raises(ImportError),
    ):
        get_client()
    with override_settings(AUTH0={"DOMAIN": TENANT}), pytest.raises(ImproperlyConfigured):
        get_client()
    with override_settings(AUTH0=None), pytest.raises(ImproperlyConfigured):
        get_client()
    with override_settings(AUTH0={"CLIENT": object()}), pytest.raises(ImproperlyConfigured):
        get_client()


def made_client() -> auth0_requests.ServerClient:
    """A client factory, named by its dotted path in the setting."""
    return auth0_requests.ServerClient(
        domain=TENANT, client_id="from-a-factory", client_secret=CLIENT_SECRET, secret=SECRET
    )


def test_a_client_factory_by_its_dotted_path() -> None:
    path = f"{__name__}.made_client"
    with override_settings(AUTH0={"CLIENT": path}):
        assert get_client().config.client_id == "from-a-factory"
    with override_settings(AUTH0={"CLIENT": made_client}):
        assert get_client().config.client_id == "from-a-factory"


def plain_error_page(page: Any) -> str:
    """An ERROR_PAGE renderer, named by its dotted path in the setting."""
    return f"<p class='plain'>{page.code}</p>"


def test_error_page_by_its_dotted_path_and_a_bad_one(site: DjangoSite) -> None:
    client = site.client
    with override_settings(AUTH0={"CLIENT": client, "ERROR_PAGE": f"{__name__}.plain_error_page"}):
        forged = site.get("/auth/callback?code=abc&state=forged")
        assert forged.status == 400
        assert forged.text == "<p class='plain'>missing_transaction_error</p>"
    with (
        override_settings(AUTH0={"CLIENT": client, "ERROR_PAGE": 42}),
        pytest.raises(ImproperlyConfigured, match="ERROR_PAGE"),
    ):
        get_error_page()


def test_helpers_need_the_middleware(site: DjangoSite) -> None:
    with override_settings(MIDDLEWARE=[]):
        http = Client(raise_request_exception=True)
        with pytest.raises(ImproperlyConfigured, match="Auth0Middleware"):
            http.get("/private")
        with pytest.raises(ImproperlyConfigured, match="Auth0Middleware"):
            http.get("/token-anyway")
        # The views themselves still work, writing their own cookies.
        start = http.get("/auth/login")
        assert start.status_code == 302
        assert start.cookies


def test_csrf_guards_the_forms_but_not_the_back_channel(site: DjangoSite) -> None:
    http = Client(enforce_csrf_checks=True)
    start = http.get("/auth/login")
    http.get(tenant_login(site.tenant, start.headers["Location"]))
    assert http.get("/private").status_code == 200
    forged = http.post("/auth/link", urlencode({"connection": "github"}), content_type=FORM)
    assert forged.status_code == 403
    token = site.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    tenant_side = Client(enforce_csrf_checks=True)
    body = urlencode({"logout_token": token})
    answer = tenant_side.post("/auth/backchannel-logout", body, content_type=FORM)
    assert answer.status_code == 200
    assert http.get("/private").status_code == 302


def test_user_is_on_the_request(site: DjangoSite) -> None:
    assert "nobody" in site.get("/").text
    start = site.get("/auth/login")
    assert start.location is not None
    site.get(tenant_login(site.tenant, start.location))
    assert "Alice Example" in site.get("/").text


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])  # Django's async stack is asyncio's
async def test_under_asgi(site: DjangoSite, anyio_backend: str) -> None:
    """Django's ASGI handler (AsyncClient): the pages, and the back-channel logout view, whose
    requests have no wsgi.input there."""
    from django.test import AsyncClient

    http = AsyncClient()
    start = await http.get("/auth/login")
    assert start.status_code == 302
    done = await http.get(tenant_login(site.tenant, start.headers["Location"]))
    assert done.status_code == 302
    assert (await http.get("/private")).status_code == 200
    token = site.tenant.mint_logout_token(CLIENT_ID, sub=ALICE, sid=None)
    body = urlencode({"logout_token": token})
    answer = await AsyncClient().post("/auth/backchannel-logout", body, content_type=FORM)
    assert answer.status_code == 200
    assert (await http.get("/private")).status_code == 302
    assert (await AsyncClient().get("/auth/backchannel-logout")).status_code == 405
