"""The session record: how it is built after login, its lifetimes, and its public view.

The stored shape is the official SDK's (protocol doc §2.7) so sessions move between the two,
plus ``internal.last_seen`` and ``internal.expires_at`` for our rolling and absolute lifetimes
and ``requested_scope`` on token sets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._config import ClientConfig
from ._token_sets import DEFAULT_AUDIENCE, new_token_set
from .endpoints.authentication.token import TokenResponse
from .errors import SessionExpiredError

# The upstream session_expiry ceiling is honoured 30 s early (protocol doc §3.2).
CEILING_MARGIN = 30
# A rolling session is rewritten at most once a minute, not on every read.
ROLL_INTERVAL = 60
_MAX_UNIX_SECONDS = 10_000_000_000


def session_ceiling(claims: Mapping[str, Any]) -> int | None:
    """The IPSIE ``session_expiry`` claim when it is a plausible Unix time, else None."""
    value = claims.get("session_expiry")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < _MAX_UNIX_SECONDS:
        return value
    return None


def expires_at(config: ClientConfig, internal: Mapping[str, Any], now: int) -> int:
    """When the session ends: the earliest of rolling, absolute and upstream ceilings."""
    created_at = _int(internal.get("created_at"), now)
    last_seen = _int(internal.get("last_seen"), created_at)
    candidates = [created_at + config.absolute_duration, last_seen + config.rolling_duration]
    ceiling = internal.get("session_expires_at")
    if isinstance(ceiling, int) and not isinstance(ceiling, bool):
        candidates.append(ceiling - CEILING_MARGIN)
    return min(candidates)


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def new_session(
    config: ClientConfig,
    *,
    claims: Mapping[str, Any],
    tokens: TokenResponse,
    audience: str | None,
    requested_scope: str,
    now: int,
) -> dict[str, Any]:
    """The session written after a successful login.

    Raises:
        SessionExpiredError: the upstream ``session_expiry`` is already (nearly) reached.
    """
    ceiling = session_ceiling(claims)
    issued_at = _int(claims.get("iat"), now)
    if ceiling is not None and ceiling <= issued_at + CEILING_MARGIN:
        raise SessionExpiredError("the identity provider's session has already expired.")
    sid = claims.get("sid")
    internal: dict[str, Any] = {
        "sid": sid if isinstance(sid, str) and sid else config.env.random_urlsafe(24),
        "created_at": now,
        "last_seen": now,
        "session_expires_at": ceiling,
    }
    internal["expires_at"] = expires_at(config, internal, now)
    return {
        "user": dict(claims),
        "id_token": tokens.id_token,
        "refresh_token": tokens.refresh_token,
        "token_sets": [new_token_set(audience or DEFAULT_AUDIENCE, requested_scope, tokens, now)],
        "connection_token_sets": [],
        "domain": config.domain,
        "internal": internal,
    }


def is_live(config: ClientConfig, session: Mapping[str, Any], now: int) -> bool:
    """False once any lifetime is over, or when the record is not a session at all."""
    internal = session.get("internal")
    if not isinstance(internal, Mapping) or not isinstance(session.get("user"), Mapping):
        return False
    return now < expires_at(config, internal, now)


def needs_roll(session: Mapping[str, Any], now: int) -> bool:
    """Whether a read should rewrite the session to push its rolling expiry forward."""
    internal = session.get("internal")
    if not isinstance(internal, Mapping):
        return False
    return now - _int(internal.get("last_seen"), 0) >= ROLL_INTERVAL


def rolled(config: ClientConfig, session: Mapping[str, Any], now: int) -> dict[str, Any]:
    """A copy of ``session`` seen at ``now``."""
    internal = dict(session.get("internal") or {})
    internal["last_seen"] = now
    internal["expires_at"] = expires_at(config, internal, now)
    return {**session, "internal": internal}


def public_view(session: Mapping[str, Any]) -> dict[str, Any]:
    """The session as ``get_session`` returns it: everything but ``internal``."""
    return {k: v for k, v in session.items() if k != "internal"}
