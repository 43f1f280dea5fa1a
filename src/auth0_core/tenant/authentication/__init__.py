"""The Authentication API: what browsers and applications call to log in and get tokens.

One module per endpoint (or grant): discovery and JWKS, ``/authorize`` with its login page
(``/u/login``) and PAR, ``/oauth/token`` and its grants, ``/oauth/revoke``, ``/userinfo``, the
logout endpoints; plus what several of them share (client authentication, token minting,
linking through ``/authorize``). Each endpoint is ``(TenantState, Incoming) -> HttpResponse``.
"""
