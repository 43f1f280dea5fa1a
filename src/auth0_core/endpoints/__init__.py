"""Every request the SDK sends to Auth0, and the reading of its answer, one endpoint at a time.

Each module exports only ``prepare_X_request(...) -> HttpRequest``, which builds the request,
and ``process_X_response(response) -> result``, which checks the answer and returns a typed
result or raises, plus those results' types. Nothing here performs IO, reads a clock or
consults a cache: the flows in :mod:`auth0_core.flows` yield the prepared requests, keep the
caches and compose the results. The packages follow Auth0's own API families:

- :mod:`.authentication`: the Authentication API (discovery, JWKS, ``/oauth/token``, PAR);
- :mod:`.management`: the Management API v2 (users and their identities);
- :mod:`.my_account`: the My Account API (to come).
"""
