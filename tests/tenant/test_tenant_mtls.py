"""The tenant's side of RFC 8705 tls_client_auth, in process: the aliases in discovery, the
subject the server adapter passes in, and the configuration check."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from auth0_core import HttpRequest
from auth0_core.errors import ConfigurationError
from auth0_core.tenant import Tenant, TenantConfig
from auth0_core.tenant.authentication.client_auth import TLS_CLIENT_SUBJECT_HEADER

BASE = "https://tenant.example"
SUBJECT = "CN=mtls-client.example,O=Example"


def tenant(aliases: bool = True) -> Tenant:
    default = TenantConfig.default()
    clients = tuple(
        attrs.evolve(
            c,
            client_secret=None,
            token_endpoint_auth_method="tls_client_auth",
            tls_client_auth_subject_dn=SUBJECT,
        )
        if c.client_id == "demo-client"
        else c
        for c in default.clients
    )
    config = attrs.evolve(default, clients=clients, mtls_endpoint_aliases=aliases)
    return Tenant(config, base_url=BASE)


def token_request(path: str, *headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest(
        method="POST",
        url=f"{BASE}{path}",
        headers=(("Content-Type", "application/x-www-form-urlencoded"), *headers),
        body=b"grant_type=client_credentials&client_id=demo-client&audience=https://api.example.com",
    )


def test_discovery_advertises_aliases_only_when_configured() -> None:
    document = (
        tenant()
        .handle(HttpRequest(method="GET", url=f"{BASE}/.well-known/openid-configuration"))
        .json_object()
    )
    aliases: Any = document["mtls_endpoint_aliases"]
    methods: Any = document["token_endpoint_auth_methods_supported"]
    assert aliases["token_endpoint"] == f"{BASE}/mtls/oauth/token"
    assert "tls_client_auth" in methods
    plain = (
        tenant(aliases=False)
        .handle(HttpRequest(method="GET", url=f"{BASE}/.well-known/openid-configuration"))
        .json_object()
    )
    assert "mtls_endpoint_aliases" not in plain


@pytest.mark.parametrize("path", ["/oauth/token", "/mtls/oauth/token"])
def test_the_registered_subject_authenticates(path: str) -> None:
    t = tenant()
    assert t.handle(token_request(path, (TLS_CLIENT_SUBJECT_HEADER, SUBJECT))).status == 200
    assert t.count(path, grant_type="client_credentials") == 1


def test_no_or_another_subject_or_a_secret_is_refused() -> None:
    t = tenant()
    for headers in [(), ((TLS_CLIENT_SUBJECT_HEADER, "CN=someone-else"),)]:
        answer = t.handle(token_request("/mtls/oauth/token", *headers))
        assert (answer.status, answer.json_object()["error"]) == (401, "invalid_client")
    with_secret = attrs.evolve(
        token_request("/mtls/oauth/token"), body=token_request("/x").body + b"&client_secret=x"
    )
    assert t.handle(with_secret).status == 401


def test_tls_client_auth_needs_a_subject_in_configuration() -> None:
    client = {"client_id": "c", "token_endpoint_auth_method": "tls_client_auth"}
    with pytest.raises(ConfigurationError, match="tls_client_auth_subject_dn"):
        TenantConfig.from_dict({"clients": [client]})
    config = TenantConfig.from_dict(
        {
            "tenant": {"mtls_endpoint_aliases": True},
            "clients": [{**client, "tls_client_auth_subject_dn": SUBJECT}],
        }
    )
    assert config.mtls_endpoint_aliases
