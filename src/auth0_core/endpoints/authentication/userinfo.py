"""The userinfo endpoint, ``GET {userinfo_endpoint}`` (OIDC Core §5.3): the request and
strict processing of its answer. Sending it with the access token (Bearer or DPoP) is the
flow's job (:mod:`auth0_core.flows.userinfo`)."""

from __future__ import annotations

import re
from typing import Any

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse, body_excerpt
from ...errors import ConfigurationError, InvalidResponse, OAuthError
from ._oauth import tenant_headers
from .discovery import ServerMetadata

__all__ = ["prepare_userinfo_request", "process_userinfo_response"]

# RFC 6750 §3: error="...", error_description="..." in a WWW-Authenticate challenge.
_CHALLENGE_PARAM = re.compile(r'(error|error_description)\s*=\s*"([^"]*)"')


def prepare_userinfo_request(config: ClientConfig, metadata: ServerMetadata) -> HttpRequest:
    """``GET {userinfo_endpoint}`` asking for JSON (the token goes on when it is sent).

    Raises:
        ConfigurationError: the server advertises no ``userinfo_endpoint``.
    """
    endpoint = metadata.userinfo_endpoint
    if not endpoint:
        raise ConfigurationError(
            "'fetch_userinfo' is on but the server's discovery document has no 'userinfo_endpoint'."
        )
    return HttpRequest(
        method="GET",
        url=endpoint,
        headers=(("Accept", "application/json"), *tenant_headers(config)),
    )


def process_userinfo_response(response: HttpResponse) -> dict[str, Any]:
    """The claims of a userinfo answer: a JSON object with a non-empty string ``sub``.

    Raises:
        OAuthError: the endpoint refused the token (the error from its ``WWW-Authenticate``
            challenge or its OAuth error body; ``invalid_token`` when it names none).
        InvalidResponse: any other status, a signed or encrypted (``application/jwt``)
            answer, which this SDK does not read, or a body that is not a JSON object with
            a ``sub``.
    """
    if response.status in (400, 401, 403):
        document = response.json_or_none()
        found: dict[str, str] = {}
        if isinstance(document, dict):
            found = {k: v for k, v in document.items() if isinstance(v, str)}
        for name, value in _CHALLENGE_PARAM.findall(response.header("www-authenticate") or ""):
            found.setdefault(name, value)
        raise OAuthError(
            found.get("error") or "invalid_token",
            found.get("error_description"),
            status=response.status,
        )
    if response.status != 200:
        raise InvalidResponse(
            "unexpected userinfo status",
            status=response.status,
            excerpt=body_excerpt(response.body),
        )
    if response.media_type == "application/jwt":
        raise InvalidResponse(
            "the userinfo endpoint answered a signed or encrypted response (application/jwt), "
            "which this SDK does not read: register the client for plain JSON userinfo"
        )
    document = response.json_object()
    sub = document.get("sub")
    if not isinstance(sub, str) or not sub:
        raise InvalidResponse("the userinfo response has no 'sub'")
    return dict(document)
