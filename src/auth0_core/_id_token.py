"""ID token validation (OIDC Core §3.1.3.7; protocol doc §2.6, the [Do] column).

:func:`validate_id_token` checks, in this order, and stops at the first failure:

1. shape: a ``str`` of at most :data:`MAX_TOKEN_LENGTH` characters, three dot-separated
   base64url segments (the header and payload non-empty), before anything is parsed;
2. header: a JSON object without duplicate members; ``alg`` in the allow-list (``none`` never);
   no ``crit`` or ``b64``; ``kid`` a string when present;
3. key: for ``RS*``/``PS*``/``ES*`` the JWKS key with that ``kid`` (a miss raises
   :class:`KeyNotFoundError`, the signal to re-fetch the JWKS once); for ``HS*`` the client
   secret, never a JWKS key;
4. signature: verified by joserfc with only that key and only that algorithm;
5. claims: ``iss``, ``sub``, ``aud``, ``azp``, ``exp``, ``iat``, ``nbf``, ``nonce``,
   ``auth_time``/``max_age`` and the organization, each failure an :class:`IdTokenError` whose
   ``claim`` names it. Timestamps must be JSON integers (not booleans, not strings).

Every error derives from :class:`~auth0_core.errors.Auth0Error`; messages never echo the token.
"""

from __future__ import annotations

import binascii
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

import attrs

from ._jwks import ALGORITHM_KEY_TYPES, JsonWebKeys
from .errors import (
    ConfigurationError,
    IdTokenError,
    IssuerValidationError,
    OrganizationTokenValidationError,
    printable,
)
from .errors import KeyNotFoundError as KeyNotFoundError  # re-exported: imported from here

# joserfc (and cryptography under it) is imported by the first verification, not with this
# module (issue 14: import time).
if TYPE_CHECKING:
    from joserfc import jws
    from joserfc.jwk import OctKey

    from ._jwks import SigningKey

MAX_TOKEN_LENGTH = 16 * 1024
MAX_HEADER_SEGMENT = 512  # joserfc's own limit for a JWS header segment
HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
SUPPORTED_ALGORITHMS = frozenset(ALGORITHM_KEY_TYPES) | HMAC_ALGORITHMS
_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")
# session_expiry above this is not a Unix time in seconds (protocol doc §2.6): ignored.
_MAX_SESSION_EXPIRY = 10_000_000_000


def algorithm_tuple(algorithms: Iterable[str]) -> tuple[str, ...]:
    """The ``algorithms`` option as a tuple.

    Raises:
        ConfigurationError: a string ("RS256" would otherwise become ("R", "S", "2", ...)) or
            anything that is not a collection.
    """
    if isinstance(algorithms, str | bytes) or not isinstance(algorithms, Iterable):
        raise ConfigurationError("'algorithms' must be a tuple of JWS algorithm names.")
    return tuple(algorithms)


def check_algorithms(algorithms: tuple[str, ...], client_secret: str | None) -> None:
    """The ``algorithms`` allow-list: not empty, every one supported ("none" never is), and
    HS* only with a client secret.

    Raises:
        ConfigurationError: otherwise; an unsupported name is shown bounded.
    """
    if not algorithms:
        raise ConfigurationError("'algorithms' must not be empty.")
    unsupported = [a for a in algorithms if not isinstance(a, str) or a not in SUPPORTED_ALGORITHMS]
    if unsupported:  # includes "none", which is never supported
        shown = printable(str(unsupported[0]), limit=8)
        raise ConfigurationError(
            f"'algorithms' holds an unsupported ID token algorithm ({shown}); supported: "
            f"{', '.join(sorted(SUPPORTED_ALGORITHMS))}."
        )
    if HMAC_ALGORITHMS.intersection(algorithms) and not client_secret:
        raise ConfigurationError("HS* ID token algorithms need the client secret.")


