"""The typed helpers flows yield effects through.

The effect types and the loop that drives a flow are public in :mod:`auth0_core.effects`; they
are re-exported here so the flows and stores keep importing them from one private place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._http import HttpRequest, HttpResponse
from ._retry import Retry, retried
from .effects import (
    Effect,
    Flow,
    SharedRequest,
    Sleep,
    StoreClaim,
    StoreDelete,
    StoreDeleteByLogoutToken,
    StoreEffect,
    StoreGet,
    StoreKind,
    StoreLock,
    StoreOptions,
    StoreSet,
    StoreUnlock,
)

__all__ = [
    "Effect",
    "Flow",
    "SharedRequest",
    "Sleep",
    "StoreClaim",
    "StoreDelete",
    "StoreDeleteByLogoutToken",
    "StoreEffect",
    "StoreGet",
    "StoreKind",
    "StoreLock",
    "StoreOptions",
    "StoreSet",
    "StoreUnlock",
    "fetch",
    "fetch_shared",
    "sleep",
    "store_claim",
    "store_delete",
    "store_delete_by_logout_token",
    "store_get",
    "store_lock",
    "store_set",
    "store_unlock",
]


def _fetch_once(request: HttpRequest) -> Flow[HttpResponse]:
    response = yield request
    if not isinstance(response, HttpResponse):  # a driver bug, not a protocol error
        raise TypeError(f"driver answered an HttpRequest with {type(response).__name__}")
    return response


def _fetch_shared_once(key: str, request: HttpRequest) -> Flow[HttpResponse]:
    response = yield SharedRequest(key=key, request=request)
    if not isinstance(response, HttpResponse):
        raise TypeError(f"driver answered a SharedRequest with {type(response).__name__}")
    return response


def fetch(request: HttpRequest, *, retry: Retry | None = None) -> Flow[HttpResponse]:
    """Yield ``request`` and return the response the driver sends back.

    With ``retry`` (``Retry.of(client.config)``), a request that is safe to repeat (GET) is
    tried again on a connection failure, a 429 or a passing 5xx (:mod:`._retry`); any other
    request is sent once, whatever ``retry`` says.
    """
    if retry is None:
        return (yield from _fetch_once(request))
    return (yield from retried(retry, request.method, lambda: _fetch_once(request)))


def fetch_shared(
    key: str, request: HttpRequest, *, retry: Retry | None = None
) -> Flow[HttpResponse]:
    """Yield ``request`` as a :class:`SharedRequest` under ``key``; return the response.

    ``retry`` as for :func:`fetch`: each attempt is a shared request under the same ``key``
    (the drivers remember only successes, so a retry is never answered with the failure).
    """
    if retry is None:
        return (yield from _fetch_shared_once(key, request))
    return (yield from retried(retry, request.method, lambda: _fetch_shared_once(key, request)))


def store_get(
    store: StoreKind, identifier: str, options: StoreOptions
) -> Flow[dict[str, Any] | None]:
    """Read a record from a store."""
    value = yield StoreGet(store=store, identifier=identifier, options=options)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        return None  # a store that returns garbage holds no usable record
    return dict(value)


def store_set(
    store: StoreKind,
    identifier: str,
    value: Mapping[str, Any],
    options: StoreOptions,
    *,
    remove_if_expires: bool = False,
) -> Flow[None]:
    """Write a record to a store."""
    yield StoreSet(
        store=store,
        identifier=identifier,
        value=value,
        remove_if_expires=remove_if_expires,
        options=options,
    )


def store_delete(store: StoreKind, identifier: str, options: StoreOptions) -> Flow[None]:
    """Delete a record from a store."""
    yield StoreDelete(store=store, identifier=identifier, options=options)


def store_claim(
    store: StoreKind, identifier: str, expires_at: int, options: StoreOptions
) -> Flow[bool]:
    """Record ``identifier`` until ``expires_at`` unless present; True when this call did."""
    claimed = yield StoreClaim(
        store=store, identifier=identifier, expires_at=expires_at, options=options
    )
    return claimed is True


def store_lock(
    store: StoreKind, identifier: str, ttl: float, wait: float, options: StoreOptions
) -> Flow[str | None]:
    """The lock's token, None when the wait ran out, ``""`` when the store keeps no locks."""
    token = yield StoreLock(store=store, identifier=identifier, ttl=ttl, wait=wait, options=options)
    return token if isinstance(token, str) else None


def store_unlock(
    store: StoreKind, identifier: str, token: str, options: StoreOptions
) -> Flow[None]:
    """Release a lock :func:`store_lock` gave (a ``""`` token releases nothing)."""
    if token:
        yield StoreUnlock(store=store, identifier=identifier, token=token, options=options)


def store_delete_by_logout_token(
    store: StoreKind, claims: Mapping[str, Any], options: StoreOptions
) -> Flow[None]:
    """Delete the sessions a verified logout token names."""
    yield StoreDeleteByLogoutToken(store=store, claims=claims, options=options)


def sleep(seconds: float) -> Flow[None]:
    """Wait ``seconds`` (the driver performs the :class:`Sleep`; nothing if not positive)."""
    if seconds > 0:
        yield Sleep(seconds=seconds)
