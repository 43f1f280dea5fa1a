"""OpenID discovery: ``GET {base_url}/.well-known/openid-configuration`` (protocol doc §1.1)."""

from __future__ import annotations

import attrs

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt
from ...errors import ConfigurationError, InvalidResponse
from ._oauth import tenant_headers

__all__ = ["ServerMetadata", "prepare_discovery_request", "process_discovery_response"]


@attrs.frozen(kw_only=True)
class ServerMetadata:
    """The discovery members auth0-core uses (protocol doc §1.1)."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None
    pushed_authorization_request_endpoint: str | None = None
    revocation_endpoint: str | None = None
    backchannel_authentication_endpoint: str | None = None


def prepare_discovery_request(config: ClientConfig) -> HttpRequest:
    """``GET {base_url}/.well-known/openid-configuration``, asking for JSON."""
    return HttpRequest(
        method="GET",
        url=f"{config.base_url}/.well-known/openid-configuration",
        headers=(("Accept", "application/json"), *tenant_headers(config)),
    )


def process_discovery_response(response: HttpResponse) -> ServerMetadata:
    """Validate a discovery document.

    A missing ``issuer`` is never guessed (protocol doc §1.1): the tenant must publish it.

    Raises:
        InvalidResponse: not a 200 JSON object, or a required member is missing or not a string.
        ConfigurationError: the document has no ``issuer``.
    """
    if response.status != 200:
        raise InvalidResponse(
            "discovery failed", status=response.status, excerpt=body_excerpt(response.body)
        )
    document = response.json_object()
    if not isinstance(document.get("issuer"), str) or not document["issuer"]:
        raise ConfigurationError("the tenant's discovery document has no 'issuer'.")

    def member(name: str, *, required: bool) -> str | None:
        value = document.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise InvalidResponse(f"discovery member '{name}' is missing or not a URL")
        return value

    return ServerMetadata(
        issuer=str(document["issuer"]),
        authorization_endpoint=str(member("authorization_endpoint", required=True)),
        token_endpoint=str(member("token_endpoint", required=True)),
        jwks_uri=str(member("jwks_uri", required=True)),
        userinfo_endpoint=member("userinfo_endpoint", required=False),
        end_session_endpoint=member("end_session_endpoint", required=False),
        pushed_authorization_request_endpoint=member(
            "pushed_authorization_request_endpoint", required=False
        ),
        revocation_endpoint=member("revocation_endpoint", required=False),
        backchannel_authentication_endpoint=member(
            "backchannel_authentication_endpoint", required=False
        ),
    )
