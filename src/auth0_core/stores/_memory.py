"""In-process stores: the default when no store is configured.

They live in one Python process only: an app served by several processes or hosts needs a
shared store (Redis). Values are kept as JSON text and ``get`` parses a fresh dict, so a caller
mutating a returned dict never changes what is stored, and records past their expiry read as
absent.

The SDK's own reads take a faster path (``get_record``): each entry also keeps the immutable
record the reader parsed it into (a frozen :class:`~auth0_core.records.Session`), built once
per write from the entry's own JSON text, so a read is a dict lookup and an expiry check. The
record is never mutable through what it hands out (its ``to_dict``/``user_dict`` are deep
copies), and a write replaces the entry, memo and all.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, TypeVar

from .._effects import StoreOptions
from ..errors import (
    ConfigurationError,
    InvalidArgumentError,
    InvalidRecordError,
    MissingStoreOptionsError,
)
from ._common import cookie_attributes, delete_cookie, expires_at
from ._web import optional_cookies, optional_exchange

# A session id is 128 random bits, URL-safe (22 characters).
_SID_BYTES = 16
_DEFAULT_LIFETIME = 3 * 24 * 3600
# How long a deleted session's key is remembered, so that an update still in flight (a
# refresh that read the session before a logout deleted it) cannot write it back: longer
# than any one call (call_timeout is 30 s by default).
_GONE_FOR = 3600

R = TypeVar("R")


Tags = Callable[[Mapping[str, Any]], tuple[Hashable, ...]]


class _Entry:
    """One stored value: its JSON text, its expiry, what it is indexed by, and the record
    last parsed from it."""

    __slots__ = ("expires", "parsed", "tags", "text")

    def __init__(self, text: str, expires: int | None, tags: tuple[Hashable, ...]) -> None:
        self.text = text
        self.expires = expires
        self.tags = tags
        # (parser, record): only ever parse(json.loads(self.text)), so nobody else holds any
        # part of it; set once, racing readers at worst both parse and keep an equal record.
        self.parsed: tuple[Callable[[Any], Any], Any] | None = None


class _Table:
    """A bounded, thread-safe dict of JSON records with expiry; the oldest write is evicted.

    Records are kept as JSON text: that copies them in and out (no caller can change a stored
    record through a returned one) five times faster than ``copy.deepcopy``, and it refuses
    a value that a cookie or a shared store could not hold either. :meth:`get_record` parses
    an entry's text once for the SDK's own reads and keeps the immutable result with it.

    ``tags`` (optional) names what each value is indexed by, so that :meth:`delete_tagged`
    finds the entries of a tag without looking at any other.
    """

    def __init__(
        self, clock: Callable[[], float], max_entries: int, tags: Tags | None = None
    ) -> None:
        # An int only: nan or inf would pass "< 1", and "len > nan" never trips (no bound).
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ConfigurationError("max_entries must be a whole number, at least 1.")
        self._clock = clock
        self._max = max_entries
        self._tags = tags
        self._data: OrderedDict[Any, _Entry] = OrderedDict()
        # Keys deleted on purpose (logout), with when: see update(). Bounded like the data.
        self._gone: OrderedDict[Any, float] = OrderedDict()
        self._index: dict[Hashable, set[Any]] = {}  # tag -> keys of the entries that have it
        self._lock = threading.Lock()  # the sync adapter may serve requests from threads

    def _live(self, key: Any) -> _Entry | None:
        with self._lock:
            entry = self._data.get(key)
            if entry is None:
                return None
            if self._expired(entry):
                self._drop(key)
                return None
        return entry

    def _expired(self, entry: _Entry) -> bool:
        return entry.expires is not None and self._clock() >= entry.expires

    def _drop(self, key: Any) -> None:
        """Remove ``key``'s entry and its index entries (the lock held)."""
        entry = self._data.pop(key, None)
        if entry is None:
            return
        for tag in entry.tags:
            keys = self._index.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._index[tag]

    def has(self, key: Any) -> bool:
        return self._live(key) is not None

    def get(self, key: Any) -> dict[str, Any] | None:
        entry = self._live(key)
        if entry is None:
            return None
        value: dict[str, Any] = json.loads(entry.text)
        return value

    def get_record(
        self, key: Any, parse: Callable[[dict[str, Any]], R]
    ) -> R | dict[str, Any] | None:
        """``parse`` of the stored value, parsed once per write; the value itself (a fresh
        dict) when ``parse`` refuses it (InvalidRecordError), for the reader to report."""
        entry = self._live(key)
        if entry is None:
            return None
        parsed = entry.parsed
        if parsed is not None and parsed[0] == parse:  # a classmethod is a new object each time
            record: R = parsed[1]
            return record
        value: dict[str, Any] = json.loads(entry.text)
        try:
            record = parse(value)
        except InvalidRecordError:
            return value  # parsing reads, never changes, its input
        entry.parsed = (parse, record)
        return record

    def set(self, key: Any, value: Mapping[str, Any]) -> None:
        stored = self._entry(value)
        with self._lock:
            self._put(key, stored)

    def _entry(self, value: Mapping[str, Any]) -> _Entry:
        try:
            text = json.dumps(dict(value))
        except (TypeError, ValueError):
            raise InvalidArgumentError("state", "store values must be JSON objects.") from None
        return _Entry(text, expires_at(value), self._tags(value) if self._tags else ())

    def _put(self, key: Any, stored: _Entry) -> None:
        """(the lock held) Store ``stored`` under ``key``, evicting the oldest past the bound."""
        self._drop(key)
        self._data[key] = stored
        for tag in stored.tags:
            self._index.setdefault(tag, set()).add(key)
        while len(self._data) > self._max:
            self._drop(next(iter(self._data)))  # the oldest write

    def update(self, key: Any, value: Mapping[str, Any]) -> str:
        """:meth:`set` for an entry that must still be there, in one step under the lock:
        ``"updated"``; ``"gone"`` when ``key`` was deleted on purpose lately (:meth:`forget`,
        :meth:`delete_tagged`), which an update must not undo; ``"absent"`` otherwise."""
        stored = self._entry(value)
        with self._lock:
            if key in self._gone:
                return "gone"
            present = self._data.get(key)
            if present is None or self._expired(present):
                return "absent"
            self._put(key, stored)
        return "updated"

    def delete(self, key: Any) -> None:
        with self._lock:
            self._drop(key)

    def forget(self, key: Any) -> None:
        """Delete ``key``'s entry and remember, for a while, that it was deleted."""
        with self._lock:
            self._drop(key)
            self._remember_gone(key)

    def delete_tagged(self, tag: Hashable, match: Callable[[dict[str, Any]], bool]) -> int:
        """Delete (and :meth:`forget`) the entries indexed by ``tag`` whose value ``match``
        accepts; how many. Only those entries are read, however many others there are."""
        with self._lock:
            tagged = list(self._index.get(tag, ()))
            doomed = [key for key in tagged if match(json.loads(self._data[key].text))]
            for key in doomed:
                self._drop(key)
                self._remember_gone(key)
        return len(doomed)

    def _remember_gone(self, key: Any) -> None:
        """(the lock held) Note ``key`` as deleted; forget the oldest notes past the bound
        or past :data:`_GONE_FOR`."""
        now = self._clock()
        self._gone.pop(key, None)
        self._gone[key] = now
        while self._gone and (
            len(self._gone) > self._max or next(iter(self._gone.values())) <= now - _GONE_FOR
        ):
            self._gone.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


