"""Account linking through the Management API v2 (protocol doc §5.2, seed 002).

For server-side code that holds both identities. The Management API token comes from the
client-credentials grant (the application needs a client grant with ``read:users`` and
``update:users``) and is cached like any client-credentials token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._client import CoreClient
from .._effects import Flow
from .._token import unverified_claims
from ..endpoints.management.identities import (
    prepare_link_identity_request,
    prepare_unlink_identity_request,
    process_link_identity_response,
    process_unlink_identity_response,
)
from ..endpoints.management.users import (
    prepare_get_user_request,
    prepare_update_user_request,
    process_get_user_response,
    process_update_user_response,
)
from ..errors import InvalidArgumentError, ManagementApiError, MissingRequiredArgumentError
from ..records import TokenSet
from ._resource import resource_fetch
from .client_credentials import client_credentials_token_set_flow

Identities = list[dict[str, Any]]


def management_audience(client: CoreClient) -> str:
    """The Management API's identifier, ``https://{domain}/api/v2/``."""
    return f"{client.config.base_url}/api/v2/"


def split_user_id(user_id: str, provider: str | None) -> tuple[str, str]:
    """(provider, id without prefix) from ``github|4242`` or (``github``, ``4242``).

    Only the first ``|`` separates: ids such as ``oauth2|acme|123`` keep the rest.

    Raises:
        InvalidArgumentError: no provider either way, or a prefix naming another provider.
    """
    if "|" in user_id:
        prefix, rest = user_id.split("|", 1)
        if provider is not None and provider != prefix:
            # A bare id can itself contain '|' when the provider is given separately.
            return provider, user_id
        return prefix, rest
    if provider is None:
        raise InvalidArgumentError("provider", "provider is required when user_id has no prefix.")
    return provider, user_id


def get_user_flow(client: CoreClient, token: TokenSet, user_id: str) -> Flow[dict[str, Any]]:
    """``GET /api/v2/users/{id}``."""
    request = prepare_get_user_request(client.config, user_id)
    response = yield from resource_fetch(client, request, token)
    return process_get_user_response(response)


def merged_metadata(primary: Mapping[str, Any], secondary: Mapping[str, Any]) -> dict[str, Any]:
    """Recursive merge in which the primary's values win (Auth0's recommended rule)."""
    merged = dict(secondary)
    for key, value in primary.items():
        other = merged.get(key)
        if isinstance(value, Mapping) and isinstance(other, Mapping):
            merged[key] = merged_metadata(value, other)
        else:
            merged[key] = value
    return merged


def _subject_of(id_token: object) -> str:
    """The ``sub`` of the secondary's ID token, read unverified: the API verifies it.

    Raises:
        InvalidArgumentError: (``secondary_id_token``) not a string, not a JWT with a
            readable payload (a payload nested too deeply included), or no ``sub``.
    """
    if not isinstance(id_token, str):
        raise InvalidArgumentError("secondary_id_token", "secondary_id_token must be a string.")
    # A compact JWS is ASCII; anything else could not go in the request body either.
    claims = unverified_claims(id_token) if id_token.isascii() else None
    if claims is None:
        raise InvalidArgumentError("secondary_id_token", "secondary_id_token is not a JWT.")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or not _is_text(subject):
        raise InvalidArgumentError("secondary_id_token", "secondary_id_token has no sub.")
    return subject


