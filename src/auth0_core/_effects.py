"""The typed helpers flows yield effects through.

The effect types and the loop that drives a flow are public in :mod:`auth0_core.effects`; they
are re-exported here so the flows and stores keep importing them from one private place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._http import HttpRequest, HttpResponse
from .effects import (
    Effect,
    Flow,
    SharedRequest,
    StoreDelete,
    StoreGet,
    StoreKind,
    StoreOptions,
    StoreSet,
)

__all__ = [
    "Effect",
    "Flow",
    "SharedRequest",
    "StoreDelete",
    "StoreGet",
    "StoreKind",
    "StoreOptions",
    "StoreSet",
    "fetch",
    "fetch_shared",
    "store_delete",
    "store_get",
    "store_set",
]


def fetch(request: HttpRequest) -> Flow[HttpResponse]:
    """Yield ``request`` and return the response the driver sends back."""
    response = yield request
    if not isinstance(response, HttpResponse):  # a driver bug, not a protocol error
        raise TypeError(f"driver answered an HttpRequest with {type(response).__name__}")
    return response


def fetch_shared(key: str, request: HttpRequest) -> Flow[HttpResponse]:
    """Yield ``request`` as a :class:`SharedRequest` under ``key``; return the response."""
    response = yield SharedRequest(key=key, request=request)
    if not isinstance(response, HttpResponse):
        raise TypeError(f"driver answered a SharedRequest with {type(response).__name__}")
    return response


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
