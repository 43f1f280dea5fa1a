"""What the tenant remembers for anonymous sessions and Enterprise Connect (both inferred from
the published auth0-server-python 1.0.0b20, protocol doc §8.14; docs/tenant.md).

Tests reach it as ``tenant.state.anonymous`` and ``tenant.state.enterprise``: the settings may
be changed between requests (``tenant.state.anonymous.settings.enabled = False``), and the
carried-over visitors are in ``tenant.state.anonymous.transfers``.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.define(kw_only=True)
class AnonymousSettings:
    """``enabled``: whether the tenant has anonymous sessions at all (else 403
    ``feature_not_enabled``); ``clients``: the client ids allowed to use them (None: every
    client; another one: 403 ``unauthorized_client``); ``return_session_token``: whether a
    new session's answer carries its ``session_token`` (a tenant setting on Auth0, as the
    official SDK's message says); the lifetimes of a session (30 days), of its access tokens
    (0: the API's) and of a transfer ticket (30 s), in seconds: the values of the official
    SDK's own test answers."""

    enabled: bool = True
    clients: tuple[str, ...] | None = None
    return_session_token: bool = True
    session_lifetime: int = 30 * 24 * 3600
    access_token_lifetime: int = 0
    transfer_lifetime: int = 30


@attrs.define(kw_only=True)
class AnonymousRecord:
    """One anonymous session: its ``anon@...`` subject, for ``client_id``."""

    sub: str
    client_id: str
    created_at: int
    expires_at: int
    metadata: dict[str, Any] | None = attrs.field(default=None, repr=False)
    # The user it was carried over to at a login (then it is over).
    transferred_to: str | None = None


@attrs.define(kw_only=True)
class TransferTicket:
    """A one-time ``anon_transfer_token`` for the session of ``session_token``."""

    session_token: str = attrs.field(repr=False)
    client_id: str
    expires_at: int


@attrs.frozen(kw_only=True)
class Transfer:
    """An anonymous visitor carried over to ``user_id`` by a login of ``client_id``."""

    anonymous_sub: str
    user_id: str
    client_id: str
    metadata: dict[str, Any] | None = None


class AnonymousState:
    """The anonymous sessions by ``session_token``, the transfer tickets, and the transfers."""

    def __init__(self) -> None:
        self.settings = AnonymousSettings()
        self.sessions: dict[str, AnonymousRecord] = {}
        self.tickets: dict[str, TransferTicket] = {}
        self.transfers: list[Transfer] = []

    def __repr__(self) -> str:
        return f"AnonymousState(sessions={len(self.sessions)}, transfers={len(self.transfers)})"

    def reset(self) -> None:
        """Default settings, no session, ticket or transfer."""
        self.settings = AnonymousSettings()
        self.sessions.clear()
        self.tickets.clear()
        self.transfers.clear()

    def purge(self, now: int) -> None:
        for token in [t for t, s in self.sessions.items() if s.expires_at + 86400 <= now]:
            del self.sessions[token]
        for ticket in [t for t, v in self.tickets.items() if v.expires_at + 86400 <= now]:
            del self.tickets[ticket]


@attrs.frozen(kw_only=True)
class EnterpriseDomain:
    """An e-mail domain the tenant routes to the enterprise ``connection`` (home realm
    discovery), optionally in ``organization`` (an organization id): the users of the
    upstream identity provider sign in there with their ``accounts`` (e-mail -> password)."""

    domain: str
    connection: str
    organization: str | None = None
    accounts: dict[str, str] = attrs.field(factory=dict, repr=False, hash=False)


class EnterpriseState:
    """The tenant's enterprise domains (``tenant.state.enterprise.add(...)``)."""

    def __init__(self) -> None:
        self.domains: dict[str, EnterpriseDomain] = {}

    def __repr__(self) -> str:
        return f"EnterpriseState(domains={sorted(self.domains)})"

    def add(
        self,
        domain: str,
        connection: str,
        *,
        organization: str | None = None,
        accounts: dict[str, str] | None = None,
    ) -> EnterpriseDomain:
        """Route ``domain``'s e-mail addresses to ``connection`` (and ``organization``)."""
        entry = EnterpriseDomain(
            domain=domain.lower(),
            connection=connection,
            organization=organization,
            accounts={k.lower(): v for k, v in (accounts or {}).items()},
        )
        self.domains[entry.domain] = entry
        return entry

    def of_email(self, email: str | None) -> EnterpriseDomain | None:
        """The enterprise domain of ``email``, or None."""
        if not email or "@" not in email:
            return None
        return self.domains.get(email.rsplit("@", 1)[1].strip().lower())

    def of_connection(self, connection: str | None) -> EnterpriseDomain | None:
        """The (first) enterprise domain routed to ``connection``, or None."""
        return next((d for d in self.domains.values() if d.connection == connection), None)

    def reset(self) -> None:
        self.domains.clear()
