"""Effects a flow yields, and the typed helpers flows use to yield them.

A flow is a generator: it yields effects (an :class:`~auth0_core.HttpRequest`, or a store
operation) and is sent their results; its return value is the flow's result. Drivers in the
adapters perform the effects: the sync driver calls a ``requests.Session`` and sync stores, the
async driver awaits an ``httpx.AsyncClient`` and (sync or async) stores. Both run the same flow.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any, Literal, TypeVar

import attrs

from ._http import HttpRequest, HttpResponse

T = TypeVar("T")

# "logout_stamp": the optional shared store of per-user "not before" stamps (docs/login.md).
StoreKind = Literal["state", "transaction", "logout_stamp"]
StoreOptions = Mapping[str, Any] | None


@attrs.frozen(kw_only=True)
class StoreGet:
    """Read ``identifier`` from the ``store`` named; the result is a dict or None."""

    store: StoreKind
    identifier: str
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class StoreSet:
    """Write ``value`` under ``identifier``; the result is None."""

    store: StoreKind
    identifier: str
    value: Mapping[str, Any] = attrs.field(repr=False)
    remove_if_expires: bool = False
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class StoreDelete:
    """Delete ``identifier``; the result is None."""

    store: StoreKind
    identifier: str
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class SharedRequest:
    """Perform ``request`` at most once for ``key`` among concurrent callers; share the answer.

    Used for requests whose repetition is harmful, above all refreshes with a rotating refresh
    token: a second use of the old token would revoke the whole token family. The driver runs
    one request per key at a time, hands its response to every caller waiting on the same key,
    and keeps a successful response for a short window so that callers arriving just after
    (still holding the old refresh token) receive it too. ``key`` never contains a secret.
    """

    key: str
    request: HttpRequest


Effect = HttpRequest | SharedRequest | StoreGet | StoreSet | StoreDelete
Flow = Generator[Effect, object, T]


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
