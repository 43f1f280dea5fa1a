"""Enterprise Connect (protocol doc §8.14, inferred from the published auth0-server-python
1.0.0b20: docs/anonymous-and-enterprise.md).

``start_enterprise_login`` asks the tenant, with WebFinger (RFC 7033) at
``GET {domain}/.well-known/webfinger?resource=urn:auth0:discovery:domain:{email domain}&rel=
http://openid.net/specs/connect/1.0/issuer``, whether the e-mail's domain is one of its
enterprise (federated) domains. 200 means yes: the login starts as ``start_interactive_login``
does, with the e-mail as ``login_hint`` (the tenant routes the login to the domain's
connection and organization). 404 means no: None, for the application's own login. Anything
else (another status, no answer) is "no" too, and is not remembered; a 200 is remembered 60 s,
a 404 15 s, per (tenant, e-mail domain), for the 1000 most recent.

With ``enterprise_connect=True`` the application owns the session: a login writes none and
``complete_interactive_login`` returns the verified user and the tokens
(:func:`enterprise_result`); the calls that need the SDK's session are refused.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from .._client import CoreClient
from .._effects import Flow, fetch
from .._token_sets import DEFAULT_AUDIENCE
from ..endpoints.authentication.token import TokenResponse
from ..endpoints.authentication.webfinger import (
    prepare_webfinger_request,
    process_webfinger_response,
)
from ..errors import TransportError

CACHE_FOUND = 60
CACHE_NOT_FOUND = 15
CACHE_MAX_ENTRIES = 1000
# What a client in Enterprise Connect mode still offers (the official SDK's allow-list).
ALLOWED_METHODS = frozenset(
    {
        "start_interactive_login",
        "start_enterprise_login",
        "complete_interactive_login",
        "logout",
        "custom_token_exchange",
        "handle_backchannel_logout",
        # ours: closing the client (sync and async facades)
        "close",
        "aclose",
    }
)


def is_federated_domain_flow(client: CoreClient, email_domain: str) -> Flow[bool]:
    """Whether the tenant manages ``email_domain`` for enterprise login (a routing hint, never
    an authorization decision): see the module documentation for the answers and the cache."""
    email_domain = (email_domain or "").strip().lower()
    if not email_domain:
        return False
    cache = client.webfinger_cache
    key = f"{client.config.domain}:{email_domain}"
    now = client.config.env.now()
    cached = cache.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    try:
        response = yield from fetch(prepare_webfinger_request(client.config, email_domain))
    except TransportError:
        return False
    found = process_webfinger_response(response)
    if found is None:
        return False
    cache[key] = (found, now + (CACHE_FOUND if found else CACHE_NOT_FOUND))
    cache.move_to_end(key)
    while len(cache) > CACHE_MAX_ENTRIES:
        cache.popitem(last=False)
    return found


def enterprise_result(
    *,
    tokens: TokenResponse,
    user: Mapping[str, Any],
    audience: str | None,
    domain: str,
    app_state: Any,
    now: int,
) -> dict[str, Any]:
    """What ``complete_interactive_login`` returns in Enterprise Connect mode: the verified
    ``user`` claims, the access token's ``token_set`` (no refresh token is kept), the raw
    ``id_token``, the ``domain``, and ``app_state`` when there is one."""
    result: dict[str, Any] = {
        "user": dict(user),
        "token_set": {
            "audience": audience or DEFAULT_AUDIENCE,
            "access_token": tokens.access_token or "",
            "scope": tokens.scope or "",
            "expires_at": now + (tokens.expires_in if tokens.expires_in is not None else 3600),
        },
        "id_token": tokens.id_token,
        "domain": domain,
    }
    if app_state:
        result["app_state"] = app_state
    return result


def logout_warning(federated: bool) -> None:
    """Enterprise Connect: a logout that leaves the identity provider's session on."""
    if not federated:
        warnings.warn(
            "Enterprise Connect logout without federated=True leaves the IdP session active. "
            "Pass LogoutOptions(federated=True) to end it.",
            stacklevel=3,
        )
