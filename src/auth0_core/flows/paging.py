"""Walking every page of a cursor-paged list (the My Account API's ``take``/``from``/``next``).

A :class:`PageWalk` hands the facade one flow per page; the facade runs them in turn and
yields the items (``for`` on the sync facade, ``async for`` on the async one), so the caller
never touches ``next``. A server that answers a cursor it already gave would page forever: the
walk yields that page's items, then raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from .._effects import Flow
from ..errors import InvalidResponse

I = TypeVar("I")  # noqa: E741 - the item type
P = TypeVar("P", bound="_Page")


class _Page(Protocol):
    @property
    def next(self) -> str | None: ...


class PageWalk(Generic[P, I]):
    """The pages of one list, from the first until one has no ``next`` or no items.

    ``fetch(cursor)`` is the flow of the page at ``cursor`` (None: the first page);
    ``items(page)`` its items.
    """

    def __init__(
        self, fetch: Callable[[str | None], Flow[P]], items: Callable[[P], list[I]]
    ) -> None:
        self._fetch = fetch
        self._items = items
        self._cursor: str | None = None
        self._used: set[str] = set()
        self._done = False
        self._repeated = False

    def next_page(self) -> Flow[list[I]] | None:
        """The flow of the next page's items, or None when the walk is over.

        Raises (from the flow):
            InvalidResponse: the previous page's ``next`` was a cursor already followed.
        """
        if self._done:
            return None
        return self._page_flow()

    def _page_flow(self) -> Flow[list[I]]:
        if self._repeated:
            self._done = True
            raise InvalidResponse(
                "the API answered a page cursor it had already given: stopped paging"
            )
        page = yield from self._fetch(self._cursor)
        items = self._items(page)
        cursor = page.next
        if cursor is None or not items:
            self._done = True
        elif cursor in self._used:
            self._repeated = True
        else:
            self._used.add(cursor)
            self._cursor = cursor
        return items
