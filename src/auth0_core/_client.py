"""The core client: configuration plus the caches every flow consults. No IO."""

from __future__ import annotations

from collections import OrderedDict

import attrs

from ._config import ClientConfig
from ._dpop_nonces import DPoPNonces
from ._jwks import JwksCache
from ._metadata import MetadataCache
from .records import TokenSet

# How many resolved domains keep their own client (and caches) at once (docs/custom-domains.md).
MAX_DOMAINS = 100


class CoreClient:
    """Holds a :class:`ClientConfig` and the caches for one application (discovery, JWKS,
    client-credentials tokens, DPoP nonces).

    Adapters own one per facade; flows take it as their first argument. With a domain resolver
    (Multiple Custom Domains), the facade's client holds no domain itself: :meth:`for_domain`
    gives the client of each resolved domain, with caches of its own.
    """

    def __init__(self, config: ClientConfig, *, parent: CoreClient | None = None) -> None:
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
        # Enterprise Connect's WebFinger answers, "{domain}:{email domain}" -> (managed, until).
        self.webfinger_cache: OrderedDict[str, tuple[bool, int]] = OrderedDict()
        self._parent = parent
        # Resolver mode only: the client of each resolved base URL, least recently used first.
        self._domains: OrderedDict[str, CoreClient] = OrderedDict()

    @property
    def resolves_domain(self) -> bool:
        """Whether the domain comes from a resolver, per call (Multiple Custom Domains)."""
        return self.config.domain_resolver is not None

    def for_domain(self, base_url: str) -> CoreClient:
        """The client of ``base_url`` (a normalized base URL): this one when it is this
        client's domain or no resolver is configured; else one per domain, kept for the
        :data:`MAX_DOMAINS` most recently used."""
        if not self.resolves_domain or base_url == self.config.base_url:
            return self
        if self._parent is not None:
            return self._parent.for_domain(base_url)
        client = self._domains.get(base_url)
        if client is None:
            config = attrs.evolve(self.config, base_url=base_url)
            client = self._domains[base_url] = CoreClient(config, parent=self)
            while len(self._domains) > MAX_DOMAINS:
                self._domains.popitem(last=False)
        else:
            self._domains.move_to_end(base_url)
        return client

    def for_host(self, domain: str) -> CoreClient:
        """The client of a recorded ``domain`` (a host, as records store it): a resolved
        domain this process knows, else ``https://`` (``http://`` for a loopback host)."""
        if not self.resolves_domain or domain == self.config.domain:
            return self
        root = self._parent or self
        for base_url in root._domains:
            if base_url.split("://", 1)[1] == domain:
                return root.for_domain(base_url)
        from ._config import _is_loopback, normalize_domain

        host = domain.rsplit(":", 1)[0] if not domain.endswith("]") else domain
        scheme = "http" if _is_loopback(host) else "https"
        return root.for_domain(normalize_domain(f"{scheme}://{domain}"))

    def __repr__(self) -> str:
        return f"CoreClient(config={self.config!r})"
