"""Sessions and login transactions in Redis (docs/redis.md), blocking and async.

- :class:`RedisStateStore` / :class:`RedisTransactionStore` on ``redis.Redis`` (or
  ``redis.cluster.RedisCluster``), for ``auth0_requests.ServerClient``;
- :class:`AsyncRedisStateStore` / :class:`AsyncRedisTransactionStore` for
  ``auth0_anyio.ServerClient``: on ``redis.asyncio`` under asyncio, and on the blocking client
  in worker threads under trio.

Install it with the ``redis`` extra.
"""

from auth0_core._extras import require_extra

require_extra("auth0_redis", "redis", "redis")

# The check must run before these imports, which need the extra.

from ._async import AsyncRedisStateStore, AsyncRedisTransactionStore
from ._connect import DEFAULT_TIMEOUT
from ._layout import DEFAULT_PREFIX
from ._records import DEFAULT_TRANSACTION_TTL
from ._sync import RedisStateStore, RedisTransactionStore

__all__ = [
    "AsyncRedisStateStore",
    "AsyncRedisTransactionStore",
    "DEFAULT_PREFIX",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TRANSACTION_TTL",
    "RedisStateStore",
    "RedisTransactionStore",
]
