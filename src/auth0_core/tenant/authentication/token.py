"""``POST /oauth/token``: the DPoP proof, client authentication, then one handler per
``grant_type``.

A tenant starts with :data:`DEFAULT_GRANTS`; tests may add handlers to the state's
``grant_handlers`` (``Tenant.grant_handlers``) to emulate more grants.

DPoP (RFC 9449 §5): a request with a valid ``DPoP`` proof gets access tokens bound to the
proof's key (``cnf.jkt``) and ``token_type: "DPoP"``; a bad proof answers 400
``invalid_dpop_proof``, a missing nonce (when required) 400 ``use_dpop_nonce`` with a
``DPoP-Nonce`` header. The proof is checked before the client is authenticated, so a nonce
challenge does not use up a client assertion's ``jti``. Refresh tokens are not bound: the demo
clients are confidential, and RFC 9449 §5 binds refresh tokens only for public clients.
"""

from __future__ import annotations

from ..._http import HttpResponse
from ..dpop.checks import ProofRefused, accept_proof, sends_nonce
from ..params import Incoming
from ..responses import oauth_error
from ..state import GrantHandler, TenantState
from .authorization_code import authorization_code_grant
from .ciba import CIBA_GRANT, ciba_grant
from .client_auth import authenticate_client
from .client_credentials import client_credentials_grant
from .custom_token_exchange import CUSTOM_TOKEN_EXCHANGE_GRANT, custom_token_exchange_grant
from .mfa_grants import MFA_GRANTS
from .passkeys import WEBAUTHN_GRANT, webauthn_grant
from .passwordless import PASSWORDLESS_OTP_GRANT, otp_grant
from .refresh import refresh_grant
from .token_vault import FEDERATED_GRANT, federated_grant


@sends_nonce("as")
def token(state: TenantState, incoming: Incoming) -> HttpResponse:
    """Check the DPoP proof, authenticate the client and dispatch on ``grant_type``.

    Every answer carries the current ``DPoP-Nonce`` while nonces are required.

    Raises:
        RequestRejected: malformed body or failed client authentication.
    """
    params = incoming.body_params()
    duplicated = params.duplicated()
    if duplicated:
        return oauth_error(400, "invalid_request", f"Duplicate parameter: {duplicated[0]}")
    try:
        proof = accept_proof(state, incoming, server="as")
    except ProofRefused as refused:
        return oauth_error(400, refused.error, refused.description)
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
    if proof is None and client.require_dpop:
        # The error code Auth0 uses here is UNCONFIRMED.
        return oauth_error(400, "invalid_request", "This client must send a DPoP proof.")
    state.dpop_jkt = proof.jkt if proof is not None else None
    try:
        return handler(state, client, params)
    finally:
        state.dpop_jkt = None


DEFAULT_GRANTS: dict[str, GrantHandler] = {
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_grant,
    "client_credentials": client_credentials_grant,
    FEDERATED_GRANT: federated_grant,
    CIBA_GRANT: ciba_grant,
    CUSTOM_TOKEN_EXCHANGE_GRANT: custom_token_exchange_grant,
    **MFA_GRANTS,
    PASSWORDLESS_OTP_GRANT: otp_grant,
    WEBAUTHN_GRANT: webauthn_grant,
}
