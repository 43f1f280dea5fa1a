"""Discovery, JWKS and ID-token verification as sub-flows, consulting the client's caches."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .._client import CoreClient
from .._effects import Flow, fetch_shared
from .._id_token import IdTokenChecks, IdTokenClaims, KeyNotFoundError, validate_id_token
from .._jwks import JsonWebKeys, cache_max_age
from .._metadata import cache_ttl
from .._retry import Retry
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
        f"discovery:{config.base_url}", prepare_discovery_request(config), retry=Retry.of(config)
    )
    metadata = process_discovery_response(response)
    if config.use_mtls:  # token, PAR, revocation, CIBA at their mTLS aliases (docs/mtls.md)
        metadata = metadata.for_mtls()
    client.metadata_cache.put(config.base_url, metadata, now, cache_ttl(response))
    return metadata


def jwks_flow(
    client: CoreClient, metadata: ServerMetadata, *, refetch: str | None = None
) -> Flow[JsonWebKeys]:
    """The tenant's signing keys, from the cache unless expired, or re-fetched as the shared
    request ``refetch`` (a key from :meth:`~auth0_core._jwks.JwksCache.mark_refetch`)."""
    config = client.config
    now = config.env.now()
    if refetch is None:
        cached = client.jwks_cache.get(metadata.jwks_uri, now)
        if cached is not None:
            return cached
    # Shared like discovery; a re-fetch for an unknown kid has a key of its own so it is
    # never answered with the document that lacked the key.
    key = refetch or f"jwks:{metadata.jwks_uri}"
    request = prepare_jwks_request(config, metadata.jwks_uri)
    response = yield from fetch_shared(key, request, retry=Retry.of(config))
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
    more with a re-fetched set, if the re-fetch rule allows (protocol doc §1.2; the rule is in
    :class:`~auth0_core._jwks.JwksCache` and docs/network.md).

    Raises:
        KeyNotFoundError: the key is in neither set, or no re-fetch was allowed.
        Whatever ``verify`` raises otherwise.
    """
    now = client.config.env.now()
    cache, uri = client.jwks_cache, metadata.jwks_uri
    keys = yield from jwks_flow(client, metadata)
    try:
        return verify(keys)
    except KeyNotFoundError as missing:
        # Auth0 rotated its signing key since we cached the JWKS (protocol doc §1.2).
        kid = missing.kid
        if not cache.may_refetch(uri, now, kid):
            raise
        key = cache.mark_refetch(uri, now, kid)
    try:
        keys = yield from jwks_flow(client, metadata, refetch=key)
    finally:
        cache.refetch_done(uri, key)
    try:
        return verify(keys)
    except KeyNotFoundError:
        cache.mark_missing(uri, kid)  # no re-fetch for this kid until the set is fetched again
        raise
