"""Stateless cookie stores: the session and the login transactions live in sealed cookies.

Session cookies use auth0-fastapi's chunk layout (``{name}_0``, ``{name}_1``, ...; protocol doc
§3.3), so a session written by either package reads in the other, minus fastapi's two bugs: a
bare or oddly suffixed cookie no longer crashes the read, and a shrinking session no longer
leaves stale chunks behind. Transactions get one cookie per login (``{name}.{hash}``), so two
tabs can log in at once. Nothing here can be revoked server-side: a stolen cookie stays valid
until the expiry sealed inside it.

Within one request the session cookie is decrypted once: :class:`CookieStateStore` remembers the
authenticated plaintext per request object (:class:`~._memo.RequestMemo`), keyed by the
identifier and the exact cookie value, and parses a fresh dict from it on every read (a caller
mutating what it got never changes what the next read returns). The SDK's own reads go through
:meth:`CookieStateStore.get_record`, which remembers the parsed, immutable record the same way,
so the session is also parsed and checked once per request. A write or delete through the
store in that request forgets what was remembered.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .._effects import StoreOptions
from .._seal import MAX_SEALED_LENGTH, load_payload, seal, unseal, unseal_plaintext
from ..errors import ConfigurationError, InvalidRecordError, UnsealError
from ._common import OnceLogger, cookie_attributes, delete_cookie, expires_at, is_expired
from ._errors import CookieTooLargeError, StoreNotSupportedError
from ._memo import RequestMemo
from ._web import request_cookie_map, request_cookies, response_of

# RFC 6265 §6.1: browsers must accept 4096 bytes per cookie (name, value and attributes).
COOKIE_LIMIT = 4096
# Werkzeug and Django add "; Expires=<29-char date>" next to Max-Age; keep room for it.
_FRAMEWORK_MARGIN = 64
_MAX_AGE_DIGITS = 10
_DEFAULT_SESSION_LIFETIME = 3 * 24 * 3600  # auth0-fastapi's rolling 3 days
_WARN_ABOVE_CHUNKS = 3
_MIN_CHUNK = 512
# What a session may add to the Cookie header by default. nginx (8 KiB per header line by
# default), gunicorn (8190 bytes per header field) and Node (16 KiB for all headers) refuse
# more, and the app's own cookies share that line: a larger session locks the user out.
DEFAULT_MAX_COOKIE_BYTES = 6 * 1024
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Remembered for a cookie that did not open, so a request does not try it again.
_REFUSED = b""
# The memo's key holds the sealed value's tail (its tag: unique per seal) instead of the whole
# value, which would be hashed on every read; the whole value is compared on a hit.
_KEY_TAIL = 64
# Chunk names read: _0 to _999 (three digits, as auth0-fastapi's reader allows).
_MAX_CHUNKS_READ = 1000
# RFC 6265bis §5.6.2: browsers cap a cookie's Max-Age at 400 days.
_MAX_COOKIE_AGE = 400 * 86_400
# A memo entry: (sealed value, plaintext, parse, record, expiry); the last three are None
# until get_record has parsed it.

R = TypeVar("R")


def _secret_list(secret: str | Sequence[str]) -> tuple[str, ...]:
    """Normalize ``secret`` to a non-empty tuple: the first seals, all unseal."""
    secrets = (secret,) if isinstance(secret, str) else tuple(secret)
    if not secrets or not all(isinstance(s, str) and s for s in secrets):
        raise ConfigurationError("A cookie store needs a non-empty secret (or list of secrets).")
    return secrets


def _request_of(options: StoreOptions) -> object:
    """The request object ``options`` carries (checked to have cookies by the caller)."""
    return options.get("request") if isinstance(options, Mapping) else None


def _check_name(cookie_name: str) -> None:
    if not isinstance(cookie_name, str) or not _TOKEN.fullmatch(cookie_name):
        raise ConfigurationError("cookie_name must be a valid cookie name (an HTTP token).")


def _check_count(name: str, value: object, low: int, high: int | None = None) -> None:
    """Refuse ``value`` for the option ``name`` unless it is an int (bool excluded) from ``low``
    (to ``high``). A float would pass a plain ``< low`` and break later: nan or inf compare
    false, so ``len(...) > bound`` never trips and the bound is gone.

    Raises:
        ConfigurationError: anything else, naming the option, never quoting the value.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigurationError(f"{name} must be a whole number, at least {low}.")
    if high is not None and value > high:
        raise ConfigurationError(f"{name} must be a whole number from {low} to {high}.")


