"""The results of the My Account API's connected-accounts calls (protocol doc §7), with the
official SDK's class and member names; ``to_dict()`` (alias ``model_dump()``, as on the
official pydantic models) gives the API's JSON members."""

from __future__ import annotations

from typing import Any

import attrs


def _dump(instance: Any) -> dict[str, Any]:
    return attrs.asdict(instance, recurse=True)


@attrs.frozen(kw_only=True)
class ConnectedAccount:
    """An upstream account the user connected; ``org_id`` only for organization accounts."""

    id: str
    connection: str
    access_type: str
    scopes: list[str]
    created_at: str
    expires_at: str | None = None
    org_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The account as the API's JSON members."""
        return _dump(self)

    model_dump = to_dict  # the official SDK's results are pydantic models


@attrs.frozen(kw_only=True)
class CompleteConnectAccountResponse(ConnectedAccount):
    """The account just connected, with the ``app_state`` given to ``start_connect_account``."""

    app_state: Any = None


@attrs.frozen(kw_only=True)
class ConnectedAccountConnection:
    """A connection the user may connect an account at."""

    name: str
    strategy: str
    scopes: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The connection as the API's JSON members."""
        return _dump(self)

    model_dump = to_dict


@attrs.frozen(kw_only=True)
class ListConnectedAccountsResponse:
    """One page of accounts; ``next`` is the cursor of the following page (None: the last)."""

    accounts: list[ConnectedAccount]
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The page as the API's JSON members."""
        return _dump(self)

    model_dump = to_dict


@attrs.frozen(kw_only=True)
class ListConnectedAccountConnectionsResponse:
    """One page of connections; ``next`` as for accounts."""

    connections: list[ConnectedAccountConnection]
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The page as the API's JSON members."""
        return _dump(self)

    model_dump = to_dict


@attrs.frozen(kw_only=True)
class ConnectAccountResponse:
    """The ``connect`` answer: where to send the browser, and the session to complete."""

    connect_uri: str
    auth_session: str = attrs.field(repr=False)
    ticket: str = attrs.field(repr=False)
    expires_in: int
