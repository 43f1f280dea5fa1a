"""Userinfo merged into the session's user (OIDC Core §5.3, §5.4; docs/standard-dialect.md).

Opt-in in both dialects (``fetch_userinfo``): after the code exchange, and with
``"login_and_refresh"`` after each refresh of the token that serves the userinfo endpoint, the
endpoint is asked with that access token. Its ``sub`` must be the ID token's (§5.3.2: else
its claims must not be used, so the call fails and no session is written).

Merging: in the code flow the userinfo endpoint is where the profile, email, address and
phone claims belong (§5.4), so its claims about the user win over the ID token's copies; the
ID token keeps the claims about the authentication itself (:data:`ID_TOKEN_CLAIMS`: issuer,
audience, times, nonce, session id, organization, ...), which are checked at login and are
never taken from userinfo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._client import CoreClient
from .._config import ClientConfig
from .._dpop import authorized_fetch
from .._dpop_key import is_dpop
from .._effects import Flow
from .._token_sets import DEFAULT_AUDIENCE
from ..endpoints.authentication.discovery import ServerMetadata
from ..endpoints.authentication.token import TokenResponse
from ..endpoints.authentication.userinfo import (
    prepare_userinfo_request,
    process_userinfo_response,
)
from ..errors import UserInfoError

# Claims only the (verified) ID token speaks for: about the token and the authentication
# event (OIDC Core §2), the session (sid, session_expiry) and the organization checked at
# login. A userinfo answer carrying one of them does not change the user's.
ID_TOKEN_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "aud",
        "azp",
        "exp",
        "iat",
        "nbf",
        "jti",
        "auth_time",
        "nonce",
        "acr",
        "amr",
        "at_hash",
        "c_hash",
        "s_hash",
        "sid",
        "session_expiry",
        "cnf",
        "org_id",
        "org_name",
    }
)


def userinfo_audience_key(config: ClientConfig, login_audience: str | None) -> str:
    """The audience key of the token set whose access token the userinfo endpoint accepts.

    Auth0's token for the login audience carries the userinfo audience too (with ``openid``);
    a standard server's token for a resource usually does not (oidc-provider refuses any
    token with an audience at userinfo), so in the standard dialect a client that merges
    userinfo exchanges the code for a token without a resource, kept as the default set.
    """
    if config.dialect == "standard":
        return DEFAULT_AUDIENCE
    return login_audience or DEFAULT_AUDIENCE


def token_audience(config: ClientConfig, audience: str | None) -> str | None:
    """The API a login's token request asks for (the code exchange, a CIBA poll), whose token
    the session keeps as the login's set.

    The login's audience; in the standard dialect (sent as ``resource``, RFC 8707 §2.2) none
    when userinfo is merged, since a token for a resource is usually refused at the userinfo
    endpoint: the resource's token then comes from the refresh token.
    """
    if config.dialect == "standard" and config.fetch_userinfo != "never":
        return None
    return audience


def userinfo_flow(
    client: CoreClient, metadata: ServerMetadata, tokens: TokenResponse, sub: str
) -> Flow[dict[str, Any]]:
    """The userinfo claims for ``tokens.access_token``, checked to be ``sub``'s, without the
    claims only the ID token speaks for.

    Raises:
        ConfigurationError: no ``userinfo_endpoint`` in discovery, or a DPoP-bound token and
            no DPoP key.
        OAuthError: the endpoint refused the token.
        InvalidResponse: the answer is not a JSON object with a ``sub``.
        UserInfoError: (claim ``sub``) the answer is another user's.
        TransportError: the endpoint could not be reached.
    """
    request = prepare_userinfo_request(client.config, metadata)
    response = yield from authorized_fetch(
        client, request, tokens.access_token, bound=is_dpop(tokens.token_type)
    )
    claims = process_userinfo_response(response)
    if claims["sub"] != sub:
        raise UserInfoError(
            "sub",
            "The userinfo endpoint answered for another user than the ID token's "
            "(OIDC Core 5.3.2): its claims were not used and no session was written.",
        )
    return {key: value for key, value in claims.items() if key not in ID_TOKEN_CLAIMS}


def merged_user(
    base: Mapping[str, Any],
    id_token_claims: Mapping[str, Any] | None = None,
    userinfo: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The user after a login or refresh: ``base`` (the session's user, or the login's ID
    token claims), then a refresh's newer ID token claims, then userinfo claims (already
    without :data:`ID_TOKEN_CLAIMS`); the newest source wins for each claim."""
    return {**base, **(id_token_claims or {}), **(userinfo or {})}