def _remaining(state: Mapping[str, Any], now: float, default: int) -> int:
    """Seconds until the record's sealed expiry (``default`` when it has none)."""
    deadline = expires_at(state)
    if deadline is None:
        return default
    return int(deadline - now)


_CACHED_TOKEN_FIELDS = ("token_sets", "connection_token_sets")


def _droppable_token_sets(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Cached token sets that can be fetched again, oldest first.

    Only with a refresh token: without one, a dropped access token is lost for good.
    """
    if not state.get("refresh_token"):
        return []
    found: list[Mapping[str, Any]] = []
    for field in _CACHED_TOKEN_FIELDS:
        entries = state.get(field)
        if isinstance(entries, list):
            found += [entry for entry in entries if isinstance(entry, Mapping)]
    obtained = [entry.get("obtained_at") for entry in found]
    order = sorted(range(len(found)), key=lambda i: v if isinstance(v := obtained[i], int) else 0)
    return [found[i] for i in order]


def _without(state: Mapping[str, Any], dropped: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy of ``state`` without the token set ``dropped`` (found by identity)."""
    trimmed = dict(state)
    for field in _CACHED_TOKEN_FIELDS:
        if isinstance(state.get(field), list):
            trimmed[field] = [entry for entry in state[field] if entry is not dropped]
    return trimmed


class CookieStateStore:
    """The session in chunked, sealed cookies (no server state).

    ``secret`` may be a list for rotation. ``secure=False`` is for plain-http loopback
    development only. Max-Age is the session's remaining lifetime (``internal.expires_at``),
    and an expired session reads as None whatever the browser still sends.
    """

    def __init__(
        self,
        secret: str | Sequence[str],
        *,
        cookie_name: str = "_a0_session",
        secure: bool = True,
        path: str = "/",
        same_site: str = "Lax",
        domain: str | None = None,
        clock: Callable[[], float] = time.time,
        max_chunks: int = 10,
        max_cookie_bytes: int = DEFAULT_MAX_COOKIE_BYTES,
        compress: bool = False,
    ) -> None:
        """Create the store.

        ``max_cookie_bytes`` bounds what the session adds to the browser's ``Cookie`` header
        (names, ``=``, values and separators); see :data:`DEFAULT_MAX_COOKIE_BYTES`.

        ``compress=True`` deflates the session before sealing it (``"zip": "DEF"``): a session
        holding many access tokens takes about a third of the cookies. Every instance reads
        both forms, whatever its own setting, and so does auth0-server-python; off by default
        because a compressed length says something about the content (see docs/login.md).

        Raises:
            ConfigurationError: empty secret, invalid cookie name or attributes (CR, LF or
                ``;`` in ``path``/``domain``, an unknown ``same_site``), ``max_chunks`` not a
                whole number from 1 to 1000, ``max_cookie_bytes`` not a whole number of at
                least one chunk (512), or attributes so long that a useful chunk no longer fits
                in a cookie.
        """
        _check_name(cookie_name)
        # Chunks past _MAX_CHUNKS_READ would never be read back, and each write deletes up to
        # max_chunks of them blindly.
        _check_count("max_chunks", max_chunks, 1, _MAX_CHUNKS_READ)
        _check_count("max_cookie_bytes", max_cookie_bytes, _MIN_CHUNK)
        self._secrets = _secret_list(secret)
        self._name = cookie_name
        # The names of the chunks a session may be written in (and of more, made when read).
        self._chunk_names = tuple(
            f"{cookie_name}_{index}" for index in range(min(max_chunks, _MAX_CHUNKS_READ))
        )
        self._first_chunk = self._chunk_names[0]
        self._clock = clock
        self._max_chunks = max_chunks
        self._compress = compress
        self._attrs = cookie_attributes(
            path=path, secure=secure, same_site=same_site, domain=domain
        )
        self.chunk_size = self._chunk_size()
        self._max_cookie_bytes = max_cookie_bytes
        self._log = OnceLogger()
        self._memo = RequestMemo()

    def _chunk_size(self) -> int:
        # Budget the whole Set-Cookie value: name, "=", chunk, our attributes, framework extras.
        name = len(f"{self._name}_{self._max_chunks - 1}=")
        attrs = len(f"; Max-Age={'9' * _MAX_AGE_DIGITS}; Path={self._attrs['path']}; HttpOnly")
        attrs += len("; Secure") if self._attrs["secure"] else 0
        attrs += len(f"; SameSite={self._attrs['samesite']}")
        attrs += len(f"; Domain={self._attrs['domain']}") if "domain" in self._attrs else 0
        # Never above auth0-fastapi's size, so our chunks also fit what it writes.
        size = min(COOKIE_LIMIT - len(self._name) - 10, COOKIE_LIMIT - name - attrs)
        size -= _FRAMEWORK_MARGIN
        if size < _MIN_CHUNK:
            raise ConfigurationError("The cookie name and path are too long for session cookies.")
        return size

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The session from the request's cookies; None when absent, invalid or expired.

        Raises:
            MissingStoreOptionsError: ``options`` has no request with cookies.
        """
        request, cookies = request_cookie_map(options, "CookieStateStore")
        token = self._sealed_session(cookies)
        if token is None:
            return None
        key = (identifier, token[-_KEY_TAIL:])
        entry = self._memo.get(request, key)
        plaintext, value = self._value(identifier, token, entry)
        if entry is None or entry[0] != token:  # decrypted now: remembered for the request
            self._memo.put(request, key, (token, plaintext, None, None, None))
        return None if value is None or is_expired(value, self._clock()) else value

    def get_record(
        self,
        identifier: str,
        parse: Callable[[dict[str, Any]], R],
        options: StoreOptions = None,
    ) -> R | dict[str, Any] | None:
        """What :meth:`get` reads, as ``parse`` makes it: the SDK's own read of the session.

        ``parse`` is given a dict of its own (freshly parsed) and may keep it. Within one
        request the record is parsed once (from the plaintext decrypted once) and remembered
        with the exact cookie value, so it must be immutable (the SDK's records are): the
        request's next reads get the same record, its expiry checked again on each. A value
        ``parse`` refuses comes back as the dict :meth:`get` returns, so the reader handles it
        as it handles any store's; None when absent, invalid or expired.

        Raises:
            MissingStoreOptionsError: ``options`` has no request with cookies.
        """
        request, cookies = request_cookie_map(options, "CookieStateStore")
        token = self._sealed_session(cookies)
        if token is None:
            return None
        key = (identifier, token[-_KEY_TAIL:])
        entry = self._memo.get(request, key)
        if entry is not None and entry[0] == token and entry[2] == parse:
            # parse: a bound classmethod is a new object per access, hence == above
            deadline: int | None = entry[4]
            if deadline is not None and self._clock() >= deadline:
                return None
            record: R = entry[3]
            return record
        plaintext, value = self._value(identifier, token, entry)
        remembered: tuple[Any, ...] = (token, plaintext, None, None, None)
        try:
            if value is None:
                return None
            deadline = expires_at(value)
            if deadline is not None and self._clock() >= deadline:  # as is_expired in get
                return None
            try:
                record = parse(value)
            except InvalidRecordError:
                return value  # parsing reads, never changes, its input
            remembered = (token, plaintext, parse, record, deadline)
            return record
        finally:
            self._memo.put(request, key, remembered)  # once per request, whatever the outcome

    def _value(
        self, identifier: str, token: str, entry: Any
    ) -> tuple[bytes, dict[str, Any] | None]:
        """The plaintext of ``token`` and a fresh dict of the record it holds (None when it
        does not open): from the request's memo ``entry`` when it is this token's (the
        plaintext is immutable: each read parses its own dict), else decrypted."""
        if entry is not None and entry[0] == token:
            plaintext: bytes = entry[1]
            return plaintext, (load_payload(plaintext) if plaintext else None)
        return self._open(identifier, token)

    def _open(self, identifier: str, token: str) -> tuple[bytes, dict[str, Any] | None]:
        """The plaintext and the record ``token`` holds; (``_REFUSED``, None) when it does not
        open (logged once)."""
        try:
            plaintext = unseal_plaintext(token, self._secrets, identifier)
            return plaintext, load_payload(plaintext)
        except UnsealError:
            self._log.warn(
                "unseal",
                "Ignoring session cookie %r: it could not be decrypted (%d characters); "
                "tampered, truncated, sealed with another secret, or chunks missing.",
                self._name,
                len(token),
            )
            return _REFUSED, None

    def _sealed_session(self, cookies: Mapping[Any, Any]) -> str | None:
        """The sealed session the cookies carry: chunks ``_0``, ``_1``, ... joined up to the
        first one missing, else a bare cookie of the store's name (auth0-fastapi's older
        layout); None when there is neither (or it is empty).

        Single names are looked up, so the cost does not grow with the app's other cookies;
        a chunk after a gap is not read (what precedes it does not unseal on its own).
        """
        get = cookies.get
        part = get(self._first_chunk)
        if type(part) is not str:
            bare = get(self._name)
            return bare if type(bare) is str and bare else None
        parts = [part]
        length = len(part)
        names = self._chunk_names
        for index in range(1, _MAX_CHUNKS_READ):
            part = get(names[index] if index < len(names) else f"{self._name}_{index}")
            if type(part) is not str:
                break
            length += len(part)
            if length > MAX_SEALED_LENGTH:
                return None  # more than any session this store opens: not even joined
            parts.append(part)
        return "".join(parts) or None

    def _chunks(self, cookies: Mapping[str, str]) -> dict[int, str]:
        """Chunk index to value; names with a non-numeric suffix are not ours and are skipped."""
        prefix = f"{self._name}_"
        found = {}
        for name, value in cookies.items():
            suffix = name[len(prefix) :] if name.startswith(prefix) else ""
            # ASCII digits only (str.isdigit accepts '²'), and no absurd indices.
            if 0 < len(suffix) <= 3 and suffix.isascii() and suffix.isdigit():
                found[int(suffix)] = value
        return found

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Seal the session into chunk cookies and delete any stale ones.

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
            CookieTooLargeError: the sealed session needs more than ``max_chunks`` cookies.
            InvalidArgumentError: the session is not JSON-serializable.
        """
        cookies = request_cookies(options, "CookieStateStore")
        response = response_of(options, "CookieStateStore")
        self._memo.forget(_request_of(options))
        max_age = _remaining(state, self._clock(), _DEFAULT_SESSION_LIFETIME)
        if max_age <= 0:  # already over: writing it would only be read back as None
            self._delete_from(0, cookies, response)
            return
        chunks = self._seal_within_budget(state, identifier)
        for index, chunk in enumerate(chunks):
            response.set_cookie(f"{self._name}_{index}", chunk, max_age=max_age, **self._attrs)
        self._delete_from(len(chunks), cookies, response)

    def _seal_within_budget(self, state: Mapping[str, Any], identifier: str) -> list[str]:
        """The sealed session's chunks, within ``max_chunks`` and ``max_cookie_bytes``.

        When it does not fit and the session has a refresh token, cached access tokens are
        dropped, oldest first: each can be fetched again with the refresh token.

        Raises:
            CookieTooLargeError: it still does not fit.
        """
        droppable = _droppable_token_sets(state)
        while True:
            token = seal(state, self._secrets[0], identifier, compress=self._compress)
            size = len(token)
            chunks = [token[i : i + self.chunk_size] for i in range(0, size, self.chunk_size)]
            header = sum(len(self._name) + 4 + len(chunk) + 2 for chunk in chunks)
            if len(chunks) <= self._max_chunks and header <= self._max_cookie_bytes:
                break
            if not droppable:
                raise CookieTooLargeError(
                    f"The session needs {len(chunks)} cookies, {header} bytes of the Cookie "
                    f"header (limits {self._max_chunks} and {self._max_cookie_bytes}); use a "
                    "server-side state store."
                )
            state = _without(state, droppable.pop(0))
            self._log.warn(
                "trimmed",
                "The session cookie %r was over its size limit: cached access tokens were "
                "dropped (they are fetched again with the refresh token when needed).",
                self._name,
            )
        self._check_count(size, len(chunks))
        return chunks

    def _check_count(self, size: int, count: int) -> None:
        if count > _WARN_ABOVE_CHUNKS:
            self._log.warn(
                "large",
                "The session cookie %r needs %d chunks (%d characters); browsers and proxies "
                "limit the Cookie header, consider a server-side state store.",
                self._name,
                count,
                size,
            )

    def _delete_from(self, start: int, cookies: Mapping[str, str], response: Any) -> None:
        """Delete chunks ``start..`` the request carried and, blindly, up to ``max_chunks``.

        The blind range covers chunks another tab wrote after this request was sent.
        """
        stale = {i for i in self._chunks(cookies) if i >= start}
        stale.update(range(start, self._max_chunks))
        for index in sorted(stale):
            delete_cookie(response, f"{self._name}_{index}", self._attrs)
        if self._name in cookies:
            delete_cookie(response, self._name, self._attrs)

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Delete every session cookie (all chunks and a bare one).

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
        """
        cookies = request_cookies(options, "CookieStateStore")
        self._delete_from(0, cookies, response_of(options, "CookieStateStore"))
        self._memo.forget(_request_of(options))

    def delete_by_logout_token(
        self, claims: Mapping[str, Any], options: StoreOptions = None
    ) -> None:
        """Always refuses: a stateless cookie session cannot be revoked from the server.

        Raises:
            StoreNotSupportedError: always; configure a server-side state store instead.
        """
        raise StoreNotSupportedError(
            "Back-channel logout needs a server-side state store: sessions kept in cookies "
            "live in the browser and cannot be deleted by the server."
        )


class CookieTransactionStore:
    """Login transactions, one sealed cookie each (``{cookie_name}.{sha256(identifier)[:16]}``).

    The value is sealed with the identifier (``_a0_tx:{state}``) as salt, so a cookie cannot
    be read for another ``state``. At most ``max_transactions`` are kept: when a new one is
    written, the oldest by the browser's cookie order (RFC 6265 §5.4 sends earlier-created
    cookies of the same path first) are deleted.
    """

    def __init__(
        self,
        secret: str | Sequence[str],
        *,
        cookie_name: str = "_a0_tx",
        secure: bool = True,
        path: str = "/",
        domain: str | None = None,
        max_age: int = 600,
        clock: Callable[[], float] = time.time,
        max_transactions: int = 5,
    ) -> None:
        """Create the store.

        Raises:
            ConfigurationError: empty secret, invalid cookie name or attributes (CR, LF or
                ``;`` in ``path``/``domain``), ``max_age`` not a whole number of seconds from 1
                to 400 days, or ``max_transactions`` not a whole number of at least 1.
        """
        _check_name(cookie_name)
        _check_count("max_age", max_age, 1, _MAX_COOKIE_AGE)
        _check_count("max_transactions", max_transactions, 1)
        self._secrets = _secret_list(secret)
        self._name = cookie_name
        self._max_age = max_age
        self._clock = clock
        self._max_transactions = max_transactions
        # SameSite=Lax is required: the callback is a top-level cross-site GET.
        self._attrs = cookie_attributes(path=path, secure=secure, same_site="Lax", domain=domain)
        self._log = OnceLogger()
        self._pattern = re.compile(re.escape(cookie_name) + r"\.[0-9a-f]{16}")

    def cookie_name(self, identifier: str) -> str:
        """The cookie that holds the transaction ``identifier``."""
        digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:16]
        return f"{self._name}.{digest}"

    def get(self, identifier: str, options: StoreOptions = None) -> dict[str, Any] | None:
        """The transaction, or None when absent, invalid, for another state, or expired.

        Raises:
            MissingStoreOptionsError: ``options`` has no request with cookies.
        """
        token = request_cookies(options, "CookieTransactionStore").get(self.cookie_name(identifier))
        if not token:
            return None
        try:
            value = unseal(token, self._secrets, identifier)
        except UnsealError:
            self._log.warn(
                "unseal",
                "Ignoring transaction cookie (%d characters): it could not be decrypted.",
                len(token),
            )
            return None
        return None if is_expired(value, self._clock()) else value

    def set(
        self,
        identifier: str,
        state: Mapping[str, Any],
        remove_if_expires: bool = False,
        options: StoreOptions = None,
    ) -> None:
        """Seal the transaction into its own cookie, evicting the oldest beyond the bound.

        Raises:
            MissingStoreOptionsError: ``options`` lacks the request or the response.
            CookieTooLargeError: the sealed transaction does not fit in one cookie.
            InvalidArgumentError: the transaction is not JSON-serializable.
        """
        cookies = request_cookies(options, "CookieTransactionStore")
        response = response_of(options, "CookieTransactionStore")
        name = self.cookie_name(identifier)
        max_age = min(self._max_age, _remaining(state, self._clock(), self._max_age))
        token = seal(state, self._secrets[0], identifier)
        if len(name) + len(token) + 1 + _FRAMEWORK_MARGIN * 2 > COOKIE_LIMIT:
            raise CookieTooLargeError("The login transaction does not fit in a cookie.")
        others = [n for n in cookies if n != name and self._pattern.fullmatch(n)]
        excess = len(others) - (self._max_transactions - 1)
        for old in others[: max(0, excess)]:
            delete_cookie(response, old, self._attrs)
        if max_age <= 0:
            delete_cookie(response, name, self._attrs)
            return
        response.set_cookie(name, token, max_age=max_age, **self._attrs)

    def delete(self, identifier: str, options: StoreOptions = None) -> None:
        """Delete the transaction's cookie.

        Raises:
            MissingStoreOptionsError: ``options`` has no response.
        """
        response = response_of(options, "CookieTransactionStore")
        delete_cookie(response, self.cookie_name(identifier), self._attrs)


__all__ = ["COOKIE_LIMIT", "CookieStateStore", "CookieTransactionStore"]
