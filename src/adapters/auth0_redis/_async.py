"""The async stores, for ``auth0_anyio.ServerClient`` on asyncio and on trio.

Under asyncio they await ``redis.asyncio``; under trio, where ``redis.asyncio`` cannot run,
they send each command from a worker thread on a blocking client (``anyio.to_thread``). A store
built from a URL makes whichever client it needs on first use and closes both.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from types import TracebackType
from typing import Any, Self

from auth0_core._effects import StoreOptions
from auth0_core._extras import require_extra
from auth0_core.errors import ConfigurationError

from ._commands import Command, Eval, RedisFlow, T
from ._connect import (
    DEFAULT_TIMEOUT,
    Target,
    async_client,
    check_seconds,
    check_target,
    close_sync_client,
    is_async_client,
    sync_client,
)
from ._layout import DEFAULT_PREFIX
from ._parts import session_parts, transaction_parts
from ._records import DEFAULT_TRANSACTION_TTL, Coordination
from ._run import execute, execute_async, run_async


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running this task; None under trio (or any other library)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _AsyncConnection:
    """The clients an async store uses: ``redis.asyncio`` under asyncio, a blocking client in
    worker threads elsewhere. Owned when built from a URL (closed with the store)."""

    def __init__(
        self, target: Target, *, store: str, cluster: bool, timeout: float, connect_timeout: float
    ) -> None:
        check_target(target)
        self.store = store
        self._cluster = cluster
        self._timeout = check_seconds("timeout", timeout)
        self._connect_timeout = check_seconds("connect_timeout", connect_timeout)
        self._url = target if isinstance(target, str) else None
        self._native: Any = target if is_async_client(target) else None
        self._blocking: Any = None if self._url or self._native else target
        self._threads_only = self._blocking is not None  # given a blocking client
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    async def run(self, flow: RedisFlow[T]) -> T:
        if self.closed:
            flow.close()
            raise ConfigurationError(f"This {self.store} is closed.")
        loop = _running_loop()
        if loop is not None and not self._threads_only:
            native = self._native_client(loop)
            return await run_async(flow, partial(execute_async, native), asyncio.sleep, self.store)
        return await self._run_in_threads(flow)

    def _native_client(self, loop: asyncio.AbstractEventLoop) -> Any:
        if self._native is None:
            assert self._url is not None
            self._native = self._make(async_client, self._url)
            self._loop = loop
        elif self._loop is not None and self._loop is not loop:
            raise ConfigurationError(
                f"This {self.store} keeps its asyncio connections in the event loop that first "
                "used it; make one store per event loop."
            )
        return self._native

    def _make(self, factory: Callable[..., Any], url: str) -> Any:
        return factory(
            url, cluster=self._cluster, timeout=self._timeout, connect_timeout=self._connect_timeout
        )

    async def _run_in_threads(self, flow: RedisFlow[T]) -> T:
        require_extra(f"{self.store} outside asyncio", "anyio", "anyio")
        import anyio
        import anyio.to_thread

        if self._blocking is None:
            if self._url is None:
                flow.close()
                raise ConfigurationError(
                    f"{self.store} was given a redis.asyncio client, which runs on asyncio only; "
                    "give it a URL or a blocking redis.Redis client to run on trio."
                )
            self._blocking = self._make(sync_client, self._url)
        client = self._blocking

        async def send(step: Command | Eval) -> Any:
            return await anyio.to_thread.run_sync(execute, client, step)

        return await run_async(flow, send, anyio.sleep, self.store)

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._url is None:  # the caller's client: the caller closes it
            return
        if self._blocking is not None:
            close_sync_client(self._blocking)
        if self._native is not None and _running_loop() is self._loop:
            await self._native.aclose()


class _AsyncStore:
    """What both async stores share: the connection, claims, locks, closing, the repr."""

    _connection: _AsyncConnection
    _coordination: Coordination
    _prefix: str

    async def claim(self, identifier: str, expires_at: int, options: StoreOptions = None) -> bool:
        """Record ``identifier`` until ``expires_at`` (Unix seconds) unless it is there
        already, atomically across instances; True when this call recorded it.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return await self._connection.run(self._coordination.claim(identifier, expires_at))

    async def acquire_lock(
        self, identifier: str, *, ttl: float, wait: float, options: StoreOptions = None
    ) -> str | None:
        """Wait up to ``wait`` s for the lock ``identifier``, held at most ``ttl`` s; its token,
        or None when the wait ran out.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return await self._connection.run(self._coordination.acquire_lock(identifier, ttl, wait))

    async def release_lock(self, identifier: str, token: str, options: StoreOptions = None) -> None:
        """Release the lock if ``token`` still holds it.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        await self._connection.run(self._coordination.release_lock(identifier, token))

    async def aclose(self) -> None:
        """Close the connection pools the store built from a URL (not a given client)."""
        await self._connection.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:  # never the URL (it may hold a password) nor the secret
        return f"{type(self).__name__}(prefix={self._prefix!r})"