class MemoryTransactionStore:
    """Login transactions in a dict, keyed by identifier (which embeds the random ``state``).

    Honours a top-level ``expires_at`` (Unix seconds). Single-process only.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.time, max_entries: int = 10_000
    ) -> None:
        """Create an empty store.

        Raises:
            ConfigurationError: ``max_entries`` is not a whole number of at least 1.
        """
        self._table = _Table(clock, max_entries)

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """A copy of the transaction, or None when absent or expired."""
        return self._table.get(identifier)

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Store a copy of the transaction (evicting the oldest when full)."""
        self._table.set(identifier, state)

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget the transaction."""
        self._table.delete(identifier)


class MemoryStateStore:
    """Sessions in a dict. Single-process only.

    Without a request/response in ``options`` the session is keyed by the identifier alone,
    so there is one session per process (scripts, tests). With a request/response pair, each
    browser gets a random 128-bit session id in a cookie named after the identifier; an absent
    or unknown id is never adopted (a new one is issued on write), and a login
    (``remove_if_expires=True``) always rotates the id against session fixation. A session
    deleted by a logout or a back-channel logout stays deleted: an update on its way (a
    refresh that read it before) does not write it back.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.time,
        max_entries: int = 10_000,
        secure: bool = True,
        path: str = "/",
        same_site: str = "Lax",
        domain: str | None = None,
    ) -> None:
        """Create an empty store; ``secure=False`` only for plain-http development.

        Raises:
            ConfigurationError: ``max_entries`` is not a whole number of at least 1, or invalid
                cookie attributes (CR, LF or ``;`` in ``path``/``domain``, an unknown
                ``same_site``).
        """
        self._clock = clock
        self._table = _Table(clock, max_entries, tags=_session_tags)
        self._cookie = cookie_attributes(
            path=path, secure=secure, same_site=same_site, domain=domain
        )

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """A copy of this browser's session, or None when absent or expired.

        A request alone (no response) is enough to read: it names the browser. Only a call
        with no request at all reads the one per-process session.
        """
        cookies = optional_cookies(options)
        if cookies is None:
            return self._table.get((identifier, None))
        sid = cookies.get(identifier)
        return self._table.get((identifier, sid)) if sid else None

    def get_record(
        self,
        identifier: str,
        parse: Callable[[dict[str, Any]], R],
        options: StoreOptions = None,
    ) -> R | dict[str, Any] | None:
        """What :meth:`get` reads, as ``parse`` makes it: the SDK's own fast read.

        The record is parsed once per write and kept with the entry, so it must be immutable
        (the SDK's records are). A value ``parse`` refuses comes back as the dict :meth:`get`
        returns, so the reader handles it as it handles any store's; None when absent.
        """
        cookies = optional_cookies(options)
        if cookies is None:
            return self._table.get_record((identifier, None), parse)
        sid = cookies.get(identifier)
        return self._table.get_record((identifier, sid), parse) if sid else None

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Store a copy of the session; with a request/response, (re)issue the id cookie."""
        exchange = optional_exchange(options)
        if exchange is None:
            if optional_cookies(options) is not None:
                # A browser's request without a response to set its cookie on: never fall
                # back to the per-process session, which belongs to no browser.
                raise MissingStoreOptionsError(
                    type(self).__name__, "options['response'] with set_cookie/delete_cookie"
                )
            self._table.set((identifier, None), state)
            return
        cookies, response = exchange
        sid = cookies.get(identifier)
        if sid and not remove_if_expires:
            outcome = self._table.update((identifier, sid), state)
            if outcome == "updated":
                response.set_cookie(identifier, sid, max_age=self._max_age(state), **self._cookie)
                return
            if outcome == "gone":
                # Logged out (or out by back-channel) while this update was on its way, a
                # refresh say: the session stays ended.
                delete_cookie(response, identifier, self._cookie)
                return
        # A login, a first session, or an unknown id (never adopted): a new id, against
        # session fixation.
        if sid:
            self._table.forget((identifier, sid))
        sid = secrets.token_urlsafe(_SID_BYTES)
        self._table.set((identifier, sid), state)
        response.set_cookie(identifier, sid, max_age=self._max_age(state), **self._cookie)

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Forget this browser's session and clear its id cookie."""
        cookies = optional_cookies(options)
        if cookies is None:
            self._table.delete((identifier, None))
            return
        sid = cookies.get(identifier)
        if sid:
            self._table.forget((identifier, sid))
            exchange = optional_exchange(options)
            if exchange is not None:
                delete_cookie(exchange[1], identifier, self._cookie)

    def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Delete every session the logout token names.

        Matches ``internal.sid == claims["sid"]`` when the token has a ``sid``, else
        ``user.sub == claims["sub"]``; with ``iss`` present, only sessions whose ``user.iss``
        equals it. A token naming neither deletes nothing.
        """
        tag = _logout_tag(claims)
        if tag is not None:
            self._table.delete_tagged(tag, lambda session: session_matches(session, claims))

    def _max_age(self, state: Mapping[str, Any]) -> int:
        deadline = expires_at(state)
        if deadline is None:
            return _DEFAULT_LIFETIME
        return max(0, int(deadline - self._clock()))


class ClaimTable:
    """Identifiers recorded until their expiry, each claimable once: a replay cache for one
    process (a shared store's ``claim`` serves many). Bounded: past ``max_entries`` the
    entries closest to expiry go first."""

    def __init__(self, clock: Callable[[], float], max_entries: int = 100_000) -> None:
        self._clock = clock
        self._max = max_entries
        self._until: dict[str, int] = {}
        self._lock = threading.Lock()

    def claim(self, identifier: str, expires_at: int) -> bool:
        """True when ``identifier`` was not recorded (or its record expired): now it is."""
        now = self._clock()
        with self._lock:
            until = self._until.get(identifier)
            if until is not None and now < until:
                return False
            if len(self._until) >= self._max:
                live = {k: v for k, v in self._until.items() if now < v}
                while len(live) >= self._max:
                    del live[min(live, key=live.__getitem__)]
                self._until = live
            self._until[identifier] = expires_at
            return True


def session_matches(session: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether a back-channel logout token's ``sid``/``sub``/``iss`` names ``session``: its
    ``sid`` when it has one (the session's ``internal.sid``), else its ``sub`` (the session's
    ``user.sub``), and with an ``iss``, only a session whose ``user.iss`` is that."""
    iss = claims.get("iss")
    if iss:
        user = session.get("user")
        if not isinstance(user, Mapping) or user.get("iss") != iss:
            return False
    tag = _logout_tag(claims)
    return tag is not None and tag in _session_tags(session)


def _logout_tag(claims: Mapping[str, Any]) -> tuple[str, str] | None:
    """What a logout token names sessions by: ``("sid", sid)``, else ``("sub", sub)``."""
    sid, sub = claims.get("sid"), claims.get("sub")
    if isinstance(sid, str) and sid:
        return ("sid", sid)
    if isinstance(sub, str) and sub:
        return ("sub", sub)
    return None


def _session_tags(session: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """What a logout token can name ``session`` by (the memory store's index)."""
    internal, user = session.get("internal"), session.get("user")
    sid = internal.get("sid") if isinstance(internal, Mapping) else None
    sub = user.get("sub") if isinstance(user, Mapping) else None
    tags = (("sid", sid),) if isinstance(sid, str) and sid else ()
    return (*tags, ("sub", sub)) if isinstance(sub, str) and sub else tags


__all__ = ["ClaimTable", "MemoryStateStore", "MemoryTransactionStore", "session_matches"]
