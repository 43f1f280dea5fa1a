"""The sync ``ServerClient``: every method builds a core flow and runs it, blocking."""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
from concurrent.futures import Future, wait
from functools import partial
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar, Unpack

import attrs

import auth0_core.flows.passkeys_api as passkeys_api
from auth0_core import HttpRequest, HttpResponse
from auth0_core._facade import (
    FacadeBase,
    FacadeOptions,
    SubClient,
    is_awaitable,
    plain_call,
    sync_call,
    sync_pages,
)
from auth0_core._held_locks import HeldLocks, LocalLocks
from auth0_core._http import call_timed_out, exchange_timed_out
from auth0_core.effects import (
    Effect,
    Flow,
    ResolveDomain,
    SharedRequest,
    Sleep,
    StoreEffect,
    StoreLock,
    StoreUnlock,
    run,
)
from auth0_core.errors import ConfigurationError, TransportError
from auth0_core.flows import anonymous_api, api, mfa_api, passwordless_api

from ._single_flight import ThreadSingleFlight
from ._transport import RequestsTransport, in_thread

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
logger = logging.getLogger("auth0_requests")


class ServerClient(FacadeBase):
    """Auth0 for synchronous Python (scripts, Flask, Django), on one pooled requests.Session.

    Takes the same arguments as the official SDK's ``ServerClient`` plus ``session`` (a
    ``requests.Session`` to use instead of an owned one) and the network limits ``timeout``
    (seconds for one HTTP exchange), ``call_timeout`` (seconds for one public call) and
    ``max_response_bytes`` (docs/network.md).

    Each exchange runs on a thread of its own while the calling thread waits for it, so a call
    returns by its deadline even when a socket call cannot be interrupted. Store calls run on
    the calling thread and cannot be interrupted, but none starts once the call's time is up.
    """

    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        **options: Unpack[FacadeOptions],
    ) -> None:
        super().__init__(**options)
        for kind, store in self._stores.items():
            if inspect.iscoroutinefunction(getattr(store, "get", None)):
                raise ConfigurationError(
                    f"the {kind} store is async; the sync ServerClient needs a sync store "
                    "(or use auth0_anyio.ServerClient)."
                )
        self._transport = RequestsTransport(
            session,
            timeout=self._limits.timeout,
            max_response_bytes=self._limits.max_response_bytes,
            ssl_context=self._core.config.ssl_context,
        )
        self._single_flight = ThreadSingleFlight(self._core.config.env.clock)
        self._local_locks: LocalLocks[threading.Lock] = LocalLocks(threading.Lock)
        self._closed = threading.Event()  # set by close(): wakes calls waiting between polls

    def _run(self, flow: Flow[T]) -> T:
        call_deadline = time.monotonic() + self._limits.call_timeout
        held = HeldLocks()

        def perform(effect: Effect) -> object:
            nonlocal call_deadline
            if isinstance(effect, Sleep):
                if not effect.within_call:
                    # A wait the flow asks for is not work: not counted against call_timeout.
                    call_deadline += effect.seconds
                elif time.monotonic() + effect.seconds >= call_deadline:
                    return False  # a retry's backoff the call has no time for: not waited
            result = self._perform(effect, call_deadline=call_deadline)
            held.note(effect, result)
            return result

        try:
            return run(flow, perform)
        finally:
            if held:
                self._release(held)

    def _lock(self, effect: StoreLock) -> object:
        """Wait for ``effect``'s store lock: first in this process's queue for it
        (:class:`LocalLocks`), then at the store, with the wait that is left."""
        if not hasattr(self._stores[effect.store], "acquire_lock"):
            return ""  # one process: the single-flight is all the coordination there is
        started = time.monotonic()
        local = self._local_locks.enter(effect)
        acquired, token, ask = False, None, effect
        try:
            acquired = local.acquire(blocking=False)
            if not acquired:  # queued behind this process's holder: the store gets what is left
                acquired = local.acquire(timeout=max(0.0, effect.wait))
                left = max(0.0, effect.wait - (time.monotonic() - started))
                ask = attrs.evolve(effect, wait=left)
            if acquired:
                token = self._store_answer(ask)
        finally:
            self._local_locks.settle(effect, local, acquired=acquired, token=token)
        return token

    def _unlock(self, effect: StoreUnlock) -> None:
        try:
            self._store_answer(effect)
        finally:
            self._local_locks.released(effect)

    def _release(self, held: HeldLocks) -> None:
        """Release the locks a call that ended early still holds (past its deadline too: a
        release is what lets the next request for the session go on)."""
        for unlock in held.take_unreleased():
            try:
                self._unlock(unlock)
            except Exception as error:  # the lock expires by its TTL instead
                logger.debug("releasing a store lock failed: %s", type(error).__name__)

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or until the client is closed (then the call ends)."""
        if self._closed.wait(seconds):
            raise TransportError("the client was closed while the call was waiting")

    def _perform(self, effect: Effect, *, call_deadline: float) -> object:
        if time.monotonic() >= call_deadline:  # checked before every effect, store calls too
            raise call_timed_out(self._limits.call_timeout)
        if isinstance(effect, StoreEffect):  # first: a session read is one
            if isinstance(effect, StoreLock):
                return self._lock(effect)
            if isinstance(effect, StoreUnlock):
                self._unlock(effect)
                return None
            return self._store_answer(effect)
        if isinstance(effect, Sleep):
            self._sleep(effect.seconds)
            return None
        if isinstance(effect, HttpRequest):
            return self._exchange(effect, call_deadline)
        if isinstance(effect, SharedRequest):
            return self._shared_exchange(effect, call_deadline)
        if isinstance(effect, ResolveDomain):
            answer = self._call_resolver(effect.context)
            if inspect.isawaitable(answer):
                if inspect.iscoroutine(answer):
                    answer.close()
                raise ConfigurationError(
                    "an async domain resolver was given to the sync ServerClient; "
                    "use auth0_anyio.ServerClient or a sync resolver."
                )
            return answer
        raise TypeError(f"not an effect: {type(effect).__qualname__}")  # run() checked it

    def _store_answer(self, effect: StoreEffect) -> object:
        result = self._perform_store(effect)
        if is_awaitable(result):
            if inspect.iscoroutine(result):
                result.close()  # never awaited: close it so no "never awaited" warning follows
            raise ConfigurationError(
                "an async store was given to the sync ServerClient; "
                "use auth0_anyio.ServerClient or a sync store."
            )
        return result

    def _exchange(self, request: HttpRequest, call_deadline: float) -> HttpResponse:
        deadline = min(time.monotonic() + self._limits.timeout, call_deadline)
        future = in_thread(partial(self._transport.send, request, deadline=deadline))
        return self._wait(future, request, deadline, call_deadline)

    def _shared_exchange(self, effect: SharedRequest, call_deadline: float) -> HttpResponse:
        # A shared exchange belongs to the client, not to this call: it runs to its own
        # deadline even if this call stops waiting sooner, so that a refresh the tenant has
        # already processed still has its answer remembered for the next caller.
        deadline = time.monotonic() + self._limits.timeout
        send = partial(self._transport.send, effect.request, deadline=deadline)
        future = self._single_flight.start(effect.key, send)
        return self._wait(future, effect.request, min(deadline, call_deadline), call_deadline)

    def _wait(
        self,
        future: Future[HttpResponse],
        request: HttpRequest,
        until: float,
        call_deadline: float,
    ) -> HttpResponse:
        wait([future], timeout=max(0.0, until - time.monotonic()))
        if future.done():
            return future.result()
        if until >= call_deadline:
            raise call_timed_out(self._limits.call_timeout)
        raise exchange_timed_out(request, self._limits.timeout)

    def close(self) -> None:
        """Close the owned HTTP session."""
        self._closed.set()
        self._transport.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # The public methods: one line each, signatures and docs from auth0_core.flows.api.
    start_interactive_login = sync_call(api.start_interactive_login)
    complete_interactive_login = sync_call(api.complete_interactive_login)
    get_user = sync_call(api.get_user)
    get_session = sync_call(api.get_session)
    logout = sync_call(api.logout)
    get_access_token = sync_call(api.get_access_token)
    get_access_token_for_connection = sync_call(api.get_access_token_for_connection)
    get_client_credentials_token = sync_call(api.get_client_credentials_token)
    start_link_user = sync_call(api.start_link_user)
    complete_link_user = sync_call(api.complete_link_user)
    start_unlink_user = sync_call(api.start_unlink_user)
    complete_unlink_user = sync_call(api.complete_unlink_user)
    link_user_accounts = sync_call(api.link_user_accounts)
    unlink_user_accounts = sync_call(api.unlink_user_accounts)
    callback_kind = sync_call(api.callback_kind)
    start_connect_account = sync_call(api.start_connect_account)
    complete_connect_account = sync_call(api.complete_connect_account)
    list_connected_accounts = sync_call(api.list_connected_accounts)
    list_connected_account_connections = sync_call(api.list_connected_account_connections)
    delete_connected_account = sync_call(api.delete_connected_account)
    iter_connected_accounts = sync_pages(api.iter_connected_accounts)
    iter_connected_account_connections = sync_pages(api.iter_connected_account_connections)
    handle_backchannel_logout = sync_call(api.handle_backchannel_logout)
    initiate_backchannel_authentication = sync_call(api.initiate_backchannel_authentication)
    backchannel_authentication_grant = sync_call(api.backchannel_authentication_grant)
    backchannel_authentication = sync_call(api.backchannel_authentication)
    login_backchannel = sync_call(api.login_backchannel)
    get_token_by_refresh_token = sync_call(api.get_token_by_refresh_token)
    get_token_for_connection = sync_call(api.get_token_for_connection)
    custom_token_exchange = sync_call(api.custom_token_exchange)
    login_with_custom_token_exchange = sync_call(api.login_with_custom_token_exchange)
    request_session_transfer_token = sync_call(api.request_session_transfer_token)
    build_session_transfer_redirect = plain_call(api.build_session_transfer_redirect)
    passkey_signup_challenge = sync_call(passkeys_api.passkey_signup_challenge)
    passkey_login_challenge = sync_call(passkeys_api.passkey_login_challenge)
    signin_with_passkey = sync_call(passkeys_api.signin_with_passkey)
    start_enterprise_login = sync_call(api.start_enterprise_login)

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
    """``server_client.mfa``: the MFA API (docs/mfa.md), blocking methods like the client's."""

    list_authenticators = sync_call(mfa_api.list_authenticators)
    enroll_authenticator = sync_call(mfa_api.enroll_authenticator)
    challenge_authenticator = sync_call(mfa_api.challenge_authenticator)
    verify = sync_call(mfa_api.verify)
    decrypt_mfa_token = plain_call(mfa_api.decrypt_mfa_token)


class PasswordlessClient(SubClient):
    """``server_client.passwordless``: embedded passwordless (docs/passwordless.md), blocking
    methods like the client's."""

    start = sync_call(passwordless_api.start)
    verify = sync_call(passwordless_api.verify)


class AnonymousClient(SubClient):
    """``server_client.anonymous``: anonymous sessions (docs/anonymous-and-enterprise.md),
    blocking methods like the client's."""

    create_session = sync_call(anonymous_api.create_session)
    get_token = sync_call(anonymous_api.get_token)
    get_session = sync_call(anonymous_api.get_session)
    logout = sync_call(anonymous_api.logout)
    exchange_transfer_token_for_injection = sync_call(
        anonymous_api.exchange_transfer_token_for_injection
    )
