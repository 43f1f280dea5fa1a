"""``POST /oauth/par`` (RFC 9126 §2): push an authorization request, get a ``request_uri``.

The request is validated as ``/authorize`` validates it; ``/authorize?request_uri=...`` then
uses it once, before it expires.
"""

from __future__ import annotations

import attrs

from ..._http import HttpResponse
from ..dpop.checks import ProofRefused, accept_proof, sends_nonce
from ..params import Incoming, Params
from ..records import PushedRequest
from ..responses import AuthorizeFailure, RequestRejected, json_ok, not_found, oauth_error
from ..state import TenantState
from .authorize import authorization_request, client_and_redirect
from .client_auth import authenticate_client

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"
_CLIENT_CREDENTIALS = frozenset({"client_secret", "client_assertion", "client_assertion_type"})


@sends_nonce("as")
def par(state: TenantState, incoming: Incoming) -> HttpResponse:
    """``POST /oauth/par`` (RFC 9126 §2): validate, store, answer 201 with a request_uri."""
    if not state.config.pushed_authorization_requests:
        return not_found()
    params = incoming.form()
    try:
        proof = accept_proof(state, incoming, server="as")
    except ProofRefused as refused:
        return oauth_error(400, refused.error, refused.description)
    client = authenticate_client(state, incoming, params)
    if params.get("request_uri") is not None:
        raise RequestRejected(
            oauth_error(400, "invalid_request", "request_uri must not be pushed.")
        )
    # Credentials are not part of the authorization request: never store or pass them on.
    values = {k: v for k, v in params.values.items() if k not in _CLIENT_CREDENTIALS}
    # The client authenticated, so a missing client_id in the body is filled in from it.
    values.setdefault("client_id", [client.client_id])
    try:
        client, redirect_uri = client_and_redirect(state, Params(values))
        request = authorization_request(state, client, redirect_uri, Params(values))
    except AuthorizeFailure as failure:
        return oauth_error(400, failure.error, failure.description)
    if proof is not None:
        # RFC 9449 §10.1: a proof sent with PAR binds the code like dpop_jkt; both must agree.
        if request.dpop_jkt not in (None, proof.jkt):
            return oauth_error(400, "invalid_dpop_proof", "dpop_jkt does not match the DPoP proof.")
        request = attrs.evolve(request, dpop_jkt=proof.jkt)
    request_uri = REQUEST_URI_PREFIX + state.env.random_urlsafe(32)
    lifetime = state.config.par_lifetime
    state.pushed[request_uri] = PushedRequest(
        request=request, expires_at=state.env.now() + lifetime
    )
    return json_ok(201, {"request_uri": request_uri, "expires_in": lifetime})
