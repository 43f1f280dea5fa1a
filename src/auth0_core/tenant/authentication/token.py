"""``POST /oauth/token``: client authentication, then one handler per ``grant_type``.

A tenant starts with :data:`DEFAULT_GRANTS`; tests may add handlers to the state's
``grant_handlers`` (``Tenant.grant_handlers``) to emulate more grants.
"""

from __future__ import annotations

from ..._http import HttpResponse
from ..params import Incoming
from ..responses import oauth_error
from ..state import GrantHandler, TenantState
from .authorization_code import authorization_code_grant
from .client_auth import authenticate_client
from .client_credentials import client_credentials_grant
from .refresh import refresh_grant
from .token_vault import FEDERATED_GRANT, federated_grant


def token(state: TenantState, incoming: Incoming) -> HttpResponse:
    """Authenticate the client and dispatch on ``grant_type``.

    Raises:
        RequestRejected: malformed body or failed client authentication.
    """
    params = incoming.body_params()
    duplicated = params.duplicated()
    if duplicated:
        return oauth_error(400, "invalid_request", f"Duplicate parameter: {duplicated[0]}")
    client = authenticate_client(state, incoming, params)
    grant_type = params.get("grant_type")
    if grant_type is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
    handler = state.grant_handlers.get(grant_type)
    if handler is None:
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    if not client.allows_grant(grant_type):
        return oauth_error(
            400, "unauthorized_client", f"Grant type '{grant_type}' not allowed for the client."
        )
    return handler(state, client, params)


DEFAULT_GRANTS: dict[str, GrantHandler] = {
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_grant,
    "client_credentials": client_credentials_grant,
    FEDERATED_GRANT: federated_grant,
}
