"""``POST /oauth/token``: client authentication, then one handler per ``grant_type``."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._http import HttpResponse
from .client_credentials import client_credentials_grant
from .config_types import TenantClient
from .mint import token_response
from .params import Incoming, Params
from .refresh import issue_refresh_token, refresh_grant, wants_refresh_token
from .responses import oauth_error
from .vault import FEDERATED_GRANT, federated_grant

if TYPE_CHECKING:
    from .tenant import Tenant

GrantHandler = Callable[["Tenant", TenantClient, Params], HttpResponse]
INVALID_CODE = "Invalid authorization code"


def s256(code_verifier: str) -> str:
    """``BASE64URL-NOPAD(SHA256(ASCII(code_verifier)))`` (RFC 7636 §4.2)."""
    digest = hashlib.sha256(code_verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def token(tenant: Tenant, incoming: Incoming) -> HttpResponse:
    """Authenticate the client and dispatch on ``grant_type``.

    Raises:
        RequestRejected: malformed body or failed client authentication.
    """
    params = incoming.body_params()
    duplicated = params.duplicated()
    if duplicated:
        return oauth_error(400, "invalid_request", f"Duplicate parameter: {duplicated[0]}")
    client = tenant.authenticated_client(incoming, params)
    grant_type = params.get("grant_type")
    if grant_type is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: grant_type")
    handler = tenant.grant_handlers.get(grant_type)
    if handler is None:
        return oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant_type}")
    if not client.allows_grant(grant_type):
        return oauth_error(
            400, "unauthorized_client", f"Grant type '{grant_type}' not allowed for the client."
        )
    return handler(tenant, client, params)


def authorization_code_grant(tenant: Tenant, client: TenantClient, params: Params) -> HttpResponse:
    """``grant_type=authorization_code`` (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6)."""
    code = params.get("code")
    if code is None:
        return oauth_error(400, "invalid_request", "Missing required parameter: code")
    now = tenant.env.now()
    # One-time: the code is consumed by the first presentation, whatever its outcome.
    stored = tenant.codes.pop(code, None)
    if stored is None:
        issued = tenant.used_codes.get(code)
        if issued is not None:
            # RFC 6749 §4.1.2: on reuse, revoke what the code already produced.
            for produced in issued[1]:
                tenant.refresh_tokens.revoke(produced)
        return oauth_error(400, "invalid_grant", INVALID_CODE)
    tenant.used_codes[code] = (stored.expires_at, [])
    if stored.expires_at <= now or stored.grant.client_id != client.client_id:
        return oauth_error(400, "invalid_grant", INVALID_CODE)
    if params.get("redirect_uri") != stored.redirect_uri:
        return oauth_error(
            400, "invalid_grant", "The redirect_uri does not match the authorization request."
        )
    verifier = params.get("code_verifier") or ""
    if not hmac.compare_digest(s256(verifier), stored.code_challenge):
        return oauth_error(400, "invalid_grant", "Failed to verify code verifier")
    refresh_token: str | None = None
    if wants_refresh_token(stored.grant.scope):
        refresh_token = issue_refresh_token(tenant, stored.grant)
        tenant.used_codes[code] = (stored.expires_at, [refresh_token])
    return token_response(tenant, stored.grant, nonce=stored.nonce, refresh_token=refresh_token)


DEFAULT_GRANTS: dict[str, GrantHandler] = {
    "authorization_code": authorization_code_grant,
    "refresh_token": refresh_grant,
    "client_credentials": client_credentials_grant,
    FEDERATED_GRANT: federated_grant,
}
