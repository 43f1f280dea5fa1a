"""Where everything lives in Redis: key names, hash tags, session ids and index digests.

One user's sessions share a hash tag, ``{U}``, so a session, the user's ``sub`` index and the
``sid`` indexes of those sessions sit in one Redis Cluster slot and every write, delete and
back-channel logout runs as one Lua script there::

    {prefix}{U}:s:{R}      hash: v = the sealed session, x = D (its sid digest)
    {prefix}{U}:sub        set of R: every session of the user
    {prefix}{U}:sid:{D}    set of R: the user's sessions of one IdP session (sid)
    {prefix}{D}:map        set of U: which users hold sessions of that sid (a lookup hint)
    {prefix}issuers        set of issuers seen at login (for logout tokens without iss)
    {prefix}tx:{identifier}        a sealed login transaction
    {prefix}claim:{identifier}     a claimed identifier (a logout token's jti)
    {prefix}lock:{identifier}      a lock (one refresh among instances)

``U`` and ``D`` are keyed digests (HMAC-SHA-256 under the store secret, 128 bits): Redis holds
no user or session identifier in clear. The session id the cookie carries is ``U.R``, with
``R`` 128 random bits, so a read finds its record without any index.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
import secrets

import attrs

from auth0_core.errors import ConfigurationError

DEFAULT_PREFIX = "auth0:"
_DIGEST_BYTES = 16
_RANDOM_BYTES = 16
_PART = r"[A-Za-z0-9_-]{22}"  # 16 bytes, base64url without padding
_SESSION_ID = re.compile(rf"({_PART})\.({_PART})")
_PREFIX = re.compile(r"[\x21-\x7a\x7c\x7e]{0,64}")  # printable, no space, no braces


def check_prefix(prefix: str) -> str:
    """``prefix`` if it is usable: up to 64 printable characters, no space, no braces.

    A brace would move the hash tag into the prefix, so every key would share one slot.

    Raises:
        ConfigurationError: anything else.
    """
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ConfigurationError(
            "prefix must be at most 64 printable characters without spaces or braces."
        )
    return prefix


@functools.lru_cache(maxsize=16)
def _index_key(secret: str) -> bytes:
    # A key of its own for the digests, never the secret itself (which also seals).
    return hmac.new(secret.encode("utf-8"), b"auth0_redis index digests", hashlib.sha256).digest()


def digest(secret: str, kind: str, *parts: str) -> str:
    """A 128-bit keyed digest of ``parts`` (unambiguous: JSON-encoded), base64url."""
    message = json.dumps([kind, *parts]).encode("ascii")
    mac = hmac.new(_index_key(secret), message, hashlib.sha256).digest()[:_DIGEST_BYTES]
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


@attrs.frozen
class SessionId:
    """``user`` (the user's tag, U) and ``nonce`` (R): the cookie carries ``U.R``."""

    user: str
    nonce: str = attrs.field(repr=False)

    @classmethod
    def new(cls, user: str) -> SessionId:
        return cls(user, secrets.token_urlsafe(_RANDOM_BYTES))

    @classmethod
    def parse(cls, value: object) -> SessionId | None:
        """The id a cookie carries, or None when it is not one of ours."""
        found = _SESSION_ID.fullmatch(value) if isinstance(value, str) else None
        return cls(found.group(1), found.group(2)) if found else None

    def __str__(self) -> str:
        return f"{self.user}.{self.nonce}"


@attrs.frozen
class Layout:
    """Key names under ``prefix``."""

    prefix: str

    def user_tag(self, secret: str, iss: str, sub: str) -> str:
        return digest(secret, "user", iss, sub)

    def sid_digest(self, secret: str, iss: str, sid: str) -> str:
        return digest(secret, "sid", iss, sid)

    def slot(self, user: str) -> str:
        """Every key of one user starts with this: the prefix and the hash tag."""
        return f"{self.prefix}{{{user}}}:"

    def record(self, session: SessionId) -> str:
        return f"{self.slot(session.user)}s:{session.nonce}"

    def record_prefix(self, user: str) -> str:
        return f"{self.slot(user)}s:"

    def sub_index(self, user: str) -> str:
        return f"{self.slot(user)}sub"

    def sid_index(self, user: str, sid: str) -> str:
        return f"{self.sid_index_prefix(user)}{sid}"

    def sid_index_prefix(self, user: str) -> str:
        return f"{self.slot(user)}sid:"

    def sid_map(self, sid: str) -> str:
        return f"{self.prefix}{{{sid}}}:map"

    def issuers(self) -> str:
        return f"{self.prefix}issuers"

    def transaction(self, identifier: str) -> str:
        return f"{self.prefix}tx:{identifier}"

    def claim(self, identifier: str) -> str:
        return f"{self.prefix}claim:{identifier}"

    def lock(self, identifier: str) -> str:
        return f"{self.prefix}lock:{identifier}"
