"""Where sessions and login transactions are kept.

- :class:`MemoryStateStore` / :class:`MemoryTransactionStore`: the default, one process only.
- :class:`CookieStateStore` / :class:`CookieTransactionStore`: stateless sealed cookies,
  compatible with auth0-fastapi's session chunks.
- :class:`StateStore` / :class:`TransactionStore` (and :class:`AbstractDataStore`): the base
  classes of the official SDK, for stores written against it (``encrypt``/``decrypt`` seal
  byte-compatibly; see docs/compatibility-stores.md).
- The :class:`StateStoreProtocol` / :class:`TransactionStoreProtocol` typing protocols (and
  their async twins :class:`AsyncStateStore` / :class:`AsyncTransactionStore`): what any store
  object must offer, subclassing nothing.

Cookie-backed stores need ``store_options={"request": ..., "response": ...}``;
:class:`CookieRequest` and :class:`CookieResponse` are minimal ones for scripts and tests.
"""

from typing import TYPE_CHECKING

from ._base import AbstractDataStore, StateStore, TransactionStore
from ._errors import CookieTooLargeError, MissingStoreOptionsError, StoreNotSupportedError
from ._memory import MemoryStateStore, MemoryTransactionStore, session_matches
from ._protocols import (
    AsyncStateStore,
    AsyncTransactionStore,
    StateStoreProtocol,
    TransactionStoreProtocol,
)
from ._web import CookieRequest, CookieResponse

if TYPE_CHECKING:
    from ._cookie import COOKIE_LIMIT, CookieStateStore, CookieTransactionStore

__all__ = [
    "COOKIE_LIMIT",
    "AbstractDataStore",
    "AsyncStateStore",
    "AsyncTransactionStore",
    "CookieRequest",
    "CookieResponse",
    "CookieStateStore",
    "CookieTooLargeError",
    "CookieTransactionStore",
    "MemoryStateStore",
    "MemoryTransactionStore",
    "MissingStoreOptionsError",
    "StateStore",
    "StateStoreProtocol",
    "StoreNotSupportedError",
    "TransactionStore",
    "TransactionStoreProtocol",
    "session_matches",
]

# The cookie stores (and the sealing code and cryptography under them) are imported when first
# asked for, not by every client, whose default stores are in memory (issue 14: import time).
_COOKIE_NAMES = frozenset({"COOKIE_LIMIT", "CookieStateStore", "CookieTransactionStore"})


def __getattr__(name: str) -> object:
    if name in _COOKIE_NAMES:
        from . import _cookie

        return getattr(_cookie, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
