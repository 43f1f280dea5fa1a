"""Token sets in a session: which one answers a request, whether it is fresh, and merging.

Pure functions over the session record (protocol doc §4.4, §4.7, §6.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._authorize import split_scope
from .endpoints.authentication.token import TokenResponse

DEFAULT_AUDIENCE = "default"
MAX_TOKEN_SETS = 10


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def is_fresh(token_set: Mapping[str, Any], now: int, leeway: int) -> bool:
    """Whether a token can still be handed out.

    A token counts as expired ``leeway`` seconds early, but never more than half its lifetime
    early, so short-lived tokens are not refreshed on every call (protocol doc §4.7).
    """
    expires_at = _int(token_set.get("expires_at"))
    access_token = token_set.get("access_token")
    if expires_at is None or not isinstance(access_token, str) or not access_token:
        return False
    obtained_at = _int(token_set.get("obtained_at"))
    skew = leeway
    if obtained_at is not None and expires_at > obtained_at:
        skew = min(leeway, (expires_at - obtained_at) // 2)
    return now < expires_at - skew


def _scope_set(value: object) -> frozenset[str]:
    return frozenset(split_scope(value)) if isinstance(value, str) else frozenset()


def find_token_set(
    token_sets: Sequence[Mapping[str, Any]], audience: str, requested_scope: str
) -> Mapping[str, Any] | None:
    """The stored set for ``audience`` that covers ``requested_scope``.

    A set covers a request when the requested scopes are a subset of what it was requested
    with or of what was granted. An exact match wins; otherwise the smallest covering set.
    """
    wanted = frozenset(split_scope(requested_scope))
    best: Mapping[str, Any] | None = None
    best_size = 0
    for candidate in token_sets:
        if not isinstance(candidate, Mapping) or candidate.get("audience") != audience:
            continue
        asked = _scope_set(candidate.get("requested_scope", candidate.get("scope")))
        granted = _scope_set(candidate.get("scope"))
        if wanted in (asked, granted):
            return candidate
        if wanted <= asked or wanted <= granted:
            size = len(asked | granted)
            if best is None or size < best_size:
                best, best_size = candidate, size
    return best


def new_token_set(
    audience: str, requested_scope: str, tokens: TokenResponse, now: int
) -> dict[str, Any]:
    """The stored form of a token response, keyed by audience and requested scope."""
    return {
        "audience": audience,
        "access_token": tokens.access_token,
        "scope": tokens.scope if tokens.scope is not None else requested_scope,
        "requested_scope": requested_scope,
        "expires_at": now + (tokens.expires_in or 0),
        "obtained_at": now,
    }


def with_token_set(
    token_sets: Sequence[Mapping[str, Any]], entry: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``token_sets`` with ``entry`` replacing the set of the same audience and requested scope.

    At most :data:`MAX_TOKEN_SETS` are kept (oldest dropped) to bound cookie size.
    """
    key = (entry["audience"], frozenset(split_scope(entry["requested_scope"])))
    kept = [
        dict(item)
        for item in token_sets
        if isinstance(item, Mapping)
        and (
            item.get("audience"),
            _scope_set(item.get("requested_scope", item.get("scope"))),
        )
        != key
    ]
    kept.append(dict(entry))
    return kept[-MAX_TOKEN_SETS:]


def find_connection_token_set(
    token_sets: Sequence[Mapping[str, Any]], connection: str, login_hint: str | None
) -> Mapping[str, Any] | None:
    """The cached Token Vault token for exactly ``(connection, login_hint)``."""
    for candidate in token_sets:
        if (
            isinstance(candidate, Mapping)
            and candidate.get("connection") == connection
            and candidate.get("login_hint") == login_hint
        ):
            return candidate
    return None


def with_connection_token_set(
    token_sets: Sequence[Mapping[str, Any]], entry: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """``token_sets`` with ``entry`` replacing the one for its connection and login hint."""
    kept = [
        dict(item)
        for item in token_sets
        if isinstance(item, Mapping)
        and (item.get("connection"), item.get("login_hint"))
        != (entry["connection"], entry.get("login_hint"))
    ]
    kept.append(dict(entry))
    return kept[-MAX_TOKEN_SETS:]
