"""The tenant's refresh tokens: families, rotation, reuse detection and lifetimes.

Every login that grants ``offline_access`` starts a *family*. With rotation, each refresh marks
the presented token rotated and issues a new one into the same family; presenting a rotated token
again (after the client's ``leeway``) revokes the whole family, as Auth0's reuse detection does.
Lifetimes are per family: absolute from the login, idle since the family was last used.
"""

from __future__ import annotations

from typing import Literal

import attrs

from .config_types import RefreshTokenSettings
from .records import Grant

TokenStatus = Literal["active", "rotated", "revoked", "expired"]


@attrs.define(kw_only=True)
class Family:
    """Every refresh token descended from one login."""

    id: str
    grant: Grant
    created_at: int
    last_used_at: int
    revoked: bool = False


@attrs.define(kw_only=True)
class RefreshRecord:
    """One refresh token string and where it stands in its family."""

    family: Family
    issued_at: int
    rotated_at: int | None = None


@attrs.frozen(kw_only=True)
class RefreshTokenState:
    """A read-only view of one refresh token, for tests (``Tenant.refresh_token_state``)."""

    status: TokenStatus
    family_id: str
    client_id: str
    user_id: str
    audience: str | None
    scope: str
    issued_at: int
    rotated_at: int | None
    expires_at: int  # absolute lifetime end
    idle_expires_at: int  # end of the idle window if the family stays unused


def _expires_at(family: Family, settings: RefreshTokenSettings) -> int:
    return family.created_at + settings.token_lifetime


def _idle_expires_at(family: Family, settings: RefreshTokenSettings) -> int:
    return family.last_used_at + settings.idle_token_lifetime


class RefreshTokens:
    """Refresh tokens (opaque ``v1.`` strings, as Auth0 issues) and their families."""

    def __init__(self) -> None:
        self._tokens: dict[str, RefreshRecord] = {}

    def __len__(self) -> int:
        return sum(1 for r in self._tokens.values() if not r.family.revoked)

    def issue(self, family_id: str, token: str, grant: Grant, now: int) -> str:
        """Start a new family for ``grant`` with its first refresh token ``token``."""
        family = Family(id=family_id, grant=grant, created_at=now, last_used_at=now)
        self._tokens[token] = RefreshRecord(family=family, issued_at=now)
        return token

    def lookup_any(self, token: str) -> RefreshRecord | None:
        """The record of ``token`` whatever its status, or None when never issued."""
        return self._tokens.get(token)

    def lookup(self, token: str, client_id: str) -> RefreshRecord | None:
        """The record of a token of ``client_id`` that is not revoked, else None."""
        record = self._tokens.get(token)
        if record is None or record.family.revoked or record.family.grant.client_id != client_id:
            return None
        return record

    def redeem(
        self, token: str, client_id: str, settings: RefreshTokenSettings, now: int
    ) -> RefreshRecord | None:
        """Check a presented token; None means ``invalid_grant``.

        Side effects, as on Auth0: an expired family is revoked, and a rotated token presented
        outside the leeway revokes its whole family (reuse detection).
        """
        record = self.lookup(token, client_id)
        if record is None:
            return None
        family = record.family
        if now >= min(_expires_at(family, settings), _idle_expires_at(family, settings)):
            family.revoked = True
            return None
        if record.rotated_at is not None and now >= record.rotated_at + settings.leeway:
            family.revoked = True
            return None
        return record

    def use(self, record: RefreshRecord, new_token: str | None, now: int) -> str | None:
        """Record a successful exchange; with ``new_token`` (rotation) the old one is rotated."""
        record.family.last_used_at = now
        if new_token is None:
            return None
        if record.rotated_at is None:  # the leeway runs from the first rotation only
            record.rotated_at = now
        self._tokens[new_token] = RefreshRecord(family=record.family, issued_at=now)
        return new_token

    def revoke(self, token: str) -> bool:
        """Revoke ``token``'s whole family; True when it was live."""
        record = self._tokens.get(token)
        if record is None or record.family.revoked:
            return False
        record.family.revoked = True
        return True

    def revoke_user(self, user_id: str | None) -> int:
        """Revoke every live family of ``user_id`` (every user when None); how many."""
        families = {
            id(r.family): r.family
            for r in self._tokens.values()
            if not r.family.revoked and (user_id is None or r.family.grant.user_id == user_id)
        }
        for family in families.values():
            family.revoked = True
        return len(families)

    def state(
        self, token: str, settings: RefreshTokenSettings, now: int
    ) -> RefreshTokenState | None:
        """A snapshot of ``token`` (None when the tenant never issued it)."""
        record = self._tokens.get(token)
        if record is None:
            return None
        family = record.family
        expires_at = _expires_at(family, settings)
        idle_expires_at = _idle_expires_at(family, settings)
        status: TokenStatus = "active"
        if family.revoked:
            status = "revoked"
        elif now >= min(expires_at, idle_expires_at):
            status = "expired"
        elif record.rotated_at is not None:
            status = "rotated"
        grant = family.grant
        return RefreshTokenState(
            status=status,
            family_id=family.id,
            client_id=grant.client_id,
            user_id=grant.user_id,
            audience=grant.audience,
            scope=grant.scope,
            issued_at=record.issued_at,
            rotated_at=record.rotated_at,
            expires_at=expires_at,
            idle_expires_at=idle_expires_at,
        )
