"""Cached access tokens in a session: per audience (``token_sets``) and per federated
connection (``connection_token_sets``), in the official SDK's shape (protocol doc §4.4, §6.3).

Ours add ``obtained_at``, ``requested_scope`` when it is not the granted ``scope`` (an absent
one reads as ``scope``: the official SDK's sets never have it, and ours leave it out when it
would repeat ``scope``), and for a DPoP-bound token ``token_type`` (``"DPoP"``) and
``dpop_jkt`` (the thumbprint of the key it is bound to); the official SDK's sets lack them and
read as well, an absent ``token_type`` meaning a bearer token.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, overload

import attrs

from ..errors import InvalidRecordError
from ._wire import NO_EXTRA, Fields, readonly, to_wire

_NO_SCOPES: frozenset[str] = frozenset()


def scope_set(value: str | None) -> frozenset[str]:
    """The scopes of a space-separated scope string (None has none)."""
    return _parsed_scopes(value) if value else _NO_SCOPES


# Sessions repeat a handful of scope strings; the sets are immutable, so they are shared.
@functools.lru_cache(maxsize=256)
def _parsed_scopes(value: str) -> frozenset[str]:
    return frozenset(value.split())


@attrs.frozen(kw_only=True)
class TokenSet:
    """One access token for ``audience``, found again by the scope it was requested with.

    ``audience`` is None only in sets the official SDK stored after a refresh without an
    audience (protocol doc §4.4); such a set never answers a request. ``scope`` is what was
    granted. ``token_type`` is None for a bearer token, ``"DPoP"`` for a bound one, whose
    ``dpop_jkt`` names the key (None when the writer did not say).

    ``requested_scope`` is what the set was requested with: ``scope`` unless told otherwise
    (the official SDK's sets keep only the granted scope), None when the writer said nothing.
    It is stored only when it differs from ``scope``, so a set reads back equal to the one
    written. ``asked_scopes`` (the requested scopes; the granted ones for None) and
    ``granted_scopes`` are parsed once, when the record is built, so finding a set parses no
    stored scope.
    """

    audience: str | None
    access_token: str = attrs.field(repr=False)
    scope: str | None
    expires_at: int
    requested_scope: str | None = attrs.field(
        default=attrs.Factory(lambda self: self.scope, takes_self=True)
    )
    obtained_at: int | None = None
    token_type: str | None = None
    dpop_jkt: str | None = None
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)
    asked_scopes: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    granted_scopes: frozenset[str] = attrs.field(init=False, repr=False, eq=False)
    # What to_dict writes, when the set was read in the usual shape: a copy of the stored
    # object (every value a str, an int or None), never handed out itself.
    _wire: dict[str, Any] | None = attrs.field(init=False, default=None, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        granted = scope_set(self.scope)
        requested = self.requested_scope
        asked = granted if requested is None or requested == self.scope else scope_set(requested)
        object.__setattr__(self, "granted_scopes", granted)
        object.__setattr__(self, "asked_scopes", asked)

    @property
    def is_dpop(self) -> bool:
        """Whether the token is DPoP-bound (``token_type`` compared case-insensitively)."""
        return self.token_type is not None and self.token_type.lower() == "dpop"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TokenSet:
        """Raises: InvalidRecordError: ``data`` is not a token set."""
        return cls.read(Fields(data, "token set"))

    @classmethod
    def read(cls, fields: Fields) -> TokenSet:
        data = fields.data
        if type(data) is dict and _TOKEN_SET_KEYS.issuperset(data):
            token_set = cls._read_plain(data)
            if token_set is not None:
                return token_set
        scope = fields.optional_string("scope")
        return cls(
            audience=fields.optional_string("audience"),
            access_token=fields.string("access_token"),
            scope=scope,
            expires_at=fields.integer("expires_at"),
            requested_scope=(
                fields.optional_string("requested_scope")
                if "requested_scope" in fields.data
                else scope
            ),
            obtained_at=fields.optional_integer("obtained_at"),
            token_type=fields.optional_string("token_type"),
            dpop_jkt=fields.optional_string("dpop_jkt"),
            extra=fields.others(_TOKEN_SET_KEYS),
            key_order=fields.key_order(),
        )

    @classmethod
    def _read_plain(cls, data: dict[str, Any]) -> TokenSet | None:
        """The usual stored set (only members this SDK knows), checked in one pass: the very
        checks and values of :meth:`read`'s member-by-member reading, or None when a member
        fails them (:meth:`read` then names it)."""
        if not is_plain_token_set(data):
            return None
        get = data.get
        scope = get("scope")
        token_set = cls(
            audience=get("audience"),
            access_token=data["access_token"],
            scope=scope,
            expires_at=data["expires_at"],
            requested_scope=get("requested_scope", scope),  # absent: the scope
            obtained_at=get("obtained_at"),
            token_type=get("token_type"),
            dpop_jkt=get("dpop_jkt"),
            key_order=tuple(data),
        )
        object.__setattr__(token_set, "_wire", _plain_wire(data))
        return token_set

    def to_dict(self) -> dict[str, Any]:
        if self._wire is not None:
            return self._wire.copy()
        values: dict[str, Any] = {
            "audience": self.audience,
            "access_token": self.access_token,
            "scope": self.scope,
        }
        if self.requested_scope != self.scope:  # else it reads back as scope: left out
            values["requested_scope"] = self.requested_scope
        values["expires_at"] = self.expires_at
        values["obtained_at"] = self.obtained_at
        values["token_type"] = self.token_type
        values["dpop_jkt"] = self.dpop_jkt
        return to_wire(values, self.extra, self.key_order, _TOKEN_SET_OURS)


@attrs.frozen(kw_only=True)
class ConnectionTokenSet:
    """One Token Vault access token for ``connection`` and ``login_hint``.

    Its key order is the one both SDKs write as a dict; the official pydantic model's extra
    ``audience`` is kept among ``extra`` when present.
    """

    connection: str
    login_hint: str | None
    access_token: str = attrs.field(repr=False)
    scope: str | None
    expires_at: int
    obtained_at: int | None = None
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConnectionTokenSet:
        """Raises: InvalidRecordError: ``data`` is not a connection token set."""
        return cls.read(Fields(data, "connection token set"))

    @classmethod
    def read(cls, fields: Fields) -> ConnectionTokenSet:
        return cls(
            connection=fields.string("connection"),
            login_hint=fields.optional_string("login_hint"),
            access_token=fields.string("access_token"),
            scope=fields.optional_string("scope"),
            expires_at=fields.integer("expires_at"),
            obtained_at=fields.optional_integer("obtained_at"),
            extra=fields.others(_CONNECTION_KEYS),
            key_order=fields.key_order(),
        )

    def to_dict(self) -> dict[str, Any]:
        values = {
            "connection": self.connection,
            "login_hint": self.login_hint,
            "access_token": self.access_token,
            "scope": self.scope,
            "expires_at": self.expires_at,
            "obtained_at": self.obtained_at,
        }
        return to_wire(values, self.extra, self.key_order, _OURS)


def is_plain_token_set(data: dict[str, Any]) -> bool:
    """Whether ``data`` (a dict of known members only) holds a token set in the usual shape,
    with every member of the right type: what :meth:`TokenSet._read_plain` reads."""
    get = data.get
    # An absent member reads as None (an absent requested_scope as the scope: checked too).
    return (
        type(get("access_token")) is str
        and type(get("expires_at")) is int
        and type(get("audience")) in _TEXT_OR_NONE
        and type(get("scope")) in _TEXT_OR_NONE
        and type(get("requested_scope")) in _TEXT_OR_NONE
        and type(get("obtained_at")) in _INTEGER_OR_NONE
        and type(get("token_type")) in _TEXT_OR_NONE
        and type(get("dpop_jkt")) in _TEXT_OR_NONE
    )


_TEXT_OR_NONE = frozenset({str, type(None)})
_INTEGER_OR_NONE = frozenset({int, type(None)})  # not bool, which JSON keeps apart


def _plain_wire(data: dict[str, Any]) -> dict[str, Any]:
    """What ``to_dict`` writes for a set stored in the usual shape: a copy of it, without a
    ``requested_scope`` that repeats ``scope``."""
    wire = dict(data)
    if "requested_scope" in wire and wire["requested_scope"] == wire.get("scope"):
        del wire["requested_scope"]
    return wire


class StoredTokenSets(Sequence[TokenSet]):
    """A session's token sets as read from a store in the usual shape: every one checked when
    the session is read (:func:`is_plain_token_set`), but built into a :class:`TokenSet` only
    when a flow looks at it. A request reads one audience's set; a session may hold fifty.

    Immutable like the records: it keeps its own copies of the stored objects and hands out
    only new dicts (:func:`token_set_dicts`) and the sets it builds (each built once; two
    threads racing build equal sets, either one kept).
    """

    __slots__ = ("_built", "_stored")

    def __init__(self, stored: Iterable[dict[str, Any]], *, owned: bool = False) -> None:
        """``stored``: token set objects for which :func:`is_plain_token_set` holds; kept as
        they are when ``owned`` (nobody else holds them), else copied."""
        self._stored = tuple(stored) if owned else tuple(map(dict, stored))
        self._built: list[TokenSet | None] = [None] * len(self._stored)

    def __len__(self) -> int:
        return len(self._stored)

    @overload
    def __getitem__(self, index: int) -> TokenSet: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[TokenSet, ...]: ...

    def __getitem__(self, index: int | slice) -> TokenSet | tuple[TokenSet, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        built = self._built[index]
        if built is None:
            built = TokenSet._read_plain(self._stored[index])
            if built is None:  # cannot happen: every stored set was checked on the way in
                raise InvalidRecordError("token set", "token_sets", "is not a token set")
            self._built[index] = built
        return built

    def __iter__(self) -> Iterator[TokenSet]:
        for index in range(len(self._stored)):
            yield self[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, StoredTokenSets | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def audiences(self) -> list[str | None]:
        """Each set's audience, in order, without building any set."""
        return list(map(_AUDIENCE_OF, self._stored))

    def dicts(self) -> list[dict[str, Any]]:
        """What each set's ``to_dict`` returns, without building any set."""
        stored = self._stored
        if not any(map(operator.contains, stored, _REQUESTED_SCOPE)):  # the usual sets
            return list(map(dict.copy, stored))
        return [_plain_wire(item) for item in stored]


_AUDIENCE_OF = operator.methodcaller("get", "audience")
_REQUESTED_SCOPE = itertools.repeat("requested_scope")


def token_set_dicts(token_sets: Sequence[TokenSet]) -> list[dict[str, Any]]:
    """The stored objects of ``token_sets`` (new dicts, the caller's own)."""
    if type(token_sets) is StoredTokenSets:  # not isinstance: an ABC's check costs more
        return token_sets.dicts()
    return [token_set.to_dict() for token_set in token_sets]


_OURS = frozenset({"obtained_at"})
# A bearer token's set is written without the DPoP members, as before they existed. Its
# requested_scope is written when it is not the scope, even as null (None reads back as None).
_TOKEN_SET_OURS = _OURS | {"token_type", "dpop_jkt"}
_TOKEN_SET_KEYS = frozenset(
    {
        "audience",
        "access_token",
        "scope",
        "expires_at",
        "requested_scope",
        "obtained_at",
        "token_type",
        "dpop_jkt",
    }
)
_CONNECTION_KEYS = frozenset(
    {"connection", "login_hint", "access_token", "scope", "expires_at", "obtained_at"}
)
