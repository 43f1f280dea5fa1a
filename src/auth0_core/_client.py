"""The core client: configuration plus the caches every flow consults. No IO."""

from __future__ import annotations

from ._config import ClientConfig
from ._jwks import JwksCache
from ._metadata import MetadataCache
from .records import TokenSet


class CoreClient:
    """Holds a :class:`ClientConfig` and the discovery and JWKS caches for one application.

    Adapters own one per facade; flows take it as their first argument.
    """

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.metadata_cache = MetadataCache()
        self.jwks_cache = JwksCache()
        # The application's own tokens (client credentials), by (audience, organization).
        self.client_credentials_cache: dict[tuple[str, str | None], TokenSet] = {}

    def __repr__(self) -> str:
        return f"CoreClient(config={self.config!r})"
