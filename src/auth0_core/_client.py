"""The core client: configuration plus the caches every flow consults. No IO."""

from __future__ import annotations

from ._config import ClientConfig
from ._dpop_nonces import DPoPNonces
from ._jwks import JwksCache
from ._metadata import MetadataCache
from .records import TokenSet


class CoreClient:
    """Holds a :class:`ClientConfig` and the caches for one application (discovery, JWKS,
    client-credentials tokens, DPoP nonces).

    Adapters own one per facade; flows take it as their first argument.
    """

    def __init__(self, config: ClientConfig) -> None:
        self.config = config
        self.metadata_cache = MetadataCache()
        self.jwks_cache = JwksCache()
        # The application's own tokens (client credentials), by (audience, organization).
        self.client_credentials_cache: dict[tuple[str, str | None], TokenSet] = {}
        # The latest DPoP-Nonce each server sent (docs/dpop.md); used only with a DPoP key.
        self.dpop_nonces = DPoPNonces()
        # Bumped when this client connects or deletes an account: a Token Vault answer
        # remembered for single-flight before that must not answer after it.
        self.vault_generation = 0

    def __repr__(self) -> str:
        return f"CoreClient(config={self.config!r})"
