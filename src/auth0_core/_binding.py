"""Binding a transaction to the browser that started it: the login-CSRF defence for every store.

A transaction is looked up by the callback's ``state``, which travels in a URL an attacker can
hand to someone else. A server-side store (memory, Redis, a user's own) would then complete the
attacker's login in the victim's browser. So every transaction started for a browser (that is,
with a request/response in ``store_options``) gets a random binding value in an ``HttpOnly``
cookie of its own, one per login so that parallel tabs work (as the cookie transaction store
does); the transaction keeps only its SHA-256. The callback must present the cookie, checked in
constant time before the transaction is consumed, so a callback from another browser changes
nothing. A transaction started without a browser (a script) can only be completed without one.
"""

from __future__ import annotations

import hashlib
import hmac

from ._effects import StoreOptions
from ._env import Env
from .errors import TransactionBindingError
from .stores._errors import MissingStoreOptionsError
from .stores._web import optional_cookies, optional_exchange

COOKIE_PREFIX = "_a0_bind."
# Logins started in parallel in one browser before any completes; beyond it the extra binding
# cookies are dropped (those logins then fail with a typed error and are simply retried), so a
# script that starts logins in a loop cannot grow the browser's Cookie header without bound.
MAX_PARALLEL_LOGINS = 8


def _cookie_name(transaction_key: str) -> str:
    return (
        COOKIE_PREFIX
        + hashlib.sha256(transaction_key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    )


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def bind_to_browser(
    store_options: StoreOptions,
    transaction_key: str,
    *,
    redirect_uri: str,
    lifetime: int,
    env: Env,
) -> str | None:
    """Set a fresh binding cookie for ``transaction_key``; return its digest for the record.

    Returns None when ``store_options`` carries no request (no browser to bind to).

    Raises:
        MissingStoreOptionsError: a request but no response to set the cookie on.
    """
    exchange = optional_exchange(store_options)
    if exchange is None:
        if optional_cookies(store_options) is not None:
            raise MissingStoreOptionsError(
                "Binding the login to the browser", "options['response'] with set_cookie"
            )
        return None
    cookies, response = exchange
    name = _cookie_name(transaction_key)
    others = sorted(n for n in cookies if n.startswith(COOKIE_PREFIX) and n != name)
    for stale in others[: max(0, len(others) - MAX_PARALLEL_LOGINS + 1)]:
        response.delete_cookie(stale, path="/")
    value = env.random_urlsafe(32)
    response.set_cookie(
        name,
        value,
        max_age=lifetime,
        path="/",
        # The cookie must come back with the callback: Secure whenever the callback is HTTPS.
        secure=redirect_uri.startswith("https:"),
        httponly=True,
        samesite="Lax",
    )
    return _digest(value)


def check_browser_binding(
    store_options: StoreOptions, transaction_key: str, expected: str | None
) -> None:
    """Refuse a callback that does not come from the browser that started the transaction
    (``expected`` is the binding digest the transaction keeps).

    Raises:
        TransactionBindingError: the binding cookie is missing or wrong, or a browser presents
            a transaction that was started without one.
    """
    cookies = optional_cookies(store_options)
    if expected is None:
        if cookies is not None:
            raise TransactionBindingError(
                "This transaction was started without a browser (no request/response in "
                "store_options), so no browser can complete it."
            )
        return
    presented = cookies.get(_cookie_name(transaction_key)) if cookies is not None else None
    if presented is None or not hmac.compare_digest(
        _digest(presented).encode(), expected.encode("utf-8", "surrogatepass")
    ):
        raise TransactionBindingError()


def release_browser_binding(store_options: StoreOptions, transaction_key: str) -> None:
    """Clear the binding cookie of a consumed transaction."""
    exchange = optional_exchange(store_options)
    if exchange is not None and _cookie_name(transaction_key) in exchange[0]:
        exchange[1].delete_cookie(_cookie_name(transaction_key), path="/")