@attrs.frozen(kw_only=True)
class IdTokenChecks:
    """What an ID token must satisfy; built by a flow from the configuration and transaction.

    ``nonce``: the nonce sent to ``/authorize``. When given, the token must carry an equal
    ``nonce`` (compared in constant time). ``require_nonce`` (default True) makes a missing
    expected nonce a :class:`ConfigurationError` here, so a login flow cannot forget it; flows
    whose tokens carry no nonce by design (refresh, OIDC Core §12.2) pass
    ``require_nonce=False``. When no nonce is expected, a ``nonce`` in the token is accepted
    and ignored.

    ``organization``: an ``org_...`` value must equal ``org_id`` exactly; any other value must
    equal ``org_name`` after NFC normalisation and lower-casing both sides.

    ``client_secret`` is the HMAC key, needed only when an ``HS*`` algorithm is allowed.

    Raises:
        ConfigurationError: a value is missing or out of range.
    """

    issuer: str
    client_id: str
    nonce: str | None = None
    require_nonce: bool = True
    max_age: int | None = None
    organization: str | None = None
    leeway: int = 60
    algorithms: tuple[str, ...] = attrs.field(default=("RS256",), converter=algorithm_tuple)
    client_secret: str | None = attrs.field(default=None, repr=False)

    def __attrs_post_init__(self) -> None:
        for name in ("issuer", "client_id", "nonce", "organization", "client_secret"):
            value = getattr(self, name)
            if value is None and name not in ("issuer", "client_id"):
                continue
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"'{name}' must be a non-empty string.")
        if self.require_nonce and self.nonce is None:
            raise ConfigurationError("an ID token nonce is required but none was given.")
        for name in ("leeway", "max_age"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 0):
                raise ConfigurationError(f"'{name}' must be a non-negative integer.")
        check_algorithms(self.algorithms, self.client_secret)


def _read_only(claims: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(claims))


@attrs.frozen(repr=False)
class IdTokenClaims:
    """The claims of a validated ID token, as a read-only mapping.

    The properties never raise: on claims that did not come from :func:`validate_id_token`, a
    missing ``sub`` reads as ``""`` and a missing ``iat``/``exp`` as ``0`` (long expired).
    The repr shows ``sub`` and the claim names only: no token, no personal data.
    """

    claims: Mapping[str, object] = attrs.field(converter=_read_only, eq=False, hash=False)

    def __repr__(self) -> str:
        return f"IdTokenClaims(sub={self.sub!r}, names={sorted(self.claims)!r})"

    def get(self, name: str) -> object:
        """The claim ``name``, or None when absent."""
        return self.claims.get(name)

    @property
    def sub(self) -> str:
        """The subject (validated: a non-empty string)."""
        value = self.claims.get("sub")
        return value if isinstance(value, str) else ""

    @property
    def sid(self) -> str | None:
        """The Auth0 session id, when the token carries one as a string."""
        value = self.claims.get("sid")
        return value if isinstance(value, str) else None

    @property
    def iat(self) -> int:
        """Issued-at, Unix seconds (validated)."""
        return _as_int(self.claims.get("iat"))

    @property
    def exp(self) -> int:
        """Expiry, Unix seconds (validated)."""
        return _as_int(self.claims.get("exp"))

    @property
    def auth_time(self) -> int | None:
        """When the user authenticated, when the token carries it as an integer."""
        value = self.claims.get("auth_time")
        return value if type(value) is int else None

    @property
    def session_expiry(self) -> int | None:
        """Auth0's ``session_expiry``: a positive int below 10^10, else None (fail-open, §2.6)."""
        value = self.claims.get("session_expiry")
        if type(value) is int and 0 < value < _MAX_SESSION_EXPIRY:
            return value
        return None


def _as_int(value: object) -> int:
    return value if type(value) is int else 0  # validated claims are always ints


def _split(token: object) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise IdTokenError("token", "the ID token is not a string.")
    if len(token) > MAX_TOKEN_LENGTH:
        raise IdTokenError("token", f"the ID token is longer than {MAX_TOKEN_LENGTH} characters.")
    parts = token.split(".")
    if len(parts) != 3:
        raise IdTokenError("token", "the ID token does not have three segments.")
    header, payload, signature = parts
    if not header or not payload or not all(_SEGMENT.fullmatch(part) for part in parts):
        raise IdTokenError("token", "the ID token's segments are not base64url.")
    return header, payload, signature


def _b64decode(segment: str, part: str) -> bytes:
    from joserfc.util import urlsafe_b64decode  # light: no cryptography

    try:
        return urlsafe_b64decode(segment.encode("ascii"))
    except (binascii.Error, ValueError):
        raise IdTokenError(part, f"the ID token's {part} is not valid base64url.") from None


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate member")
    return result


def _json_object(data: bytes, part: str) -> dict[str, object]:
    try:
        value = json.loads(data.decode("utf-8"), object_pairs_hook=_reject_duplicates)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError included
        raise IdTokenError(part, f"the ID token's {part} is not valid JSON.") from None
    if not isinstance(value, dict):
        raise IdTokenError(part, f"the ID token's {part} is not a JSON object.")
    return value