def _is_text(value: str) -> bool:
    """Whether ``value`` is valid Unicode text (no lone surrogate, which JSON's ``\\ud800``
    escapes can produce and no URL can carry)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _id_argument(argument: str, value: object, *, required: bool = True) -> str:
    """``value`` when it is a non-empty string, else the call's mistake, naming ``argument``.

    Raises:
        MissingRequiredArgumentError: None or empty, for a ``required`` argument.
        InvalidArgumentError: not a string, empty, or not valid Unicode text (a lone
            surrogate).
    """
    if value is None and required:
        raise MissingRequiredArgumentError(argument)
    if not isinstance(value, str):  # before any comparison: a foreign __eq__ may raise
        raise InvalidArgumentError(argument, f"{argument} must be a string.")
    if not value:
        if required:
            raise MissingRequiredArgumentError(argument)
        raise InvalidArgumentError(argument, f"{argument} must not be empty.")
    if not _is_text(value):
        raise InvalidArgumentError(argument, f"{argument} is not valid Unicode text.")
    return value


def _merge_metadata_flow(
    client: CoreClient, token: TokenSet, primary_user_id: str, secondary_user_id: str
) -> Flow[None]:
    primary = yield from get_user_flow(client, token, primary_user_id)
    secondary = yield from get_user_flow(client, token, secondary_user_id)
    mine, theirs = primary.get("user_metadata") or {}, secondary.get("user_metadata") or {}
    if not isinstance(mine, Mapping) or not isinstance(theirs, Mapping) or not theirs:
        return
    request = prepare_update_user_request(
        client.config, primary_user_id, user_metadata=merged_metadata(mine, theirs)
    )
    response = yield from resource_fetch(client, request, token)
    process_update_user_response(response)


def link_user_accounts_flow(
    client: CoreClient,
    primary_user_id: str,
    *,
    secondary_id_token: str | None = None,
    provider: str | None = None,
    user_id: str | None = None,
    connection_id: str | None = None,
    merge_user_metadata: bool = False,
) -> Flow[Identities]:
    """Link a secondary identity into ``primary_user_id``; return the primary's identities.

    Raises:
        MissingRequiredArgumentError: no ``primary_user_id``.
        InvalidArgumentError: not exactly one of ``secondary_id_token`` and (``provider``,
            ``user_id``); blank ids, or ids that are not strings of valid Unicode text; a
            ``secondary_id_token`` that is not a readable JWT with a ``sub``.
        ManagementApiError: the API refused (``metadata_merged`` says whether the metadata
            PATCH already happened).
        OAuthError: no Management API token (no client grant).
    """
    primary_user_id = _id_argument("primary_user_id", primary_user_id)
    if (secondary_id_token is None) == (user_id is None):
        raise InvalidArgumentError(
            "secondary_id_token", "give either secondary_id_token or provider and user_id."
        )
    bare_id: str | None = None
    if secondary_id_token is not None:
        if provider is not None or connection_id is not None:
            raise InvalidArgumentError("provider", "provider goes with user_id, not an ID token.")
        secondary = _subject_of(secondary_id_token)
    else:
        if provider is not None:
            _id_argument("provider", provider, required=False)
        if connection_id is not None:
            _id_argument("connection_id", connection_id, required=False)
        provider, bare_id = split_user_id(_id_argument("user_id", user_id), provider)
        secondary = f"{provider}|{bare_id}"
    # Built before any request: it refuses ids a URL or JSON body cannot carry.
    request = prepare_link_identity_request(
        client.config,
        primary_user_id,
        link_with=secondary_id_token,
        provider=provider,
        user_id=bare_id,
        connection_id=connection_id,
    )
    token = yield from client_credentials_token_set_flow(client, management_audience(client))
    if merge_user_metadata:
        yield from _merge_metadata_flow(client, token, primary_user_id, secondary)
    response = yield from resource_fetch(client, request, token)
    try:
        return process_link_identity_response(response)
    except ManagementApiError as exc:
        exc.metadata_merged = merge_user_metadata
        raise


def unlink_user_accounts_flow(
    client: CoreClient, primary_user_id: str, provider: str, user_id: str
) -> Flow[Identities]:
    """Unlink ``provider``/``user_id`` from ``primary_user_id``; return what remains.

    Raises:
        MissingRequiredArgumentError: an id is None or empty (its ``argument`` names it).
        InvalidArgumentError: an id that is not a string of valid Unicode text.
        ManagementApiError: the API refused (e.g. 404 when not linked).
    """
    primary_user_id = _id_argument("primary_user_id", primary_user_id)
    provider = _id_argument("provider", provider)
    provider, bare_id = split_user_id(_id_argument("user_id", user_id), provider)
    # Built before any request: it refuses ids a URL cannot carry.
    request = prepare_unlink_identity_request(client.config, primary_user_id, provider, bare_id)
    token = yield from client_credentials_token_set_flow(client, management_audience(client))
    response = yield from resource_fetch(client, request, token)
    return process_unlink_identity_response(response)
