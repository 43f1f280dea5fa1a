"""Calling a resource server (an API of the tenant's, such as My Account) with the session's
access token: the one place that puts a token on a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._client import CoreClient
from .._dpop import authorized_fetch
from .._effects import Flow
from ..records import TokenSet

if TYPE_CHECKING:
    from .. import _http


def resource_fetch(
    client: CoreClient, request: _http.HttpRequest, token: TokenSet
) -> Flow[_http.HttpResponse]:
    """Send ``request`` with ``token`` in its ``Authorization`` header; return the answer.

    A DPoP-bound token (``token.token_type == "DPoP"``) goes as ``Authorization: DPoP`` with
    a fresh proof carrying ``ath``, and a ``use_dpop_nonce`` challenge (401) is answered by
    one retry with the server's nonce; any other token goes as ``Authorization: Bearer``.
    A second challenge is returned as it came.

    Raises:
        ConfigurationError: a DPoP-bound token and a client without a DPoP key.
    """
    return (yield from authorized_fetch(client, request, token.access_token, bound=token.is_dpop))
