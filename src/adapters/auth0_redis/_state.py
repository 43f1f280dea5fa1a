"""Sessions in Redis: the logic both state stores share, written once as Redis flows.

The cookie named after the identifier carries only the session id (``U.R``, see
:mod:`._layout`); the record is sealed with the store secret and the id as salt, so Redis
never holds a token in clear and a value copied under another id does not open. A login
(``remove_if_expires=True``) deletes the old record and always issues a new id; any other
write updates the record only if it still exists (one script), so a refresh racing a logout
cannot bring the session back; an absent or unknown id is never adopted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from auth0_core._effects import StoreOptions
from auth0_core._seal import seal, unseal
from auth0_core.errors import UnsealError
from auth0_core.stores._common import OnceLogger, delete_cookie, expires_at, is_expired
from auth0_core.stores._web import request_cookies, response_of

from ._commands import Command, Eval, RedisFlow, text, texts
from ._layout import Layout, SessionId
from ._scripts import ADD_HINT, DELETE_BY_SID, DELETE_BY_SUB, DELETE_SESSION, WRITE_SESSION

_DEFAULT_LIFETIME = 3 * 24 * 3600  # a record without internal.expires_at (never ours)
_SWEEP = 8  # index members checked (and dropped when their record expired) on each write


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _user(state: Mapping[str, Any]) -> tuple[str, str, str]:
    """The session's ``iss``, ``sub`` and ``internal.sid`` ("" when absent)."""
    user = state.get("user")
    internal = state.get("internal")
    user = user if isinstance(user, Mapping) else {}
    internal = internal if isinstance(internal, Mapping) else {}
    return _string(user.get("iss")), _string(user.get("sub")), _string(internal.get("sid"))


