"""The blocking stores, on ``redis.Redis`` or ``redis.cluster.RedisCluster``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from auth0_core._effects import StoreOptions
from auth0_core.errors import ConfigurationError

from ._commands import RedisFlow, T
from ._connect import (
    DEFAULT_TIMEOUT,
    Target,
    check_seconds,
    check_target,
    close_sync_client,
    is_async_client,
    sync_client,
)
from ._layout import DEFAULT_PREFIX
from ._parts import session_parts, transaction_parts
from ._records import DEFAULT_TRANSACTION_TTL, Coordination
from ._run import run_sync


class _SyncConnection:
    """A blocking client, owned (built from a URL, closed with the store) or the caller's."""

    def __init__(
        self, target: Target, *, store: str, cluster: bool, timeout: float, connect_timeout: float
    ) -> None:
        check_target(target)
        if is_async_client(target):
            raise ConfigurationError(
                f"{store} is blocking and needs a blocking client (redis.Redis or "
                f"redis.cluster.RedisCluster); use Async{store} with a redis.asyncio client."
            )
        timeout = check_seconds("timeout", timeout)
        connect_timeout = check_seconds("connect_timeout", connect_timeout)
        self.store = store
        self.owned = isinstance(target, str)
        self.client: Any = (
            sync_client(target, cluster=cluster, timeout=timeout, connect_timeout=connect_timeout)
            if isinstance(target, str)
            else target
        )
        self.closed = False

    def run(self, flow: RedisFlow[T]) -> T:
        if self.closed:
            flow.close()
            raise ConfigurationError(f"This {self.store} is closed.")
        return run_sync(flow, self.client, self.store)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self.owned:
                close_sync_client(self.client)


class _SyncStore:
    """What both blocking stores share: the connection, claims, locks, closing, the repr."""

    _connection: _SyncConnection
    _coordination: Coordination
    _prefix: str

    def claim(self, identifier: str, expires_at: int, options: StoreOptions = None) -> bool:
        """Record ``identifier`` until ``expires_at`` (Unix seconds) unless it is there
        already, atomically across instances; True when this call recorded it.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return self._connection.run(self._coordination.claim(identifier, expires_at))

    def acquire_lock(
        self, identifier: str, *, ttl: float, wait: float, options: StoreOptions = None
    ) -> str | None:
        """Wait up to ``wait`` s for the lock ``identifier``, held at most ``ttl`` s; its token,
        or None when the wait ran out.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return self._connection.run(self._coordination.acquire_lock(identifier, ttl, wait))

    def release_lock(self, identifier: str, token: str, options: StoreOptions = None) -> None:
        """Release the lock if ``token`` still holds it.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        self._connection.run(self._coordination.release_lock(identifier, token))

    def close(self) -> None:
        """Close the connection pool when the store built it from a URL (not a given client)."""
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:  # never the URL (it may hold a password) nor the secret
        return f"{type(self).__name__}(prefix={self._prefix!r})"


class RedisStateStore(_SyncStore):
    """Sessions in Redis, sealed, under a random id the session cookie carries (docs/redis.md).

    The cookie named after the state identifier (``_a0_session``) holds only the session id;
    it is ``HttpOnly`` with the given ``secure``/``path``/``same_site``/``domain`` and a
    ``Max-Age`` of the session's remaining lifetime, which is also the record's TTL.
    ``store_options`` must carry the request and the response (``MissingStoreOptionsError``).
    """

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
        """Create the store; from a URL it builds (and owns) its connection pool.

        ``cluster=True`` builds a ``RedisCluster`` from the URL. ``timeout`` bounds each
        command, ``connect_timeout`` each connection attempt (seconds).

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
        self._connection = _SyncConnection(
            url_or_client,
            store=name,
            cluster=cluster,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """This browser's session, or None (no id cookie, unknown id, expired, unopenable).

        Raises:
            MissingStoreOptionsError: ``options`` has no request with cookies.
            StoreUnavailableError: Redis did not answer.
        """
        return self._connection.run(self._logic.get(identifier, options))

    def set(
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
        self._connection.run(self._logic.set(identifier, state, remove_if_expires, options))

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Delete this browser's session and its index entries; clear the id cookie.

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
            StoreUnavailableError: Redis did not answer.
        """
        self._connection.run(self._logic.delete(identifier, options))

    def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Delete every session the logout token names (``sid``, else ``sub``; ``iss``), in
        O(matching sessions).

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        self._connection.run(self._logic.delete_by_logout_token(claims))


class RedisTransactionStore(_SyncStore):
    """Login transactions in Redis, sealed, each with a TTL from its ``expires_at``."""

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
        """Create the store; from a URL it builds (and owns) its connection pool.

        ``default_ttl`` (seconds) is for records without an ``expires_at``.

        Raises:
            ConfigurationError: an empty secret, a bad prefix, URL, client or duration.
        """
        self._prefix = prefix
        self._logic, self._coordination = transaction_parts(
            secret=secret, prefix=prefix, default_ttl=default_ttl, clock=clock
        )
        self._connection = _SyncConnection(
            url_or_client,
            store=type(self).__name__,
            cluster=cluster,
            timeout=timeout,
            connect_timeout=connect_timeout,
        )

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The transaction, or None when absent, expired or unopenable.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        return self._connection.run(self._logic.get(identifier))

    def set(
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
        self._connection.run(self._logic.set(identifier, state))

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget the transaction.

        Raises:
            StoreUnavailableError: Redis did not answer.
        """
        self._connection.run(self._logic.delete(identifier))
