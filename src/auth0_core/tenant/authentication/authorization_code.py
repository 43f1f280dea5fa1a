"""``grant_type=authorization_code`` (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6).

A code is single use: its first presentation consumes it, whatever the outcome, and presenting it
again revokes the refresh tokens it produced (RFC 6749 §4.1.2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..._http import HttpResponse
from ..config_types import TenantClient
from ..params import Params
from ..responses import oauth_error
from ..state import TenantState
from .mint import token_response
from .refresh import issue_refresh_token, wants_refresh_token

INVALID_CODE = "Invalid authorization code"


def _s256(code_verifier: str) -> str:
    """``BASE64URL-NOPAD(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_code_grant(
    state: TenantState, client: TenantClient, params: Params
) -> HttpResponse:
    """Exchange a code and its PKCE verifier for the tokens of the login it stands for."""
    code = params.get("code")
    if code is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: code")
    now = state.env.now()
    # One-time: the code is consumed by the first presentation, whatever its outcome.
    stored = state.codes.pop(code, None)
    if stored is None:
        issued = state.used_codes.get(code)
        if issued is not None:
            # RFC 6749 §4.1.2: on reuse, revoke what the code already produced.
            for produced in issued[1]:
                state.refresh_tokens.revoke(produced)
        return oauth_error(400, "invalid_grant", INVALID_CODE)
    state.used_codes[code] = (stored.expires_at, [])
    if stored.expires_at <= now or stored.grant.client_id != client.client_id:
        return oauth_error(400, "invalid_grant", INVALID_CODE)
    if params.get("redirect_uri") != stored.redirect_uri:
        return oauth_error(
            400, "invalid_grant", "The redirect_uri does not match the authorization request."
        )
    verifier = params.get("code_verifier")
    if not stored.code_challenge:  # a passwordless magic link's code: no PKCE, no verifier
        if verifier is not None:
            return oauth_error(400, "invalid_grant", "Failed to verify code verifier")
    elif not hmac.compare_digest(_s256(verifier or ""), stored.code_challenge):
        return oauth_error(400, "invalid_grant", "Failed to verify code verifier")
    if stored.dpop_jkt is not None and stored.dpop_jkt != state.dpop_jkt:
        # RFC 9449 §10: a code bound to a key is redeemed only with a proof of that key.
        return oauth_error(400, "invalid_grant", "The DPoP proof key does not match dpop_jkt.")
    # The client now holds tokens of this session: ending it will log the client out.
    state.sessions.add_client(stored.grant.sid, client.client_id)
    refresh_token: str | None = None
    if wants_refresh_token(stored.grant.scope):
        refresh_token = issue_refresh_token(state, stored.grant)
        state.used_codes[code] = (stored.expires_at, [refresh_token])
    return token_response(state, stored.grant, nonce=stored.nonce, refresh_token=refresh_token)