class SessionLogic:
    """Everything a Redis state store does, as flows the sync and async stores run."""

    def __init__(
        self,
        *,
        store: str,
        layout: Layout,
        secrets: tuple[str, ...],
        cookie: Mapping[str, Any],
        clock: Callable[[], float],
    ) -> None:
        self._store = store
        self._layout = layout
        self._secrets = secrets
        self._cookie = dict(cookie)
        self._clock = clock
        self._log = OnceLogger()

    # --- reading ---------------------------------------------------------------------------

    def get(self, identifier: str, options: StoreOptions) -> RedisFlow[dict[str, Any] | None]:
        """The session whose id the request's cookie carries; None when absent or expired."""
        session = SessionId.parse(request_cookies(options, self._store).get(identifier))
        if session is None:
            return None
        sealed = text((yield Command(("HGET", self._layout.record(session), "v"))))
        if sealed is None:
            return None
        try:
            value = unseal(sealed, self._secrets, self._salt(identifier, session))
        except UnsealError:
            self._log.warn(
                "unseal",
                "Ignoring a Redis session that does not open (%d characters): sealed with "
                "another secret or under another id.",
                len(sealed),
            )
            return None
        if is_expired(value, self._clock()):  # Redis's clock is behind ours: drop it now
            yield from self._delete(session)
            return None
        return value

    # --- writing ---------------------------------------------------------------------------

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool,
        options: StoreOptions,
    ) -> RedisFlow[None]:
        """Write the session: a login issues a new id, any other write updates in place."""
        cookies = request_cookies(options, self._store)
        response = response_of(options, self._store)
        sent = cookies.get(identifier)
        current = SessionId.parse(sent)
        ttl = self._ttl_ms(state)
        if remove_if_expires:
            if current is not None:
                yield from self._delete(current)
            if ttl > 0:
                yield from self._create(identifier, state, ttl, response)
            elif sent is not None:
                delete_cookie(response, identifier, self._cookie)
            return
        if current is None:  # no id, or not one of ours: never adopted, nothing created
            if sent is not None:
                delete_cookie(response, identifier, self._cookie)
            return
        if ttl <= 0:
            yield from self._delete(current)
            delete_cookie(response, identifier, self._cookie)
            return
        if not self._belongs_to(current, state):
            # Another user than the id's (not written by any flow): move it under its user.
            if (yield from self._delete(current)):
                yield from self._create(identifier, state, ttl, response)
            else:
                delete_cookie(response, identifier, self._cookie)
            return
        if (yield from self._write(identifier, current, state, ttl, must_exist=True)):
            self._set_cookie(response, identifier, current, ttl)
        else:  # deleted meanwhile (logout, back-channel logout): stays deleted
            delete_cookie(response, identifier, self._cookie)

    def _create(
        self, identifier: str, state: Mapping[str, Any], ttl: int, response: Any
    ) -> RedisFlow[None]:
        iss, sub, _ = _user(state)
        session = SessionId.new(self._layout.user_tag(self._secrets[0], iss, sub))
        yield Command(("SADD", self._layout.issuers(), iss))
        yield from self._write(identifier, session, state, ttl, must_exist=False)
        self._set_cookie(response, identifier, session, ttl)

    def _write(
        self,
        identifier: str,
        session: SessionId,
        state: Mapping[str, Any],
        ttl: int,
        *,
        must_exist: bool,
    ) -> RedisFlow[bool]:
        layout, user = self._layout, session.user
        iss, _, sid = _user(state)
        sid_digest = layout.sid_digest(self._secrets[0], iss, sid)
        sealed = seal(state, self._secrets[0], self._salt(identifier, session))
        # The hint first: a hint without its session is harmless, the reverse is not.
        yield Eval(ADD_HINT, (layout.sid_map(sid_digest),), (user, ttl))
        written = yield Eval(
            WRITE_SESSION,
            (layout.record(session), layout.sub_index(user), layout.sid_index(user, sid_digest)),
            (
                sealed,
                ttl,
                sid_digest,
                session.nonce,
                "1" if must_exist else "0",
                layout.record_prefix(user),
                layout.sid_index_prefix(user),
                _SWEEP,
            ),
        )
        return bool(written)

    def _set_cookie(self, response: Any, identifier: str, session: SessionId, ttl: int) -> None:
        max_age = math.ceil(ttl / 1000)
        response.set_cookie(identifier, str(session), max_age=max_age, **self._cookie)

    # --- deleting --------------------------------------------------------------------------

    def delete(self, identifier: str, options: StoreOptions) -> RedisFlow[None]:
        """Delete this browser's session (and its index entries); clear the id cookie."""
        sent = request_cookies(options, self._store).get(identifier)
        response = response_of(options, self._store)
        session = SessionId.parse(sent)
        if session is not None:
            yield from self._delete(session)
        if sent is not None:
            delete_cookie(response, identifier, self._cookie)

    def _delete(self, session: SessionId) -> RedisFlow[bool]:
        layout = self._layout
        deleted = yield Eval(
            DELETE_SESSION,
            (layout.record(session), layout.sub_index(session.user)),
            (session.nonce, layout.sid_index_prefix(session.user)),
        )
        return bool(deleted)

    def delete_by_logout_token(self, claims: Mapping[str, Any]) -> RedisFlow[int]:
        """Delete the sessions a logout token names, as ``session_matches`` does: ``sid``
        when present (else ``sub``), restricted to ``iss`` when present. Returns how many.

        Each (user, sid) pair costs one script; nothing scans the keyspace.
        """
        sid, sub, iss = claims.get("sid"), claims.get("sub"), claims.get("iss")
        if iss and not isinstance(iss, str):
            return 0
        issuers = [iss] if iss else texts((yield Command(("SMEMBERS", self._layout.issuers()))))
        deleted = 0
        for issuer in issuers:
            if isinstance(sid, str) and sid:
                deleted += yield from self._delete_sid(issuer, sid, sub)
            elif isinstance(sub, str) and sub:
                deleted += yield from self._delete_sub(issuer, sub)
        return deleted

    def _delete_sid(self, iss: str, sid: str, sub: object) -> RedisFlow[int]:
        layout, pairs = self._layout, set[tuple[str, str]]()
        for secret in self._secrets:
            digest = layout.sid_digest(secret, iss, sid)
            users = texts((yield Command(("SMEMBERS", layout.sid_map(digest)))))
            if isinstance(sub, str) and sub:  # the token's user, should the hint be missing
                users += [layout.user_tag(other, iss, sub) for other in self._secrets]
            pairs.update((user, digest) for user in users)
        deleted = 0
        for user, digest in sorted(pairs):
            count = yield Eval(
                DELETE_BY_SID,
                (layout.sid_index(user, digest), layout.sub_index(user)),
                (layout.record_prefix(user), digest),
            )
            deleted += int(count)
        return deleted

    def _delete_sub(self, iss: str, sub: str) -> RedisFlow[int]:
        layout, deleted = self._layout, 0
        for user in sorted({layout.user_tag(secret, iss, sub) for secret in self._secrets}):
            count = yield Eval(
                DELETE_BY_SUB,
                (layout.sub_index(user),),
                (layout.record_prefix(user), layout.sid_index_prefix(user)),
            )
            deleted += int(count)
        return deleted

    # --- helpers ---------------------------------------------------------------------------

    def _belongs_to(self, session: SessionId, state: Mapping[str, Any]) -> bool:
        iss, sub, _ = _user(state)
        return any(self._layout.user_tag(s, iss, sub) == session.user for s in self._secrets)

    def _salt(self, identifier: str, session: SessionId) -> str:
        return f"{identifier}:{session}"

    def _ttl_ms(self, state: Mapping[str, Any]) -> int:
        """Milliseconds until the session's own expiry (rolling and absolute, whichever first)."""
        deadline = expires_at(state)
        if deadline is None:
            return _DEFAULT_LIFETIME * 1000
        return math.floor((deadline - self._clock()) * 1000)
