"""Every endpoint the tenant serves, in one table: ``(method, path pattern) -> endpoint``.

An endpoint is a function ``(TenantState, Incoming) -> HttpResponse``. A ``{name}`` segment of a
pattern matches any non-empty path segment, percent-decoded (``auth0%7Calice`` is
``auth0|alice``), and reaches the endpoint as ``incoming.path_params[name]``. A path no route
matches, or a method its routes do not serve, is answered in the error shape of the API the path
belongs to: the Management API's under ``/api/v2/``, the My Account API's (RFC 7807 problems)
under ``/me/``, OAuth's everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

import attrs

from .._http import HttpRequest, HttpResponse
from .authentication import (
    anonymous,
    authorize,
    ciba,
    ciba_device,
    discovery,
    enterprise,
    login,
    logout,
    mfa,
    par,
    passkeys,
    passwordless,
    revoke,
    token,
    userinfo,
)
from .management import identities, sessions, users
from .my_account import accounts, authentication_methods, connect, consent
from .my_account.problems import problem
from .params import Incoming
from .records import LogEntry
from .responses import (
    RequestRejected,
    management_error,
    method_not_allowed,
    not_found,
    oauth_error,
)
from .state import TenantState
from .stylesheet import STYLESHEET_PATH, stylesheet

Endpoint = Callable[[TenantState, Incoming], HttpResponse]

ROUTES: dict[tuple[str, str], Endpoint] = {
    ("GET", "/.well-known/openid-configuration"): discovery.openid_configuration,
    ("GET", "/.well-known/jwks.json"): discovery.jwks,
    ("GET", "/.well-known/webfinger"): enterprise.webfinger,
    ("POST", "/anonymous/token"): anonymous.anonymous_token,
    ("GET", "/authorize"): authorize.authorize,
    ("POST", "/u/login"): login.login,
    ("POST", "/oauth/par"): par.par,
    ("POST", "/oauth/token"): token.token,
    ("POST", "/bc-authorize"): ciba.bc_authorize,
    ("GET", "/ciba"): ciba_device.ciba_page,
    ("POST", "/ciba"): ciba_device.ciba_decision,
    ("POST", "/oauth/revoke"): revoke.revoke,
    # RFC 8705 §5 mTLS endpoint aliases (advertised with mtls_endpoint_aliases = true).
    ("POST", "/mtls/oauth/par"): par.par,
    ("POST", "/mtls/oauth/token"): token.token,
    ("POST", "/mtls/bc-authorize"): ciba.bc_authorize,
    ("POST", "/mtls/oauth/revoke"): revoke.revoke,
    ("GET", "/userinfo"): userinfo.userinfo,
    ("GET", "/mfa/authenticators"): mfa.list_authenticators,
    ("POST", "/mfa/associate"): mfa.associate,
    ("POST", "/mfa/challenge"): mfa.challenge,
    ("POST", "/passwordless/start"): passwordless.start,
    ("GET", "/passwordless/verify_redirect"): passwordless.verify_redirect,
    ("POST", "/passkey/register"): passkeys.register,
    ("POST", "/passkey/challenge"): passkeys.challenge,
    ("GET", "/v2/logout"): logout.v2_logout,
    ("GET", "/oidc/logout"): logout.oidc_logout,
    ("GET", "/api/v2/users/{id}"): users.get_user,
    ("PATCH", "/api/v2/users/{id}"): users.patch_user,
    ("POST", "/api/v2/users/{id}/identities"): identities.link_identity,
    ("DELETE", "/api/v2/users/{id}/sessions"): sessions.delete_user_sessions,
    ("DELETE", "/api/v2/users/{id}/identities/{provider}/{user_id}"): identities.unlink_identity,
    ("POST", "/me/v1/connected-accounts/connect"): connect.connect,
    ("POST", "/me/v1/connected-accounts/complete"): connect.complete,
    ("GET", "/me/v1/connected-accounts/accounts"): accounts.list_accounts,
    ("DELETE", "/me/v1/connected-accounts/accounts/{id}"): accounts.delete_account,
    ("GET", "/me/v1/connected-accounts/connections"): accounts.list_connections,
    ("GET", "/me/v1/factors"): authentication_methods.list_factors,
    ("GET", "/me/v1/authentication-methods"): authentication_methods.list_methods,
    ("POST", "/me/v1/authentication-methods"): authentication_methods.enroll,
    ("GET", "/me/v1/authentication-methods/{id}"): authentication_methods.get_method,
    ("PATCH", "/me/v1/authentication-methods/{id}"): authentication_methods.update_method,
    ("DELETE", "/me/v1/authentication-methods/{id}"): authentication_methods.delete_method,
    ("POST", "/me/v1/authentication-methods/{id}/verify"): authentication_methods.verify,
    ("GET", "/connect"): consent.consent_page,
    ("POST", "/connect"): consent.consent_decision,
    # The stylesheet of the pages above (and of the demo app): served like any page.
    ("GET", STYLESHEET_PATH): stylesheet,
}

_MANAGEMENT_PREFIX = "/api/v2/"
_MY_ACCOUNT_PREFIX = "/me/"
_PATTERNS = [
    (method, pattern.split("/"), endpoint) for (method, pattern), endpoint in ROUTES.items()
]


def handle(state: TenantState, request: HttpRequest) -> HttpResponse:
    """Answer one request and log it. Never raises: malformed input answers 4xx, a bug 500."""
    incoming = Incoming.parse(request)
    response = _dispatch(state, incoming)
    state.log.append(
        LogEntry(
            method=incoming.method,
            path=incoming.path,
            status=response.status,
            grant_type=_grant_type(incoming),
        )
    )
    return response


def _dispatch(state: TenantState, incoming: Incoming) -> HttpResponse:
    segments = [unquote(segment) for segment in incoming.path.split("/")]
    allowed: list[str] = []
    for method, pattern, endpoint in _PATTERNS:
        path_params = _match(pattern, segments)
        if path_params is None:
            continue
        if method != incoming.method:
            allowed.append(method)
            continue
        state.purge_expired()
        try:
            return endpoint(state, attrs.evolve(incoming, path_params=path_params))
        except RequestRejected as rejected:
            return rejected.response
        except Exception:  # a bug in the tenant must not take the test server down
            if incoming.path.startswith(_MY_ACCOUNT_PREFIX):
                return problem(500, "The emulated tenant failed.")
            return oauth_error(500, "server_error", "The emulated tenant failed.")
    if incoming.path.startswith(_MY_ACCOUNT_PREFIX):
        return _my_account_unrouted(", ".join(allowed))
    management = incoming.path.startswith(_MANAGEMENT_PREFIX)
    if not allowed:
        return management_error(404, "Not Found", "inexistent_route") if management else not_found()
    return _method_not_allowed(", ".join(allowed), management=management)


def _match(pattern: list[str], segments: list[str]) -> dict[str, str] | None:
    """The values of the pattern's ``{name}`` segments, or None when the path does not fit."""
    if len(pattern) != len(segments):
        return None
    path_params: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        if expected.startswith("{"):
            if not actual:
                return None
            path_params[expected[1:-1]] = actual
        elif expected != actual:
            return None
    return path_params


def _method_not_allowed(allowed: str, *, management: bool) -> HttpResponse:
    if not management:
        return method_not_allowed(allowed)
    response = management_error(405, "Method Not Allowed", "method_not_allowed")
    return HttpResponse(
        status=405, headers=(*response.headers, ("Allow", allowed)), body=response.body
    )


def _my_account_unrouted(allowed: str) -> HttpResponse:
    if not allowed:
        return problem(404, "The requested resource was not found.")
    return problem(405, "Method Not Allowed", headers=(("Allow", allowed),))


def _grant_type(incoming: Incoming) -> str | None:
    """The ``grant_type`` of a token request, for the log."""
    if incoming.path not in ("/oauth/token", "/mtls/oauth/token") or incoming.method != "POST":
        return None
    try:
        return incoming.body_params().get("grant_type")
    except RequestRejected:
        return None
