"""The Connected Accounts transaction: what ``complete_connect_account`` needs from the
``start_connect_account`` that sent the browser to the upstream provider (protocol doc §7.2).

It carries the official SDK's members (``code_verifier``, ``app_state``, ``auth_session``,
``redirect_uri``) plus ours: the flow's name, so a login callback is never completed as a
connect one, the state, the connection, the expiry and the browser binding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import attrs

from ._wire import NO_EXTRA, Fields, readonly, to_wire

CONNECT_FLOW = "connect"


@attrs.frozen(kw_only=True)
class ConnectTransaction:
    """One connect, from the My Account API's ``connect`` answer to the callback."""

    flow: Literal["connect"] = "connect"
    state: str
    code_verifier: str = attrs.field(repr=False)
    auth_session: str = attrs.field(repr=False)
    redirect_uri: str
    connection: str
    app_state: Any = attrs.field(default=None, repr=False)
    domain: str | None = None
    created_at: int
    expires_at: int
    browser_binding: str | None = attrs.field(default=None, repr=False)
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConnectTransaction:
        """The connect transaction stored as ``data``.

        Raises:
            InvalidRecordError: ``data`` is not a connect transaction of a version we read.
        """
        fields = Fields(data, "connect transaction")
        fields.check_version()
        if fields.string("flow") != CONNECT_FLOW:
            fields.fail("flow", "is not a connect flow")
        return cls(
            state=fields.string("state"),
            code_verifier=fields.string("code_verifier"),
            auth_session=fields.string("auth_session"),
            redirect_uri=fields.string("redirect_uri"),
            connection=fields.string("connection"),
            app_state=fields.data.get("app_state"),
            domain=fields.optional_string("domain"),
            created_at=fields.integer("created_at"),
            expires_at=fields.integer("expires_at"),
            browser_binding=fields.optional_string("browser_binding"),
            extra=fields.others(_KEYS),
            key_order=fields.key_order(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON object."""
        values = {
            "flow": self.flow,
            "state": self.state,
            "code_verifier": self.code_verifier,
            "auth_session": self.auth_session,
            "redirect_uri": self.redirect_uri,
            "connection": self.connection,
            "app_state": self.app_state,
            "domain": self.domain,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "browser_binding": self.browser_binding,
        }
        return to_wire(values, self.extra, self.key_order)


_KEYS = frozenset(
    {
        "flow",
        "state",
        "code_verifier",
        "auth_session",
        "redirect_uri",
        "connection",
        "app_state",
        "domain",
        "created_at",
        "expires_at",
        "browser_binding",
    }
)
