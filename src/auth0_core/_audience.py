"""Audience safety: an access token is handed out (and cached) for an API only when it can be
shown to be for that API (docs/standard-dialect.md, "Audience safety").

The SDK is not the token's resource server, so it does not verify the token: it reads the
``aud`` of a JWT access token's payload without checking the signature (the API that
receives the token checks it). That is enough to notice a server that answered for another
API than the one asked, which Auth0's MRRT does silently (protocol doc §4.5) and a server
without resource indicators may do as well.
"""

from __future__ import annotations

from ._config import ClientConfig
from ._token import unverified_audiences
from .endpoints.authentication.token import TokenResponse
from .errors import AccessTokenError


def check_audience(
    config: ClientConfig,
    audience: str | None,
    tokens: TokenResponse,
    *,
    unreadable_ok: bool = False,
) -> None:
    """Refuse ``tokens`` unless its access token is shown to be for ``audience``.

    Shown means: a JWT whose ``aud`` (a string or a list) contains ``audience``; or, for a
    token that is not a readable JWT with an ``aud`` (opaque, encrypted), a token answer that
    itself names ``audience`` (its ``aud``, ``audience`` or ``resource`` member). A JWT whose
    ``aud`` leaves ``audience`` out is refused whatever the answer says. Nothing is checked
    when no audience was asked for (the login's default token). ``unreadable_ok`` accepts a
    token that cannot be read at all (the Auth0 dialect's client credentials: Auth0 answers
    that grant for the audience asked or refuses, it has no fallback audience).

    Raises:
        AccessTokenError: code ``incorrect_audience``; its message names the audience asked
            for, never a token.
    """
    if audience is None:
        return
    shown = unverified_audiences(tokens.access_token)
    if shown is not None:
        if audience in shown:
            return
        hint = (
            " Is this API in the application's refresh token policies?"
            if config.dialect == "auth0"
            else ""
        )
        raise AccessTokenError(
            "incorrect_audience",
            f"The server issued an access token for another audience than {audience!r}.{hint}",
        )
    if unreadable_ok or (tokens.audiences is not None and audience in tokens.audiences):
        return
    raise AccessTokenError(
        "incorrect_audience",
        f"The access token issued for {audience!r} cannot be shown to be for it: it is not a "
        "JWT with an 'aud' claim and the token response names no audience or resource.",
    )
