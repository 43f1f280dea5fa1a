"""The Management API v2 (``/api/v2``): :mod:`.users` and their :mod:`.identities`.

Every call carries a Management API access token (the client-credentials grant for the
audience ``https://{domain}/api/v2/``); the flow obtains it and passes it in. How the API's
answers and refusals are read is shared in :mod:`._api`.
"""
