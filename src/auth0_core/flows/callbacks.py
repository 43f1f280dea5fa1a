"""Callbacks: the browser's return to the application, and the transaction it completes.

One callback URL may serve logins, links, unlinks and connects (protocol doc §7.3). Each
transaction records its flow, so every ``complete_*`` call completes only its own kind and
refuses the others' with :class:`WrongCallbackError`, consuming nothing; ``callback_kind``
tells an application which call a callback needs.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol, TypeVar, cast

from .._binding import check_browser_binding, release_browser_binding
from .._callback import CallbackParams, parse_callback
from .._client import CoreClient
from .._effects import Flow, StoreOptions, store_delete, store_get
from ..errors import (
    AuthorizationError,
    MissingRequiredArgumentError,
    MissingTransactionError,
    StateMismatch,
    WrongCallbackError,
)
from ..records import ConnectTransaction, FlowName, Transaction, from_stored

CallbackKind = Literal["login", "link", "unlink", "connect"]
CALLBACK_KINDS: frozenset[str] = frozenset({"login", "link", "unlink", "connect"})


class _Consumable(Protocol):
    @property
    def state(self) -> str: ...
    @property
    def expires_at(self) -> int: ...
    @property
    def browser_binding(self) -> str | None: ...


R = TypeVar("R", bound=_Consumable)


def _utf8(text: str) -> bytes:
    """``text`` as bytes to compare, whatever it holds (a stored lone surrogate included)."""
    return text.encode("utf-8", "surrogatepass")


def transaction_key(client: CoreClient, state: str) -> str:
    """The store identifier of a transaction: ``{transaction_identifier}:{state}``."""
    return f"{client.config.transaction_identifier}:{state}"


def _kind_by_parameters(params: CallbackParams) -> str | None:
    """What the parameters alone say: ``connect`` or ``authorization`` (login, link, unlink)."""
    if params.connect_code and not params.code:
        return "connect"
    if params.code and not params.connect_code:
        return "authorization"
    return None


def _consume_flow(
    client: CoreClient,
    params: CallbackParams,
    store_options: StoreOptions,
    expected: CallbackKind,
    parse: Callable[[Mapping[str, Any]], R],
) -> Flow[R]:
    """Consume the transaction ``params`` name, in the order: state, transaction and its kind,
    browser binding, then (consumed) state match, expiry and ``error=``.

    A callback of another kind, or from another browser, consumes nothing. Otherwise the
    transaction is deleted before anything else can fail, so it is usable once whatever the
    outcome.
    """
    if not params.state:
        raise MissingRequiredArgumentError("state")
    by_parameters = _kind_by_parameters(params)
    family = "connect" if expected == "connect" else "authorization"
    if by_parameters is not None and by_parameters != family:
        raise WrongCallbackError(by_parameters, expected)
    key = transaction_key(client, params.state)
    stored = yield from store_get("transaction", key, store_options)
    stored_kind = stored.get("flow") if stored is not None else None
    if isinstance(stored_kind, str) and stored_kind in CALLBACK_KINDS and stored_kind != expected:
        raise WrongCallbackError(stored_kind, expected)
    record = from_stored(parse, stored)
    if record is None:
        raise MissingTransactionError()
    check_browser_binding(store_options, key, record.browser_binding)
    yield from store_delete("transaction", key, store_options)
    release_browser_binding(store_options, key)
    if not hmac.compare_digest(_utf8(record.state), _utf8(params.state)):
        raise StateMismatch()
    if client.config.env.now() >= record.expires_at:
        raise MissingTransactionError("The transaction has expired.")
    if params.error is not None:
        raise AuthorizationError(params.error, params.error_description)
    return record


def check_transaction_domain(client: CoreClient, domain: str | None) -> None:
    """Refuse a consumed transaction started on another domain (Multiple Custom Domains):
    its code or connect code was issued there, and the session it completes lives there.

    Raises:
        MissingTransactionError: with a domain resolver, ``domain`` is recorded and is not
            the client's (without one, the configured domain is the only one).
    """
    if not client.resolves_domain or domain is None:
        return
    if domain.lower() != client.config.domain.lower():
        raise MissingTransactionError("The transaction was started on another domain.")


def read_callback_flow(
    client: CoreClient, url: str, store_options: StoreOptions, expected: FlowName = "login"
) -> Flow[tuple[CallbackParams, Transaction]]:
    """Parse an /authorize callback and consume its ``expected`` (login, link or unlink)
    transaction.

    Raises:
        InvalidArgumentError: malformed callback URL (e.g. a repeated parameter).
        MissingRequiredArgumentError: no ``state``.
        WrongCallbackError: the callback belongs to another kind of flow (nothing consumed).
        MissingTransactionError: no live (or no valid) transaction for that state.
        TransactionBindingError: the callback did not come from the browser that started it.
        StateMismatch: the stored transaction belongs to another state.
        AuthorizationError: the callback carries ``error=``.
    """
    params = parse_callback(url)
    transaction = yield from _consume_flow(
        client, params, store_options, expected, Transaction.from_dict
    )
    return params, transaction


def read_connect_callback_flow(
    client: CoreClient, url: str, store_options: StoreOptions
) -> Flow[tuple[str, ConnectTransaction]]:
    """Parse a Connected Accounts callback; consume its transaction; return the
    ``connect_code`` and the transaction.

    Raises:
        The same as :func:`read_callback_flow`, and MissingRequiredArgumentError when the
        callback has no ``connect_code``.
    """
    params = parse_callback(url)
    if params.state and not (params.connect_code or params.code) and params.error is None:
        raise MissingRequiredArgumentError("connect_code")  # nothing consumed
    transaction = yield from _consume_flow(
        client, params, store_options, "connect", ConnectTransaction.from_dict
    )
    if not params.connect_code:
        raise MissingRequiredArgumentError("connect_code")
    return params.connect_code, transaction


def callback_kind_flow(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[CallbackKind]:
    """Which ``complete_*`` call a callback URL needs: ``"login"``, ``"link"``, ``"unlink"`` or
    ``"connect"``. Reads the transaction without consuming it.

    When no transaction is stored for the callback's state (expired, used, or none), the
    parameters decide: ``connect_code`` means ``"connect"``, anything else ``"login"``, whose
    completion then reports the missing transaction.

    Raises:
        InvalidArgumentError: malformed callback URL (e.g. a repeated parameter).
    """
    params = parse_callback(url)
    if params.state:
        stored = yield from store_get(
            "transaction", transaction_key(client, params.state), store_options
        )
        kind = stored.get("flow") if stored is not None else None
        if isinstance(kind, str) and kind in CALLBACK_KINDS:
            return cast(CallbackKind, kind)
    return "connect" if _kind_by_parameters(params) == "connect" else "login"
