"""``GET {domain}/.well-known/webfinger`` (RFC 7033): whether an e-mail domain is one of the
tenant's enterprise domains (Enterprise Connect; the wire is inferred from the published
auth0-server-python 1.0.0b20, UNCONFIRMED against Auth0)."""

from __future__ import annotations

import warnings
from urllib.parse import urlencode

from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ._oauth import tenant_headers

__all__ = ["prepare_webfinger_request", "process_webfinger_response"]

_ISSUER_REL = "http://openid.net/specs/connect/1.0/issuer"
_RESOURCE_PREFIX = "urn:auth0:discovery:domain:"


def prepare_webfinger_request(config: ClientConfig, email_domain: str) -> HttpRequest:
    """``GET {domain}/.well-known/webfinger?resource=urn:auth0:discovery:domain:{email_domain}
    &rel=http://openid.net/specs/connect/1.0/issuer``."""
    query = urlencode({"resource": f"{_RESOURCE_PREFIX}{email_domain}", "rel": _ISSUER_REL})
    return HttpRequest(
        method="GET",
        url=f"{config.base_url}/.well-known/webfinger?{query}",
        headers=(("Accept", "application/jrd+json, application/json"), *tenant_headers(config)),
    )


def process_webfinger_response(response: HttpResponse) -> bool | None:
    """True for 200 (an enterprise domain), False for 404 (not one), None for any other
    answer (not one either, but not to be remembered); a 429 also warns."""
    if response.status == 429:
        warnings.warn(
            "WebFinger discovery was rate-limited; treating the domain as not federated for "
            "this request.",
            stacklevel=2,
        )
    if response.status == 200:
        return True
    if response.status == 404:
        return False
    return None
