"""Calling a resource server (an API of the tenant's, such as My Account) with the session's
access token: the one place that puts a token on a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._client import CoreClient
from .._effects import Flow, fetch
from .._http import HttpResponse
from ..records import TokenSet

if TYPE_CHECKING:
    from .._http import HttpRequest


def resource_fetch(client: CoreClient, request: HttpRequest, token: TokenSet) -> Flow[HttpResponse]:
    """Send ``request`` with ``token`` in its ``Authorization`` header; return the answer."""
    del client  # the client's key will sign DPoP proofs here
    authorization = ("Authorization", f"Bearer {token.access_token}")
    response = yield from fetch(request.with_headers(authorization))
    return response
