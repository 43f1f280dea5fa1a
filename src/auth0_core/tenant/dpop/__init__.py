"""DPoP (RFC 9449) as the tenant checks it, at the token endpoint and at its resource servers.

- :mod:`.proof`: a proof JWT verified against one request (pure: no state, ``now`` given);
- :mod:`.nonces`: server nonces that rotate, and the cache that refuses a replayed proof;
- :mod:`.checks`: both applied to an incoming request with the tenant's state and settings.

This package file imports nothing, so :mod:`..state` may import :mod:`.nonces` while
:mod:`.checks` imports the state.
"""
