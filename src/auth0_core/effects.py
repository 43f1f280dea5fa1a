"""The effect contract between the pure flows and whoever performs their IO.

A flow is a generator: it yields effects (an :class:`HttpRequest`, a :class:`SharedRequest`
or a store operation) and is sent their results; its return value is the flow's result.
:func:`run` (blocking) and :func:`arun` (awaited) are the one loop that drives a flow; the
caller supplies only ``perform``, which turns one effect into its result. The ``ServerClient``
facades, the tests and an application embedding the core in its own framework or transport
all drive flows through them (docs/architecture.md, "Embedding the core").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator, Mapping
from typing import Any, Literal, TypeVar

import attrs

from ._http import HttpRequest, HttpResponse
from .errors import TransportError

__all__ = [
    "Effect",
    "Flow",
    "HttpRequest",
    "HttpResponse",
    "ResolveDomain",
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
    "arun",
    "run",
]

T = TypeVar("T")

# "logout_stamp": the optional shared store of per-user "not before" stamps (docs/login.md).
StoreKind = Literal["state", "transaction", "logout_stamp", "anonymous"]
StoreOptions = Mapping[str, Any] | None


@attrs.frozen(kw_only=True)
class StoreGet:
    """Read ``identifier`` from the ``store`` named; the result is a dict or None.

    ``record`` (optional) is how the reader will parse the dict. A driver whose store has a
    ``get_record(identifier, record, options=...)`` may answer with what that returns instead
    (the parsed, immutable record a store keeps; the SDK's memory and cookie stores do). Any
    other driver ignores it. ``record`` may keep the dict it is given: a store calls it with a
    dict of its own making (freshly parsed), never one it still holds or hands out.
    """

    store: StoreKind
    identifier: str
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)
    record: Callable[[dict[str, Any]], object] | None = attrs.field(
        default=None, repr=False, eq=False
    )


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
class StoreClaim:
    """Record ``identifier`` until ``expires_at`` (Unix seconds) unless it is already there;
    the result is True when this call recorded it, False when it was there already.

    Atomic across every instance that shares the store (a logout token's ``jti`` is accepted
    once). A store without ``claim`` is served by a table in the driver's process.
    """

    store: StoreKind
    identifier: str
    expires_at: int
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class StoreLock:
    """Wait up to ``wait`` seconds for the lock ``identifier`` and hold it at most ``ttl``
    seconds; the result is the lock's token (for :class:`StoreUnlock`), None when the wait ran
    out, or ``""`` when the store keeps no locks (one process: nothing to coordinate)."""

    store: StoreKind
    identifier: str
    ttl: float
    wait: float
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class StoreUnlock:
    """Release the lock ``identifier`` if ``token`` still holds it; the result is None."""

    store: StoreKind
    identifier: str
    token: str = attrs.field(repr=False)
    options: StoreOptions = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen(kw_only=True)
class StoreDeleteByLogoutToken:
    """Delete every session a verified logout token's ``claims`` (``sid``, ``sub``, ``iss``)
    name; the result is None. A store that cannot (cookie sessions) raises
    :class:`~auth0_core.errors.StoreNotSupportedError`."""

    store: StoreKind
    claims: Mapping[str, Any]
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


@attrs.frozen(kw_only=True)
class Sleep:
    """Wait ``seconds`` before the flow goes on; the result is None.

    A flow that must wait (between two CIBA polls) asks the driver, since the core cannot
    sleep. The wait must be cancellable: the facades wait with ``anyio.sleep`` (asyncio and
    trio, cancelled by a cancel scope) or on an event that closing the sync client sets.
    The time spent waiting does not count against ``call_timeout``, which bounds the
    exchanges and store calls; the flow bounds its own waiting (CIBA: by ``expires_in``).
    A driver with a test clock may advance it instead of waiting.

    ``within_call=True`` (the backoff between two attempts of a safe request, docs/network.md)
    is a wait that does count against ``call_timeout``: a driver that knows the call's deadline
    answers ``False`` at once, without waiting, when the wait would reach past it (the flow
    then gives up with what it has), and ``None`` after waiting otherwise.
    """

    seconds: float
    within_call: bool = False


@attrs.frozen(kw_only=True)
class ResolveDomain:
    """Ask the application's domain resolver (Multiple Custom Domains, docs/custom-domains.md)
    which Auth0 domain serves this call; the result is what the resolver returned.

    The driver calls the ``domain`` callable the client was configured with on ``context``
    (a :class:`~auth0_core.DomainResolverContext`), awaits its result when it is awaitable
    (the async facade; the sync facade refuses an awaitable), and raises
    :class:`~auth0_core.errors.DomainResolverError` with ``original_error`` when the resolver
    raises. The flow validates the value itself.
    """

    context: Any


StoreEffect = (
    StoreGet
    | StoreSet
    | StoreDelete
    | StoreClaim
    | StoreLock
    | StoreUnlock
    | StoreDeleteByLogoutToken
)
Effect = HttpRequest | SharedRequest | StoreEffect | Sleep | ResolveDomain
Flow = Generator[Effect, object, T]


def _next_effect(flow: Flow[Any], answer: object, failure: TransportError | None = None) -> Effect:
    """Send ``answer`` to ``flow`` (or throw ``failure`` into it) and return the effect it
    yields next.

    Raises:
        StopIteration: the flow returned (its value is on the exception).
        TypeError: the flow yielded something that is not an :data:`Effect`.
    """
    effect = flow.send(answer) if failure is None else flow.throw(failure)
    if not isinstance(effect, Effect):
        # Named by type only: an arbitrary object's repr may carry a token.
        raise TypeError(
            f"the flow yielded a {type(effect).__qualname__}, which is not an effect "
            "(HttpRequest, SharedRequest, Sleep, ResolveDomain or a store effect)"
        )
    return effect


def _thrown_into_flow(effect: Effect, error: BaseException) -> TransportError | None:
    """``error`` when it is to be thrown into the flow that yielded ``effect``, else None.

    A :class:`~auth0_core.errors.TransportError` from performing an :class:`HttpRequest` or a
    :class:`SharedRequest` goes back to the flow at its ``yield``, where the retry of a request
    that is safe to repeat may catch it (docs/network.md); a flow that does not catch it
    raises it unchanged. Every other exception propagates from the driver as it is.
    """
    if isinstance(error, TransportError) and isinstance(effect, HttpRequest | SharedRequest):
        return error
    return None


def run(flow: Flow[T], perform: Callable[[Effect], object]) -> T:
    """Drive ``flow`` to its end, performing each effect with ``perform``; return its value.

    ``perform(effect)`` returns the effect's result (see the table in docs/architecture.md).
    A :class:`~auth0_core.errors.TransportError` from performing a request is thrown into the
    flow (see :func:`_thrown_into_flow`); any other exception from ``perform``, and any from the
    flow, propagates unchanged. However ``run`` exits, the flow is closed, so its own
    ``finally`` blocks run and nothing is left suspended.

    Raises:
        TypeError: the flow yielded something that is not an :data:`Effect`; ``perform`` is
            never called with anything else.
    """
    try:
        answer: object = None  # a fresh generator must first be sent None
        failure: TransportError | None = None
        while True:
            try:
                effect = _next_effect(flow, answer, failure)
            except StopIteration as done:
                value: T = done.value
                return value
            try:
                answer, failure = perform(effect), None
            except TransportError as error:
                answer, failure = None, _thrown_into_flow(effect, error)
                if failure is None:
                    raise
    finally:
        flow.close()


async def arun(flow: Flow[T], perform: Callable[[Effect], Awaitable[object]]) -> T:
    """The awaited twin of :func:`run`: ``perform(effect)`` is awaited for each effect (a
    request's TransportError is thrown into the flow the same way).

    Cancellation while ``perform`` is awaited (asyncio, trio or an anyio cancel scope) closes
    the flow too before it propagates.
    """
    try:
        answer: object = None
        failure: TransportError | None = None
        while True:
            try:
                effect = _next_effect(flow, answer, failure)
            except StopIteration as done:
                value: T = done.value
                return value
            try:
                answer, failure = await perform(effect), None
            except TransportError as error:
                answer, failure = None, _thrown_into_flow(effect, error)
                if failure is None:
                    raise
    finally:
        flow.close()
