"""What every My Account endpoint checks first (protocol doc 7.1): the caller's access token.

A token for the My Account API (``{base}/me/``), as Bearer or DPoP (:mod:`..resource_access`;
DPoP only while ``my_account_require_dpop`` is set), valid (else 401 with ``WWW-Authenticate``),
carrying the scope the endpoint needs (else 403); errors in the API's problem shape. Endpoints
are written as ``(state, incoming, caller) -> response`` and wrapped with :func:`requires`,
which also adds the resource server's ``DPoP-Nonce`` to every answer while nonces are required.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import attrs

from ..._http import HttpResponse
from ..config_types import MY_ACCOUNT_AUDIENCE
from ..dpop.checks import sends_nonce
from ..params import Incoming
from ..resource_access import AccessDenied, access_claims, bound_key, challenge
from ..responses import RequestRejected
from ..state import TenantState
from .problems import reject

CREATE = "create:me:connected_accounts"
READ = "read:me:connected_accounts"
DELETE = "delete:me:connected_accounts"


@attrs.frozen(kw_only=True)
class Caller:
    """Who calls: the user the token was issued for, through which client."""

    user_id: str
    client_id: str | None  # the token's ``azp``
    org_id: str | None


CallerEndpoint = Callable[[TenantState, Incoming, Caller], HttpResponse]
Endpoint = Callable[[TenantState, Incoming], HttpResponse]


def requires(scope: str | tuple[str, ...]) -> Callable[[CallerEndpoint], Endpoint]:
    """Make ``(state, incoming, caller)`` an endpoint that first checks the token and ``scope``
    (a tuple: any one of these spellings of one scope).

    Every rejection, the endpoint's own included, answers in the problem shape.
    """

    def wrap(endpoint: CallerEndpoint) -> Endpoint:
        @functools.wraps(endpoint)
        def guarded(state: TenantState, incoming: Incoming) -> HttpResponse:
            try:
                return endpoint(state, incoming, _caller(state, incoming, scope))
            except RequestRejected as rejected:
                return rejected.response

        return sends_nonce("rs")(guarded)

    return wrap


def _caller(state: TenantState, incoming: Incoming, scope: str | tuple[str, ...]) -> Caller:
    audience = state.apis.resolve(MY_ACCOUNT_AUDIENCE)
    require_dpop = state.settings.my_account_require_dpop
    try:
        claims = access_claims(
            state, incoming, audience=audience, realm=audience, require_dpop=require_dpop
        )
    except AccessDenied as denied:
        raise reject(401, denied.description, headers=denied.response_headers()) from None
    granted = claims.get("scope")
    spellings = (scope,) if isinstance(scope, str) else scope
    if not isinstance(granted, str) or not set(spellings) & set(granted.split()):
        description = f"Insufficient scope, expected: {spellings[0]}"
        scheme = "DPoP" if bound_key(claims) is not None else "Bearer"
        insufficient = challenge(scheme, audience, "insufficient_scope", description)
        raise reject(403, description, headers=(("WWW-Authenticate", insufficient),))
    return Caller(
        user_id=claims["sub"],
        client_id=_text(claims.get("azp")),
        org_id=_text(claims.get("org_id")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
