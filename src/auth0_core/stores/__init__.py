"""Where sessions and login transactions are kept.

- :class:`MemoryStateStore` / :class:`MemoryTransactionStore`: the default, one process only.
- :class:`CookieStateStore` / :class:`CookieTransactionStore`: stateless sealed cookies,
  compatible with auth0-fastapi's session chunks.
- The :class:`StateStore` / :class:`TransactionStore` protocols (and their ``Async`` twins)
  for your own stores, with the official SDK's method names.

Cookie-backed stores need ``store_options={"request": ..., "response": ...}``;
:class:`CookieRequest` and :class:`CookieResponse` are minimal ones for scripts and tests.
"""

from ._cookie import COOKIE_LIMIT, CookieStateStore, CookieTransactionStore
from ._errors import CookieTooLargeError, MissingStoreOptionsError, StoreNotSupportedError
from ._memory import MemoryStateStore, MemoryTransactionStore, session_matches
from ._protocols import AsyncStateStore, AsyncTransactionStore, StateStore, TransactionStore
from ._web import CookieRequest, CookieResponse

__all__ = [
    "COOKIE_LIMIT",
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
    "StoreNotSupportedError",
    "TransactionStore",
    "session_matches",
]
