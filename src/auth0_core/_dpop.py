"""DPoP (RFC 9449) on the wire: the one place a proof goes on a request.

With a key (:mod:`._dpop_key`), every token request carries a ``DPoP`` proof, so the tenant
may bind the tokens it issues to the key (``token_type: DPoP``); every call made with a bound
token sends ``Authorization: DPoP <token>`` and a fresh proof carrying ``ath``. A
``use_dpop_nonce`` challenge is answered by exactly one retry with the server's
``DPoP-Nonce``; the latest nonce each server sent is remembered (:mod:`._dpop_nonces`), so
later requests carry it from the start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ._dpop_key import DPoPKey, is_dpop
from ._dpop_nonces import ServerKind, nonce_challenge
from ._effects import Flow, fetch, fetch_shared
from ._http import HttpRequest, HttpResponse
from ._retry import Retry, retried
from .errors import ConfigurationError, InvalidResponse

if TYPE_CHECKING:
    from ._client import CoreClient
    from .endpoints.authentication.token import TokenResponse

__all__ = ["authorized_fetch", "check_token_type", "token_fetch"]


def _proof_fetch(
    client: CoreClient,
    key: DPoPKey,
    build: Callable[[], HttpRequest],
    kind: ServerKind,
    access_token: str | None,
    shared: str | None,
) -> Flow[HttpResponse]:
    """Send ``build()`` with a fresh proof; on a nonce challenge that brings a nonce, build
    it again (a client assertion is single-use) and send it once more with the nonce. A
    second challenge is the answer: a caller never makes a third request.

    A shared request is keyed by ``shared`` and the generation of the nonce its proof
    carries, so the requests that share one flight carry the same nonce generation: callers
    that built a proof with a stale nonce share a request that fails harmlessly (a server
    answers ``use_dpop_nonce`` before it uses the grant) and then join the retry with the
    fresh nonce, which every later caller with that nonce joins too (or receives its
    remembered success). A refresh token is thus presented once, not once per generation.
    """
    env = client.config.env
    nonces = client.dpop_nonces
    response: HttpResponse | None = None
    for attempt in (0, 1):
        request = build()
        sent, generation = nonces.current(request.url, kind)
        proof = key.proof(
            request.method,
            request.url,
            iat=env.now(),
            jti=env.random_urlsafe(16),
            nonce=sent,
            access_token=access_token,
        )
        headers = [("DPoP", proof)]
        if access_token is not None:
            headers.insert(0, ("Authorization", f"DPoP {access_token}"))
        request = request.with_headers(*headers)
        if shared is None:
            response = yield from fetch(request)
        else:
            key_now = shared if generation == 0 else f"{shared}:dpop-nonce-{generation}"
            response = yield from fetch_shared(key_now, request)
        challenged = nonce_challenge(response, kind)
        latest = nonces.remember(request.url, kind, response, challenge=challenged)
        if attempt or latest is None or not challenged:
            break
    assert response is not None
    return response


def token_fetch(
    client: CoreClient, build: Callable[[], HttpRequest], *, shared: str | None = None
) -> Flow[HttpResponse]:
    """Send a token-endpoint request, ``build()``, with a DPoP proof when the client has a
    key (answering one nonce challenge); as a :class:`SharedRequest` under ``shared`` when
    given. Without a key this is a plain fetch of ``build()``.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable (from ``build``).
    """
    key = client.config.dpop
    if key is None:
        request = build()
        if shared is None:
            return (yield from fetch(request))
        return (yield from fetch_shared(shared, request))
    return (yield from _proof_fetch(client, key, build, "token", None, shared))


def authorized_fetch(
    client: CoreClient, request: HttpRequest, access_token: str, *, bound: bool
) -> Flow[HttpResponse]:
    """Send ``request`` to a resource server with ``access_token``: ``Authorization: DPoP``
    and a proof with ``ath`` when the token is DPoP-bound (answering one nonce challenge),
    ``Authorization: Bearer`` otherwise.

    Raises:
        ConfigurationError: a DPoP-bound token and a client without a DPoP key.
    """
    retry = Retry.of(client.config)  # a GET is retried (docs/network.md); nothing else is
    if not bound:
        bearer = request.with_headers(("Authorization", f"Bearer {access_token}"))
        return (yield from fetch(bearer, retry=retry))
    key = client.config.dpop
    if key is None:
        raise ConfigurationError(
            "this access token is DPoP-bound: the client needs its DPoP key ('dpop_key')."
        )
    # A proof is single-use (RFC 9449 §11.1): each attempt of a retried GET makes new ones.
    return (
        yield from retried(
            retry,
            request.method,
            lambda: _proof_fetch(client, key, lambda: request, "resource", access_token, None),
        )
    )


def check_token_type(client: CoreClient, tokens: TokenResponse) -> None:
    """Refuse a token bound to a key this client does not have.

    A ``DPoP`` token answered to a request without a proof (no key configured) is unusable:
    refused. A ``Bearer`` token answered to a request with a proof is accepted: Auth0 issues
    unbound tokens for an API whose sender-constraining policy is ``none``, and such a token
    is used as a bearer token (docs/dpop.md).

    Raises:
        InvalidResponse: a DPoP-bound token and a client without a DPoP key.
    """
    if client.config.dpop is None and is_dpop(tokens.token_type):
        raise InvalidResponse(
            "the token endpoint answered a DPoP-bound token to a request without a DPoP "
            "proof; configure 'dpop' or 'dpop_key' to use it",
            status=200,
        )
