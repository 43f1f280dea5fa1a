"""The results of Custom Token Exchange and Session Transfer Tokens (protocol doc §8.5), with
the official ``auth_types`` names and attributes. Tokens are never shown in a repr."""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen(kw_only=True)
class TokenExchangeResponse:
    """What ``custom_token_exchange`` returns: the token response, ``act`` read from the
    validated ID token (None without an ID token or without an actor)."""

    access_token: str = attrs.field(repr=False)
    token_type: str = "Bearer"
    expires_in: int
    scope: str | None = None
    issued_token_type: str | None = None
    id_token: str | None = attrs.field(default=None, repr=False)
    refresh_token: str | None = attrs.field(default=None, repr=False)
    act: dict[str, Any] | None = None


@attrs.frozen(kw_only=True)
class LoginWithCustomTokenExchangeResult:
    """What ``login_with_custom_token_exchange`` returns: the session written (as stored, so
    with its tokens, as the official ``state_data``), and any ``authorization_details``."""

    state_data: dict[str, Any] = attrs.field(repr=False)
    authorization_details: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class SessionTransferTokenResult:
    """What ``request_session_transfer_token`` returns: the opaque, single-use token to hand to
    ``build_session_transfer_redirect`` (never to decode or store)."""

    session_transfer_token: str = attrs.field(repr=False)
    issued_token_type: str
    expires_in: int
    token_type: str | None = None
    scope: str | None = None
