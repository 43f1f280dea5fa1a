"""Pushed Authorization Requests (RFC 9126), ``POST /oauth/par`` (protocol doc §2.2)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import attrs

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt
from ...errors import ConfigurationError, InvalidResponse, OAuthError, ParError
from ._oauth import client_authenticated_post, raise_for_oauth_error
from .discovery import ServerMetadata

__all__ = ["prepare_par_request", "process_par_response"]


def prepare_par_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    query: Mapping[str, str],
    repeated: tuple[tuple[str, str], ...] = (),
) -> HttpRequest:
    """The pushed request carrying every /authorize parameter, client-authenticated as at the
    token endpoint; ``repeated`` are parameters that may occur more than once (the standard
    dialect's ``resource``, RFC 8707 §2.1).

    Raises:
        ConfigurationError: the tenant does not advertise a PAR endpoint, or the client
            assertion's signing key is unusable.
    """
    endpoint = metadata.pushed_authorization_request_endpoint
    if not endpoint:
        raise ConfigurationError(
            "pushed authorization requests are enabled but the tenant does not advertise "
            "'pushed_authorization_request_endpoint'."
        )
    request = client_authenticated_post(config, endpoint, dict(query), metadata.issuer)
    if not repeated:
        return request
    return attrs.evolve(request, body=request.body + b"&" + urlencode(repeated).encode("ascii"))


def process_par_response(response: HttpResponse) -> str:
    """Return the ``request_uri`` of a PAR answer (201; 200 tolerated).

    Raises:
        ParError: the server refused the request.
        InvalidResponse: the answer is malformed.
    """
    try:
        raise_for_oauth_error(response)
    except OAuthError as exc:
        raise ParError(
            f"pushed authorization request failed: {exc.message}",
            error=exc.error,
            error_description=exc.error_description,
            status=exc.status,
        ) from None
    if response.status not in (200, 201):
        raise InvalidResponse(
            "unexpected PAR status", status=response.status, excerpt=body_excerpt(response.body)
        )
    document = response.json_object()
    request_uri = document.get("request_uri")
    if not isinstance(request_uri, str) or not request_uri:
        raise InvalidResponse("PAR response has no request_uri")
    return request_uri
