"""The async ``ServerClient``: every method builds a core flow and awaits it.

Runs on asyncio and trio (anyio underneath httpx).
"""

from __future__ import annotations

import functools
import inspect
import logging
import time
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar, Unpack

import anyio
import anyio.to_thread
import attrs

import auth0_core.flows.passkeys_api as passkeys_api
from auth0_core import HttpRequest
from auth0_core._domains import await_resolved
from auth0_core._facade import (
    FacadeBase,
    FacadeOptions,
    SubClient,
    async_call,
    async_pages,
    is_awaitable,
    plain_call,
)
from auth0_core._held_locks import HeldLocks, LocalLocks
from auth0_core._http import call_timed_out
from auth0_core.effects import (
    Effect,
    Flow,
    ResolveDomain,
    SharedRequest,
    Sleep,
    StoreLock,
    StoreUnlock,
    _next_effect,
    _thrown_into_flow,
    arun,
)
from auth0_core.errors import TransportError
from auth0_core.flows import anonymous_api, api, mfa_api, passwordless_api

from ._single_flight import TaskSingleFlight
from ._transport import HttpxTransport

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")
logger = logging.getLogger("auth0_anyio")
# What the fast path hands to the awaiting driver (a union built once, not per effect).
# A store lock may be waited for: never taken on the fast path.
_AWAITED_EFFECTS = (Sleep, HttpRequest, SharedRequest, ResolveDomain, StoreLock, StoreUnlock)


def _continued(flow: Flow[T], answer: object, failure: TransportError | None = None) -> Flow[T]:
    """``flow``, already started, resumed with ``answer`` to the effect it last yielded (or
    ``failure`` thrown into it); a TransportError thrown into this is thrown into ``flow``."""
    while True:
        try:
            effect = flow.send(answer) if failure is None else flow.throw(failure)
        except StopIteration as done:
            value: T = done.value
            return value
        try:
            answer, failure = (yield effect), None
        except TransportError as error:
            answer, failure = None, error


