"""Per-request memory: what one request already worked out, for as long as that request lives.

A web request often reads the session several times (``get_user``, ``get_session``,
``get_access_token``); with a cookie store each read would decrypt the same cookie again.
:class:`RequestMemo` remembers values per request **object** (by identity, through a weak
reference: never by equality, so two requests never share an entry, even when they compare
equal or carry the same cookies) and drops them when the request object goes away. Objects that
cannot be weakly referenced get no memory at all (every read does the work, as before).

Values are only as safe to share as what is stored: callers keep immutable data in it (bytes,
tuples) and build fresh objects from it per read.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Hashable
from typing import Any

# Per request; a request that keeps seeing new values (a script reusing one request object
# while changing its cookies) starts over rather than growing without bound.
_MAX_ENTRIES_PER_REQUEST = 8


class RequestMemo:
    """Values remembered per live request object, keyed by ``key`` within each request.

    Thread-safe under the GIL: every step is a single dict operation, and a lost race only
    costs the work being done again.
    """

    __slots__ = ("__weakref__", "_itself", "_requests")

    def __init__(self) -> None:
        self._requests: dict[int, tuple[weakref.ref[Any], dict[Hashable, Any]]] = {}
        # What drop callbacks hold: the memo must not be kept alive by the requests' refs.
        self._itself = weakref.ref(self)

    def get(self, request: object, key: Hashable) -> Any | None:
        """What was remembered for ``key`` during ``request``, else None."""
        entry = self._requests.get(id(request))
        if entry is None or entry[0]() is not request:
            return None
        return entry[1].get(key)

    def put(self, request: object, key: Hashable, value: Any) -> None:
        """Remember ``value`` (not None) for ``key`` until ``request`` is gone or forgotten."""
        entry = self._requests.get(id(request))
        if entry is None or entry[0]() is not request:
            try:
                ref = weakref.ref(request, self._dropper(id(request)))
            except TypeError:  # not weakly referenceable: no memory for this request
                return
            entry = (ref, {})
            self._requests[id(request)] = entry
        values = entry[1]
        if len(values) >= _MAX_ENTRIES_PER_REQUEST:
            values.clear()
        values[key] = value

    def forget(self, request: object) -> None:
        """Drop everything remembered for ``request`` (it wrote something new)."""
        entry = self._requests.get(id(request))
        if entry is not None and entry[0]() is request:
            self._requests.pop(id(request), None)

    def __len__(self) -> int:
        """How many requests have something remembered (for tests)."""
        return len(self._requests)

    def _dropper(self, key: int) -> Any:
        # The callback must not keep the memo alive (stores live long, requests do not).
        return functools.partial(_drop, self._itself, key)


def _drop(memo: weakref.ref[RequestMemo], key: int, ref: weakref.ref[Any]) -> None:
    """Forget the request that ``ref`` pointed to (it is gone), unless a newer request with
    the same id took its place."""
    owner = memo()
    if owner is None:
        return
    entry = owner._requests.get(key)
    if entry is not None and entry[0] is ref:
        owner._requests.pop(key, None)


__all__ = ["RequestMemo"]
