"""The Management API (``/api/v2``): users, their identities and metadata.

One module per resource; every endpoint checks the bearer token and scope through :mod:`.api`.
"""
