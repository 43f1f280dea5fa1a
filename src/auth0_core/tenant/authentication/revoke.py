"""``POST /oauth/revoke`` (RFC 7009): a client revokes one of its refresh tokens."""

from __future__ import annotations

from ..._http import HttpResponse
from ..params import Incoming
from ..responses import NO_STORE, oauth_error
from ..state import TenantState
from .client_auth import authenticate_client


def revoke(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /oauth/revoke`` (RFC 7009): revoke a refresh token of the authenticated client.

    The token's whole family goes (every token rotated from the same login). Unknown tokens,
    and tokens of other clients, answer 200 as well (RFC 7009 §2.2): the answer must not reveal
    whether a token exists.
    """
    params = incoming.body_params()
    client = authenticate_client(state, incoming, params)
    token = params.get("token")
    if token is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: token")
    if state.refresh_tokens.lookup(token, client.client_id) is not None:
        state.refresh_tokens.revoke(token)
    return HttpResponse(status=200, headers=NO_STORE)
