"""The options, results and stored record of ``server_client.anonymous`` and of Enterprise
Connect, under the names ``auth0_server_python.auth_types`` (1.0.0b20) gives them
(docs/anonymous-and-enterprise.md).

The anonymous session is kept in its own store as a plain dict of exactly the shape the
official SDK writes (:class:`AnonymousSessionContext`); tokens never appear in a repr.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._options import StartInteractiveLoginOptions


def _optional_int(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value


def _optional_str(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected text")
    return value


def _optional_object(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError("expected an object")
    return dict(value)


@attrs.frozen(kw_only=True)
class CreateAnonymousSessionOptions:
    """Options of ``anonymous.create_session``: the API (``audience``), ``scope`` and the
    ``metadata`` (a JSON object of at most 1 KB, fixed at creation). Also accepted as a dict
    with exactly these keys."""

    audience: str | None = None
    scope: str | None = None
    metadata: Mapping[str, Any] | None = None


@attrs.frozen(kw_only=True)
class AnonymousSession:
    """What ``create_session`` and ``get_token`` return: the access token (hidden in the
    repr), its expiry, the anonymous session's expiry, its metadata, its ``anon@...``
    subject and the scope granted."""

    access_token: str = attrs.field(repr=False)
    expires_at: int
    session_expires_at: int | None = None
    metadata: dict[str, Any] | None = None
    sub: str | None = None
    scope: str | None = None

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict (the official model's ``model_dump``)."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class AnonymousSessionData:
    """What ``anonymous.get_session`` returns: the stored identity, without any token."""

    created_at: int
    sub: str | None = None
    metadata: dict[str, Any] | None = None
    session_expires_at: int | None = None
    domain: str | None = None

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict (the official model's ``model_dump``)."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class AnonymousTokenResponse:
    """An answer of ``POST /anonymous/token`` (re-minting: ``session_token`` may be absent)."""

    access_token: str = attrs.field(repr=False, converter=_str)
    expires_in: int = attrs.field(converter=_int)
    token_type: str = attrs.field(default="Bearer", converter=_str)
    session_expires_in: int | None = attrs.field(default=None, converter=_optional_int)
    session_token: str | None = attrs.field(default=None, repr=False, converter=_optional_str)
    scope: str | None = attrs.field(default=None, converter=_optional_str)


@attrs.frozen(kw_only=True)
class AnonymousCreateTokenResponse(AnonymousTokenResponse):
    """The answer of ``POST /anonymous/token`` creating a session: ``session_token`` is
    required."""

    def __attrs_post_init__(self) -> None:
        if not self.session_token:
            raise TypeError("session_token is required")


@attrs.frozen(kw_only=True)
class AnonymousTransferTokenResponse:
    """The answer of ``POST /anonymous/token`` for ``audience=urn:auth0:anon_transfer``: the
    one-time ticket a login carries as ``anon_transfer_token``."""

    anon_transfer_token: str = attrs.field(repr=False, converter=_str)
    token_type: str | None = attrs.field(default=None, converter=_optional_str)
    expires_in: int | None = attrs.field(default=None, converter=_optional_int)


@attrs.frozen(kw_only=True)
class AnonymousTokenSetEntry:
    """One cached access token of the anonymous session, for an (audience, scope) pair as
    asked; ``granted_scope`` is what the tenant granted."""

    access_token: str = attrs.field(repr=False, converter=_str)
    expires_at: int = attrs.field(converter=_int)
    audience: str | None = attrs.field(default=None, converter=_optional_str)
    scope: str | None = attrs.field(default=None, converter=_optional_str)
    granted_scope: str | None = attrs.field(default=None, converter=_optional_str)


@attrs.frozen(kw_only=True)
class AnonymousSessionContext:
    """The stored anonymous session (``_a0_anon`` in the anonymous store): the tenant's
    ``session_token`` (hidden in the repr), the cached token sets, the session's expiry, the
    metadata, when it was created, the domain it belongs to and its subject.

    :meth:`from_dict` refuses any other key or a value of a wrong type, as the official model
    does (``extra="forbid"``); :meth:`to_dict` is the official ``model_dump()`` shape.
    """

    session_token: str = attrs.field(repr=False, converter=_str)
    created_at: int = attrs.field(converter=_int)
    token_sets: tuple[AnonymousTokenSetEntry, ...] = ()
    session_expires_at: int | None = attrs.field(default=None, converter=_optional_int)
    metadata: dict[str, Any] | None = attrs.field(default=None, converter=_optional_object)
    domain: str | None = attrs.field(default=None, converter=_optional_str)
    sub: str | None = attrs.field(default=None, converter=_optional_str)

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> AnonymousSessionContext:
        """Parse a stored record.

        Raises:
            TypeError, ValueError: an unknown key, a missing one, or a value of a wrong type.
        """
        fields = {field.name for field in attrs.fields(cls)}
        if not isinstance(value, Mapping) or not fields.issuperset(value):
            raise ValueError("not an anonymous session record")
        items = dict(value)
        sets = items.pop("token_sets", [])
        if not isinstance(sets, list | tuple):
            raise TypeError("token_sets must be a list")
        entries = []
        entry_fields = {field.name for field in attrs.fields(AnonymousTokenSetEntry)}
        for entry in sets:
            if not isinstance(entry, Mapping) or not entry_fields.issuperset(entry):
                raise ValueError("not a token set entry")
            entries.append(AnonymousTokenSetEntry(**entry))
        return cls(token_sets=tuple(entries), **items)

    def to_dict(self) -> dict[str, Any]:
        """The record as stored: the official ``AnonymousSessionContext.model_dump()``."""
        return {
            "session_token": self.session_token,
            "token_sets": [attrs.asdict(entry) for entry in self.token_sets],
            "session_expires_at": self.session_expires_at,
            "metadata": None if self.metadata is None else dict(self.metadata),
            "created_at": self.created_at,
            "domain": self.domain,
            "sub": self.sub,
        }


@attrs.frozen(kw_only=True)
class StartEnterpriseLoginOptions(StartInteractiveLoginOptions):
    """Options of ``start_enterprise_login``: those of ``start_interactive_login`` plus the
    user's ``email``, whose domain is looked up with WebFinger and which is sent as
    ``login_hint``."""

    email: str | None = None


__all__ = [
    "AnonymousCreateTokenResponse",
    "AnonymousSession",
    "AnonymousSessionContext",
    "AnonymousSessionData",
    "AnonymousTokenResponse",
    "AnonymousTokenSetEntry",
    "AnonymousTransferTokenResponse",
    "CreateAnonymousSessionOptions",
    "StartEnterpriseLoginOptions",
]
