"""The session's lifetimes, the session written after login, and how later steps change it.

The record itself is :class:`~auth0_core.records.Session`, stored in the official SDK's shape
(protocol doc §2.7) plus ``internal.last_seen`` and ``internal.expires_at`` for our rolling and
absolute lifetimes and ``requested_scope`` on token sets (when it is not the granted scope).

The session's ``user`` is the verified ID token's claims less ``nonce``: it binds the ID token
to the login that asked for it, is checked once when the token is verified, and has no use in
the session (the official SDK sends none, so its sessions never hold one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._config import ClientConfig
from ._token_sets import (
    DEFAULT_AUDIENCE,
    new_token_set,
    with_connection_token_set,
    with_token_set,
)
from .endpoints.authentication.token import TokenResponse
from .errors import SessionExpiredError
from .records import ConnectionTokenSet, Session, SessionInternal, TokenSet

# The upstream session_expiry ceiling is honoured 30 s early (protocol doc §3.2).
CEILING_MARGIN = 30
# A rolling session is rewritten at most once a minute, not on every read.
ROLL_INTERVAL = 60
_MAX_UNIX_SECONDS = 10_000_000_000


def session_user(claims: Mapping[str, Any]) -> Mapping[str, Any]:
    """The claims a session keeps as its ``user``: all of ``claims`` but ``nonce``."""
    if "nonce" not in claims:
        return claims
    return {key: value for key, value in claims.items() if key != "nonce"}


def session_ceiling(claims: Mapping[str, Any]) -> int | None:
    """The IPSIE ``session_expiry`` claim when it is a plausible Unix time, else None."""
    value = claims.get("session_expiry")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < _MAX_UNIX_SECONDS:
        return value
    return None


def expires_at(config: ClientConfig, internal: SessionInternal) -> int:
    """When the session ends: the earliest of rolling, absolute and upstream ceilings."""
    created_at = internal.created_at
    last_seen = created_at if internal.last_seen is None else internal.last_seen
    ends = min(created_at + config.absolute_duration, last_seen + config.rolling_duration)
    ceiling = internal.session_expires_at
    return ends if ceiling is None else min(ends, ceiling - CEILING_MARGIN)


def new_session(
    config: ClientConfig,
    *,
    claims: Mapping[str, Any],
    tokens: TokenResponse,
    audience: str | None,
    requested_scope: str,
    now: int,
) -> Session:
    """The session written after a successful login.

    Raises:
        SessionExpiredError: the upstream ``session_expiry`` is already (nearly) reached.
    """
    ceiling = session_ceiling(claims)
    issued_at = claims.get("iat")
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        issued_at = now
    if ceiling is not None and ceiling <= issued_at + CEILING_MARGIN:
        raise SessionExpiredError("the identity provider's session has already expired.")
    sid = claims.get("sid")
    internal = SessionInternal(
        sid=sid if isinstance(sid, str) and sid else config.env.random_urlsafe(24),
        created_at=now,
        last_seen=now,
        session_expires_at=ceiling,
    )
    return Session(
        user=session_user(claims),
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        token_sets=(
            new_token_set(audience or DEFAULT_AUDIENCE, requested_scope, tokens, now, config.dpop),
        ),
        domain=config.domain,
        internal=attrs.evolve(internal, expires_at=expires_at(config, internal)),
    )


def is_live(config: ClientConfig, session: Session, now: int) -> bool:
    """False once any lifetime is over."""
    return now < expires_at(config, session.internal)


def needs_roll(session: Session, now: int) -> bool:
    """Whether a read should rewrite the session to push its rolling expiry forward."""
    last_seen = session.internal.last_seen
    return now - (0 if last_seen is None else last_seen) >= ROLL_INTERVAL


def rolled(config: ClientConfig, session: Session, now: int) -> Session:
    """``session`` seen at ``now``."""
    internal = attrs.evolve(session.internal, last_seen=now)
    internal = attrs.evolve(internal, expires_at=expires_at(config, internal))
    return with_internal(session, internal)


def with_internal(session: Session, internal: SessionInternal) -> Session:
    """``session`` with another ``internal`` part (its times and id)."""
    return attrs.evolve(session, internal=internal)


def refreshed(
    session: Session, tokens: TokenResponse, entry: TokenSet, claims: Mapping[str, Any] | None
) -> Session:
    """The session after a refresh: new token set, rotated refresh token, ID token kept.

    ``claims`` are those of the refresh's validated ID token, None when it brought none.
    """
    return attrs.evolve(
        session,
        token_sets=with_token_set(session.token_sets, entry),
        refresh_token=tokens.refresh_token or session.refresh_token,
        id_token=tokens.id_token or session.id_token,
        user=session_user(claims) if claims is not None else session.user,
    )


def with_refresh_token(session: Session, refresh_token: str) -> Session:
    """``session`` holding a rotated ``refresh_token`` and nothing else new (a refresh whose
    access token was refused still spent the old refresh token)."""
    return attrs.evolve(session, refresh_token=refresh_token)


def linked(
    session: Session, user: Mapping[str, Any], tokens: TokenResponse, entry: TokenSet
) -> Session:
    """The session after a link or unlink: the merged ``user``, the new ID token and token
    set, and the refresh token kept unless the exchange brought a new one."""
    return attrs.evolve(
        session,
        user=session_user(user),
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token or session.refresh_token,
        token_sets=with_token_set(session.token_sets, entry),
    )


def with_connection_token(session: Session, entry: ConnectionTokenSet) -> Session:
    """The session caching ``entry`` (replacing the one for its connection and login hint)."""
    sets = with_connection_token_set(session.connection_token_sets, entry)
    return attrs.evolve(session, connection_token_sets=sets)


def without_connection_tokens(session: Session) -> Session:
    """The session with no cached Token Vault token (after a connected account is deleted)."""
    return attrs.evolve(session, connection_token_sets=())
