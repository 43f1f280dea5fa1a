"""Client-Initiated Backchannel Authentication (protocol doc §8.3): the request at
``/bc-authorize`` and one poll of the token endpoint with the CIBA grant.

A poll that gets no tokens is a :class:`~auth0_core.errors.PollingApiError` whose ``code``
says what to do next (``authorization_pending``: poll again; ``slow_down``: poll 5 s slower;
``expired_token`` and ``access_denied``: stop); what the tenant said stays in ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..._client_auth import Fields
from ..._config import ClientConfig
from ..._http import HttpRequest, HttpResponse
from ...errors import ConfigurationError, InvalidResponse, OAuthError, PollingApiError
from ._oauth import client_authenticated_post, raise_for_oauth_error
from .discovery import ServerMetadata
from .token import TokenResponse, process_token_response

__all__ = [
    "BackchannelAuthorization",
    "prepare_backchannel_authorize_request",
    "prepare_backchannel_grant_request",
    "process_backchannel_authorize_response",
    "process_backchannel_grant_response",
]

_CIBA_GRANT = "urn:openid:params:grant-type:ciba"
# The CIBA spec's minimum when the server names no interval (CIBA Core §7.3).
_DEFAULT_INTERVAL = 5
# The errors a poll may answer that callers branch on; anything else is auth_req_id_error.
_POLL_CODES = frozenset({"authorization_pending", "slow_down", "expired_token", "access_denied"})
_MAX_ID_CHARS = 1024


@attrs.frozen(kw_only=True)
class BackchannelAuthorization:
    """The tenant accepted the request: poll with ``auth_req_id`` every ``interval`` seconds
    until ``expires_in`` seconds have passed. ``auth_req_id`` is not shown in the repr."""

    auth_req_id: str = attrs.field(repr=False)
    expires_in: int
    interval: int

    def to_dict(self) -> dict[str, str | int]:
        """The official SDK's result shape: ``{"auth_req_id", "expires_in", "interval"}``."""
        return {
            "auth_req_id": self.auth_req_id,
            "expires_in": self.expires_in,
            "interval": self.interval,
        }


def prepare_backchannel_authorize_request(
    config: ClientConfig, metadata: ServerMetadata, fields: Mapping[str, str]
) -> HttpRequest:
    """``POST {backchannel_authentication_endpoint}`` with ``fields`` (``scope``,
    ``login_hint``, ``binding_message``, optional ``audience``, ``requested_expiry``...) and
    the client's credentials.

    Raises:
        ConfigurationError: the tenant advertises no backchannel authentication endpoint
            (CIBA is not enabled), or the client assertion's signing key is unusable.
    """
    endpoint = metadata.backchannel_authentication_endpoint
    if not endpoint:
        raise ConfigurationError(
            "the tenant advertises no backchannel_authentication_endpoint: enable "
            "Client-Initiated Backchannel Authentication for the tenant and the application."
        )
    body: Fields = dict(fields)
    return client_authenticated_post(config, endpoint, body, metadata.issuer)


def _whole_seconds(document: Mapping[str, object], name: str, default: int | None) -> int:
    value = document.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 86400:
        raise InvalidResponse(f"backchannel authentication response member '{name}' is invalid")
    return value


def process_backchannel_authorize_response(response: HttpResponse) -> BackchannelAuthorization:
    """Validate the ``/bc-authorize`` answer.

    Raises:
        OAuthError: the tenant refused the request (``invalid_request``, ``unknown_user_id``,
            ``unauthorized_client``...).
        InvalidResponse: the answer is malformed.
    """
    raise_for_oauth_error(response)
    if response.status != 200:
        raise InvalidResponse(
            "unexpected backchannel authentication status", status=response.status
        )
    document = response.json_object()
    auth_req_id = document.get("auth_req_id")
    if not isinstance(auth_req_id, str) or not auth_req_id or len(auth_req_id) > _MAX_ID_CHARS:
        raise InvalidResponse("backchannel authentication response has no usable auth_req_id")
    return BackchannelAuthorization(
        auth_req_id=auth_req_id,
        expires_in=_whole_seconds(document, "expires_in", None),
        interval=_whole_seconds(document, "interval", _DEFAULT_INTERVAL),
    )


def prepare_backchannel_grant_request(
    config: ClientConfig,
    metadata: ServerMetadata,
    *,
    auth_req_id: str,
    resource: str | None = None,
) -> HttpRequest:
    """One poll: the CIBA grant for ``auth_req_id`` at the token endpoint; ``resource``
    (RFC 8707 §2.2) picks which of the request's APIs the access token is for.

    Raises:
        ConfigurationError: the client assertion's signing key is unusable.
    """
    fields: Fields = {"grant_type": _CIBA_GRANT, "auth_req_id": auth_req_id}
    if resource is not None:
        fields["resource"] = resource
    return client_authenticated_post(config, metadata.token_endpoint, fields, metadata.issuer)


def _retry_after(response: HttpResponse) -> int | None:
    value = (response.header("retry-after") or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 6:
        return int(value)
    return None


def process_backchannel_grant_response(response: HttpResponse) -> TokenResponse:
    """The tokens of an answered request, or why there are none yet.

    Raises:
        PollingApiError: no tokens: ``authorization_pending``, ``slow_down`` (``interval``
            from ``Retry-After`` when sent), ``expired_token``, ``access_denied``, or
            ``auth_req_id_error`` for any other refusal (``error`` is the tenant's).
        InvalidResponse: the answer is malformed.
    """
    try:
        return process_token_response(response)
    except OAuthError as refused:
        code = refused.error if refused.error in _POLL_CODES else "auth_req_id_error"
        raise PollingApiError(
            code,
            f"the backchannel authentication request is not answered: {refused.message}",
            interval=_retry_after(response),
            error=refused.error,
            error_description=refused.error_description,
            status=refused.status,
        ) from None
