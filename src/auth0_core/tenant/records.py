"""The tenant's internal records: what it remembers between requests. All frozen values."""

from __future__ import annotations

from typing import Literal

import attrs


@attrs.frozen(kw_only=True)
class LinkRequest:
    """A linking request through ``/authorize`` (``link_account`` / ``unlink_account`` scope)."""

    action: Literal["link", "unlink"]
    primary_user_id: str  # the ``sub`` of the verified ``id_token_hint``
    requested_connection: str


@attrs.frozen(kw_only=True)
class AuthorizationRequest:
    """A validated authorization request (from ``/authorize`` or pushed to ``/oauth/par``)."""

    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str
    state: str | None = None
    nonce: str | None = None
    audience: str | None = None
    organization_id: str | None = None
    max_age: int | None = None
    prompt: str | None = None
    # The connection whose users the login page authenticates (None: database connections).
    connection: str | None = None
    link: LinkRequest | None = None
    # RFC 9449 §10: the code is bound to this DPoP key (``dpop_jkt``, or a proof sent to PAR).
    dpop_jkt: str | None = None
    # Every parameter as received, so nothing the client sent is lost (passed through).
    params: tuple[tuple[str, str], ...] = ()


@attrs.frozen(kw_only=True)
class PushedRequest:
    """A PAR ``request_uri`` and the request it stands for."""

    request: AuthorizationRequest
    expires_at: int


@attrs.frozen(kw_only=True)
class LoginTransaction:
    """A login page shown to the browser; ``tx`` is its hidden form field."""

    request: AuthorizationRequest
    expires_at: int


@attrs.frozen(kw_only=True)
class Grant:
    """What a user granted a client: everything a token response is minted from."""

    client_id: str
    user_id: str
    scope: str
    audience: str | None
    organization_id: str | None
    auth_time: int
    sid: str


@attrs.frozen(kw_only=True)
class CodeGrant:
    """An authorization code, bound to its request (RFC 6749 §4.1.3, RFC 7636 §4.6)."""

    grant: Grant
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    expires_at: int
    dpop_jkt: str | None = None  # the key the token request must prove (RFC 9449 §10)


@attrs.frozen(kw_only=True)
class ConnectRequest:
    """A validated ``POST /me/v1/connected-accounts/connect``, waiting for the user's consent."""

    auth_session: str
    user_id: str
    client_id: str
    connection: str
    redirect_uri: str
    state: str | None
    code_challenge: str | None
    scopes: tuple[str, ...]
    login_hint: str | None
    org_id: str | None
    expires_at: int


@attrs.frozen(kw_only=True)
class ConnectCode:
    """A ``connect_code`` the consent page issued, for ``.../complete`` to redeem once."""

    request: ConnectRequest
    expires_at: int


@attrs.frozen(kw_only=True)
class SessionTransfer:
    """A Session Transfer Token the custom token exchange minted, for ``/authorize`` to redeem
    once (``session_transfer_token=``) as a login of ``user_id`` at ``client_id``."""

    client_id: str
    user_id: str
    expires_at: int


@attrs.frozen(kw_only=True)
class AcceptedAssertion:
    """A ``private_key_jwt`` client assertion the tenant accepted: its header's ``alg`` and
    ``kid`` (None when it had none) and the ``kid`` of the registered key that verified it."""

    client_id: str
    alg: str
    kid: str | None
    key_kid: str


@attrs.frozen(kw_only=True)
class LogEntry:
    """One handled request, for assertions such as "the token endpoint was hit once"."""

    method: str
    path: str
    status: int
    grant_type: str | None = None