class AsyncRedisStateStore(_AsyncStore):
    """The awaited twin of :class:`~auth0_redis.RedisStateStore` (same options, same keys):
    sessions written by either read in the other."""

    def __init__(
        self,
        url_or_client: Target,
        /,
        *,
        secret: str | Sequence[str],
        prefix: str = DEFAULT_PREFIX,
        cluster: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
        secure: bool = True,
        path: str = "/",
        same_site: str = "Lax",
        domain: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the store from a URL, a ``redis.asyncio`` client (asyncio only) or a blocking
        client (run in worker threads, asyncio and trio).

        Raises:
            ConfigurationError: an empty secret, a bad prefix, URL, client, timeout or cookie
                attribute.
        """
        name = type(self).__name__
        self._prefix = prefix
        self._logic, self._coordination = session_parts(
            name,
            secret=secret,
            prefix=prefix,
            secure=secure,
            path=path,
            same_site=same_site,
            domain=domain,
            clock=clock,
        )
        self._connection = _AsyncConnection(
            url_or_client,
            store=name,
            cluster=cluster,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    async def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """This browser's session, or None (no id cookie, unknown id, expired, unopenable).

        Raises:
            MissingStoreOptionsError: ``options`` has no request with cookies.
            StoreUnavailableError: Redis did not answer.
        """
        return await self._connection.run(self._logic.get(identifier, options))

    async def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Write the session. A login (``remove_if_expires``) deletes the old record and sets
        a new id; another write only updates a record that still exists.

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
            StoreUnavailableError: Redis did not answer (nothing is acknowledged).
        """
        await self._connection.run(self._logic.set(identifier, state, remove_if_expires, options))

    async def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Delete this browser's session and its index entries; clear the id cookie.

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
            StoreUnavailableError: Redis did not answer.
        """
        await self._connection.run(self._logic.delete(identifier, options))

    async def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Delete every session the logout token names (``sid``, else ``sub``; ``iss``), in
        O(matching sessions).

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        await self._connection.run(self._logic.delete_by_logout_token(claims))


class AsyncRedisTransactionStore(_AsyncStore):
    """The awaited twin of :class:`~auth0_redis.RedisTransactionStore`."""

    def __init__(
        self,
        url_or_client: Target,
        /,
        *,
        secret: str | Sequence[str],
        prefix: str = DEFAULT_PREFIX,
        cluster: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_TIMEOUT,
        default_ttl: float = DEFAULT_TRANSACTION_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Create the store (see :class:`AsyncRedisStateStore` for what it accepts).

        Raises:
            ConfigurationError: an empty secret, a bad prefix, URL, client or duration.
        """
        self._prefix = prefix
        self._logic, self._coordination = transaction_parts(
            secret=secret, prefix=prefix, default_ttl=default_ttl, clock=clock
        )
        self._connection = _AsyncConnection(
            url_or_client,
            store=type(self).__name__,
            cluster=cluster,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    async def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The transaction, or None when absent, expired or unopenable.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return await self._connection.run(self._logic.get(identifier))

    async def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Store the transaction until its ``expires_at``.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        await self._connection.run(self._logic.set(identifier, state))

    async def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget the transaction.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        await self._connection.run(self._logic.delete(identifier))
