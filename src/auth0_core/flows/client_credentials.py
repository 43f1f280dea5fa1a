"""The application's own access tokens (client credentials, protocol doc §8.4)."""

from __future__ import annotations

from .._audience import check_audience
from .._client import CoreClient
from .._dpop import check_token_type, token_fetch
from .._dpop_key import is_dpop
from .._effects import Flow
from .._token_sets import is_fresh
from ..endpoints.authentication.token import (
    prepare_client_credentials_request,
    process_token_response,
)
from ..errors import InvalidArgumentError
from ..records import TokenSet
from .discovery import metadata_flow
from .tokens import shared_key


def client_credentials_flow(
    client: CoreClient, audience: str, organization: str | None = None
) -> Flow[str]:
    """An access token for the application itself, cached per (audience, organization).

    Raises:
        InvalidArgumentError: blank audience or organization, or either not a string.
        OAuthError: the tenant refused (``access_denied`` without a client grant, ...).
        InvalidResponse, TransportError: the exchange failed.
    """
    token_set = yield from client_credentials_token_set_flow(client, audience, organization)
    return token_set.access_token


def client_credentials_token_set_flow(
    client: CoreClient, audience: str, organization: str | None = None
) -> Flow[TokenSet]:
    """The application's token set for ``audience`` (its ``token_type`` says whether it is
    DPoP-bound): flows that call an API with it pass it to ``resource_fetch``.

    Raises:
        InvalidArgumentError: blank audience or organization, or either not a string.
        OAuthError: the tenant refused (``access_denied`` without a client grant, ...).
        AccessTokenError: (``incorrect_audience``) the token cannot be shown to be for
            ``audience`` (docs/standard-dialect.md).
        InvalidResponse, TransportError: the exchange failed.
    """
    if not isinstance(audience, str) or not audience.strip():
        raise InvalidArgumentError("audience", "audience is required.")
    if organization is not None and not isinstance(organization, str):
        raise InvalidArgumentError("organization", "organization must be a string.")
    if organization is not None and not organization.strip():
        raise InvalidArgumentError("organization", "organization must not be blank.")
    config = client.config
    cache_key = (audience, organization)
    cached = client.client_credentials_cache.get(cache_key)
    if cached is not None and is_fresh(cached, config.env.now(), config.leeway):
        return cached
    metadata = yield from metadata_flow(client)
    replacing = cached.access_token if cached is not None else None
    response = yield from token_fetch(
        client,
        lambda: prepare_client_credentials_request(
            config, metadata, audience=audience, organization=organization
        ),
        # The domain too: with a domain resolver, one driver shares requests for every domain.
        shared=shared_key("client", config.base_url, audience, organization, replacing),
    )
    tokens = process_token_response(response)
    check_token_type(client, tokens)
    # Before anything is cached; an opaque token passes in Auth0's dialect only.
    check_audience(config, audience, tokens, unreadable_ok=config.dialect == "auth0")
    now = config.env.now()
    entry = TokenSet(
        audience=audience,
        access_token=tokens.access_token,
        scope=tokens.scope,
        expires_at=now + (tokens.expires_in or 0),
        obtained_at=now,
        token_type="DPoP" if is_dpop(tokens.token_type) else None,
    )
    if tokens.expires_in:
        client.client_credentials_cache[cache_key] = entry
    return entry
