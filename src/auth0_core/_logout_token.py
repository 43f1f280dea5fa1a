"""Logout token validation (OpenID Connect Back-Channel Logout 1.0 §2.6; protocol doc §8.2 [Do]).

:func:`validate_logout_token` checks, in this order, and stops at the first failure:

1. shape and header, before any key is looked up (:func:`precheck_logout_token` runs these
   alone, before a flow fetches anything): a non-empty ``str`` of at most 16 KiB, three
   base64url segments, a JSON header whose ``alg`` is in the allow-list (asymmetric only:
   ``none`` and ``HS*`` never), no ``crit``/``b64``;
2. key and signature: the JWKS key for ``kid`` (a miss raises :class:`KeyNotFoundError`, the
   signal to re-fetch the JWKS once), verified by the same code as ID tokens
   (:func:`auth0_core._id_token.verify_signature`); the payload a JSON object;
3. ``iss`` exactly the discovery issuer; ``aud`` the client id or a list holding it;
4. ``iat`` a present integer, not after ``now + leeway``;
5. ``exp``, when present, an integer not before ``now - leeway``; without ``exp``, the token
   is expired :data:`DEFAULT_LIFETIME` (10 min) after ``iat`` (plus leeway), which is as long
   as its ``jti`` is remembered: a replay cache can only vouch for that window;
6. ``jti`` a non-empty string;
7. ``events`` an object whose back-channel logout member is an object;
8. ``sid`` and/or ``sub``, each a non-empty string when present;
9. no ``nonce`` (it would let an ID token pass for a logout token);
10. the header's ``typ``, when present, ``logout+jwt`` (or ``application/logout+jwt``, case
    ignored, RFC 7515 §4.1.9). ``JWT``, the generic type many providers stamp on every token,
    counts as no ``typ``: it claims nothing, and the ``events``/``nonce`` rules above are what
    keep an ID token or an access token from passing as a logout token (spec §4.1).

Each failure is a :class:`BackchannelLogoutError` whose ``reason`` names the check; messages
never carry the token or a claim's value. The replay check (``jti`` not seen before) needs a
store, so it is the flow's (:mod:`auth0_core.flows.backchannel`), after all of these.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from ._id_token import (
    MAX_TOKEN_LENGTH,
    KeyNotFoundError,
    algorithm_tuple,
    check_header,
    decode_unverified_header,
    verify_signature,
)
from ._jwks import ALGORITHM_KEY_TYPES, JsonWebKeys
from .errors import BackchannelLogoutError, ConfigurationError, IdTokenError

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: Seconds a token without ``exp`` is accepted after its ``iat`` (protocol doc §8.2).
DEFAULT_LIFETIME = 600
_LOGOUT_TYPES = frozenset({"logout+jwt", "application/logout+jwt"})
_UNTYPED = frozenset({"jwt"})

#: Every ``reason`` a logout token (or the request carrying it) can be refused with, and the
#: message it gets. The messages are ours: fixed text, safe in an ``error_description``.
MESSAGES: Mapping[str, str] = {
    # the request around the token (auth0_core._backchannel_http)
    "missing_logout_token": "the request has no logout_token.",
    "duplicate_logout_token": "the request has more than one logout_token.",
    "body_too_large": "the request body is too large.",
    "malformed_body": "the request body cannot be read.",
    "unsupported_content_type": "the request body is neither a form nor JSON.",
    # the token itself, in the order the checks run
    "malformed": "the logout token is malformed",
    "unsupported_algorithm": "the logout token's 'alg' is not an allowed algorithm.",
    "unknown_kid": "no key in the tenant's JWKS matches the logout token's 'kid' and 'alg'.",
    "invalid_signature": "the logout token's signature is invalid.",
    "invalid_issuer": "the logout token's 'iss' is not the tenant's issuer.",
    "invalid_audience": "the logout token is not meant for this client ('aud').",
    "missing_iat": "the logout token has no 'iat'.",
    "invalid_iat": "the logout token's 'iat' is not an integer.",
    "issued_in_future": "the logout token was issued in the future ('iat').",
    "invalid_exp": "the logout token's 'exp' is not an integer.",
    "expired": "the logout token has expired.",
    "missing_jti": "the logout token has no 'jti'.",
    "invalid_jti": "the logout token's 'jti' is not a non-empty string.",
    "missing_events": "the logout token has no 'events'.",
    "invalid_events": "the logout token's 'events' has no back-channel logout event object.",
    "missing_sid_and_sub": "the logout token has neither 'sid' nor 'sub'.",
    "invalid_sid": "the logout token's 'sid' is not a non-empty string.",
    "invalid_sub": "the logout token's 'sub' is not a non-empty string.",
    "nonce_present": "the logout token carries a 'nonce'.",
    "invalid_typ": "the logout token's 'typ' is not logout+jwt.",
    "replayed": "the logout token was already used ('jti').",
}
REASONS = frozenset(MESSAGES)


def rejected(reason: str, detail: str | None = None) -> BackchannelLogoutError:
    """The :class:`BackchannelLogoutError` for ``reason`` (``detail``: a part's name)."""
    message = MESSAGES[reason]
    if detail is not None:
        message = f"{message.rstrip('.')} ({detail})."
    elif not message.endswith("."):
        message += "."
    return BackchannelLogoutError(message, reason)


def logout_token_algorithms(configured: Iterable[str]) -> tuple[str, ...]:
    """The configured ID token algorithms a logout token may use: the asymmetric ones.

    A logout token arrives on a public endpoint and must be signed by the tenant's key: never
    ``HS*`` (the client secret), whatever ID tokens allow. RS256 when none is asymmetric.
    """
    asymmetric = tuple(alg for alg in configured if alg in ALGORITHM_KEY_TYPES)
    return asymmetric or ("RS256",)


@attrs.frozen(kw_only=True)
class LogoutTokenChecks:
    """What a logout token must satisfy: the flow builds it from discovery and configuration.

    Raises:
        ConfigurationError: a blank issuer or client id, a negative leeway, or an algorithm
            that is not an asymmetric JWS algorithm.
    """

    issuer: str
    client_id: str
    leeway: int = 60
    algorithms: tuple[str, ...] = attrs.field(default=("RS256",), converter=algorithm_tuple)

    def __attrs_post_init__(self) -> None:
        for name in ("issuer", "client_id"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"'{name}' must be a non-empty string.")
        if type(self.leeway) is not int or self.leeway < 0:
            raise ConfigurationError("'leeway' must be a non-negative integer.")
        unsupported = [alg for alg in self.algorithms if alg not in ALGORITHM_KEY_TYPES]
        if not self.algorithms or unsupported:
            raise ConfigurationError(f"unsupported logout token algorithms: {unsupported!r}.")


@attrs.frozen(kw_only=True)
class LogoutTokenClaims:
    """What a validated logout token says. The repr names which of ``sid``/``sub`` it has."""

    iss: str
    jti: str = attrs.field(repr=False)
    iat: int
    exp: int | None
    sid: str | None = attrs.field(repr=lambda value: "..." if value else "None")
    sub: str | None = attrs.field(repr=lambda value: "..." if value else "None")

    @property
    def replay_key(self) -> str:
        """The identifier the token is claimed under: a digest of ``iss`` and ``jti``."""
        digest = hashlib.sha256(json.dumps([self.iss, self.jti]).encode("utf-8")).hexdigest()
        return f"backchannel_logout_jti:{digest}"

    def replay_expires_at(self, leeway: int) -> int:
        """Until when the ``jti`` must be remembered: as long as the token is accepted."""
        end = self.exp if self.exp is not None else self.iat + DEFAULT_LIFETIME
        return end + leeway

    def session_claims(self) -> dict[str, Any]:
        """The claims ``delete_by_logout_token`` matches sessions with (None when absent)."""
        return {"sid": self.sid, "sub": self.sub, "iss": self.iss}


def _signature_failure(error: IdTokenError) -> BackchannelLogoutError:
    if error.claim == "alg":
        return rejected("unsupported_algorithm")
    if error.claim == "signature":
        return rejected("invalid_signature")
    return rejected("malformed", error.claim)


def precheck_logout_token(token: object, algorithms: tuple[str, ...]) -> None:
    """Check 1 alone (shape and header), so junk costs no discovery or JWKS request.

    Raises:
        BackchannelLogoutError: ``missing_logout_token``, ``malformed`` or
            ``unsupported_algorithm``.
    """
    if token == "" or token is None:
        raise rejected("missing_logout_token")
    if not isinstance(token, str):
        raise rejected("malformed", "not a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise rejected("malformed", "too long")
    try:
        check_header(decode_unverified_header(token), algorithms)
    except IdTokenError as error:
        raise _signature_failure(error) from None


def validate_logout_token(
    token: str, *, keys: JsonWebKeys, checks: LogoutTokenChecks, now: int
) -> LogoutTokenClaims:
    """Verify a logout token's signature and claims (checks 1-10 of the module docstring).

    Args:
        token: the ``logout_token`` the tenant posted.
        keys: the tenant's JWKS.
        checks: the expected issuer and audience, the leeway and the allowed algorithms.
        now: the current time, Unix seconds.

    Returns:
        The claims the replay check and the deletion need.

    Raises:
        KeyNotFoundError: no JWKS key matches ``kid``/``alg``; re-fetch the JWKS once and retry.
        BackchannelLogoutError: any other failure; ``reason`` names it.
    """
    precheck_logout_token(token, checks.algorithms)
    try:
        header, claims = verify_signature(token, keys=keys, algorithms=checks.algorithms)
    except KeyNotFoundError:
        raise
    except IdTokenError as error:
        raise _signature_failure(error) from None
    iss = claims.get("iss")
    if not isinstance(iss, str) or iss != checks.issuer:
        raise rejected("invalid_issuer")
    _check_audience(claims.get("aud"), checks.client_id)
    iat, exp = _check_times(claims, now, checks.leeway)
    jti = claims.get("jti")
    if "jti" not in claims:
        raise rejected("missing_jti")
    if not isinstance(jti, str) or not jti:
        raise rejected("invalid_jti")
    _check_events(claims)
    sid, sub = _optional_string(claims, "sid"), _optional_string(claims, "sub")
    if sid is None and sub is None:
        raise rejected("missing_sid_and_sub")
    if "nonce" in claims:
        raise rejected("nonce_present")
    _check_type(header)
    return LogoutTokenClaims(iss=iss, jti=jti, iat=iat, exp=exp, sid=sid, sub=sub)


def _check_audience(aud: object, client_id: str) -> None:
    audiences = [aud] if isinstance(aud, str) else aud
    if not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
        raise rejected("invalid_audience")
    if client_id not in audiences:
        raise rejected("invalid_audience")


def _integer(claims: Mapping[str, object], name: str) -> int:
    value = claims[name]
    if type(value) is not int:  # not a bool, a float or a string
        raise rejected(f"invalid_{name}")
    return value


def _check_times(claims: Mapping[str, object], now: int, leeway: int) -> tuple[int, int | None]:
    if "iat" not in claims:
        raise rejected("missing_iat")
    iat = _integer(claims, "iat")
    if iat > now + leeway:
        raise rejected("issued_in_future")
    exp = _integer(claims, "exp") if "exp" in claims else None
    end = exp if exp is not None else iat + DEFAULT_LIFETIME
    if now >= end + leeway:
        raise rejected("expired")
    return iat, exp


def _check_events(claims: Mapping[str, object]) -> None:
    if "events" not in claims:
        raise rejected("missing_events")
    events = claims["events"]
    if not isinstance(events, dict) or not isinstance(events.get(BACKCHANNEL_LOGOUT_EVENT), dict):
        raise rejected("invalid_events")


def _optional_string(claims: Mapping[str, object], name: str) -> str | None:
    if name not in claims:
        return None
    value = claims[name]
    if not isinstance(value, str) or not value:
        raise rejected(f"invalid_{name}")
    return value


def _check_type(header: Mapping[str, object]) -> None:
    if "typ" not in header:
        return
    typ = header["typ"]
    if not isinstance(typ, str):
        raise rejected("invalid_typ")
    folded = typ.lower()
    if folded not in _LOGOUT_TYPES and folded not in _UNTYPED:
        raise rejected("invalid_typ")


__all__ = [
    "BACKCHANNEL_LOGOUT_EVENT",
    "DEFAULT_LIFETIME",
    "MESSAGES",
    "REASONS",
    "LogoutTokenChecks",
    "LogoutTokenClaims",
    "logout_token_algorithms",
    "precheck_logout_token",
    "rejected",
    "validate_logout_token",
]
