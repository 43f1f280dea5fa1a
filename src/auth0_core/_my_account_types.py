"""The results of the My Account API's connected-accounts calls (protocol doc §7), with the
official SDK's class and member names; ``to_dict()`` (alias ``model_dump()``, as on the
official pydantic models) gives the API's JSON members."""

from __future__ import annotations

from typing import Any

import attrs


class _AsDict:
    """``to_dict()`` and its alias ``model_dump()`` for the attrs results below."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The result as the API's JSON members."""
        return attrs.asdict(self, recurse=True)  # type: ignore[arg-type]

    model_dump = to_dict  # the official SDK's results are pydantic models


@attrs.frozen(kw_only=True)
class ConnectedAccount(_AsDict):
    """An upstream account the user connected; ``org_id`` only for organization accounts."""

    id: str
    connection: str
    access_type: str
    scopes: list[str]
    created_at: str
    expires_at: str | None = None
    org_id: str | None = None


@attrs.frozen(kw_only=True)
class CompleteConnectAccountResponse(ConnectedAccount):
    """The account just connected, with the ``app_state`` given to ``start_connect_account``."""

    app_state: Any = None


@attrs.frozen(kw_only=True)
class ConnectedAccountConnection(_AsDict):
    """A connection the user may connect an account at."""

    name: str
    strategy: str
    scopes: list[str] | None = None


@attrs.frozen(kw_only=True)
class ListConnectedAccountsResponse(_AsDict):
    """One page of accounts; ``next`` is the cursor of the following page (None: the last)."""

    accounts: list[ConnectedAccount]
    next: str | None = None


@attrs.frozen(kw_only=True)
class ListConnectedAccountConnectionsResponse(_AsDict):
    """One page of connections; ``next`` as for accounts."""

    connections: list[ConnectedAccountConnection]
    next: str | None = None


@attrs.frozen(kw_only=True)
class ConnectAccountResponse:
    """The ``connect`` answer: where to send the browser, and the session to complete."""

    connect_uri: str
    auth_session: str = attrs.field(repr=False)
    ticket: str = attrs.field(repr=False)
    expires_in: int