def decode_unverified_header(token: str) -> Mapping[str, object]:
    """Decode a token's JOSE header without verifying anything.

    Useful to read ``kid``/``alg`` for diagnostics; never trust what it returns.

    Args:
        token: a compact JWS.

    Returns:
        The header, read-only.

    Raises:
        IdTokenError: ``claim="token"`` when the token is not three base64url segments or too
            long; ``claim="header"`` when the header is not a JSON object.
    """
    header, _, _ = _split(token)
    if len(header) > MAX_HEADER_SEGMENT:
        raise IdTokenError("header", "the ID token's header is too large.")
    return MappingProxyType(_json_object(_b64decode(header, "header"), "header"))


def _check_header(
    header: Mapping[str, object], algorithms: tuple[str, ...]
) -> tuple[str, str | None]:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg == "none" or alg not in algorithms:
        raise IdTokenError("alg", "the ID token's 'alg' is not an allowed algorithm.")
    # RFC 7515 §4.1.11: we understand no extension, so a critical one is always rejected;
    # b64 (RFC 7797) changes what is signed and is only valid together with crit.
    for name in ("crit", "b64"):
        if name in header:
            raise IdTokenError(name, f"the ID token's header carries '{name}'.")
    kid = header.get("kid")
    # Present means a string: a JSON null kid is as malformed as a number.
    if "kid" in header and not isinstance(kid, str):
        raise IdTokenError("kid", "the ID token's 'kid' is not a string.")
    # The registered members (typ, cty, jku, x5c, ...) must have their registered types; checked
    # before the key lookup so a malformed header cannot trigger a JWKS re-fetch.
    from joserfc.errors import JoseError

    try:
        _registry(alg).check_header(dict(header))
    except JoseError as error:
        message = f"the ID token's header is malformed ({type(error).__name__})."
        raise IdTokenError("header", message) from None
    return alg, kid if isinstance(kid, str) else None


def _registry(alg: str) -> jws.JWSRegistry:
    # Only the one algorithm the header named and the allow-list accepted; unregistered
    # header members are tolerated (strict_check_header would reject e.g. Auth0 extensions).
    from joserfc import jws

    return jws.JWSRegistry(algorithms=[alg], strict_check_header=False)


def _select_keys(
    alg: str, kid: str | None, keys: JsonWebKeys, client_secret: str | None
) -> tuple[SigningKey | OctKey, ...]:
    if alg in HMAC_ALGORITHMS:
        # The HMAC key is the client secret and nothing else: never a JWKS key (alg confusion).
        from joserfc.jwk import OctKey

        return (OctKey.import_key(str(client_secret)),)
    candidates = keys.candidates(kid, alg)
    if not candidates:
        raise KeyNotFoundError(kid)
    return candidates


def _verify(token: str, candidates: tuple[SigningKey | OctKey, ...], alg: str) -> bytes:
    """The payload, verified by the first candidate key whose signature check passes."""
    from joserfc import jws
    from joserfc.errors import BadSignatureError, JoseError

    for key in candidates:
        try:
            return jws.deserialize_compact(token, key, registry=_registry(alg)).payload
        except BadSignatureError:
            continue  # a rollover may publish two keys under one kid: try the next
        except (JoseError, ValueError) as error:
            message = f"the ID token was rejected by JOSE checks ({type(error).__name__})."
            raise IdTokenError("header", message) from None
    raise IdTokenError("signature", "the ID token's signature is invalid.")


def validate_id_token(
    token: str, *, keys: JsonWebKeys, checks: IdTokenChecks, now: int
) -> IdTokenClaims:
    """Verify an ID token's signature and claims (protocol doc §2.6, [Do]).

    Args:
        token: the compact JWS from the token response.
        keys: the JWKS of the issuer (unused for ``HS*`` tokens).
        checks: the expected issuer, audience, nonce and the rest.
        now: the current time, Unix seconds.

    Returns:
        The validated claims.

    Raises:
        KeyNotFoundError: no JWKS key matches ``kid``/``alg``; re-fetch the JWKS once and retry.
        IssuerValidationError: ``iss`` is missing or not exactly ``checks.issuer``.
        OrganizationTokenValidationError: ``org_id``/``org_name`` does not match
            ``checks.organization`` (``claim`` names which).
        IdTokenError: anything else; ``claim`` is ``token``, ``header``, ``payload``, ``alg``,
            ``crit``, ``b64``, ``kid``, ``signature`` or the failing claim's name.
    """
    _, claims = verify_signature(
        token, keys=keys, algorithms=checks.algorithms, client_secret=checks.client_secret
    )
    _check_claims(claims, checks, now)
    return IdTokenClaims(claims)


