"""OpenID discovery: the request, the validated metadata, and a per-domain TTL cache."""

from __future__ import annotations

import re

import attrs

from ._http import HttpRequest, HttpResponse, body_excerpt
from .errors import ConfigurationError, InvalidResponse

DEFAULT_TTL = 600
_MIN_TTL, _MAX_TTL = 60, 86_400
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


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


def prepare_discovery_request(base_url: str) -> HttpRequest:
    """``GET {base_url}/.well-known/openid-configuration``."""
    return HttpRequest(
        method="GET",
        url=f"{base_url}/.well-known/openid-configuration",
        headers=(("Accept", "application/json"),),
    )


def cache_ttl(response: HttpResponse, default: int = DEFAULT_TTL) -> int:
    """Seconds to keep a discovery or JWKS document: ``max-age`` bounded to [60, 86400]."""
    match = _MAX_AGE.search(response.header("cache-control") or "")
    if not match:
        return default
    return max(_MIN_TTL, min(_MAX_TTL, int(match.group(1))))


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


class MetadataCache:
    """Discovery documents per base URL, each kept until its TTL runs out.

    Time is passed in; the cache never reads a clock.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[ServerMetadata, int]] = {}

    def get(self, base_url: str, now: int) -> ServerMetadata | None:
        entry = self._entries.get(base_url)
        if entry is None or now >= entry[1]:
            return None
        return entry[0]

    def put(self, base_url: str, metadata: ServerMetadata, now: int, ttl: int) -> None:
        self._entries[base_url] = (metadata, now + ttl)
