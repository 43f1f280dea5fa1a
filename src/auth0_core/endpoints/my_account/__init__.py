"""The My Account API (``/me/v1``), called with the user's own access token.

:mod:`.connected_accounts` (connect, complete, list accounts, list connections, delete) so far,
with the request and refusal shapes every call shares in :mod:`._api`. MFA factors and
authentication methods will join it, one module per resource.
"""
