"""How the tenant's resource servers (the My Account API, ``/userinfo``) accept an access token.

``Authorization: Bearer <token>`` (RFC 6750): a token this tenant signed for the resource's
audience, unexpired, issued to a user. Each resource server turns an :class:`AccessDenied` into
its own error shape, with the ``WWW-Authenticate`` challenge it carries.
"""

from __future__ import annotations

from typing import Any

from .params import Incoming
from .state import TenantState


class AccessDenied(Exception):
    """The request's credentials are refused (401).

    Attributes:
        error: the RFC 6750 §3.1 code (``invalid_token``, ``invalid_request``), None when the
            request carried no credentials at all (RFC 6750 §3: then no error is named).
        description: why, for people.
        challenges: ``WWW-Authenticate`` values, one per scheme the resource accepts.
        headers: other headers the answer must carry.
    """

    def __init__(
        self,
        error: str | None,
        description: str,
        *,
        challenges: tuple[str, ...],
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.challenges = challenges
        self.headers = headers

    def response_headers(self) -> tuple[tuple[str, str], ...]:
        """The challenges and the other headers, ready to add to a response."""
        return (*(("WWW-Authenticate", c) for c in self.challenges), *self.headers)


def challenge(scheme: str, realm: str, error: str | None = None, description: str = "") -> str:
    """A ``WWW-Authenticate`` value (RFC 6750 §3); quotes are dropped from the description."""
    value = f'{scheme} realm="{realm}"'
    if error is not None:
        text = description.replace('"', "'")
        value += f', error="{error}", error_description="{text}"'
    return value


def user_token_claims(state: TenantState, token: str, audience: str) -> dict[str, Any] | None:
    """The claims of a user access token this tenant issued for ``audience``, else None."""
    claims = state.keys.verify(token)
    if claims is None or claims.get("iss") != state.issuer:
        return None
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    exp = claims.get("exp")
    if audience not in audiences or not isinstance(exp, int) or exp <= state.env.now():
        return None
    # A client-credentials token has no user behind it: no resource of a user opens for it.
    if not isinstance(claims.get("sub"), str) or claims.get("gty") == "client-credentials":
        return None
    return claims


def access_claims(
    state: TenantState, incoming: Incoming, *, audience: str, realm: str
) -> dict[str, Any]:
    """The claims of the request's access token, once it proved acceptable for ``audience``.

    Raises:
        AccessDenied: no token, a malformed header, or a token that is not (or no longer) valid.
    """
    authorization = incoming.request.header("authorization") or ""
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AccessDenied(None, "Missing bearer token", challenges=(challenge("Bearer", realm),))
    claims = user_token_claims(state, token, audience)
    if claims is None:
        description = "The access token is invalid or expired"
        raise AccessDenied(
            "invalid_token",
            description,
            challenges=(challenge("Bearer", realm, "invalid_token", description),),
        )
    return claims
