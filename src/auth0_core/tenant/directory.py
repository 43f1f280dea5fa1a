"""The tenant's user directory: users, their identities and metadata (mutable, in memory).

The configuration is frozen; what linking and the Management API change lives here. Every
configured user starts as a separate (primary) user with one identity, its own. Linking moves the
secondary's identities to the primary and drops the secondary user (its metadata is discarded,
as on Auth0); unlinking recreates the secondary from its configured profile, with no metadata.
"""

from __future__ import annotations

import copy
from typing import Any

import attrs

from .config import TenantConfig
from .config_types import TenantUser


@attrs.frozen(kw_only=True)
class Identity:
    """One identity of a user: a login on ``connection`` (Auth0's ``identities[]`` entry)."""

    connection: str
    user_id: str  # without the provider prefix
    provider: str  # the connection's strategy
    is_social: bool
    source: TenantUser = attrs.field(repr=False, eq=False)  # the configured login behind it

    @property
    def key(self) -> tuple[str, str]:
        """``(provider, user_id)``: how the Management API names an identity."""
        return (self.provider, self.user_id)

    def as_json(self, *, main: bool) -> dict[str, Any]:
        """The Management API's shape; secondaries carry ``profileData``."""
        value: dict[str, Any] = {
            "connection": self.connection,
            "user_id": self.user_id,
            "provider": self.provider,
            "isSocial": self.is_social,
        }
        if not main:
            profile: dict[str, Any] = {
                "email": self.source.email,
                "email_verified": self.source.email_verified,
                "name": self.source.name,
            }
            value["profileData"] = profile
        return value


@attrs.define(kw_only=True)
class UserRecord:
    """A user as it exists now: root profile, identities (main first) and metadata."""

    profile: TenantUser
    identities: list[Identity]
    user_metadata: dict[str, Any]
    app_metadata: dict[str, Any]

    @property
    def user_id(self) -> str:
        return self.profile.user_id

    def as_json(self) -> dict[str, Any]:
        """The Management API's user object (``GET /api/v2/users/{id}``)."""
        profile = self.profile
        value: dict[str, Any] = {
            "user_id": profile.user_id,
            "email": profile.email,
            "email_verified": profile.email_verified,
            "name": profile.name,
            "nickname": profile.nickname,
            "identities": self.identities_json(),
            "user_metadata": copy.deepcopy(self.user_metadata),
            "app_metadata": copy.deepcopy(self.app_metadata),
        }
        if profile.picture:
            value["picture"] = profile.picture
        return value

    def identities_json(self) -> list[dict[str, Any]]:
        return [i.as_json(main=n == 0) for n, i in enumerate(self.identities)]


