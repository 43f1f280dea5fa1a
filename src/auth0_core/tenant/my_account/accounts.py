"""Listing and deleting connected accounts, listing connectable connections (protocol doc
7.4, 7.5).

Lists are paged: ``take`` (1-20, default 10) items after the ``from`` cursor, and ``next`` while
more follow. With the ``repeat_next_cursor`` setting a page fetched with a cursor answers that
same cursor as ``next``: a server stuck on one page, for testing client iterators.
"""

from __future__ import annotations

from typing import Any

from ..._http import HttpResponse
from ..params import Incoming
from ..responses import json_ok
from ..state import TenantState
from ..vault import AccountRecord
from .access import DELETE, READ, Caller, requires
from .paging import decode_cursor, encode_cursor, page_of
from .problems import field_error, invalid, reject
from .validation import ACCOUNT_ID, PageQuery, check_page_query


def _listing(
    state: TenantState, member: str, query: PageQuery, items: list[Any], next_cursor: str | None
) -> HttpResponse:
    if state.settings.repeat_next_cursor and query.cursor is not None:
        next_cursor = query.cursor
    value: dict[str, Any] = {member: items}
    if next_cursor is not None:
        value["next"] = next_cursor
    return json_ok(200, value)


@requires(READ)
def list_accounts(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``GET /me/v1/connected-accounts/accounts?connection=&from=&take=``."""
    query = check_page_query(incoming.query, connection_filter=True)
    after = decode_cursor(state.secret, "accounts", query.cursor) if query.cursor else 0
    accounts = state.vault.accounts(caller.user_id, query.connections)

    def position(account: AccountRecord) -> int:
        return account.seq

    def cursor_for(seq: int) -> str:
        return encode_cursor(state.secret, "accounts", seq)

    page, next_cursor = page_of(
        accounts, position, after=after, take=query.take, cursor_for=cursor_for
    )
    return _listing(state, "accounts", query, [a.as_json() for a in page], next_cursor)


@requires(READ)
def list_connections(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``GET /me/v1/connected-accounts/connections?from=&take=``: what may be connected."""
    del caller  # the same list for every user
    query = check_page_query(incoming.query, connection_filter=False)
    after = decode_cursor(state.secret, "connections", query.cursor) if query.cursor else 0
    # Positions count from 1, so "after 0" is the first page.
    numbered = list(enumerate(state.config.connected_account_connections, start=1))

    def cursor_for(index: int) -> str:
        return encode_cursor(state.secret, "connections", index)

    page, next_cursor = page_of(
        numbered, lambda pair: pair[0], after=after, take=query.take, cursor_for=cursor_for
    )
    connections = [
        {"name": c.name, "strategy": c.strategy, "scopes": list(c.scopes)} for _, c in page
    ]
    return _listing(state, "connections", query, connections, next_cursor)


@requires(DELETE)
def delete_account(state: TenantState, incoming: Incoming, caller: Caller) -> HttpResponse:
    """``DELETE /me/v1/connected-accounts/accounts/{id}``: 204, and the Token Vault forgets it."""
    account_id = incoming.path_params["id"]
    if not ACCOUNT_ID.fullmatch(account_id):
        raise invalid([field_error("must match pattern ^cac_[A-Za-z0-9]+$", "id", "path")])
    if not state.vault.delete(caller.user_id, account_id):
        raise reject(404, f"Connected account not found: {account_id}")
    return HttpResponse(status=204, headers=(("Cache-Control", "no-store"),))
