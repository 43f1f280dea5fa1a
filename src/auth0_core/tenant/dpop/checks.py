"""DPoP proofs on incoming requests: :func:`.proof.verify_proof`, then the nonce the tenant may
require and the replay cache. The token endpoint and the resource servers each turn a
:class:`ProofRefused` into their own error shape (RFC 9449 §5 and §7.1)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Literal
from urllib.parse import urlsplit

import attrs

from ..._http import HttpResponse
from ..params import Incoming
from ..responses import RequestRejected
from ..state import TenantState
from .nonces import Server, current_nonce, nonce_is_fresh
from .proof import InvalidProof, Proof, verify_proof

RefusalCode = Literal["invalid_dpop_proof", "use_dpop_nonce"]
Endpoint = Callable[[TenantState, Incoming], HttpResponse]


class ProofRefused(Exception):
    """The request's DPoP proof is refused.

    The nonce to retry with travels in the ``DPoP-Nonce`` header of every answer while nonces
    are required (:func:`nonce_headers`).

    Attributes:
        error: ``invalid_dpop_proof``, or ``use_dpop_nonce`` when only a (fresh) nonce is missing.
        description: why, for people.
    """

    def __init__(self, error: RefusalCode, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def request_url(state: TenantState, incoming: Incoming) -> str:
    """The URL a proof's ``htu`` must name: the tenant's own origin and the request's path.

    The origin is ``base_url``, what clients were told to use, whatever ``Host`` a proxy or the
    test server put on the request.
    """
    base = urlsplit(state.base_url)
    return f"{base.scheme}://{base.netloc}{urlsplit(incoming.request.url).path}"


def proofs_sent(incoming: Incoming) -> list[str]:
    """Every ``DPoP`` header value of the request."""
    return [value for name, value in incoming.request.headers if name.lower() == "dpop"]


def accept_proof(
    state: TenantState, incoming: Incoming, *, server: Server, access_token: str | None = None
) -> Proof | None:
    """The request's proof once it passed every check; None when the request carries none.

    Args:
        server: ``"as"`` at the token endpoint, ``"rs"`` at a resource server (their nonces
            differ).
        access_token: at a resource server, the token the proof must be bound to (``ath``).

    Raises:
        ProofRefused: more than one ``DPoP`` header (RFC 9449 §4.3 item 1), a proof that fails
            :func:`.proof.verify_proof`, a missing or stale nonce while nonces are required, or
            a proof seen before.
    """
    sent = proofs_sent(incoming)
    if not sent:
        return None
    if len(sent) > 1:
        raise ProofRefused("invalid_dpop_proof", "Send exactly one DPoP header.")
    settings = state.config.dpop
    now = state.env.now()
    try:
        proof = verify_proof(
            sent[0],
            method=incoming.method,
            url=request_url(state, incoming),
            now=now,
            max_age=settings.proof_max_age,
            access_token=access_token,
        )
    except InvalidProof as invalid:
        raise ProofRefused("invalid_dpop_proof", invalid.description) from None
    if state.settings.dpop_require_nonce and not (
        proof.nonce is not None
        and nonce_is_fresh(state.secret, server, proof.nonce, now, settings.nonce_lifetime)
    ):
        who = "Authorization" if server == "as" else "Resource"
        raise ProofRefused("use_dpop_nonce", f"{who} server requires nonce in DPoP proof")
    # Checked last, so a proof refused for its nonce does not use up its jti.
    if not state.dpop_replays.first_use(
        proof.jkt, proof.jti, now=now, keep_until=proof.iat + settings.proof_max_age
    ):
        raise ProofRefused("invalid_dpop_proof", "The DPoP proof was used before (jti).")
    return proof


def nonce_headers(state: TenantState, server: Server) -> tuple[tuple[str, str], ...]:
    """``DPoP-Nonce`` for every answer while nonces are required, so clients learn the current
    one before they are refused for it (RFC 9449 §8.2)."""
    if not state.settings.dpop_require_nonce:
        return ()
    nonce = current_nonce(state.secret, server, state.env.now(), state.config.dpop.nonce_lifetime)
    return (("DPoP-Nonce", nonce),)


def sends_nonce(server: Server) -> Callable[[Endpoint], Endpoint]:
    """Make an endpoint add :func:`nonce_headers` to every answer, rejections included."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        def with_nonce(state: TenantState, incoming: Incoming) -> HttpResponse:
            try:
                response = endpoint(state, incoming)
            except RequestRejected as rejected:
                response = rejected.response
            extra = nonce_headers(state, server)
            return (
                attrs.evolve(response, headers=(*response.headers, *extra)) if extra else response
            )

        return with_nonce

    return wrap
