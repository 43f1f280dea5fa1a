"""What the Authentication API's endpoints share: telemetry, client authentication, errors."""

from __future__ import annotations

import attrs

from ..._client_auth import Fields, authenticate
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt, form_request
from ..._telemetry import auth0_client_header
from ...errors import InvalidResponse, OAuthError


def tenant_headers(config: ClientConfig) -> tuple[tuple[str, str], ...]:
    """Headers sent on every request to the tenant (telemetry, unless turned off)."""
    return (auth0_client_header(),) if config.telemetry else ()


def client_authenticated_post(
    config: ClientConfig, url: str, fields: Fields, issuer: str
) -> HttpRequest:
    """A form-encoded POST to ``url`` carrying ``fields`` and the client's credentials.

    A ``private_key_jwt`` assertion is made for ``issuer``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    body, auth_headers = authenticate(config, fields, issuer)
    return form_request(
        url, body, headers=(("Accept", "application/json"), *auth_headers, *tenant_headers(config))
    )


def body_credentials(config: ClientConfig, fields: Fields, issuer: str) -> Fields:
    """``fields`` with the client's credentials for a JSON body (``/mfa/challenge``,
    ``/passwordless/start`` have no Basic scheme): ``client_id`` and the secret for the secret
    methods, else the client assertion (with mTLS, ``client_id`` only).

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    if config.client_auth_method == "client_secret_basic":
        config = attrs.evolve(config, client_auth_method="client_secret_post")
    body, _ = authenticate(config, fields, issuer)
    return {k: v for k, v in body.items() if v is not None}


def raise_for_oauth_error(response: HttpResponse) -> None:
    """Raise the typed error for a non-2xx token-style response.

    Raises:
        OAuthError: the body is an OAuth error object; keeps ``error``, ``error_description``,
            ``error_uri`` and the HTTP status.
        InvalidResponse: the body is not an OAuth error object (HTML from a proxy, empty...).
    """
    if 200 <= response.status < 300:
        return
    document = response.json_or_none()
    if isinstance(document, dict) and isinstance(document.get("error"), str):
        description = document.get("error_description")
        error_uri = document.get("error_uri")
        raise OAuthError(
            document["error"],
            description if isinstance(description, str) else None,
            status=response.status,
            error_uri=error_uri if isinstance(error_uri, str) else None,
        )
    if response.status == 429:
        message = "rate limited: the server refused the request for now (a POST is not retried)"
    elif 300 <= response.status < 400:
        message = "the token endpoint answered a redirect, which is not followed"
    else:
        message = "the token endpoint answered an error without an OAuth error body"
    raise InvalidResponse(message, status=response.status, excerpt=body_excerpt(response.body))
