"""The session record, in the official SDK's shape (protocol doc §2.7, §3.2).

The official SDK reads ``internal`` through a model that ignores members it does not know, so
ours live there: ``last_seen`` and ``expires_at`` (rolling and absolute lifetimes) and, from
format version 2 on, the version (see :data:`~._wire.FORMAT_VERSION`). Members another writer
added anywhere in the record are kept through a read-modify-write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._wire import NO_EXTRA, Fields, readonly, thawed, to_wire
from .token_set import ConnectionTokenSet, TokenSet


def _token_sets(value: Iterable[TokenSet]) -> tuple[TokenSet, ...]:
    return value if isinstance(value, tuple) else tuple(value)


def _connection_token_sets(value: Iterable[ConnectionTokenSet]) -> tuple[ConnectionTokenSet, ...]:
    return value if isinstance(value, tuple) else tuple(value)


@attrs.frozen(kw_only=True)
class SessionInternal:
    """What ``get_session`` leaves out: the session's id (``sid``, for back-channel logout)
    and its times, in Unix seconds."""

    sid: str = attrs.field(repr=False)
    created_at: int
    last_seen: int | None = None
    session_expires_at: int | None = None  # the identity provider's ceiling
    expires_at: int | None = None  # ours: the earliest of every lifetime, for the stores
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)

    @classmethod
    def read(cls, fields: Fields) -> SessionInternal:
        fields.check_version()
        return cls(
            sid=fields.string("sid"),
            created_at=fields.integer("created_at"),
            last_seen=fields.optional_integer("last_seen"),
            session_expires_at=fields.optional_integer("session_expires_at"),
            expires_at=fields.optional_integer("expires_at"),
            extra=fields.others(_INTERNAL_KEYS),
            key_order=fields.key_order(),
        )

    def to_dict(self) -> dict[str, Any]:
        values = {
            "sid": self.sid,
            "created_at": self.created_at,
            "last_seen": self.last_seen,
            "session_expires_at": self.session_expires_at,
            "expires_at": self.expires_at,
        }
        return to_wire(values, self.extra, self.key_order, _OUR_TIMES)


@attrs.frozen(kw_only=True)
class Session:
    """The logged-in user's claims and tokens.

    ``user`` holds every claim of the last verified ID token (a read-only view; ``sub`` is
    always a non-empty string). A record may be shared by many reads (the memory store keeps
    one parsed record per entry), so what it hands out (``to_dict``, ``user_dict``) is a deep
    copy; token sets are indexed by audience once, when the record is built.
    """

    user: Mapping[str, Any] = attrs.field(converter=readonly, repr=False)
    id_token: str | None = attrs.field(repr=False)
    refresh_token: str | None = attrs.field(repr=False)
    token_sets: tuple[TokenSet, ...] = attrs.field(default=(), converter=_token_sets)
    connection_token_sets: tuple[ConnectionTokenSet, ...] = attrs.field(
        default=(), converter=_connection_token_sets
    )
    domain: str | None
    internal: SessionInternal
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)
    _by_audience: Mapping[str | None, tuple[TokenSet, ...]] = attrs.field(
        init=False, repr=False, eq=False
    )

    def __attrs_post_init__(self) -> None:
        index: dict[str | None, tuple[TokenSet, ...]] = {}
        for token_set in self.token_sets:
            index[token_set.audience] = (*index.get(token_set.audience, ()), token_set)
        object.__setattr__(self, "_by_audience", index)

    def token_sets_for(self, audience: str) -> tuple[TokenSet, ...]:
        """The token sets of ``audience``, in stored order: one dict lookup, however many
        audiences the session holds."""
        return self._by_audience.get(audience, ())

    @property
    def sub(self) -> str:
        """The user's subject identifier."""
        sub: str = self.user["sub"]
        return sub

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        """The session stored as ``data``.

        Raises:
            InvalidRecordError: ``data`` is not a session of a format version this SDK reads.
        """
        fields = Fields(data, "session")
        internal = SessionInternal.read(fields.child("internal"))
        user = fields.mapping("user")
        sub = user.get("sub")
        if type(sub) is not str or not sub:
            fields.fail("user.sub", "must be a non-empty string")
        return cls(
            user=user,
            id_token=fields.optional_string("id_token"),
            refresh_token=fields.optional_string("refresh_token"),
            token_sets=tuple(map(TokenSet.read, fields.children("token_sets"))),
            connection_token_sets=tuple(
                map(ConnectionTokenSet.read, fields.children("connection_token_sets"))
            ),
            domain=fields.optional_string("domain"),
            internal=internal,
            extra=fields.others(_SESSION_KEYS),
            key_order=fields.key_order(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON object, in the official SDK's shape."""
        values = {
            "user": thawed(self.user),
            "id_token": self.id_token,
            "refresh_token": self.refresh_token,
            "token_sets": [token_set.to_dict() for token_set in self.token_sets],
            "connection_token_sets": [entry.to_dict() for entry in self.connection_token_sets],
            "domain": self.domain,
            "internal": self.internal.to_dict(),
        }
        return to_wire(values, self.extra, self.key_order)

    def user_dict(self) -> dict[str, Any]:
        """The user's claims as ``get_user`` returns them: a deep copy, the caller's own."""
        return thawed(self.user)

    def public_dict(self) -> dict[str, Any]:
        """The session as ``get_session`` returns it: everything but ``internal``."""
        wire = self.to_dict()
        del wire["internal"]
        return wire


_OUR_TIMES = frozenset({"last_seen", "expires_at"})
_INTERNAL_KEYS = frozenset({"sid", "created_at", "last_seen", "session_expires_at", "expires_at"})
_SESSION_KEYS = frozenset(
    {
        "user",
        "id_token",
        "refresh_token",
        "token_sets",
        "connection_token_sets",
        "domain",
        "internal",
    }
)
