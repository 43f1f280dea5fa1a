"""``GET /.well-known/openid-configuration`` (OIDC Discovery §3) and ``GET /.well-known/jwks.json``.

Clients may cache both; Auth0 sends a comparable ``max-age``.
"""

from __future__ import annotations

from typing import Any

from ..._http import HttpResponse
from ..client_keys import ASSERTION_ALGORITHMS
from ..params import Incoming
from ..responses import json_ok
from ..state import TenantState

_METADATA_CACHE = "public, max-age=600"


def openid_configuration(state: TenantState, incoming: Incoming) -> HttpResponse:
    """The OpenID Provider metadata document."""
    return json_ok(200, discovery_document(state), cache=_METADATA_CACHE)


def jwks(state: TenantState, incoming: Incoming) -> HttpResponse:
    """The published signing keys (every key not revoked, the current one last)."""
    return json_ok(200, state.keys.jwks(), cache=_METADATA_CACHE)


def discovery_document(state: TenantState) -> dict[str, Any]:
    """The OpenID Provider metadata: endpoints and what the tenant supports."""
    base = state.base_url
    document: dict[str, Any] = {
        "issuer": state.issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "end_session_endpoint": f"{base}/oidc/logout",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "backchannel_authentication_endpoint": f"{base}/bc-authorize",
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": sorted(state.grant_handlers),
        "subject_types_supported": ["public"],
        "code_challenge_methods_supported": ["S256"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
            "tls_client_auth",
        ],
        # Auth0 lists RS256, RS384 and PS256; the tenant verifies the wider set (client_keys).
        "token_endpoint_auth_signing_alg_values_supported": list(ASSERTION_ALGORITHMS),
        "claims_supported": [
            "aud",
            "auth_time",
            "email",
            "email_verified",
            "exp",
            "iat",
            "iss",
            "name",
            "nickname",
            "nonce",
            "org_id",
            "org_name",
            "picture",
            "sid",
            "sub",
        ],
        "request_uri_parameter_supported": False,
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "backchannel_token_delivery_modes_supported": ["poll"],
        "backchannel_user_code_parameter_supported": False,
    }
    if state.config.pushed_authorization_requests:
        document["pushed_authorization_request_endpoint"] = f"{base}/oauth/par"
    if state.config.mtls_endpoint_aliases:
        aliases = {
            "token_endpoint": f"{base}/mtls/oauth/token",
            "revocation_endpoint": f"{base}/mtls/oauth/revoke",
            "backchannel_authentication_endpoint": f"{base}/mtls/bc-authorize",
        }
        if state.config.pushed_authorization_requests:
            aliases["pushed_authorization_request_endpoint"] = f"{base}/mtls/oauth/par"
        document["mtls_endpoint_aliases"] = aliases
        document["tls_client_certificate_bound_access_tokens"] = False
    return document
