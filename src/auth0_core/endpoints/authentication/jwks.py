"""The tenant's signing keys: ``GET {jwks_uri}`` (protocol doc §1.2).

The key set itself (:class:`~auth0_core._jwks.JsonWebKeys`: which keys are usable, which one
verifies a token) and its cache are in :mod:`auth0_core._jwks`, beside ID-token validation.
"""

from __future__ import annotations

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt
from ..._jwks import JsonWebKeys
from ...errors import InvalidResponse
from ._oauth import tenant_headers

__all__ = ["JsonWebKeys", "prepare_jwks_request", "process_jwks_response"]


def prepare_jwks_request(config: ClientConfig, jwks_uri: str) -> HttpRequest:
    """``GET {jwks_uri}`` (the discovery document's), asking for JSON."""
    return HttpRequest(
        method="GET",
        url=jwks_uri,
        headers=(("Accept", "application/json"), *tenant_headers(config)),
    )


def process_jwks_response(response: HttpResponse) -> JsonWebKeys:
    """Validate a JWKS response (protocol doc §1.2).

    Args:
        response: the answer to :func:`prepare_jwks_request`.

    Returns:
        The usable signing keys.

    Raises:
        InvalidResponse: the status is not 200, the body is not a JSON object, or the document
            holds no usable signing key (see :meth:`JsonWebKeys.from_document`).
    """
    if response.status != 200:
        raise InvalidResponse(
            "fetching the JWKS failed", status=response.status, excerpt=body_excerpt(response.body)
        )
    return JsonWebKeys.from_document(response.json_object())
