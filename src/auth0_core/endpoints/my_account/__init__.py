"""The My Account API (``/me/v1``), called with the user's own access token.

Empty so far. Its endpoints go here, one module per resource, each exporting the same
``prepare_X_request`` / ``process_X_response`` pairs as the other families: connected
accounts (connect, complete, list, list connections, delete), MFA factors, and
authentication methods.
"""
