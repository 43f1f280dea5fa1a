"""``get_access_token(request)``: a token for the current request's session."""

from __future__ import annotations

from django.http import HttpRequest

from ._conf import get_client, store_options


def get_access_token(
    request: HttpRequest, audience: str | None = None, scope: str | None = None
) -> str:
    """An access token for the session (refreshed when needed). An ``Auth0Error`` is
    answered by the middleware (no session, a refused refresh: log in again)."""
    token: str = get_client().get_access_token(
        store_options=store_options(request), audience=audience, scope=scope
    )
    return token
