"""The public flows: generators that yield effects and return results.

Every flow here is run unchanged by the sync driver (``auth0_requests``) and the async driver
(``auth0_anyio``).
"""
