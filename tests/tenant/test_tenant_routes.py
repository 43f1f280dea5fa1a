"""The route table: every route is served, and what no route serves answers in the API's shape."""

from __future__ import annotations

import re

import pytest

from auth0_core import HttpRequest, HttpResponse
from auth0_core.tenant import Tenant
from auth0_core.tenant.config_types import TenantClient
from auth0_core.tenant.params import Params
from auth0_core.tenant.routes import ROUTES
from auth0_core.tenant.state import TenantState

from .tenant_helpers import BASE, body, token_request


def _call(tenant: Tenant, method: str, path: str) -> HttpResponse:
    return tenant.handle(HttpRequest(method=method, url=BASE + path))


@pytest.mark.parametrize(("method", "pattern"), list(ROUTES))
def test_every_route_is_served(tenant: Tenant, method: str, pattern: str) -> None:
    path = re.sub(r"\{\w+\}", "x", pattern)
    assert _call(tenant, method, path).status not in (404, 405)


def test_unknown_paths_answer_404_in_the_shape_of_their_api(tenant: Tenant) -> None:
    for path in ("/nope", "/api/v2", "/oauth/token/extra"):
        response = _call(tenant, "GET", path)
        assert (response.status, body(response)["error"]) == (404, "not_found")
    response = _call(tenant, "GET", "/api/v2/clients")
    assert (response.status, body(response)["errorCode"]) == (404, "inexistent_route")


def test_a_method_no_route_serves_answers_405_with_allow(tenant: Tenant) -> None:
    response = _call(tenant, "POST", "/authorize")
    assert (response.status, body(response)["error"]) == (405, "method_not_allowed")
    assert response.header("allow") == "GET"
    response = _call(tenant, "PUT", "/api/v2/users/auth0%7Calice")
    assert (response.status, body(response)["errorCode"]) == (405, "method_not_allowed")
    assert response.header("allow") == "GET, PATCH"


def test_a_failing_endpoint_answers_500_and_the_tenant_keeps_serving(tenant: Tenant) -> None:
    def broken(state: TenantState, client: TenantClient, params: Params) -> HttpResponse:
        raise RuntimeError("a bug")

    tenant.grant_handlers["urn:test:broken"] = broken
    response = token_request(tenant, {"grant_type": "urn:test:broken"})
    assert (response.status, body(response)["error"]) == (500, "server_error")
    assert tenant.count("/oauth/token", grant_type="urn:test:broken") == 1
    assert _call(tenant, "GET", "/.well-known/jwks.json").status == 200
