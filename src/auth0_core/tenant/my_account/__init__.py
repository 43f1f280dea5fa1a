"""The My Account API (``/me/v1``): connected accounts, factors, authentication methods.

Nothing is served here yet (the API's audience and scopes exist, see :mod:`..apis`); its
endpoints go in this package, one module per resource, routed in :mod:`..routes`.
"""
