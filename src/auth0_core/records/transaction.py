"""The login transaction: what the callback needs from the request that started the login
(protocol doc §2.3).

It carries the official SDK's members (``code_verifier``, ``app_state``, ``redirect_uri``,
``audience``, ``domain``, ``organization``) plus ours. Only this SDK reads it back: a
transaction the official SDK wrote has no ``state`` or ``nonce`` and reads as absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

import attrs

from ._wire import NO_EXTRA, Fields, readonly, to_wire

FlowName = Literal["login", "link", "unlink"]
FLOW_NAMES: frozenset[str] = frozenset({"login", "link", "unlink"})


@attrs.frozen(kw_only=True)
class Transaction:
    """One login (or link, or unlink) between the redirect to /authorize and its callback.

    ``max_age`` and ``organization`` are what the ID token is checked against;
    ``expected_sub`` is the user a link or unlink was started for; ``browser_binding`` is the
    SHA-256 of the binding cookie, None when no browser started it (see ``_binding``).
    """

    flow: FlowName
    state: str
    nonce: str = attrs.field(repr=False)
    code_verifier: str = attrs.field(repr=False)
    redirect_uri: str
    audience: str | None = None
    scope: str
    max_age: int | None = None
    organization: str | None = None
    app_state: Any = attrs.field(default=None, repr=False)
    domain: str | None = None
    created_at: int
    expires_at: int
    expected_sub: str | None = None
    browser_binding: str | None = attrs.field(default=None, repr=False)
    extra: Mapping[str, Any] = attrs.field(default=NO_EXTRA, converter=readonly, repr=False)
    key_order: tuple[str, ...] | None = attrs.field(default=None, repr=False, eq=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Transaction:
        """The transaction stored as ``data``.

        Raises:
            InvalidRecordError: ``data`` is not a transaction of a format version we read.
        """
        fields = Fields(data, "transaction")
        fields.check_version()
        flow = fields.string("flow")
        if flow not in FLOW_NAMES:
            fields.fail("flow", "is not a flow this SDK completes")
        max_age = fields.optional_integer("max_age")
        if max_age is not None and max_age < 0:
            fields.fail("max_age", "must not be negative")
        return cls(
            flow=cast(FlowName, flow),
            state=fields.string("state"),
            nonce=fields.string("nonce"),
            code_verifier=fields.string("code_verifier"),
            redirect_uri=fields.string("redirect_uri"),
            audience=fields.optional_string("audience"),
            scope=fields.string("scope"),
            max_age=max_age,
            organization=fields.optional_string("organization"),
            app_state=fields.data.get("app_state"),
            domain=fields.optional_string("domain"),
            created_at=fields.integer("created_at"),
            expires_at=fields.integer("expires_at"),
            expected_sub=fields.optional_string("expected_sub"),
            browser_binding=fields.optional_string("browser_binding"),
            extra=fields.others(_KEYS),
            key_order=fields.key_order(),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored JSON object."""
        values = {
            "flow": self.flow,
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "redirect_uri": self.redirect_uri,
            "audience": self.audience,
            "scope": self.scope,
            "max_age": self.max_age,
            "organization": self.organization,
            "app_state": self.app_state,
            "domain": self.domain,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "expected_sub": self.expected_sub,
            "browser_binding": self.browser_binding,
        }
        return to_wire(values, self.extra, self.key_order, _ONLY_WHEN_SET)


# A login has no expected user: its record has no such key at all.
_ONLY_WHEN_SET = frozenset({"expected_sub"})
_KEYS = frozenset(
    {
        "flow",
        "state",
        "nonce",
        "code_verifier",
        "redirect_uri",
        "audience",
        "scope",
        "max_age",
        "organization",
        "app_state",
        "domain",
        "created_at",
        "expires_at",
        "expected_sub",
        "browser_binding",
    }
)
