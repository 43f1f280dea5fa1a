"""Discovery, JWKS and ID-token verification as sub-flows, consulting the client's caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .._client import CoreClient
from .._effects import Flow, fetch_shared
from .._id_token import IdTokenChecks, IdTokenClaims, KeyNotFoundError, validate_id_token
from .._jwks import JsonWebKeys, cache_max_age
from .._metadata import cache_ttl
from ..endpoints.authentication.discovery import (
    ServerMetadata,
    prepare_discovery_request,
    process_discovery_response,
)
from ..endpoints.authentication.jwks import prepare_jwks_request, process_jwks_response

T = TypeVar("T")


def metadata_flow(client: CoreClient) -> Flow[ServerMetadata]:
    """The tenant's discovery document, from the cache or fetched once."""
    config = client.config
    now = config.env.now()
    cached = client.metadata_cache.get(config.base_url, now)
    if cached is not None:
        return cached
    # Concurrent cold starts share one request (protocol doc §1.1: one in flight per domain).
    response = yield from fetch_shared(
        f"discovery:{config.base_url}", prepare_discovery_request(config)
    )
    metadata = process_discovery_response(response)
    if config.use_mtls:  # token, PAR, revocation, CIBA at their mTLS aliases (docs/mtls.md)
        metadata = metadata.for_mtls()
    client.metadata_cache.put(config.base_url, metadata, now, cache_ttl(response))
    return metadata


def jwks_flow(
    client: CoreClient, metadata: ServerMetadata, *, refresh: bool = False
) -> Flow[JsonWebKeys]:
    """The tenant's signing keys, from the cache unless ``refresh`` or expired."""
    now = client.config.env.now()
    if not refresh:
        cached = client.jwks_cache.get(metadata.jwks_uri, now)
        if cached is not None:
            return cached
    # Shared like discovery; a forced re-fetch (unknown kid) gets a key of its own so it is
    # never answered with the document that lacked the key.
    key = f"jwks:{metadata.jwks_uri}" + (f":refetch:{now}" if refresh else "")
    response = yield from fetch_shared(key, prepare_jwks_request(client.config, metadata.jwks_uri))
    keys = process_jwks_response(response)
    client.jwks_cache.put(metadata.jwks_uri, keys, now, cache_max_age(response))
    return keys


def verify_id_token_flow(
    client: CoreClient, metadata: ServerMetadata, token: str, checks: IdTokenChecks
) -> Flow[IdTokenClaims]:
    """Validate ``token``; on an unknown ``kid`` re-fetch the JWKS once (rate-limited).

    Raises:
        IdTokenError: (or a subclass) the token is not valid.
    """
    now = client.config.env.now()
    return (
        yield from with_jwks_flow(
            client,
            metadata,
            lambda keys: validate_id_token(token, keys=keys, checks=checks, now=now),
        )
    )


def with_jwks_flow(
    client: CoreClient, metadata: ServerMetadata, verify: Callable[[JsonWebKeys], T]
) -> Flow[T]:
    """``verify(keys)`` with the cached JWKS; when it raises :class:`KeyNotFoundError`, once
    more with a re-fetched set, if the rate limit allows (protocol doc §1.2).

    Raises:
        KeyNotFoundError: the key is in neither set, or no re-fetch was allowed.
        Whatever ``verify`` raises otherwise.
    """
    now = client.config.env.now()
    keys = yield from jwks_flow(client, metadata)
    try:
        return verify(keys)
    except KeyNotFoundError:
        # Auth0 rotated its signing key since we cached the JWKS (protocol doc §1.2).
        if not client.jwks_cache.may_refetch(metadata.jwks_uri, now):
            raise
        client.jwks_cache.mark_refetch(metadata.jwks_uri, now)
    keys = yield from jwks_flow(client, metadata, refresh=True)
    return verify(keys)
