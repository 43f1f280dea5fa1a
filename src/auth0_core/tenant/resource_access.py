"""How the tenant's resource servers (the My Account API, ``/userinfo``, the Management API)
accept an access token.

Either ``Authorization: Bearer <token>`` (RFC 6750) or ``Authorization: DPoP <token>`` with a
``DPoP`` proof (RFC 9449 §7): a token this tenant signed for the resource's audience, unexpired,
issued to a user. A token bound to a DPoP key (``cnf.jkt``) is accepted only with the DPoP
scheme and a proof of that key for this very request (``htm``, ``htu``, ``ath``, fresh ``jti``,
the nonce when required); a resource that requires DPoP refuses Bearer tokens. Each resource
server turns an :class:`AccessDenied` into its own error shape, with the ``WWW-Authenticate``
challenges it carries.
"""

from __future__ import annotations

from typing import Any

from .dpop.checks import ProofRefused, accept_proof
from .dpop.proof import ALGORITHMS
from .params import Incoming
from .state import TenantState


class AccessDenied(Exception):
    """The request's credentials are refused (401).

    Attributes:
        error: ``invalid_token``, ``invalid_dpop_proof``, ``use_dpop_nonce``; None when the
            request carried no credentials at all (RFC 6750 §3: then no error is named).
        description: why, for people.
        challenges: ``WWW-Authenticate`` values, one per scheme named.
    """

    def __init__(self, error: str | None, description: str, *, challenges: tuple[str, ...]) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.challenges = challenges

    def response_headers(self) -> tuple[tuple[str, str], ...]:
        """The challenges, ready to add to a response."""
        return tuple(("WWW-Authenticate", value) for value in self.challenges)


def challenge(scheme: str, realm: str, error: str | None = None, description: str = "") -> str:
    """A ``WWW-Authenticate`` value (RFC 6750 §3; RFC 9449 §7.1 adds ``algs`` for DPoP)."""
    value = f'{scheme} realm="{realm}"'
    if error is not None:
        text = description.replace('"', "'")
        value += f', error="{error}", error_description="{text}"'
    if scheme == "DPoP":
        value += f', algs="{" ".join(ALGORITHMS)}"'
    return value


def user_token_claims(
    state: TenantState, token: str, audience: str, *, users_only: bool = True
) -> dict[str, Any] | None:
    """The claims of an access token this tenant issued for ``audience``, else None; with
    ``users_only``, only a token issued to a user (not the application's own)."""
    claims = state.keys.verify(token)
    if claims is None or claims.get("iss") != state.issuer:
        return None
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    exp = claims.get("exp")
    if audience not in audiences or not isinstance(exp, int) or exp <= state.env.now():
        return None
    # A client-credentials token has no user behind it: no resource of a user opens for it.
    if not users_only:
        return claims
    if not isinstance(claims.get("sub"), str) or claims.get("gty") == "client-credentials":
        return None
    return claims


def bound_key(claims: dict[str, Any]) -> str | None:
    """The thumbprint a DPoP-bound token is bound to (``cnf.jkt``), None for a Bearer token."""
    confirmation = claims.get("cnf")
    jkt = confirmation.get("jkt") if isinstance(confirmation, dict) else None
    return jkt if isinstance(jkt, str) else None


def access_claims(
    state: TenantState,
    incoming: Incoming,
    *,
    audience: str,
    realm: str,
    require_dpop: bool,
    users_only: bool = True,
) -> dict[str, Any]:
    """The claims of the request's access token, once it proved acceptable for ``audience``.

    Raises:
        AccessDenied: no token; a token that is not (or no longer) valid; a bound token sent as
            Bearer, or any Bearer token when ``require_dpop``; with the DPoP scheme, an unbound
            token, a missing or refused proof, or a proof of another key.
    """
    authorization = incoming.request.header("authorization") or ""
    scheme, _, token = authorization.strip().partition(" ")
    scheme, token = scheme.lower(), token.strip()

    def deny(error: str | None, description: str, *, dpop: bool = True) -> AccessDenied:
        named = "DPoP" if dpop else "Bearer"
        return AccessDenied(
            error, description, challenges=(challenge(named, realm, error, description),)
        )

    if scheme not in ("bearer", "dpop") or not token:
        offered = ("DPoP",) if require_dpop else ("Bearer", "DPoP")
        challenges = tuple(challenge(named, realm) for named in offered)
        raise AccessDenied(None, "Missing access token", challenges=challenges)
    claims = user_token_claims(state, token, audience, users_only=users_only)
    if claims is None:
        raise deny("invalid_token", "The access token is invalid or expired", dpop=scheme == "dpop")
    jkt = bound_key(claims)
    if scheme == "bearer":
        if require_dpop:
            raise deny("invalid_token", "This resource accepts DPoP-bound access tokens only")
        if jkt is not None:  # RFC 9449 §7.2: a bound token must not be usable as a Bearer token
            raise deny("invalid_token", "A DPoP-bound access token needs the DPoP scheme")
        return claims
    if jkt is None:
        raise deny("invalid_token", "The access token is not DPoP-bound")
    try:
        proof = accept_proof(state, incoming, server="rs", access_token=token)
    except ProofRefused as refused:
        raise deny(refused.error, refused.description) from None
    if proof is None:
        raise deny("invalid_dpop_proof", "A DPoP proof is required with a DPoP access token")
    if proof.jkt != jkt:
        raise deny("invalid_dpop_proof", "The DPoP proof key is not the one the token is bound to")
    return claims
