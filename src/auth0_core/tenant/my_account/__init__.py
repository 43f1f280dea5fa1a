"""The My Account API (``/me/v1``), called by users with their own access tokens.

Served: the connected accounts (protocol doc 7), routed in :mod:`..routes`:

- :mod:`.connect`: ``POST .../connect`` and ``POST .../complete``;
- :mod:`.consent`: the page a connect ticket opens (the upstream provider's consent, emulated);
- :mod:`.accounts`: listing accounts and connections (paged), deleting an account.

What they share: :mod:`.access` (the token and scope checks), :mod:`.problems` (RFC 7807 errors
and JSON bodies), :mod:`.validation` (the request schemas), :mod:`.paging` (cursors). Factors and
authentication methods (protocol doc 8.12) would be further modules here.
"""
