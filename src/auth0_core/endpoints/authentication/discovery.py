"""OpenID discovery: ``GET {base_url}/.well-known/openid-configuration`` (protocol doc §1.1)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt, split_url
from ...errors import ConfigurationError, InvalidResponse
from ._oauth import tenant_headers

__all__ = ["ServerMetadata", "prepare_discovery_request", "process_discovery_response"]


def _frozen(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


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
    # RFC 8705 §5: where a client authenticating with a TLS certificate sends its requests.
    mtls_endpoint_aliases: Mapping[str, str] = attrs.field(factory=dict, converter=_frozen)
    # The scopes the server says it supports (None: it does not say); the standard dialect
    # checks offline_access against it at login (docs/standard-dialect.md).
    scopes_supported: tuple[str, ...] | None = None

    def for_mtls(self) -> ServerMetadata:
        """These endpoints with the client-authenticated ones (token, PAR, revocation, CIBA)
        replaced by their ``mtls_endpoint_aliases``; an endpoint without an alias is kept
        (RFC 8705 §5)."""
        aliases = self.mtls_endpoint_aliases
        return attrs.evolve(
            self,
            token_endpoint=aliases.get("token_endpoint", self.token_endpoint),
            pushed_authorization_request_endpoint=aliases.get(
                "pushed_authorization_request_endpoint",
                self.pushed_authorization_request_endpoint,
            ),
            revocation_endpoint=aliases.get("revocation_endpoint", self.revocation_endpoint),
            backchannel_authentication_endpoint=aliases.get(
                "backchannel_authentication_endpoint", self.backchannel_authentication_endpoint
            ),
        )


def _is_absolute_url(value: str) -> bool:
    """An ``http(s)://`` URL with a host, that parses (a bad port or IPv6 bracket is not one),
    without space or control characters (which no request line can carry)."""
    if not value.startswith(("https://", "http://")):
        return False
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return False
    parts = split_url(value)
    return parts is not None and bool(parts.hostname)


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

    def member(name: str, *, required: bool, within: Mapping[str, object] = document) -> str | None:
        value = within.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not _is_absolute_url(value):
            raise InvalidResponse(f"discovery member '{name}' is missing or not a URL")
        return value

    raw_aliases = document.get("mtls_endpoint_aliases")
    if raw_aliases is not None and not isinstance(raw_aliases, dict):
        raise InvalidResponse("discovery member 'mtls_endpoint_aliases' is not an object")
    aliases = {
        str(name): str(member(str(name), required=True, within=raw_aliases or {}))
        for name in (raw_aliases or {})
        if str(name).endswith("_endpoint")
    }

    # Optional and only advisory: a malformed list reads as "the server does not say".
    scopes = document.get("scopes_supported")
    if not isinstance(scopes, list) or not all(isinstance(item, str) for item in scopes):
        scopes = None

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
        mtls_endpoint_aliases=aliases,
        scopes_supported=tuple(scopes) if scopes is not None else None,
    )
