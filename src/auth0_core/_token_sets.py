"""Token sets in a session: which one answers a request, whether it is fresh, and merging.

Pure functions over the session's token set records (protocol doc §4.4, §4.7, §6.3).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ._dpop_key import DPoPKey, is_dpop
from .endpoints.authentication.token import TokenResponse
from .records import ConnectionTokenSet, TokenSet
from .records.token_set import scope_set

DEFAULT_AUDIENCE = "default"
MAX_TOKEN_SETS = 10


def is_fresh(token_set: TokenSet | ConnectionTokenSet, now: int, leeway: int) -> bool:
    """Whether a token can still be handed out.

    A token counts as expired ``leeway`` seconds early, but never more than half its lifetime
    early, so short-lived tokens are not refreshed on every call (protocol doc §4.7).
    """
    if not token_set.access_token:
        return False
    expires_at, obtained_at = token_set.expires_at, token_set.obtained_at
    skew = leeway
    if obtained_at is not None and expires_at > obtained_at:
        skew = min(leeway, (expires_at - obtained_at) // 2)
    return now < expires_at - skew


# The scopes of a requested scope string: the few strings an app asks with, parsed once each.
requested_scopes = functools.lru_cache(maxsize=256)(scope_set)


def _asked(token_set: TokenSet) -> frozenset[str]:
    """What a set was requested with; the official SDK's sets keep only the granted scope."""
    return token_set.asked_scopes


def find_token_set(
    token_sets: Sequence[TokenSet], audience: str, requested_scope: str
) -> TokenSet | None:
    """The stored set for ``audience`` that covers ``requested_scope``.

    A set covers a request when the requested scopes are a subset of what it was requested
    with or of what was granted. An exact match wins; otherwise the smallest covering set.
    The sets' scopes are parsed when their records are built, so this parses at most the
    request's (once per distinct string); pass ``Session.token_sets_for(audience)`` to look
    at the audience's sets only.
    """
    wanted = requested_scopes(requested_scope)
    best: TokenSet | None = None
    best_size = 0
    for candidate in token_sets:
        if candidate.audience != audience:
            continue
        asked = candidate.asked_scopes
        granted = candidate.granted_scopes
        if wanted in (asked, granted):
            return candidate
        if wanted <= asked or wanted <= granted:
            size = len(asked | granted)
            if best is None or size < best_size:
                best, best_size = candidate, size
    return best


def new_token_set(
    audience: str,
    requested_scope: str,
    tokens: TokenResponse,
    now: int,
    dpop_key: DPoPKey | None = None,
) -> TokenSet:
    """The stored form of a token response, keyed by audience and requested scope.

    A DPoP-bound token keeps ``token_type="DPoP"`` and the thumbprint of ``dpop_key``, the
    key its request was signed with; a bearer token's set has neither.
    """
    bound = is_dpop(tokens.token_type)
    return TokenSet(
        audience=audience,
        access_token=tokens.access_token,
        scope=tokens.scope if tokens.scope is not None else requested_scope,
        requested_scope=requested_scope,
        expires_at=now + (tokens.expires_in or 0),
        obtained_at=now,
        token_type="DPoP" if bound else None,
        dpop_jkt=dpop_key.thumbprint if bound and dpop_key is not None else None,
    )


def usable_with(token_set: TokenSet, dpop_key: DPoPKey | None) -> bool:
    """Whether this client can present the set's token: a bearer token always; a DPoP-bound
    one only with a key, and only with the key it is bound to when the set names it (a
    generated key changes with every process, so a stored bound token may outlive it)."""
    if not token_set.is_dpop:
        return True
    if dpop_key is None:
        return False
    return token_set.dpop_jkt is None or token_set.dpop_jkt == dpop_key.thumbprint


def with_token_set(token_sets: Sequence[TokenSet], entry: TokenSet) -> tuple[TokenSet, ...]:
    """``token_sets`` with ``entry`` replacing the set of the same audience and requested scope.

    At most :data:`MAX_TOKEN_SETS` are kept (oldest dropped) to bound cookie size.
    """
    key = (entry.audience, _asked(entry))
    kept = [item for item in token_sets if (item.audience, _asked(item)) != key]
    kept.append(entry)
    return tuple(kept[-MAX_TOKEN_SETS:])


def find_connection_token_set(
    token_sets: Sequence[ConnectionTokenSet], connection: str, login_hint: str | None
) -> ConnectionTokenSet | None:
    """The cached Token Vault token for exactly ``(connection, login_hint)``."""
    for candidate in token_sets:
        if candidate.connection == connection and candidate.login_hint == login_hint:
            return candidate
    return None


def with_connection_token_set(
    token_sets: Sequence[ConnectionTokenSet], entry: ConnectionTokenSet
) -> tuple[ConnectionTokenSet, ...]:
    """``token_sets`` with ``entry`` replacing the one for its connection and login hint."""
    key = (entry.connection, entry.login_hint)
    kept = [item for item in token_sets if (item.connection, item.login_hint) != key]
    kept.append(entry)
    return tuple(kept[-MAX_TOKEN_SETS:])
