"""What both drivers' single-flight share: the short memory of successful shared responses.

The in-flight coordination itself (a lock and a future, or an anyio event) is the adapter's;
this part needs no concurrency primitive and takes the time as an argument.
"""

from __future__ import annotations

from collections import OrderedDict

from ._http import HttpResponse

# Long enough to cover callers that read the session before the winner wrote it back, short
# enough that a response is never mistaken for a fresh one much later.
DEFAULT_WINDOW = 30
MAX_REMEMBERED = 1024


class RecentResponses:
    """Successful responses by key, each kept ``window`` seconds (bounded, oldest dropped)."""

    def __init__(self, window: int = DEFAULT_WINDOW, max_entries: int = MAX_REMEMBERED) -> None:
        self.window = window
        self.max_entries = max_entries
        self._entries: OrderedDict[str, tuple[HttpResponse, float]] = OrderedDict()

    def get(self, key: str, now: float) -> HttpResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if now >= entry[1]:
            del self._entries[key]
            return None
        return entry[0]

    def remember(self, key: str, response: HttpResponse, now: float) -> None:
        """Keep ``response`` if it succeeded; errors are never replayed to later callers."""
        if not 200 <= response.status < 300:
            return
        self._entries[key] = (response, now + self.window)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
