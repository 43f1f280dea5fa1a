"""Enterprise Connect (protocol doc §8.14, inferred from the published auth0-server-python
1.0.0b20; the wire is UNCONFIRMED against Auth0).

``GET /.well-known/webfinger?resource=urn:auth0:discovery:domain:{domain}&rel=...`` (RFC 7033)
answers 200 with a JRD naming the tenant as the OpenID issuer when ``{domain}`` is one of the
tenant's enterprise domains (``state.enterprise``), 404 when it is not, 400 for a resource
of another form.

Home realm discovery: an ``/authorize`` without ``connection`` whose ``login_hint`` is an
e-mail of an enterprise domain is routed to that domain's connection, and to its organization
when the request names none. The login page is then the upstream identity provider's: the
domain's ``accounts`` sign in there, and the first login creates the user
(``oidc|{connection}|{e-mail}``), a member of the domain's organization by that login.
"""

from __future__ import annotations

from ..._http import HttpResponse, json_response
from ..config_types import TenantUser
from ..params import Incoming
from ..responses import oauth_error
from ..state import TenantState
from .anonymous_state import EnterpriseDomain

ISSUER_REL = "http://openid.net/specs/connect/1.0/issuer"
RESOURCE_PREFIX = "urn:auth0:discovery:domain:"


def webfinger(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``GET /.well-known/webfinger``."""
    params = incoming.query
    resource = params.get("resource") or ""
    if not resource.startswith(RESOURCE_PREFIX) or not resource[len(RESOURCE_PREFIX) :]:
        return oauth_error(
            400, "invalid_request", f"resource must be {RESOURCE_PREFIX}<e-mail domain>."
        )
    rel = params.get("rel")
    domain = resource[len(RESOURCE_PREFIX) :].strip().lower()
    if domain not in state.enterprise.domains:
        return json_response(404, {"error": "not_found"}, (("Cache-Control", "no-store"),))
    links = [] if rel not in (None, ISSUER_REL) else [{"rel": ISSUER_REL, "href": state.issuer}]
    return json_response(
        200,
        {"subject": resource, "links": links},
        (("Content-Type", "application/jrd+json"), ("Cache-Control", "no-store")),
    )


def routed(
    state: TenantState, login_hint: str | None, connection: str | None
) -> EnterpriseDomain | None:
    """The enterprise domain a request without ``connection`` is routed to by its
    ``login_hint``; None for any other request."""
    if connection is not None:
        return None
    return state.enterprise.of_email(login_hint)


def upstream_login(
    state: TenantState, connection: str | None, email: str, password: str
) -> TenantUser | None:
    """The user the upstream identity provider of ``connection`` signs in with ``email`` and
    ``password`` (created at their first login); None for wrong credentials or when
    ``connection`` is no enterprise connection."""
    import hmac

    entry = state.enterprise.of_email(email)
    if entry is None or entry.connection != connection:
        return None
    expected = entry.accounts.get(email.strip().lower())
    if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
        return None
    address = email.strip().lower()
    user = TenantUser(
        email=address,
        password=expected,
        user_id=f"oidc|{connection}|{address}",
        name=address,
        nickname=address.split("@", 1)[0],
        connection=connection,
    )
    state.users.ensure(user)
    return user