class ServerClient(FacadeBase):
    """Auth0 for async Python (asyncio or trio), on one pooled ``httpx.AsyncClient``.

    Takes the same arguments as the official SDK's ``ServerClient`` plus ``http_client`` (an
    ``httpx.AsyncClient`` to use instead of an owned one) and the network limits ``timeout``
    (seconds for one HTTP exchange), ``call_timeout`` (seconds for one public call, store
    calls included) and ``max_response_bytes`` (docs/network.md). Stores may be sync or async.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        **options: Unpack[FacadeOptions],
    ) -> None:
        super().__init__(**options)
        self._transport = HttpxTransport(
            http_client,
            timeout=self._limits.timeout,
            max_response_bytes=self._limits.max_response_bytes,
            ssl_context=self._core.config.ssl_context,
        )
        self._single_flight = TaskSingleFlight(self._core.config.env.clock)
        self._local_locks: LocalLocks[anyio.Lock] = LocalLocks(anyio.Lock)

    async def _run(self, flow: Flow[T]) -> T:
        # The event loop's clock is read only when the call awaits (1 µs on asyncio); the
        # fast path's time still counts against call_timeout.
        started = time.monotonic()
        answer: object = None
        held = HeldLocks()
        try:
            # Fast path: a sync store's effects are performed without awaiting, so nothing
            # can cancel them and they need no cancel scope (5 us of a cached read). The
            # flow runs here until it returns or yields the first effect that awaits.
            while True:
                try:
                    effect = _next_effect(flow, answer)
                except StopIteration as done:
                    value: T = done.value
                    return value
                if isinstance(effect, _AWAITED_EFFECTS):
                    pending: object = None
                    break
                answer = self._perform_store(effect)
                if is_awaitable(answer):
                    pending, answer = answer, None
                    break
                held.note(effect, answer)
            elapsed = time.monotonic() - started
            deadline = anyio.current_time() + self._limits.call_timeout - elapsed
            with anyio.CancelScope(deadline=deadline) as scope:

                async def perform(effect: Effect) -> object:
                    result = await self._perform(effect, scope=scope)
                    held.note(effect, result)
                    return result

                failure: TransportError | None = None
                if inspect.isawaitable(pending):
                    answer = await pending
                    held.note(effect, answer)
                else:
                    try:
                        answer = await perform(effect)
                    except TransportError as error:  # back to the flow, as arun does
                        failure = _thrown_into_flow(effect, error)
                        if failure is None:
                            raise
                return await arun(_continued(flow, answer, failure), perform)
            raise call_timed_out(self._limits.call_timeout)
        finally:
            flow.close()
            if held:
                await self._release(held)

    async def _lock(self, effect: StoreLock) -> object:
        """Wait for ``effect``'s store lock: first in this process's queue for it
        (:class:`LocalLocks`), then at the store, with the wait that is left. A sync store's
        ``acquire_lock`` blocks while it waits: it runs on a worker thread, off the loop."""
        store = self._stores[effect.store]
        if not hasattr(store, "acquire_lock"):
            return ""  # one process: the single-flight is all the coordination there is
        started = anyio.current_time()
        local = self._local_locks.enter(effect)
        acquired, token, ask = False, None, effect
        try:
            try:
                local.acquire_nowait()
                acquired = True
            except anyio.WouldBlock:  # queued behind this process's holder
                with anyio.move_on_after(effect.wait):
                    await local.acquire()
                    acquired = True
                left = max(0.0, effect.wait - (anyio.current_time() - started))
                ask = attrs.evolve(effect, wait=left)
            if acquired:
                if inspect.iscoroutinefunction(store.acquire_lock):
                    token = await self._perform_store(ask)
                else:
                    answer = await anyio.to_thread.run_sync(partial(self._perform_store, ask))
                    # A plain def may hand back an awaitable (then awaited here, on the loop).
                    token = (await answer) if is_awaitable(answer) else answer
        finally:
            self._local_locks.settle(effect, local, acquired=acquired, token=token)
        return token

    async def _unlock(self, effect: StoreUnlock) -> None:
        try:
            result = self._perform_store(effect)
            if is_awaitable(result):
                await result
        finally:
            self._local_locks.released(effect)

    async def _release(self, held: HeldLocks) -> None:
        """Release the locks a call that ended early still holds: shielded from the
        cancellation or deadline that ended it (a release is what lets the next request for
        the session go on), and bounded by ``timeout``."""
        with anyio.CancelScope(shield=True), anyio.move_on_after(self._limits.timeout):
            for unlock in held.take_unreleased():
                try:
                    await self._unlock(unlock)
                except Exception as error:  # the lock expires by its TTL instead
                    logger.debug("releasing a store lock failed: %s", type(error).__name__)

    async def _perform(self, effect: Effect, *, scope: anyio.CancelScope | None = None) -> object:
        if isinstance(effect, Sleep):
            if scope is not None:
                if not effect.within_call:
                    # A wait the flow asks for is not work: not counted against call_timeout.
                    scope.deadline += effect.seconds
                elif anyio.current_time() + effect.seconds >= scope.deadline:
                    return False  # a retry's backoff the call has no time for: not waited
            await self._sleep(effect.seconds)
            return None
        if isinstance(effect, HttpRequest):
            return await self._transport.send(effect)
        if isinstance(effect, SharedRequest):
            return await self._single_flight.run(
                effect.key, partial(self._transport.send, effect.request)
            )
        if isinstance(effect, ResolveDomain):
            answer = self._call_resolver(effect.context)
            return await await_resolved(answer) if inspect.isawaitable(answer) else answer
        if isinstance(effect, StoreLock):
            return await self._lock(effect)
        if isinstance(effect, StoreUnlock):
            await self._unlock(effect)
            return None
        result = self._perform_store(effect)
        if is_awaitable(result):
            result = await result
        return result

    async def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``; cancellable on asyncio and trio alike."""
        await anyio.sleep(seconds)

    async def aclose(self) -> None:
        """Close the owned HTTP client."""
        await self._transport.aclose()

    async def __aenter__(self) -> ServerClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # The public methods: one line each, signatures and docs from auth0_core.flows.api.
    start_interactive_login = async_call(api.start_interactive_login)
    complete_interactive_login = async_call(api.complete_interactive_login)
    get_user = async_call(api.get_user)
    get_session = async_call(api.get_session)
    logout = async_call(api.logout)
    get_access_token = async_call(api.get_access_token)
    get_access_token_for_connection = async_call(api.get_access_token_for_connection)
    get_client_credentials_token = async_call(api.get_client_credentials_token)
    start_link_user = async_call(api.start_link_user)
    complete_link_user = async_call(api.complete_link_user)
    start_unlink_user = async_call(api.start_unlink_user)
    complete_unlink_user = async_call(api.complete_unlink_user)
    link_user_accounts = async_call(api.link_user_accounts)
    unlink_user_accounts = async_call(api.unlink_user_accounts)
    callback_kind = async_call(api.callback_kind)
    start_connect_account = async_call(api.start_connect_account)
    complete_connect_account = async_call(api.complete_connect_account)
    list_connected_accounts = async_call(api.list_connected_accounts)
    list_connected_account_connections = async_call(api.list_connected_account_connections)
    delete_connected_account = async_call(api.delete_connected_account)
    iter_connected_accounts = async_pages(api.iter_connected_accounts)
    iter_connected_account_connections = async_pages(api.iter_connected_account_connections)
    handle_backchannel_logout = async_call(api.handle_backchannel_logout)
    initiate_backchannel_authentication = async_call(api.initiate_backchannel_authentication)
    backchannel_authentication_grant = async_call(api.backchannel_authentication_grant)
    backchannel_authentication = async_call(api.backchannel_authentication)
    login_backchannel = async_call(api.login_backchannel)
    get_token_by_refresh_token = async_call(api.get_token_by_refresh_token)
    get_token_for_connection = async_call(api.get_token_for_connection)
    custom_token_exchange = async_call(api.custom_token_exchange)
    login_with_custom_token_exchange = async_call(api.login_with_custom_token_exchange)
    request_session_transfer_token = async_call(api.request_session_transfer_token)
    build_session_transfer_redirect = plain_call(api.build_session_transfer_redirect)
    passkey_signup_challenge = async_call(passkeys_api.passkey_signup_challenge)
    passkey_login_challenge = async_call(passkeys_api.passkey_login_challenge)
    signin_with_passkey = async_call(passkeys_api.signin_with_passkey)
    start_enterprise_login = async_call(api.start_enterprise_login)

    @functools.cached_property
    def mfa(self) -> MfaClient:
        """The MFA API client (the official ``MfaClient``; docs/mfa.md)."""
        self._refuse_in_enterprise_connect("mfa")
        return MfaClient(self)

    @functools.cached_property
    def passwordless(self) -> PasswordlessClient:
        """The embedded passwordless client (the official ``PasswordlessClient``;
        docs/passwordless.md)."""
        self._refuse_in_enterprise_connect("passwordless")
        return PasswordlessClient(self)

    @functools.cached_property
    def anonymous(self) -> AnonymousClient:
        """The anonymous sessions client (the official ``AnonymousClient`` of 1.0.0b20;
        docs/anonymous-and-enterprise.md); needs ``anonymous_store``."""
        return AnonymousClient(self)


class MfaClient(SubClient):
    """``server_client.mfa``: the MFA API (docs/mfa.md), coroutine methods like the client's."""

    list_authenticators = async_call(mfa_api.list_authenticators)
    enroll_authenticator = async_call(mfa_api.enroll_authenticator)
    challenge_authenticator = async_call(mfa_api.challenge_authenticator)
    verify = async_call(mfa_api.verify)
    decrypt_mfa_token = plain_call(mfa_api.decrypt_mfa_token)


class PasswordlessClient(SubClient):
    """``server_client.passwordless``: embedded passwordless (docs/passwordless.md), coroutine
    methods like the client's."""

    start = async_call(passwordless_api.start)
    verify = async_call(passwordless_api.verify)


class AnonymousClient(SubClient):
    """``server_client.anonymous``: anonymous sessions (docs/anonymous-and-enterprise.md),
    coroutine methods like the client's."""

    create_session = async_call(anonymous_api.create_session)
    get_token = async_call(anonymous_api.get_token)
    get_session = async_call(anonymous_api.get_session)
    logout = async_call(anonymous_api.logout)
    exchange_transfer_token_for_injection = async_call(
        anonymous_api.exchange_transfer_token_for_injection
    )
