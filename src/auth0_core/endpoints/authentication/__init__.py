"""The Authentication API: what the SDK asks the tenant to log users in and issue tokens.

One module per endpoint: :mod:`.discovery` (``/.well-known/openid-configuration``),
:mod:`.jwks` (the signing keys), :mod:`.token` (``/oauth/token``, one ``prepare`` per grant)
and :mod:`.par` (``/oauth/par``). What several of them share (telemetry headers, client
authentication, the OAuth error body) is in :mod:`._oauth`.
"""
