"""Pending CIBA requests (protocol doc §8.3): what ``/bc-authorize`` started and the CIBA grant
answers, until the user approves or refuses (``Tenant.approve_backchannel`` /
``Tenant.deny_backchannel`` stand in for the user's device) or the request expires.
"""

from __future__ import annotations

from typing import Literal

import attrs

BackchannelStatus = Literal["pending", "approved", "denied"]

# How long an expired or answered request is still recognised (expired_token, not invalid_grant).
_RETENTION = 600


@attrs.define(kw_only=True)
class BackchannelRequest:
    """One request: who is asked, by which client, for what, and where it stands."""

    auth_req_id: str = attrs.field(repr=False)
    client_id: str
    user_id: str
    scope: str
    audience: str | None
    binding_message: str
    created_at: int
    expires_at: int
    interval: int
    status: BackchannelStatus = "pending"
    last_poll: int | None = None
    polls: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "auth_req_id": self.auth_req_id,
            "client_id": self.client_id,
            "user_id": self.user_id,
            "scope": self.scope,
            "audience": self.audience,
            "binding_message": self.binding_message,
            "expires_at": self.expires_at,
            "interval": self.interval,
            "status": self.status,
            "polls": self.polls,
        }


class BackchannelRequests:
    """The tenant's CIBA requests by ``auth_req_id``, and the settings tests may change.

    Attributes:
        interval: seconds a client must wait between polls (answered by ``/bc-authorize``).
        default_expiry: ``expires_in`` when the client asks for no ``requested_expiry``.
        max_expiry: the longest ``requested_expiry`` accepted.
    """

    def __init__(self) -> None:
        self.requests: dict[str, BackchannelRequest] = {}
        self.interval = 5
        self.default_expiry = 300
        self.max_expiry = 300

    def add(self, request: BackchannelRequest) -> None:
        self.requests[request.auth_req_id] = request

    def get(self, auth_req_id: str) -> BackchannelRequest | None:
        return self.requests.get(auth_req_id)

    def pop(self, auth_req_id: str) -> BackchannelRequest | None:
        return self.requests.pop(auth_req_id, None)

    def pending(
        self, user_id: str | None = None, now: int | None = None
    ) -> list[BackchannelRequest]:
        """Pending requests (of ``user_id`` when given; not expired at ``now`` when given),
        oldest first."""
        return [
            r
            for r in self.requests.values()
            if r.status == "pending"
            and (user_id is None or r.user_id == user_id)
            and (now is None or r.expires_at > now)
        ]

    def answer(
        self,
        status: BackchannelStatus,
        now: int,
        auth_req_id: str | None = None,
        user_id: str | None = None,
    ) -> list[str]:
        """Answer, as the user on their device, the pending request ``auth_req_id`` or every
        pending request of ``user_id``; the ``auth_req_id`` values answered.

        Raises:
            ValueError: neither or both of ``auth_req_id`` and ``user_id`` given.
            KeyError: ``auth_req_id`` is no pending request.
        """
        if (auth_req_id is None) == (user_id is None):
            raise ValueError("give exactly one of auth_req_id and user_id")
        if auth_req_id is not None:
            request = self.get(auth_req_id)
            if request is None or request.status != "pending" or request.expires_at <= now:
                raise KeyError("no pending backchannel request with that auth_req_id")
            requests = [request]
        else:
            requests = self.pending(user_id, now)
        for request in requests:
            request.status = status
        return [request.auth_req_id for request in requests]

    def purge(self, now: int) -> None:
        """Forget requests expired long enough ago."""
        for key in [k for k, r in self.requests.items() if r.expires_at + _RETENTION <= now]:
            del self.requests[key]
