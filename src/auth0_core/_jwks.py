"""JSON Web Key Sets: the validated key set, key selection, and a TTL cache.

The flow that validates an ID token consults a :class:`JwksCache`; on a miss it yields
:func:`~auth0_core.endpoints.authentication.jwks.prepare_jwks_request` and stores what
:func:`~auth0_core.endpoints.authentication.jwks.process_jwks_response` returns. When the
token names a ``kid`` the set does not hold, :func:`~auth0_core._id_token.validate_id_token`
raises :class:`~auth0_core._id_token.KeyNotFoundError`; the flow then re-fetches the set once,
but only when :meth:`JwksCache.may_refetch` allows it (protocol doc §1.2: a signing-key rotation
must not break logins until the cache expires, and a stream of forged ``kid`` values must not
turn into a stream of JWKS requests). The rule (docs/network.md, "JWKS re-fetches"): a ``kid``
not looked for since the set was last fetched may cause a re-fetch, at most
:data:`MAX_REFETCHES` of them per :data:`REFETCH_INTERVAL` per ``jwks_uri``; callers looking
for the same ``kid`` at once share one re-fetch::

    keys = cache.get(uri, now) or (yield from fetch_and_store())
    try:
        return validate_id_token(token, keys=keys, checks=checks, now=now)
    except KeyNotFoundError as missing:
        if not cache.may_refetch(uri, now, missing.kid):
            raise
        key = cache.mark_refetch(uri, now, missing.kid)
    try:
        keys = yield from fetch_and_store(shared=key)
    finally:
        cache.refetch_done(uri, key)
    try:
        return validate_id_token(token, keys=keys, checks=checks, now=now)
    except KeyNotFoundError as missing:
        cache.mark_missing(uri, missing.kid)  # looked for: no re-fetch for it until the next
        raise

Concurrency (one fetch in flight per ``jwks_uri``) is the adapters' job; this module is pure.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import threading
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeAlias

import attrs

from ._http import HttpResponse
from .errors import InvalidResponse

# joserfc (and cryptography under it) is imported when a JWKS document is first processed, not
# with this module (issue 14: import time).
if TYPE_CHECKING:
    from joserfc.jwk import ECKey, RSAKey

    #: The key types a signing key may have.
    SigningKey: TypeAlias = RSAKey | ECKey

#: The JWS algorithms each key type serves (RFC 7518 §3.1).
ALGORITHM_KEY_TYPES: Mapping[str, str] = {
    "RS256": "RSA",
    "RS384": "RSA",
    "RS512": "RSA",
    "PS256": "RSA",
    "PS384": "RSA",
    "PS512": "RSA",
    "ES256": "EC",
    "ES384": "EC",
    "ES512": "EC",
}
# RFC 7518 §3.4: each ECDSA algorithm is bound to one curve.
_EC_CURVES: Mapping[str, str] = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}

# RSA keys outside these sizes are ignored: too weak (NIST SP 800-131A), or a verification cost
# an attacker controlling a JWKS document could inflate.
MIN_RSA_BITS, MAX_RSA_BITS = 2048, 8192
MAX_KEYS = 100  # a document with more keys than this is not a JWKS we want to process

DEFAULT_TTL = 600
MIN_TTL, MAX_TTL = 60, 86_400
REFETCH_INTERVAL = 30
# Re-fetches for unknown kids per REFETCH_INTERVAL per jwks_uri: two rotations in a row are
# served, and forged kids cost at most this many JWKS requests per interval.
MAX_REFETCHES = 3
# Keys sharing one kid that a signature is tried against: bounded, so a hostile JWKS cannot
# make one token cost many verifications.
MAX_CANDIDATES = 3

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d{1,10})\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-store|no-cache)\s*(?:,|=|$)", re.IGNORECASE)


def _key_tuple(keys: Iterable[SigningKey]) -> tuple[SigningKey, ...]:
    return tuple(keys)


@attrs.frozen(repr=False)
class JsonWebKeys:
    """The usable signing keys of one JWKS document (RSA and EC, ``use`` absent or ``sig``).

    Build it with :meth:`from_document` (as the JWKS endpoint's ``process_jwks_response``
    does); the constructor takes already-imported joserfc keys (tests, or keys configured in
    code).
    """

    keys: tuple[SigningKey, ...] = attrs.field(converter=_key_tuple)

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key.key_type}:{key.kid}" for key in self.keys)
        return f"JsonWebKeys({shown})"

    @classmethod
    def from_document(cls, document: object) -> JsonWebKeys:
        """Validate a parsed JWKS document and keep its usable signing keys.

        Individual keys that are malformed, of another type, meant for encryption or too weak
        are skipped, so one bad entry cannot take the whole set down.

        Args:
            document: the decoded JSON document, ``{"keys": [...]}``.

        Returns:
            The usable keys, in document order.

        Raises:
            InvalidResponse: the document is not an object with a non-empty ``keys`` array of at
                most :data:`MAX_KEYS` entries, or none of its keys is a usable signing key.
        """
        if not isinstance(document, Mapping):
            raise InvalidResponse("the JWKS document is not a JSON object")
        entries = document.get("keys")
        if not isinstance(entries, list) or not entries:
            raise InvalidResponse("the JWKS document has no 'keys' array")
        if len(entries) > MAX_KEYS:
            raise InvalidResponse(f"the JWKS document has more than {MAX_KEYS} keys")
        keys = tuple(key for key in map(_import_signing_key, entries) if key is not None)
        if not keys:
            raise InvalidResponse("the JWKS document has no usable signing key")
        return cls(keys)

    def find(self, kid: str | None, alg: str) -> SigningKey | None:
        """The first key :meth:`candidates` offers, or None on a miss."""
        found = self.candidates(kid, alg)
        return found[0] if found else None

    def candidates(self, kid: str | None, alg: str) -> tuple[SigningKey, ...]:
        """The keys that may verify a token with header ``kid`` and ``alg``, to try in order.

        A key qualifies when its type serves ``alg``, its own ``alg`` (if any) equals ``alg``,
        and for EC its curve is the one ``alg`` requires. With a ``kid``, every qualifying key
        with that ``kid`` is offered (at most :data:`MAX_CANDIDATES`): key rollovers do publish
        two keys under one ``kid``. Without one, the only qualifying key is offered, and if
        there are several none is (OIDC Core §10.1 requires ``kid`` then).

        Args:
            kid: the token header's ``kid``, or None when the header has none.
            alg: the token header's ``alg``, already checked against the allow-list.

        Returns:
            The keys; empty is the "kid not found" signal: the caller may re-fetch the JWKS
            once (see :class:`JwksCache`).
        """
        qualifying = [key for key in self.keys if _serves(key, alg)]
        if kid is None:
            return tuple(qualifying) if len(qualifying) == 1 else ()
        return tuple(key for key in qualifying if key.kid == kid)[:MAX_CANDIDATES]


def _serves(key: SigningKey, alg: str) -> bool:
    key_type = ALGORITHM_KEY_TYPES.get(alg)
    if key_type is None or key.key_type != key_type:
        return False
    if key.alg is not None and key.alg != alg:
        return False
    from joserfc.jwk import ECKey

    return not isinstance(key, ECKey) or key.curve_name == _EC_CURVES[alg]


def _import_signing_key(entry: object) -> SigningKey | None:
    """Import one JWK if it is a well-formed public signing key, else None (RFC 7517 §4)."""
    if not isinstance(entry, dict):
        return None
    if not all(isinstance(entry.get(name, ""), str) for name in ("kid", "alg", "use", "kty")):
        return None
    if entry.get("use", "sig") != "sig":
        return None
    key_ops = entry.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        return None
    alg = entry.get("alg")
    if alg is not None and alg not in ALGORITHM_KEY_TYPES:
        return None
    from joserfc.jwk import ECKey, RSAKey

    # Import only the public members: a private member published by mistake is never used.
    kty = entry.get("kty")
    if kty == "RSA":
        if not MIN_RSA_BITS <= _modulus_bits(entry.get("n")) <= MAX_RSA_BITS:
            return None
        public = {name: entry[name] for name in ("kty", "n", "e") if name in entry}
        return _import(RSAKey, public, entry)
    if kty == "EC":
        public = {name: entry[name] for name in ("kty", "crv", "x", "y") if name in entry}
        return _import(ECKey, public, entry)
    return None


def _modulus_bits(modulus: object) -> int:
    if not isinstance(modulus, str) or len(modulus) > MAX_RSA_BITS // 4:
        return 0
    from joserfc.util import urlsafe_b64decode

    try:
        return int.from_bytes(urlsafe_b64decode(modulus.encode("ascii"))).bit_length()
    except (binascii.Error, ValueError):  # UnicodeEncodeError included
        return 0


def _import(
    kind: type[RSAKey] | type[ECKey], public: dict[str, object], entry: dict[str, object]
) -> SigningKey | None:
    if not all(isinstance(value, str) and value for value in public.values()):
        return None
    parameters = {name: entry[name] for name in ("kid", "alg", "use") if name in entry}
    from joserfc.errors import JoseError

    try:
        return kind.import_key(public, parameters)  # type: ignore[arg-type]
    except (JoseError, ValueError, TypeError, KeyError):
        return None


def cache_max_age(response: HttpResponse) -> int | None:
    """The ``Cache-Control`` lifetime the server asked for, unbounded; None when it gave none.

    ``no-store`` and ``no-cache`` count as 0 (the cache then keeps the set for the minimum TTL,
    which the re-fetch rate limit needs anyway).
    """
    header = ", ".join(response.header_values("cache-control"))
    if _NO_CACHE.search(header):
        return 0
    match = _MAX_AGE.search(header)
    return int(match.group(1)) if match else None


@attrs.frozen(kw_only=True)
class JwksCacheEntry:
    """One cached key set, when it was fetched, and until when it is fresh."""

    keys: JsonWebKeys
    fetched_at: int
    expires_at: int
    # Which fetch of the cache this was (1, 2...): names the re-fetches made against it.
    generation: int = 0


def _kid_digest(kid: object) -> str:
    """A short digest of a ``kid`` as given: any text, a lone surrogate (from a JSON escape)
    included, which plain ``str.encode`` refuses."""
    return hashlib.sha256(str(kid).encode("utf-8", "surrogatepass")).hexdigest()[:16]


class JwksCache:
    """Key sets per ``jwks_uri``, each kept for its TTL, with a re-fetch rate limit.

    The TTL is the server's ``max-age`` bounded to [:data:`MIN_TTL`, :data:`MAX_TTL`], or
    ``default_ttl`` (600 s) when the server gave none. At most ``max_entries`` URIs are kept;
    the oldest fetch is evicted first. Time is always passed in; the cache never reads a clock.
    Thread-safe: the sync client serves the threads of a web server, whose first logins may
    fetch and re-fetch at once.

    Re-fetches for a ``kid`` the set lacks (:meth:`may_refetch`): a ``kid`` already looked for
    in a set fetched after it was asked for (:meth:`mark_missing`) causes none until the set
    is fetched again; any other may cause one, at most ``max_refetches`` per
    ``refetch_interval`` per URI, and callers asking for one ``kid`` while its re-fetch is in
    flight join it at no cost.
    """

    def __init__(
        self,
        *,
        default_ttl: int = DEFAULT_TTL,
        refetch_interval: int = REFETCH_INTERVAL,
        max_refetches: int = MAX_REFETCHES,
        max_entries: int = 100,
    ) -> None:
        self.default_ttl = default_ttl
        self.refetch_interval = refetch_interval
        self.max_refetches = max_refetches
        self.max_entries = max_entries
        self._entries: dict[str, JwksCacheEntry] = {}
        self._fetches = 0
        # Per URI: when each re-fetch of the last interval started; kids the latest set was
        # searched for in vain; the re-fetches in flight (by key).
        self._refetched_at: dict[str, list[int]] = {}
        self._missing: dict[str, set[str | None]] = {}
        self._in_flight: dict[str, set[str]] = {}
        self._lock = threading.RLock()

    def entry(self, uri: str) -> JwksCacheEntry | None:
        """The entry for ``uri``, fresh or not (for diagnostics and tests)."""
        with self._lock:
            return self._entries.get(uri)

    def get(self, uri: str, now: int) -> JsonWebKeys | None:
        """The key set for ``uri`` if it is still fresh at ``now``, else None."""
        with self._lock:
            entry = self._entries.get(uri)
            if entry is None or not entry.fetched_at <= now < entry.expires_at:
                return None
            return entry.keys

    def ttl(self, max_age: int | None) -> int:
        """Seconds to keep a set the server sent with ``max_age`` (None: no Cache-Control)."""
        if max_age is None:
            return self.default_ttl
        return max(MIN_TTL, min(MAX_TTL, max_age))

    def put(self, uri: str, keys: JsonWebKeys, now: int, max_age: int | None = None) -> None:
        """Store ``keys`` for ``uri``, fetched at ``now`` (see :func:`cache_max_age`).

        Every ``kid`` may be looked for again in the new set.
        """
        with self._lock:
            if uri not in self._entries and len(self._entries) >= self.max_entries:
                oldest = min(self._entries, key=lambda name: self._entries[name].fetched_at)
                del self._entries[oldest]
                self._missing.pop(oldest, None)
            self._fetches += 1
            self._entries[uri] = JwksCacheEntry(
                keys=keys,
                fetched_at=now,
                expires_at=now + self.ttl(max_age),
                generation=self._fetches,
            )
            self._missing.pop(uri, None)

    def invalidate(self, uri: str) -> None:
        """Forget the set for ``uri`` (the rate-limit record stays)."""
        with self._lock:
            self._entries.pop(uri, None)

    def refetch_key(self, uri: str, kid: str | None) -> str:
        """The shared-request key of a re-fetch of ``uri`` for ``kid`` against the set held
        now: callers asking at once share one request, and a later set gets a new key, so a
        re-fetch is never answered with the document that lacked the key."""
        with self._lock:
            entry = self._entries.get(uri)
            generation = entry.generation if entry is not None else 0
            digest = "-" if kid is None else _kid_digest(kid)
            return f"jwks:{uri}:refetch:{generation}:{digest}"

    def may_refetch(self, uri: str, now: int, kid: str | None = None) -> bool:
        """Whether a token whose ``kid`` the set lacks may trigger a re-fetch of ``uri``.

        Yes while a re-fetch for that ``kid`` is in flight (the caller joins it). No when
        the ``kid`` was looked for in vain since the set was last fetched. Otherwise yes when
        fewer than ``max_refetches`` re-fetches started in the ``refetch_interval`` up to
        ``now``; one that started after ``now`` does not count, so a clock that went back
        cannot block re-fetches for good.
        """
        with self._lock:
            if self.refetch_key(uri, kid) in self._in_flight.get(uri, ()):
                return True
            if kid in self._missing.get(uri, ()):
                return False
            recent = [t for t in self._refetched_at.get(uri, ()) if self._recent(t, now)]
            return len(recent) < self.max_refetches

    def mark_refetch(self, uri: str, now: int, kid: str | None = None) -> str:
        """Record that ``uri`` is re-fetched at ``now`` for ``kid``; return the re-fetch's
        shared-request key. Joining a re-fetch in flight is not counted again."""
        with self._lock:
            key = self.refetch_key(uri, kid)
            in_flight = self._in_flight.setdefault(uri, set())
            if key in in_flight:
                return key
            in_flight.add(key)
            pruned: dict[str, list[int]] = {}
            for name, times in self._refetched_at.items():
                kept = [t for t in times if self._recent(t, now)]
                if kept:
                    pruned[name] = kept
            pruned.setdefault(uri, []).append(now)
            self._refetched_at = pruned
            return key

    def refetch_done(self, uri: str, key: str) -> None:
        """The re-fetch ``key`` ended (with a set or not): later callers no longer join it."""
        with self._lock:
            in_flight = self._in_flight.get(uri)
            if in_flight is not None:
                in_flight.discard(key)
                if not in_flight:
                    del self._in_flight[uri]

    def mark_missing(self, uri: str, kid: str | None) -> None:
        """``kid`` was looked for in the set fetched last and is not in it."""
        with self._lock:
            self._missing.setdefault(uri, set()).add(kid)

    def _recent(self, started: int, now: int) -> bool:
        return started <= now < started + self.refetch_interval