class LinkError(Exception):
    """Why a link or unlink cannot happen; ``reason`` is one of the constants below."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


# LinkError reasons (each endpoint maps them to its own error answer).
UNKNOWN_USER = "unknown_user"
SAME_USER = "same_user"
ALREADY_LINKED = "already_linked"
NOT_LINKED = "not_linked"
MAIN_IDENTITY = "main_identity"


class UserDirectory:
    """Users by ``user_id`` (primaries and unlinked users only), built from the configuration."""

    def __init__(self, config: TenantConfig) -> None:
        self._config = config
        self._users: dict[str, UserRecord] = {}
        for user in config.users:
            self._users[user.user_id] = self._fresh(user, keep_metadata=True)

    def identity_of(self, user: TenantUser) -> Identity:
        """The identity a configured login stands for."""
        strategy = self._config.strategy(user.connection)
        return Identity(
            connection=user.connection,
            user_id=user.user_id.split("|", 1)[1],
            provider=strategy,
            is_social=strategy != "auth0",
            source=user,
        )

    def _fresh(self, user: TenantUser, *, keep_metadata: bool) -> UserRecord:
        return UserRecord(
            profile=user,
            identities=[self.identity_of(user)],
            user_metadata=copy.deepcopy(dict(user.user_metadata)) if keep_metadata else {},
            app_metadata=copy.deepcopy(dict(user.app_metadata)) if keep_metadata else {},
        )

    # --- lookups -------------------------------------------------------------------------

    def get(self, user_id: str) -> UserRecord | None:
        """The user with ``user_id``; None for unknown ids and for linked secondaries."""
        return self._users.get(user_id)

    def profile(self, user_id: str) -> TenantUser | None:
        """The root profile of the user ``user_id`` (claims come from it), or None."""
        record = self._users.get(user_id)
        return record.profile if record else None

    def owner(self, provider: str, user_id: str) -> tuple[UserRecord, Identity] | None:
        """The user holding identity ``provider``/``user_id`` (main or linked), and it."""
        for record in self._users.values():
            for identity in record.identities:
                if identity.key == (provider, user_id):
                    return record, identity
        return None

    def login_of(self, connection: str | None, email: str) -> TenantUser | None:
        """The configured login of ``connection`` with this email (case-insensitive); with no
        connection, of any database (``auth0`` strategy) connection. Passwords: the caller's."""
        wanted = email.strip().lower()
        return next(
            (
                user
                for user in self._config.users
                if user.email.lower() == wanted
                and (
                    user.connection == connection
                    if connection is not None
                    else self._config.strategy(user.connection) == "auth0"
                )
            ),
            None,
        )

    def subject_of(self, login: TenantUser) -> UserRecord | None:
        """The user a configured login signs in as: its own, or the primary it is linked to."""
        found = self.owner(*self.identity_of(login).key)
        return found[0] if found else None

    # --- changes -------------------------------------------------------------------------

    def ensure(self, user: TenantUser) -> UserRecord:
        """The user ``user.user_id``, created from ``user`` when it does not exist yet (a
        passwordless connection creates its users at their first login, as on Auth0)."""
        record = self._users.get(user.user_id)
        if record is not None:
            return record
        found = self.owner(*self.identity_of(user).key)  # linked into another user
        if found is not None:
            return found[0]
        record = self._users[user.user_id] = self._fresh(user, keep_metadata=True)
        return record

    def link(self, primary_id: str, secondary: Identity) -> UserRecord:
        """Move the user owning ``secondary`` (all its identities) into ``primary_id``.

        Raises:
            LinkError: unknown primary or secondary, the same user, already linked.
        """
        primary = self._users.get(primary_id)
        if primary is None:
            raise LinkError(UNKNOWN_USER, "The user does not exist.")
        found = self.owner(*secondary.key)
        if found is None:
            raise LinkError(UNKNOWN_USER, "The secondary user does not exist.")
        owner, identity = found
        if owner is primary:
            if identity is primary.identities[0]:
                raise LinkError(SAME_USER, "Main identity and the new one are the same.")
            raise LinkError(ALREADY_LINKED, "The identity is already linked to this user.")
        if identity is not owner.identities[0]:
            raise LinkError(ALREADY_LINKED, "The identity is already linked to another user.")
        # The secondary stops existing as a user; its metadata is discarded (as on Auth0).
        del self._users[owner.user_id]
        primary.identities.extend(owner.identities)
        return primary

    def unlink(self, primary_id: str, provider: str, user_id: str) -> UserRecord:
        """Remove identity ``provider``/``user_id`` from ``primary_id``; it becomes a user again.

        Raises:
            LinkError: unknown primary, the main identity, an identity not linked to it.
        """
        primary = self._users.get(primary_id)
        if primary is None:
            raise LinkError(UNKNOWN_USER, "The user does not exist.")
        if primary.identities[0].key == (provider, user_id):
            raise LinkError(MAIN_IDENTITY, "Main identity cannot be removed.")
        identity = next((i for i in primary.identities if i.key == (provider, user_id)), None)
        if identity is None:
            raise LinkError(NOT_LINKED, "The identity is not linked to this user.")
        primary.identities.remove(identity)
        # Recreated from its configured profile, with no metadata (as on Auth0).
        self._users[identity.source.user_id] = self._fresh(identity.source, keep_metadata=False)
        return primary

    def patch_metadata(
        self, user_id: str, field: str, changes: dict[str, Any]
    ) -> UserRecord | None:
        """Merge ``changes`` into ``user_metadata``/``app_metadata`` at the first level (a key
        set to None is removed), as Auth0's PATCH does; None for an unknown user."""
        record = self._users.get(user_id)
        if record is None:
            return None
        target = record.user_metadata if field == "user_metadata" else record.app_metadata
        for key, value in changes.items():
            if value is None:
                target.pop(key, None)
            else:
                target[key] = copy.deepcopy(value)
        return record
