"""The session record, in the official SDK's shape (protocol doc §2.7, §3.2).

The official SDK reads ``internal`` through a model that ignores members it does not know, so
ours live there: ``last_seen`` and ``expires_at`` (rolling and absolute lifetimes) and, from
format version 2 on, the version (see :data:`~._wire.FORMAT_VERSION`). Members another writer
added anywhere in the record are kept through a read-modify-write.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from ._wire import NO_EXTRA, Fields, readonly, thawed, to_wire
from .token_set import (
    _TOKEN_SET_KEYS,
    ConnectionTokenSet,
    StoredTokenSets,
    TokenSet,
    is_plain_token_set,
    token_set_dicts,
)


def _token_sets(value: Iterable[TokenSet]) -> Sequence[TokenSet]:
    if type(value) is tuple or type(value) is StoredTokenSets:
        return value
    return tuple(value)


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
        data = fields.data
        if type(data) is dict and _INTERNAL_KEYS.issuperset(data):
            internal = cls._read_plain(data)
            if internal is not None:
                return internal
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

    @classmethod
    def _read_plain(cls, data: dict[str, Any]) -> SessionInternal | None:
        """The usual stored ``internal`` (only members this SDK knows; no version, which
        :meth:`read` keeps as it was written), checked in one pass: the very checks and values
        of :meth:`read`, or None when a member fails them."""
        get = data.get
        sid = get("sid")
        created_at = get("created_at")
        last_seen = get("last_seen")
        session_expires_at = get("session_expires_at")
        expires_at = get("expires_at")
        if not (
            type(sid) is str
            and type(created_at) is int
            and (last_seen is None or type(last_seen) is int)
            and (session_expires_at is None or type(session_expires_at) is int)
            and (expires_at is None or type(expires_at) is int)
        ):
            return None
        return cls(
            sid=sid,
            created_at=created_at,
            last_seen=last_seen,
            session_expires_at=session_expires_at,
            expires_at=expires_at,
            key_order=tuple(data),
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
    # A tuple, or (read from a store) StoredTokenSets, which builds a set when it is used.
    token_sets: Sequence[TokenSet] = attrs.field(default=(), converter=_token_sets)
    connection_token_sets: tuple[ConnectionTokenSet, ...] = attrs.field(
        default=(), converter=_connection_token_sets
    )
    domain: str | None
    internal: SessionInternal
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)
    # Audience to the positions of its sets in token_sets; built by the first lookup (a
    # get_session never needs it; a record the memory store keeps serves many lookups).
    _by_audience: Mapping[str | None, tuple[int, ...]] | None = attrs.field(
        init=False, default=None, repr=False, eq=False
    )

    def token_sets_for(self, audience: str) -> tuple[TokenSet, ...]:
        """The token sets of ``audience``, in stored order: one dict lookup, however many
        audiences the session holds (and only those sets are built)."""
        index = self._by_audience
        if index is None:
            index = self._audience_index()
        positions = index.get(audience)
        if not positions:
            return ()
        sets = self.token_sets
        return tuple(sets[position] for position in positions)

    def _audience_index(self) -> Mapping[str | None, tuple[int, ...]]:
        sets = self.token_sets
        audiences = (
            sets.audiences()
            if type(sets) is StoredTokenSets
            else [token_set.audience for token_set in sets]
        )
        # One position per audience, the usual case, is built in C; a repeated audience (sets
        # for several scopes) takes the loop.
        index: dict[str | None, tuple[int, ...]] = dict(
            zip(audiences, zip(range(len(audiences))), strict=True)
        )
        if len(index) != len(audiences):
            index = {}
            for position, audience in enumerate(audiences):
                index[audience] = (*index.get(audience, ()), position)
        # Immutable record, computed state: two threads racing build equal indexes.
        object.__setattr__(self, "_by_audience", index)
        return index

    @property
    def sub(self) -> str:
        """The user's subject identifier."""
        sub: str = self.user["sub"]
        return sub

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        """The session stored as ``data`` (copied where kept: the caller's dict stays its own).

        Raises:
            InvalidRecordError: ``data`` is not a session of a format version this SDK reads.
        """
        return cls._read(data, owned=False)

    @classmethod
    def adopt_dict(cls, data: dict[str, Any]) -> Session:
        """:meth:`from_dict` of a dict nobody else holds (freshly parsed, as the stores'
        ``get_record`` hands it over): the record keeps its objects instead of copies.

        Raises:
            InvalidRecordError: as :meth:`from_dict`.
        """
        return cls._read(data, owned=True)

    @classmethod
    def _read(cls, data: Mapping[str, Any], *, owned: bool) -> Session:
        if type(data) is dict and _SESSION_KEYS.issuperset(data):
            session = cls._read_plain(data, owned=owned)
            if session is not None:
                return session
        return cls._read_fields(data)

    @classmethod
    def _read_fields(cls, data: Mapping[str, Any]) -> Session:
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

    @classmethod
    def _read_plain(cls, data: dict[str, Any], *, owned: bool) -> Session | None:
        """The usual stored session (only members this SDK knows, plain dicts and lists, no
        connection token sets), checked in one pass: the very checks and values of
        :meth:`from_dict`'s member-by-member reading, or None when anything is off
        (:meth:`from_dict` then reads it again and names what fails). ``owned``: ``data``'s
        objects may be kept as they are."""
        get = data.get
        internal = get("internal")
        user = get("user")
        id_token = get("id_token")
        refresh_token = get("refresh_token")
        domain = get("domain")
        stored_sets = get("token_sets", _NONE_STORED)
        if not (
            type(internal) is dict
            and _INTERNAL_KEYS.issuperset(internal)
            and type(user) is dict
            and type(sub := user.get("sub")) is str
            and sub
            and (id_token is None or type(id_token) is str)
            and (refresh_token is None or type(refresh_token) is str)
            and (domain is None or type(domain) is str)
            and type(stored_sets) is list
            and get("connection_token_sets", _NONE_STORED) == _NONE_STORED
        ):
            return None
        read_internal = SessionInternal._read_plain(internal)
        if read_internal is None:
            return None
        for stored in stored_sets:
            if (
                type(stored) is not dict
                or not _TOKEN_SET_KEYS.issuperset(stored)
                or not is_plain_token_set(stored)
            ):
                return None
        return cls(
            user=MappingProxyType(user) if owned else user,  # readonly() copies the others
            id_token=id_token,
            refresh_token=refresh_token,
            token_sets=StoredTokenSets(stored_sets, owned=owned) if stored_sets else (),
            domain=domain,
            internal=read_internal,
            key_order=tuple(data),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON object, in the official SDK's shape."""
        values = self._public_values()
        values["internal"] = self.internal.to_dict()  # last, as in the canonical order
        return to_wire(values, self.extra, self.key_order)

    def user_dict(self) -> dict[str, Any]:
        """The user's claims as ``get_user`` returns them: a deep copy, the caller's own."""
        return thawed(self.user)

    def public_dict(self) -> dict[str, Any]:
        """The session as ``get_session`` returns it: everything but ``internal`` (what
        :meth:`to_dict` writes, in the same order, without it)."""
        values = self._public_values()
        if self.key_order == _STORED_ORDER and not self.extra:
            return values  # already in the order both SDKs write (the usual stored session)
        return to_wire(values, self.extra, self.key_order)

    def _public_values(self) -> dict[str, Any]:
        values = {
            "user": thawed(self.user),
            "id_token": self.id_token,
            "refresh_token": self.refresh_token,
            "token_sets": token_set_dicts(self.token_sets),
        }
        connection_sets = self.connection_token_sets
        order = self.key_order
        # Left out where to_wire would leave it out: empty, and not in the stored order.
        if connection_sets or order is None or "connection_token_sets" in order:
            values["connection_token_sets"] = [entry.to_dict() for entry in connection_sets]
        values["domain"] = self.domain
        return values


_OUR_TIMES = frozenset({"last_seen", "expires_at"})
# The member order of a session as both SDKs write it (the canonical order of to_dict).
_STORED_ORDER = (
    "user",
    "id_token",
    "refresh_token",
    "token_sets",
    "connection_token_sets",
    "domain",
    "internal",
)
_INTERNAL_KEYS = frozenset({"sid", "created_at", "last_seen", "session_expires_at", "expires_at"})
_NONE_STORED: list[Any] = []  # an absent list reads as an empty one (never changed)
_SESSION_KEYS = frozenset(_STORED_ORDER)