def verify_signature(
    token: str,
    *,
    keys: JsonWebKeys,
    algorithms: tuple[str, ...],
    client_secret: str | None = None,
) -> tuple[Mapping[str, object], dict[str, object]]:
    """Steps 1-4 of :func:`validate_id_token`: shape, header, key, signature; no claim checked.

    Shared by every JWT the SDK verifies against the tenant's JWKS (ID tokens, logout tokens).

    Args:
        token: a compact JWS.
        keys: the issuer's JWKS (unused for ``HS*``).
        algorithms: the allow-list; ``none`` is never accepted whatever it says.
        client_secret: the HMAC key, used only when an ``HS*`` algorithm is allowed and named.

    Returns:
        The header (read-only) and the payload, a JSON object.

    Raises:
        KeyNotFoundError: no JWKS key matches ``kid``/``alg``; re-fetch the JWKS once and retry.
        IdTokenError: ``claim`` is ``token``, ``header``, ``payload``, ``alg``, ``crit``,
            ``b64``, ``kid`` or ``signature``.
    """
    _, payload_segment, _ = _split(token)
    header = decode_unverified_header(token)
    alg, kid = _check_header(header, algorithms)
    candidates = _select_keys(alg, kid, keys, client_secret)
    _b64decode(payload_segment, "payload")  # a malformed payload is reported as such
    return header, _json_object(_verify(token, candidates, alg), "payload")


def check_header(header: Mapping[str, object], algorithms: tuple[str, ...]) -> str:
    """The header's ``alg`` once the header passes :func:`verify_signature`'s header checks.

    For checks made before any key is fetched; :func:`verify_signature` repeats them.

    Raises:
        IdTokenError: ``claim`` is ``alg``, ``crit``, ``b64``, ``kid`` or ``header``.
    """
    return _check_header(header, algorithms)[0]


def _int_claim(claims: Mapping[str, object], name: str) -> int:
    value = claims.get(name)
    if value is None:
        raise IdTokenError(name, f"the ID token has no '{name}' claim.")
    if type(value) is not int:
        raise IdTokenError(name, f"the ID token's '{name}' is not an integer.")
    return value


def _check_claims(claims: Mapping[str, object], checks: IdTokenChecks, now: int) -> None:
    # OIDC Core §3.1.3.7 (2): exact string equality, no normalisation (protocol doc §1.3).
    if claims.get("iss") != checks.issuer or not isinstance(claims.get("iss"), str):
        raise IssuerValidationError()
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise IdTokenError("sub", "the ID token's 'sub' is missing or empty.")
    _check_audience(claims, checks.client_id)
    leeway = checks.leeway
    if now >= _int_claim(claims, "exp") + leeway:
        raise IdTokenError("exp", "the ID token has expired.")
    if _int_claim(claims, "iat") > now + leeway:
        raise IdTokenError("iat", "the ID token was issued in the future.")
    if "nbf" in claims and _int_claim(claims, "nbf") > now + leeway:
        raise IdTokenError("nbf", "the ID token is not valid yet.")
    if checks.nonce is not None:
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(
            nonce.encode("utf-8", "surrogatepass"), checks.nonce.encode("utf-8", "surrogatepass")
        ):
            raise IdTokenError("nonce", "the ID token's 'nonce' does not match.")
    # OIDC Core §3.1.3.7 (13): auth_time is required when max_age was requested.
    if checks.max_age is not None and (
        now > _int_claim(claims, "auth_time") + checks.max_age + leeway
    ):
        raise IdTokenError("auth_time", "the authentication is older than max_age.")
    if checks.organization is not None:
        _check_organization(claims, checks.organization)


def _check_audience(claims: Mapping[str, object], client_id: str) -> None:
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise IdTokenError("aud", "the ID token's 'aud' is missing or malformed.")
    if client_id not in audiences:
        raise IdTokenError("aud", "the ID token is not meant for this client.")
    azp = claims.get("azp")
    # OIDC Core §3.1.3.7 (4, 5): several audiences need an azp, and an azp must be us.
    if len(set(audiences)) > 1 and azp is None:
        raise IdTokenError("azp", "the ID token has several audiences but no 'azp'.")
    if azp is not None and azp != client_id:
        raise IdTokenError("azp", "the ID token's 'azp' is not this client.")


def _check_organization(claims: Mapping[str, object], organization: str) -> None:
    if organization.startswith("org_"):
        if claims.get("org_id") != organization:
            raise OrganizationTokenValidationError(
                "the ID token's 'org_id' does not match the requested organization.", claim="org_id"
            )
        return
    org_name = claims.get("org_name")
    if not isinstance(org_name, str) or _fold(org_name) != _fold(organization):
        raise OrganizationTokenValidationError(
            "the ID token's 'org_name' does not match the requested organization.",
            claim="org_name",
        )


def _fold(value: str) -> str:
    return unicodedata.normalize("NFC", value).lower()
