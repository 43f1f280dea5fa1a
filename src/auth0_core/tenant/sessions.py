"""The tenant's login sessions: one per successful login, named by its ``sid``.

A session starts when the login page accepts a user (``POST /u/login``): its ``sid`` goes into
the authorization code, then into every ID token minted from that login (the code exchange and
each refresh), and into the browser's ``auth0`` cookie. The clients that received tokens in a
session are remembered, because ending the session (a logout at the tenant, or an administrator
ending the user's sessions) sends each of them a back-channel logout token (:mod:`.backchannel`).

One browser keeps one session: a login in a browser whose cookie names a live session of the
same user joins that session (so several clients can share it), another user's login starts a
new one. Sessions do not expire on their own and give no silent single sign-on: ``/authorize``
always shows the login page (``prompt=none`` answers ``login_required``).
"""

from __future__ import annotations

import attrs

from .._http import HttpRequest

# The browser cookie naming the tenant session, as Auth0's session cookie on the tenant domain.
SESSION_COOKIE = "auth0"


def session_cookie(request: HttpRequest) -> str | None:
    """The ``sid`` the request's ``auth0`` cookie carries, if any."""
    for name, header in request.headers:
        if name.lower() != "cookie":
            continue
        for pair in header.split(";"):
            key, _, value = pair.strip().partition("=")
            if key == SESSION_COOKIE and value:
                return value
    return None


@attrs.frozen(kw_only=True)
class TenantSession:
    """A login session of ``user_id``, and the clients that received tokens in it."""

    sid: str
    user_id: str
    created_at: int
    clients: tuple[str, ...] = ()  # in the order they first received tokens

    def as_json(self) -> dict[str, object]:
        """The session for inspection (test hooks): ``sid``, ``user_id``, ``created_at``,
        ``clients``."""
        return {
            "sid": self.sid,
            "user_id": self.user_id,
            "created_at": self.created_at,
            "clients": list(self.clients),
        }


class Sessions:
    """The live sessions, oldest first."""

    def __init__(self) -> None:
        self._sessions: dict[str, TenantSession] = {}

    def __len__(self) -> int:
        return len(self._sessions)

    def start(self, sid: str, user_id: str, now: int) -> TenantSession:
        """Record a new session of ``user_id``."""
        session = TenantSession(sid=sid, user_id=user_id, created_at=now)
        self._sessions[sid] = session
        return session

    def get(self, sid: str) -> TenantSession | None:
        """The live session ``sid``, or None (unknown or ended)."""
        return self._sessions.get(sid)

    def add_client(self, sid: str, client_id: str) -> None:
        """Remember that ``client_id`` received tokens in session ``sid`` (if it is live)."""
        session = self._sessions.get(sid)
        if session is not None and client_id not in session.clients:
            self._sessions[sid] = attrs.evolve(session, clients=(*session.clients, client_id))

    def of_user(self, user_id: str | None = None) -> list[TenantSession]:
        """The live sessions of ``user_id`` (every user's when None), oldest first."""
        return [s for s in self._sessions.values() if user_id is None or s.user_id == user_id]

    def end(self, sid: str) -> TenantSession | None:
        """End session ``sid``; returns it, or None when it was not live."""
        return self._sessions.pop(sid, None)
