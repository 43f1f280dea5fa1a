"""The discovery cache: validated metadata per tenant, each kept for the TTL its answer set.

The request and the validation are in :mod:`auth0_core.endpoints.authentication.discovery`.
"""

from __future__ import annotations

import re

from ._http import HttpResponse
from .endpoints.authentication.discovery import ServerMetadata

DEFAULT_TTL = 600
_MIN_TTL, _MAX_TTL = 60, 86_400
_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*(\d+)", re.IGNORECASE)


def cache_ttl(response: HttpResponse, default: int = DEFAULT_TTL) -> int:
    """Seconds to keep a discovery or JWKS document: ``max-age`` bounded to [60, 86400]."""
    match = _MAX_AGE.search(response.header("cache-control") or "")
    if not match:
        return default
    return max(_MIN_TTL, min(_MAX_TTL, int(match.group(1))))


class MetadataCache:
    """Discovery documents per base URL, each kept until its TTL runs out.

    Time is passed in; the cache never reads a clock.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[ServerMetadata, int]] = {}

    def get(self, base_url: str, now: int) -> ServerMetadata | None:
        entry = self._entries.get(base_url)
        if entry is None or now >= entry[1]:
            return None
        return entry[0]

    def put(self, base_url: str, metadata: ServerMetadata, now: int, ttl: int) -> None:
        self._entries[base_url] = (metadata, now + ttl)
