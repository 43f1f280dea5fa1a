"""What the sync and async ``ServerClient`` facades share: construction and store dispatch.

The facades differ only in how they perform effects (blocking or awaited); everything else,
including every flow, lives in the core.
"""

from __future__ import annotations

import functools
import inspect
import math
import warnings
import weakref
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, Concatenate, ParamSpec, TypeVar, Unpack

import attrs

from ._client import CoreClient
from ._config import ClientConfig, ClientOptions, make_config
from ._domains import call_resolver, resolved_flow, store_options_argument
from ._effects import (
    Flow,
    StoreClaim,
    StoreDelete,
    StoreEffect,
    StoreGet,
    StoreLock,
    StoreSet,
    StoreUnlock,
)
from ._http import DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT
from .errors import ConfigurationError, EnterpriseConnectError, StoreNotSupportedError
from .flows.paging import PageWalk
from .records import Session
from .stores import MemoryStateStore, MemoryTransactionStore
from .stores._base import NOT_IMPLEMENTED_MARK
from .stores._memory import ClaimTable


def _positive_seconds(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < math.inf:
        raise ConfigurationError(f"'{attribute.name}' must be a positive number of seconds.")


def _positive_bytes(_instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigurationError(f"'{attribute.name}' must be a positive whole number of bytes.")


@attrs.frozen(kw_only=True)
class NetworkLimits:
    """The bounds every facade enforces on the network (docs/network.md).

    Attributes:
        timeout: seconds one HTTP exchange may take as a whole (connect, send, headers, body).
        call_timeout: seconds one public call may take, every exchange and store call in it.
        max_response_bytes: the longest response body read; a longer one is refused.
    """

    timeout: float = attrs.field(default=DEFAULT_TIMEOUT, validator=_positive_seconds)
    call_timeout: float = attrs.field(default=DEFAULT_CALL_TIMEOUT, validator=_positive_seconds)
    max_response_bytes: int = attrs.field(
        default=DEFAULT_MAX_RESPONSE_BYTES, validator=_positive_bytes
    )


def _with_refresh_lock_ttl(
    config: ClientConfig, limits: NetworkLimits, *, given: bool
) -> ClientConfig:
    """``config`` with a refresh lock that outlives a refresh's exchange (``limits.timeout``):
    the default raised to it, a smaller value given refused (docs/tokens.md).

    Raises:
        ConfigurationError: ``refresh_lock_ttl`` given below ``timeout``.
    """
    if config.refresh_lock_ttl >= limits.timeout:
        return config
    if given:
        raise ConfigurationError(
            "'refresh_lock_ttl' must be at least 'timeout': the lock must outlive a refresh's "
            "exchange, or another instance may refresh with the same refresh token meanwhile."
        )
    return attrs.evolve(config, refresh_lock_ttl=limits.timeout)


class FacadeBase:
    """Validates the ``ServerClient(...)`` arguments and holds the core client and stores.

    With no store given, in-memory stores are used: they live in this process only, so an app
    running several processes needs a shared store. ``logout_stamp_store`` (any store, shared
    by every instance) makes logout end every older session of the user, cookie sessions
    included (docs/login.md). ``timeout``, ``call_timeout`` and ``max_response_bytes`` are the
    :class:`NetworkLimits` the facade's driver enforces.
    """

    def __init__(
        self,
        *,
        transaction_store: Any = None,
        state_store: Any = None,
        logout_stamp_store: Any = None,
        anonymous_store: Any = None,
        timeout: float = DEFAULT_TIMEOUT,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        **options: Unpack[ClientOptions],
    ) -> None:
        self._limits = NetworkLimits(
            timeout=timeout, call_timeout=call_timeout, max_response_bytes=max_response_bytes
        )
        config = make_config(**options)
        config = _with_refresh_lock_ttl(config, self._limits, given="refresh_lock_ttl" in options)
        if logout_stamp_store is not None:
            config = attrs.evolve(config, logout_stamps=True)
        if anonymous_store is not None:
            _check_anonymous_store(config, anonymous_store, state_store)
            config = attrs.evolve(config, anonymous_sessions=True)
        if config.enterprise_connect:
            _warn_on_enterprise_connect(config)
        self._core = CoreClient(config)
        clock = config.env.clock
        self._stores: dict[str, Any] = {
            "state": state_store if state_store is not None else MemoryStateStore(clock=clock),
            "transaction": transaction_store
            if transaction_store is not None
            else MemoryTransactionStore(clock=clock),
        }
        if logout_stamp_store is not None:
            self._stores["logout_stamp"] = logout_stamp_store
        if anonymous_store is not None:
            self._stores["anonymous"] = anonymous_store
        self._local_claims = ClaimTable(clock)
        if config.enterprise_connect:
            self._refuse_outside_enterprise_connect()

    def _refuse_outside_enterprise_connect(self) -> None:
        """Enterprise Connect: every public method but the allowed ones raises
        EnterpriseConnectError (fail-closed: a method added later is refused too)."""
        from .flows.enterprise import ALLOWED_METHODS

        cls = type(self)
        for name in dir(cls):
            if name.startswith("_") or name in ALLOWED_METHODS:
                continue
            static = inspect.getattr_static(cls, name)
            if isinstance(static, property | functools.cached_property) or not callable(static):
                continue
            setattr(self, name, _enterprise_refusal(name, inspect.iscoroutinefunction(static)))

    def _refuse_in_enterprise_connect(self, name: str) -> None:
        """Raise EnterpriseConnectError for ``name`` (a sub-client) in Enterprise Connect."""
        if self._core.config.enterprise_connect:
            raise EnterpriseConnectError(
                message=f"{name} is not supported in Enterprise Connect mode."
            )

    @property
    def config(self) -> Any:
        """The validated configuration (secrets redacted in its repr)."""
        return self._core.config

    def _call_resolver(self, context: object) -> object:
        """The domain resolver's answer for ``context`` (a ResolveDomain effect), perhaps an
        awaitable; a resolver that raises raises DomainResolverError."""
        resolver = self._core.config.domain_resolver
        if resolver is None:  # only a flow built for resolver mode yields ResolveDomain
            raise ConfigurationError("no domain resolver is configured.")
        return call_resolver(resolver, context)

    def _flow(
        self, flow: Callable[..., Flow[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Flow[T]:
        """The flow of one public call: ``flow`` on the core client, or, with a domain
        resolver, on the client of the domain it resolves for the call's store_options."""
        if not self._core.resolves_domain:
            return flow(self._core, *args, **kwargs)
        store_options = _store_options_finder(flow)(*args, **kwargs)
        return resolved_flow(
            self._core, lambda client: flow(client, *args, **kwargs), store_options
        )

    def _perform_store(self, effect: StoreEffect) -> Any:
        """Call the store method for ``effect``; the result may be awaitable (async stores).

        Stores are called as the official SDK calls them (docs/compatibility-stores.md):
        ``set(identifier, state, options=...)`` with ``remove_if_expires=`` added only when the
        store's ``set`` takes it, ``get``/``delete`` with ``options=``, and
        ``delete_by_logout_token(claims, options)`` positionally. The optional capabilities
        (``claim``, ``acquire_lock``/``release_lock``) fall back to what one process can do
        when a store lacks them: a local claim table, no lock.
        """
        store = self._stores[effect.store]
        if isinstance(effect, StoreGet):
            if effect.record is not None:  # a store that keeps parsed records answers with one
                get_record = getattr(store, "get_record", None)
                if get_record is not None:
                    return get_record(effect.identifier, effect.record, options=effect.options)
            return store.get(effect.identifier, options=effect.options)
        if isinstance(effect, StoreSet):
            if _set_takes_remove_if_expires(store):
                return store.set(
                    effect.identifier,
                    dict(effect.value),
                    remove_if_expires=effect.remove_if_expires,
                    options=effect.options,
                )
            return store.set(effect.identifier, dict(effect.value), options=effect.options)
        if isinstance(effect, StoreDelete):
            return store.delete(effect.identifier, options=effect.options)
        if isinstance(effect, StoreClaim):
            if hasattr(store, "claim"):
                return store.claim(effect.identifier, effect.expires_at, options=effect.options)
            return self._local_claims.claim(effect.identifier, effect.expires_at)
        if isinstance(effect, StoreLock):
            if not hasattr(store, "acquire_lock"):
                return ""
            return store.acquire_lock(
                effect.identifier, ttl=effect.ttl, wait=effect.wait, options=effect.options
            )
        if isinstance(effect, StoreUnlock):
            if not hasattr(store, "release_lock"):
                return None
            return store.release_lock(effect.identifier, effect.token, options=effect.options)
        if not _deletes_by_logout_token(store):
            raise StoreNotSupportedError(
                f"the {effect.store} store cannot delete sessions by logout token; back-channel "
                "logout needs a server-side session store (memory for one process, Redis) or "
                "a store that implements delete_by_logout_token."
            )
        return store.delete_by_logout_token(dict(effect.claims), effect.options)


def _check_anonymous_store(config: Any, anonymous_store: Any, state_store: Any) -> None:
    """The anonymous store must be a store of its own (the official SDK's rule): sharing the
    state store's instance would let the two sessions overwrite each other.

    Raises:
        ConfigurationError: the state store's instance, or mTLS (anonymous sessions have no
            certificate-bound client authentication).
    """
    if anonymous_store is state_store:
        raise ConfigurationError(
            "anonymous_store must be a distinct store instance from state_store: sharing one "
            "lets the anonymous and the authenticated session overwrite each other."
        )
    if config.use_mtls:
        raise ConfigurationError(
            "Anonymous sessions do not support mTLS: the anonymous token endpoint has no "
            "client-certificate authentication."
        )


def _warn_on_enterprise_connect(config: Any) -> None:
    """Settings Enterprise Connect ignores: a configured offline_access (no refresh token is
    kept) and a configured organization (the tenant resolves it from the e-mail)."""
    scope = config.authorization_params.get("scope")
    if isinstance(scope, str) and "offline_access" in scope.split():
        warnings.warn(
            "enterprise_connect is enabled but 'offline_access' is in the default scope. "
            "Enterprise Connect keeps no refresh token, so it has no effect.",
            stacklevel=4,
        )
    if config.organization:
        warnings.warn(
            "enterprise_connect is enabled but a static 'organization' is set. Enterprise "
            "Connect resolves the organization from the login e-mail at Auth0, so it is not "
            "sent for logins.",
            stacklevel=4,
        )


def _enterprise_refusal(name: str, coroutine: bool) -> Callable[..., Any]:
    message = f"{name} is not supported in Enterprise Connect mode."
    if coroutine:

        async def refused_async(*_args: Any, **_kwargs: Any) -> Any:
            raise EnterpriseConnectError(message=message)

        return refused_async

    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise EnterpriseConnectError(message=message)

    return refused


_STORE_OPTIONS_FINDERS: dict[Callable[..., Any], Callable[..., Any]] = {}


def _store_options_finder(flow: Callable[..., Any]) -> Callable[..., Any]:
    finder = _STORE_OPTIONS_FINDERS.get(flow)
    if finder is None:
        finder = _STORE_OPTIONS_FINDERS[flow] = store_options_argument(flow)
    return finder


# Store class -> whether its ``set`` takes ``remove_if_expires``; weak, so classes can go.
_SET_TAKES_HINT: weakref.WeakKeyDictionary[type, bool] = weakref.WeakKeyDictionary()


def _callable_takes(function: object, parameter: str) -> bool:
    """Whether ``function`` accepts ``parameter`` as a keyword (unknowable: assume it does)."""
    if not callable(function):
        return True
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # a builtin or extension without a signature
        return True
    return any(
        (p.name == parameter and p.kind is not inspect.Parameter.POSITIONAL_ONLY)
        or p.kind is inspect.Parameter.VAR_KEYWORD
        for p in parameters
    )


def is_awaitable(value: object) -> bool:
    """``inspect.isawaitable(value)``, without its ABC check for the plain values stores
    answer with (the drivers ask it of every store call, and a read is a store call)."""
    return type(value) not in _PLAIN_STORE_ANSWERS and inspect.isawaitable(value)


_PLAIN_STORE_ANSWERS = frozenset({type(None), bool, str, dict, Session})


def _set_takes_remove_if_expires(store: Any) -> bool:
    """Whether ``store.set`` accepts ``remove_if_expires`` (the official base class declares
    it; the official docs' Redis and PostgreSQL examples leave it out). Asked once per class;
    a ``set`` assigned on the instance itself is inspected on each call."""
    if "set" in getattr(store, "__dict__", ()):
        return _callable_takes(store.set, "remove_if_expires")
    cls = type(store)
    known = _SET_TAKES_HINT.get(cls)
    if known is None:
        known = _SET_TAKES_HINT[cls] = _callable_takes(
            getattr(cls, "set", None), "remove_if_expires"
        )
    return known


def _deletes_by_logout_token(store: object) -> bool:
    """Whether ``store`` has its own ``delete_by_logout_token``: not missing, and not a base
    class's default that only raises ``NotImplementedError`` (ours or the official SDK's)."""
    method = getattr(store, "delete_by_logout_token", None)
    if method is None:
        return False
    function = getattr(method, "__func__", method)
    if getattr(function, NOT_IMPLEMENTED_MARK, False):
        return False
    return not (
        getattr(function, "__module__", None) == "auth0_server_python.store.abstract"
        and getattr(function, "__qualname__", None) == "StateStore.delete_by_logout_token"
    )


class FacadeOptions(ClientOptions, total=False):
    """``ServerClient(...)`` keyword arguments: the client options, the stores and the
    network limits."""

    transaction_store: Any
    state_store: Any
    logout_stamp_store: Any
    anonymous_store: Any
    timeout: float
    call_timeout: float
    max_response_bytes: int


P = ParamSpec("P")
T = TypeVar("T")
FlowFunction = Callable[Concatenate[CoreClient, P], Flow[T]]


def _present_as(method: Callable[..., Any], flow: Callable[..., Any]) -> None:
    # help(ServerClient.get_user) shows the public signature and the flow's documentation.
    method.__name__ = method.__qualname__ = flow.__name__
    method.__doc__ = flow.__doc__
    signature = inspect.signature(flow)
    parameters = list(signature.parameters.values())
    self = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = signature.replace(parameters=[self, *parameters[1:]])  # type: ignore[attr-defined]


def sync_call(flow: FlowFunction[P, T]) -> Callable[Concatenate[Any, P], T]:
    """A blocking facade method running ``flow`` with the facade's driver (``self._run``)."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        result: T = self._run(self._flow(flow, args, kwargs))
        return result

    _present_as(method, flow)
    return method


def async_call(flow: FlowFunction[P, T]) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """A coroutine facade method awaiting ``flow`` with the facade's driver (``self._run``)."""

    async def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        result: T = await self._run(self._flow(flow, args, kwargs))
        return result

    _present_as(method, flow)
    return method


I = TypeVar("I")  # noqa: E741 - the item type
WalkFunction = Callable[Concatenate[CoreClient, P], PageWalk[Any, I]]


class _ResolvedWalk:
    """A page walk in resolver mode: the domain is resolved with the first page, and every
    page of the walk is fetched from that domain."""

    def __init__(
        self,
        core: CoreClient,
        build: Callable[[CoreClient], PageWalk[Any, Any]],
        store_options: Any,
    ) -> None:
        self._core = core
        self._build = build
        self._store_options = store_options
        self._walk: PageWalk[Any, Any] | None = None

    def _first(self, client: CoreClient) -> Flow[list[Any]]:
        self._walk = self._build(client)
        page = self._walk.next_page()
        return (yield from page) if page is not None else []

    def next_page(self) -> Flow[list[Any]] | None:
        if self._walk is None:
            return resolved_flow(self._core, self._first, self._store_options)
        return self._walk.next_page()


def _walk(
    core: CoreClient,
    walk: Callable[..., PageWalk[Any, Any]],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> PageWalk[Any, Any] | _ResolvedWalk:
    pages = walk(core, *args, **kwargs)  # bad arguments raise here, at the call
    if not core.resolves_domain:
        return pages
    store_options = _store_options_finder(walk)(*args, **kwargs)
    return _ResolvedWalk(core, lambda client: walk(client, *args, **kwargs), store_options)


def sync_pages(walk: WalkFunction[P, I]) -> Callable[Concatenate[Any, P], Iterator[I]]:
    """A facade method returning an iterator over every item of ``walk``'s pages; each page
    is one blocking call (its own ``call_timeout``). Bad arguments raise at the call."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> Iterator[I]:
        pages = _walk(self._core, walk, args, kwargs)

        def items() -> Iterator[I]:
            while (page := pages.next_page()) is not None:
                yield from self._run(page)

        return items()

    _present_as(method, walk)
    return method


def async_pages(walk: WalkFunction[P, I]) -> Callable[Concatenate[Any, P], AsyncIterator[I]]:
    """A facade method returning an async iterator over every item of ``walk``'s pages
    (``async for``); each page is one awaited call. Bad arguments raise at the call."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> AsyncIterator[I]:
        pages = _walk(self._core, walk, args, kwargs)

        async def items() -> AsyncIterator[I]:
            while (page := pages.next_page()) is not None:
                for item in await self._run(page):
                    yield item

        return items()

    _present_as(method, walk)
    return method


def plain_call(
    function: Callable[Concatenate[CoreClient, P], T],
) -> Callable[Concatenate[Any, P], T]:
    """A facade method calling ``function`` (which does no IO) directly: a plain method on
    both facades, as ``build_session_transfer_redirect`` is in the official SDK."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return function(self._core, *args, **kwargs)

    _present_as(method, function)
    return method


class SubClient:
    """A group of a facade's calls reached through one of its properties
    (``server_client.mfa``, ``server_client.passwordless``), as the official SDK's ``MfaClient``
    and ``PasswordlessClient``: the methods are built with :func:`sync_call` /
    :func:`async_call` / :func:`plain_call` like the facade's own, and run on the facade's
    driver, stores and domain resolver."""

    def __init__(self, facade: FacadeBase) -> None:
        self._facade = facade
        self._core = facade._core

    def _run(self, flow: Flow[T]) -> Any:
        return self._facade._run(flow)  # type: ignore[attr-defined]

    def _flow(
        self, flow: Callable[..., Flow[T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Flow[T]:
        return self._facade._flow(flow, args, kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(client_id={self._core.config.client_id!r})"
