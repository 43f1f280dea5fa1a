"""The typed error hierarchy: every error a public call raises is an :class:`Auth0Error`.

Four branches say whose fault a failure is, local or remote, as h11 splits its errors, so a
caller can catch by what to do next: fix the application, distrust the peer, tell the user
what the server said, or retry later::

    Auth0Error                            root of them all (.code, .message)
    ├── UsageError                        the application misused the SDK: fix code or config
    │   ├── ConfigurationError            a client or store setting is missing or invalid
    │   │   └── MissingExtraError         a pip extra is not installed (also an ImportError)
    │   ├── InvalidArgumentError          a call was given a bad value (.argument)
    │   │   └── MissingRequiredArgumentError    a call was not given a required value
    │   │       └── MissingStoreOptionsError    a cookie store got no request or response
    │   ├── StoreNotSupportedError        the store cannot do this (revoke a cookie session)
    │   ├── CookieTooLargeError           a value does not fit the store's cookies
    │   ├── StartLinkUserError            linking needs a logged-in user with an ID token
    │   ├── DomainResolverError           the domain resolver failed (.original_error)
    │   └── EnterpriseConnectError        no session with Enterprise Connect
    ├── ProtocolError                     the server or the browser broke the protocol
    │   ├── InvalidResponse               the server's answer is malformed (.status, .excerpt)
    │   ├── MissingTransactionError       no login transaction for the callback
    │   │   ├── TransactionBindingError   the callback came from another browser than the login
    │   │   └── WrongCallbackError        the callback belongs to another flow (.kind, .expected)
    │   ├── StateMismatch                 the callback's state is not the transaction's
    │   ├── IdTokenError                  an ID token failed validation (.claim)
    │   │   ├── IssuerValidationError     its iss is not the tenant's issuer
    │   │   ├── OrganizationTokenValidationError   its organization is not the one asked for
    │   │   └── KeyNotFoundError          the JWKS has no key for its kid (.kid)
    │   ├── UserInfoError                 the userinfo answer is another user's than the ID
    │   │                                 token's (.claim); the session's user is unchanged
    │   ├── BackchannelLogoutError        a logout token or its request failed validation
    │   │                                 (.reason); nothing was deleted
    │   ├── UnsealError                   a sealed cookie or token does not open
    │   │   └── MfaTokenInvalidError      a sealed mfa_token does not open
    │   └── InvalidRecordError            a stored session or transaction is not one we read
    ├── ApiError                          the server refused (.error, .error_description, .status)
    │   ├── OAuthError                    an OAuth error body from an Auth0 endpoint (.error_uri)
    │   │   └── AuthorizationError        the callback carried error=
    │   ├── ParError                      the pushed authorization request was refused
    │   ├── AccessTokenError              no access token for the session (several codes)
    │   │   ├── MissingRefreshTokenError  nothing to refresh with: the user has to log in
    │   │   ├── InvalidGrantError         the refresh token was refused: log in again
    │   │   └── MfaRequiredError          MFA first (.mfa_token sealed, .mfa_requirements)
    │   ├── AccessTokenForConnectionError no Token Vault token (several codes)
    │   │   └── AccountNotConnectedError  no connected account for the connection (401)
    │   ├── ManagementApiError            the Management API refused (.error_code)
    │   ├── PollingApiError               a CIBA poll: not answered yet, or ended (.interval)
    │   ├── MyAccountApiError             the My Account API refused (.title, .type, .detail,
    │   │                                 .validation_errors)
    │   ├── CustomTokenExchangeError      a custom token exchange was refused
    │   ├── MfaApiError                   the MFA API refused (.cause)
    │   │   ├── MfaListAuthenticatorsError  listing authenticators
    │   │   ├── MfaEnrollmentError    enrolling one
    │   │   ├── MfaChallengeError     starting a challenge
    │   │   └── MfaVerifyError        verifying the answer
    │   ├── PasswordlessError             a passwordless step was refused (.retry_after)
    │   │   ├── PasswordlessStartError    no code or link was sent
    │   │   └── PasswordlessVerifyError   the one-time code was refused
    │   ├── PasskeyError                  a passkey step was refused (.auth_session, ...)
    │   └── AnonymousSessionError         an anonymous session could not be made or used
    │       ├── AnonymousSessionCreateError  creating (or re-minting) one
    │       └── AnonymousSessionTokenError   getting its token
    ├── TransportError                    the HTTP exchange did not complete (.url)
    │   ├── TransportTimeoutError         an exchange or a whole call ran out of time (.seconds)
    │   ├── ResponseTooLargeError         a body was over max_response_bytes (.limit)
    │   └── StoreUnavailableError         a shared store (Redis) did not answer (.store)
    ├── SessionExpiredError               the identity provider's session is over: log in again
    └── MfaTokenExpiredError              a sealed mfa_token is past its lifetime

:class:`SessionExpiredError` sits outside the branches: nobody is at fault and nobody refused;
time ran out on the upstream session. Under a branch, a handler meant for bugs or attacks
would fire on an ordinary expiry.

:class:`AccessTokenError` and :class:`AccessTokenForConnectionError` stay whole, as in the
official SDK, so one ``except`` catches every way getting a token fails; most of those ways are
refusals, the few that are not (nothing to refresh with, a malformed answer) say so in ``code``
and leave ``error`` and ``status`` None.

The fields, for every class:

- ``code`` is ours: a stable snake_case string, never a value from the network. Each class has
  one (its class attribute), except that :class:`AccessTokenError` and
  :class:`AccessTokenForConnectionError` choose among the codes in their ``codes`` set, as the
  official SDK's classes of the same names do. Codes the official SDK uses are kept.
- ``error`` and ``error_description`` (on :class:`ApiError`) are the server's words: the OAuth
  ``error``/``error_description`` members, the Management API's reason phrase and ``message``.
  Either is None when the server was not asked or did not say.
- ``status`` (on :class:`ApiError` and :class:`InvalidResponse`) is the HTTP status of the
  answer, None when there was none.
- Every string from the network is one printable, markup-free, bounded line (:func:`printable`).
  Messages never contain a token, a secret or a whole response body. Every field is set in
  ``__init__``.

Parity with the official SDK (protocol doc §10; docs/errors.md has the whole mapping): every
class and ``*ErrorCode`` of ``auth0_server_python.error`` is here with the same name, the same
constructor parameters in the same order (ours add keyword-only ones after them), the same
attributes (``code``, ``name``, ``cause``, ...) and the same codes; the ``*ErrorCode`` holders
are :class:`~enum.StrEnum` s whose members equal the official strings. Each class sits in the
branch that says whose fault it is; the official root-level classes (``MfaApiError``,
``PasskeyError``, ...) are refusals, so they are under :class:`ApiError`.

- Where the official SDK puts a local fault in a code of a remote-looking class, ours is a
  class of the right branch: ``ApiError`` codes ``configuration_error``, ``invalid_argument``,
  ``invalid_response``, ``timeout``, ``jwks_key_not_found`` and ``par_error`` are
  :class:`ConfigurationError`, :class:`InvalidArgumentError`, :class:`InvalidResponse`,
  :class:`TransportTimeoutError`, :class:`KeyNotFoundError` and :class:`ParError` (same
  codes). ``except ApiError`` does not catch the first five (``except`` follows real
  inheritance only, and a class under two branches would break the tree): catch
  :class:`Auth0Error` and branch on ``code`` to cover both.
- Token refusals map as the official SDK's do: a refused refresh is ``refresh_token_error``
  (:class:`InvalidGrantError` when the server said ``invalid_grant``), ``mfa_required`` is
  :class:`MfaRequiredError`, and a Token Vault refusal is ``api_error``
  (:class:`AccountNotConnectedError` when there is no connected account).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import ClassVar

# What the server or the browser says can reach an error message only as one printable line:
# no CR/LF to forge log lines, no angle brackets to form markup, and a bounded length.
_SERVER_TEXT_LIMIT = 300
_SERVER_CODE_LIMIT = 100


def printable(text: str, limit: int = _SERVER_TEXT_LIMIT) -> str:
    """``text`` as one printable, markup-free line of at most ``limit`` characters (+ "...")."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    line = line.replace("<", "\u2039").replace(">", "\u203a")
    return line[:limit] + ("..." if len(line) > limit else "")


def _printable_or_none(text: str | None, limit: int = _SERVER_TEXT_LIMIT) -> str | None:
    return None if text is None else printable(str(text), limit)


class Auth0Error(Exception):
    """Root of every error auth0-core raises; ``code`` is ours and stable (see the module).

    ``name`` is the class's name (the official SDK sets the same attribute on most classes).
    """

    code: str = "auth0_error"
    name: str = "Auth0Error"

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    def __init__(self, message: str | None = None) -> None:
        message = "" if message is None else message
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


# --- usage errors: the application misused the SDK ---------------------------------------------


class UsageError(Auth0Error):
    """The application misused the SDK (configuration, arguments, stores): fix the code."""

    code = "usage_error"


class ConfigurationError(UsageError):
    """The client was configured with a missing or invalid value."""

    code = "configuration_error"


# ImportError's ``name`` (str | None) is the module that failed to import; here it is that.
class MissingExtraError(ConfigurationError, ImportError):  # type: ignore[misc]
    """A module needs a third-party package that a pip extra of auth0-core provides.

    It is also an :class:`ImportError`, because it is raised where an import fails: ``import
    auth0_requests`` without ``requests`` installed, for example. ``extra`` names what to install;
    ``name`` is, as on any ImportError, the module that is missing (not the class's name).
    """

    code = "missing_extra"

    def __init__(self, feature: str, missing: str, extra: str) -> None:
        super().__init__(
            f"{feature} needs the '{missing}' package, which is not installed: "
            f"pip install 'auth0-core[{extra}]'"
        )
        self.feature = feature
        self.missing = missing
        self.extra = extra
        self.name = missing


class InvalidArgumentError(UsageError):
    """A public call was given an invalid value for ``argument``."""

    code = "invalid_argument"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


class MissingRequiredArgumentError(InvalidArgumentError):
    """A public call was not given the required ``argument``."""

    code = "missing_required_argument_error"

    def __init__(self, argument: str) -> None:
        super().__init__(argument, f"The argument '{argument}' is required but was not provided.")


class MissingStoreOptionsError(MissingRequiredArgumentError):
    """A cookie-backed store was called without ``store_options={"request", "response"}``."""

    def __init__(self, store: str, needed: str) -> None:
        # Skip the parent's generic message: say which store needs which object.
        InvalidArgumentError.__init__(
            self,
            "store_options",
            f"{store} reads and writes cookies, so every call needs "
            f"store_options={{'request': ..., 'response': ...}}; missing or unusable: {needed}.",
        )


class StoreNotSupportedError(UsageError):
    """The store cannot perform this operation (e.g. revoking a stateless cookie session)."""

    code = "store_not_supported"


class CookieTooLargeError(UsageError):
    """A value does not fit in the cookies this store may write; use a server-side store."""

    code = "cookie_too_large"


class StartLinkUserError(UsageError):
    """Linking or unlinking needs a logged-in user with an ID token."""

    code = "start_link_user_error"


class DomainResolverError(UsageError):
    """The application's domain resolver (Multiple Custom Domains) failed or named no domain.

    ``original_error`` is what the resolver raised, when it raised.
    """

    code = "domain_resolver_error"

    def __init__(self, message: str, original_error: BaseException | None = None) -> None:
        super().__init__(message)
        self.original_error = original_error


class EnterpriseConnectError(UsageError):
    """A session or token method was called on a client configured for Enterprise Connect,
    which keeps no session of its own (code ``enterprise_connect_not_supported``)."""

    code = "enterprise_connect_not_supported"

    def __init__(
        self,
        code: str = "enterprise_connect_not_supported",
        message: str = "",
        cause: object = None,
    ) -> None:
        super().__init__(message or "This call is not supported with Enterprise Connect.")
        self.code = code
        self.cause = cause


# --- protocol errors: the server or the browser broke the protocol ------------------------------


class ProtocolError(Auth0Error):
    """The server or the browser sent something the protocol does not allow."""

    code = "protocol_error"


class InvalidResponse(ProtocolError):
    """The server answered something the protocol does not allow."""

    code = "invalid_response"

    def __init__(self, message: str, *, status: int | None = None, excerpt: str = "") -> None:
        detail = f" (HTTP {status})" if status is not None else ""
        excerpt = printable(excerpt, limit=200)
        shown = f": {excerpt}" if excerpt else ""
        super().__init__(f"{message}{detail}{shown}")
        self.status = status
        self.excerpt = excerpt


class MissingTransactionError(ProtocolError):
    """No login transaction exists for the callback (expired, replayed, or never started)."""

    code = "missing_transaction_error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "The login transaction is missing or has expired.")


class TransactionBindingError(MissingTransactionError):
    """The callback did not come from the browser that started the transaction.

    A :class:`MissingTransactionError` too: for that browser there is no transaction, which is
    what a cookie-held transaction reports in the same case. Nothing was consumed.
    """

    code = "transaction_binding_error"

    def __init__(
        self,
        message: str = "The callback did not come from the browser that started this login "
        "(its binding cookie is missing or does not match).",
    ) -> None:
        super().__init__(message)


class WrongCallbackError(MissingTransactionError):
    """The callback belongs to another kind of flow than the ``complete_*`` call it reached.

    ``kind`` is what the callback is (``"login"``, ``"link"``, ``"unlink"``, ``"connect"``, or
    ``"authorization"`` when only its parameters tell: login, link or unlink) and ``expected``
    what the call completes. Nothing is consumed: the right ``complete_*`` call can still
    finish it. ``callback_kind`` says which call a callback URL needs.
    """

    code = "wrong_callback"

    def __init__(self, kind: str, expected: str) -> None:
        super().__init__(
            f"This is a {kind} callback; it cannot complete a {expected} flow (see callback_kind)."
        )
        self.kind = kind
        self.expected = expected


class StateMismatch(ProtocolError):
    """The callback's ``state`` does not match the stored transaction."""

    code = "state_mismatch"

    def __init__(self, message: str = "The state parameter does not match.") -> None:
        super().__init__(message)


class IdTokenError(ProtocolError):
    """An ID token failed validation; ``claim`` names what failed (or a header part)."""

    code = "invalid_id_token"

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim


class IssuerValidationError(IdTokenError):
    """The token's ``iss`` is not the expected issuer."""

    code = "issuer_validation_error"

    def __init__(self, message: str = "The token's issuer is not the expected issuer.") -> None:
        super().__init__("iss", message)


class OrganizationTokenValidationError(IdTokenError):
    """The token's organization claim does not match the requested organization.

    ``claim`` is the one compared: ``org_id`` or ``org_name``.
    """

    code = "organization_token_validation_error"

    def __init__(self, message: str, *, claim: str = "org_id") -> None:
        super().__init__(claim, message)


class KeyNotFoundError(IdTokenError):
    """The JWKS holds no key for the token's ``kid`` and ``alg``.

    Inside the SDK it is the signal to re-fetch the JWKS once and validate again; it reaches the
    caller only when the re-fetched set has no such key either. ``claim`` is ``"kid"`` and
    ``kid`` is the header's value (None when the header has none).
    """

    code = "jwks_key_not_found"

    def __init__(self, kid: str | None) -> None:
        super().__init__("kid", "no key in the JWKS matches the ID token's 'kid' and 'alg'.")
        self.kid = kid


class UserInfoError(ProtocolError):
    """The userinfo endpoint's answer cannot be merged into the session's user: its ``sub``
    is not the ID token's (OIDC Core §5.3.2: its claims must then not be used). ``claim``
    names what failed. A login writes no session; after a refresh the session's user and
    tokens are unchanged (docs/standard-dialect.md)."""

    code = "userinfo_error"

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim


class BackchannelLogoutError(ProtocolError):
    """A back-channel logout request or its logout token failed validation; nothing was deleted.

    ``reason`` is a stable short word saying which check failed (docs/backchannel-logout.md
    lists them all): ``malformed``, ``unsupported_algorithm``, ``unknown_kid``,
    ``invalid_signature``, ``invalid_issuer``, ``invalid_audience``, ``missing_iat``,
    ``invalid_iat``, ``issued_in_future``, ``invalid_exp``, ``expired``, ``missing_jti``,
    ``invalid_jti``, ``missing_events``, ``invalid_events``, ``missing_sid_and_sub``,
    ``invalid_sid``, ``invalid_sub``, ``nonce_present``, ``invalid_typ``, ``replayed``, and for
    the request around the token ``missing_logout_token``, ``duplicate_logout_token``,
    ``body_too_large``, ``malformed_body``, ``unsupported_content_type``. The message is ours
    and never contains the token or any of its claims.
    """

    code = "backchannel_logout_error"

    def __init__(self, message: str, reason: str = "rejected") -> None:
        super().__init__(message)
        self.reason = reason

    def __repr__(self) -> str:
        return f"BackchannelLogoutError(reason={self.reason!r}, message={self.message!r})"


class UnsealError(ProtocolError):
    """A sealed (JWE) value could not be opened: tampered, truncated, or another secret."""

    code = "unseal_error"

    def __init__(self, message: str = "The sealed value could not be decrypted.") -> None:
        super().__init__(message)


class MfaTokenInvalidError(UnsealError):
    """A sealed ``mfa_token`` does not open (tampered, truncated, or another secret)."""

    code = "mfa_token_invalid"

    def __init__(self) -> None:
        super().__init__("The MFA token is invalid.")


class InvalidRecordError(ProtocolError):
    """A stored record does not have the shape (or the format version) this SDK reads.

    Never raised by a public call: such a session or transaction reads as absent. ``record``,
    ``field`` and ``problem`` say what failed; the message never carries a stored value.
    """

    code = "invalid_record"

    def __init__(self, record: str, field: str, problem: str) -> None:
        super().__init__(f"The stored {record} is not valid: '{field}' {problem}.")
        self.record = record
        self.field = field
        self.problem = problem


# --- the official code enumerations --------------------------------------------------------------
#
# The official SDK's ``*ErrorCode`` holders, member for member and value for value. Each is a
# StrEnum: a member is the string itself (``AccessTokenErrorCode.MISSING_REFRESH_TOKEN ==
# "missing_refresh_token"``), so it compares, hashes and formats as the official constants do.


class AccessTokenErrorCode(StrEnum):
    """The codes of :class:`AccessTokenError` (and ``mfa_required``, :class:`MfaRequiredError`)."""

    MISSING_SESSION = "missing_session"
    MISSING_REFRESH_TOKEN = "missing_refresh_token"
    FAILED_TO_REFRESH_TOKEN = "failed_to_refresh_token"
    FAILED_TO_REQUEST_TOKEN = "failed_to_request_token"
    REFRESH_TOKEN_ERROR = "refresh_token_error"
    AUTH_REQ_ID_ERROR = "auth_req_id_error"
    INCORRECT_AUDIENCE = "incorrect_audience"
    MISSING_SESSION_DOMAIN = "missing_session_domain"
    DOMAIN_MISMATCH = "domain_mismatch"
    SESSION_EXPIRED = "session_expired"


class AccessTokenForConnectionErrorCode(StrEnum):
    """The codes of :class:`AccessTokenForConnectionError`."""

    MISSING_REFRESH_TOKEN = "missing_refresh_token"
    FAILED_TO_RETRIEVE = "failed_to_retrieve"
    API_ERROR = "api_error"
    FETCH_ERROR = "retrieval_error"
    MISSING_SESSION_DOMAIN = "missing_session_domain"
    DOMAIN_MISMATCH = "domain_mismatch"


class CustomTokenExchangeErrorCode(StrEnum):
    """The codes of :class:`CustomTokenExchangeError` (besides the server's own words)."""

    INVALID_TOKEN_FORMAT = "invalid_token_format"
    MISSING_ACTOR_TOKEN_TYPE = "missing_actor_token_type"
    MISSING_ACTOR_TOKEN = "missing_actor_token"
    TOKEN_EXCHANGE_FAILED = "token_exchange_failed"
    INVALID_RESPONSE = "invalid_response"
    ACTOR_UNAVAILABLE = "actor_unavailable"
    SETACTOR_REQUIRED = "setactor_required"
    SESSION_TRANSFER_DISABLED = "session_transfer_disabled"


class PasswordlessErrorCode(StrEnum):
    """The codes of :class:`PasswordlessStartError` and :class:`PasswordlessVerifyError`."""

    BAD_CONNECTION = "bad.connection"
    BAD_EMAIL = "bad.email"
    SMS_PROVIDER_ERROR = "sms_provider_error"
    TOO_MANY_REQUESTS = "too_many_requests"
    INVALID_GRANT = "invalid_grant"
    INVALID_ISSUER = "invalid_issuer"
    INVALID_AUDIENCE = "invalid_audience"
    TOKEN_EXPIRED = "token_expired"
    DISCOVERY_ERROR = "discovery_error"
    START_FAILED = "passwordless_start_failed"
    VERIFY_FAILED = "passwordless_verify_failed"


class PasskeyErrorCode(StrEnum):
    """The codes of :class:`PasskeyError` (besides the server's own words)."""

    CHALLENGE_FAILED = "passkey_challenge_error"
    TOKEN_EXCHANGE_FAILED = "passkey_token_error"
    INVALID_RESPONSE = "invalid_response"
    INVALID_GRANT = "invalid_grant"
    INVALID_REQUEST = "invalid_request"


class EnterpriseConnectErrorCode(StrEnum):
    """The code of :class:`EnterpriseConnectError`."""

    NOT_SUPPORTED = "enterprise_connect_not_supported"


# --- API errors: the server refused ---------------------------------------------------------


def _from_cause(cause: object, key: str) -> str | None:
    # An official-style ``cause``: the server's error body (a mapping) or an object with it.
    value = cause.get(key) if isinstance(cause, Mapping) else getattr(cause, key, None)
    return value if isinstance(value, str) else None


class ApiError(Auth0Error):
    """The server refused; ``error``/``error_description``/``status`` are what it answered.

    ``code`` is what the raise site says (each subclass has its own; the official SDK's
    signature ``ApiError(code, message, cause=None)`` is kept); the server's machine-readable
    word is ``error``. ``cause`` is what the failure came from, if anything: when it is the
    server's error body (or carries ``error``/``error_description``) and ``error`` is not
    given, those are read from it. It is never shown by ``str()`` or ``repr()``. Every string
    here may come from the network, so each is kept as one printable line.
    """

    code = "api_error"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
        error_uri: str | None = None,
    ) -> None:
        super().__init__(printable(message, limit=2 * _SERVER_TEXT_LIMIT))
        self.code = code
        self.cause = cause
        if error is None and error_description is None and cause is not None:
            error = _from_cause(cause, "error")
            error_description = _from_cause(cause, "error_description")
        self.error = _printable_or_none(error, _SERVER_CODE_LIMIT)
        self.error_description = _printable_or_none(error_description)
        self.status = status
        self.error_uri = _printable_or_none(error_uri)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, error={self.error!r}, "
            f"status={self.status!r}, message={self.message!r})"
        )


class OAuthError(ApiError):
    """An OAuth 2.0 error body ``{"error", "error_description"}`` from an Auth0 endpoint."""

    code = "oauth_error"
    error: str  # an OAuth error body always names its error

    def __init__(
        self,
        error: str,
        error_description: str | None = None,
        *,
        status: int | None = None,
        error_uri: str | None = None,
    ) -> None:
        message = f"{error}: {error_description}" if error_description else error
        super().__init__(
            type(self).code,
            message,
            error=error,
            error_description=error_description,
            status=status,
            error_uri=error_uri,
        )


class AuthorizationError(OAuthError):
    """The authorization callback carried ``error=`` (RFC 6749 §4.1.2.1)."""

    code = "authorization_error"


class ParError(ApiError):
    """The Pushed Authorization Request was refused."""

    code = "par_error"

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            "par_error", message, error=error, error_description=error_description, status=status
        )


def _one_of(cls: type[Auth0Error], codes: frozenset[str], code: str) -> str:
    # Codes are literals at the raise sites; this keeps a server's word from ever becoming one.
    if code not in codes:
        raise ValueError(f"{code!r} is not a code of {cls.__name__}: {sorted(codes)}")
    return code


class AccessTokenError(ApiError):
    """No access token could be returned for the session; ``code`` says why.

    ``code`` is one of :class:`AccessTokenErrorCode` or ``mfa_required``, as in the official
    SDK. Those this SDK raises: ``missing_refresh_token``, nothing to refresh with (no session,
    or no refresh token); ``refresh_token_error``, the refresh was refused (``error`` is the
    server's word: :class:`InvalidGrantError` when it is ``invalid_grant``) or could not be
    made; ``mfa_required``, MFA first (:class:`MfaRequiredError`); ``incorrect_audience``, the
    tenant answered for another API than the one asked.
    """

    code = "refresh_token_error"
    codes: ClassVar[frozenset[str]] = frozenset(
        {*(member.value for member in AccessTokenErrorCode), "mfa_required"}
    )

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            _one_of(type(self), self.codes, code),
            message,
            cause,
            error=error,
            error_description=error_description,
            status=status,
        )


class MissingRefreshTokenError(AccessTokenError):
    """The session has no refresh token (or there is no session) and the token is expired."""

    code = "missing_refresh_token"

    def __init__(self, message: str) -> None:
        super().__init__("missing_refresh_token", message)


class InvalidGrantError(AccessTokenError):
    """The tenant refused the refresh token (revoked, expired, reused): log in again.

    Its code is ``refresh_token_error``, the official SDK's for any refused refresh; the class
    and ``error == "invalid_grant"`` say which refusal it was.
    """

    code = "refresh_token_error"

    def __init__(self, error_description: str | None, *, status: int | None = None) -> None:
        super().__init__(
            "refresh_token_error",
            "The refresh token was refused; the user has to log in again.",
            error="invalid_grant",
            error_description=error_description,
            status=status,
        )


class MfaRequiredError(AccessTokenError):
    """The tenant requires multi-factor authentication before issuing the token.

    ``mfa_token`` is sealed (as the official SDK does) so it can travel through the browser;
    ``mfa_requirements`` is the server's object, when given. ``error`` is always
    ``mfa_required``; ``error_description`` and ``status`` are the server's.
    """

    code = "mfa_required"

    def __init__(
        self,
        message: str,
        mfa_token: str,
        mfa_requirements: object = None,
        cause: object = None,
        *,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            "mfa_required",
            message,
            cause,
            error="mfa_required",
            error_description=error_description,
            status=status,
        )
        self.mfa_token = mfa_token
        self.mfa_requirements = mfa_requirements


class AccessTokenForConnectionError(ApiError):
    """A Token Vault exchange failed; ``code`` (an :class:`AccessTokenForConnectionErrorCode`)
    says why.

    ``missing_refresh_token``: no session, or nothing to exchange; ``api_error``: the tenant
    refused (``error`` is the server's; :class:`AccountNotConnectedError` when it holds no
    account for the connection); ``retrieval_error``: a malformed answer.
    """

    code = "api_error"
    codes: ClassVar[frozenset[str]] = frozenset(
        member.value for member in AccessTokenForConnectionErrorCode
    )

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            _one_of(type(self), self.codes, code),
            message,
            cause,
            error=error,
            error_description=error_description,
            status=status,
        )


class AccountNotConnectedError(AccessTokenForConnectionError):
    """The tenant holds no connected account for the connection (it answered 401).

    Its code is ``api_error``, the official SDK's for any refusal; start Connected Accounts
    (``start_connect_account``) to let the user connect one.
    """

    code = "api_error"

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            "api_error", message, error=error, error_description=error_description, status=status
        )


class ManagementApiError(ApiError):
    """The Management API refused a call.

    ``error`` is the body's reason phrase (``"Not Found"``), ``error_description`` its
    ``message`` and ``error_code`` its ``errorCode`` (``"inexistent_user"``): all the server's.
    ``metadata_merged`` is True when a linking call had already written the merged
    ``user_metadata`` before the link itself failed.
    """

    code = "management_api_error"

    def __init__(
        self,
        *,
        status: int,
        error: str | None,
        message: str,
        error_code: str | None,
        metadata_merged: bool = False,
    ) -> None:
        super().__init__(
            "management_api_error",
            f"Management API error {status}: {message}",
            error=error,
            error_description=message,
            status=status,
        )
        self.error_code = _printable_or_none(error_code, _SERVER_CODE_LIMIT)
        self.metadata_merged = metadata_merged


class PollingApiError(ApiError):
    """A CIBA poll of the token endpoint (protocol doc §8.3) did not return tokens.

    ``authorization_pending``: the user has not answered yet; ``slow_down``: polled too fast,
    wait longer; ``expired_token``: the request expired (start again); ``access_denied``: the
    user refused; ``auth_req_id_error``: any other refusal (``error`` is the server's).
    ``interval`` is the seconds to wait before the next poll, when known.
    """

    code = "auth_req_id_error"
    codes: ClassVar[frozenset[str]] = frozenset(
        {
            "authorization_pending",
            "slow_down",
            "expired_token",
            "access_denied",
            "auth_req_id_error",
        }
    )

    def __init__(
        self,
        code: str,
        message: str,
        interval: float | None = None,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            _one_of(type(self), self.codes, code),
            message,
            cause,
            error=error,
            error_description=error_description,
            status=status,
        )
        self.interval = interval


class MyAccountApiError(ApiError):
    """The My Account API refused a call (an RFC 7807 problem body, protocol doc §7.6).

    ``title``, ``type``, ``detail`` and ``validation_errors`` (a list of dicts with ``detail``
    and optionally ``field``, ``pointer``, ``source``) are the body's, each one printable line;
    ``status`` is the body's, or the HTTP status when the body has none. ``str(error)`` is the
    detail, as in the official SDK. ``error`` is the title and ``error_description`` the
    detail. A body that is not a problem document leaves them None and says so in the message.
    """

    code = "my_account_api_error"

    def __init__(
        self,
        title: str | None,
        type: str | None,  # the official SDK's (and RFC 7807's) name
        detail: str | None,
        status: int | None,
        validation_errors: list[dict[str, str]] | None = None,
    ) -> None:
        message = detail or f"My Account API error {status}" + (f": {title}" if title else "")
        super().__init__(
            "my_account_api_error", message, error=title, error_description=detail, status=status
        )
        self.title = _printable_or_none(title)
        self.type = _printable_or_none(type)
        self.detail = _printable_or_none(detail)
        self.validation_errors = (
            None
            if validation_errors is None
            else [{k: printable(str(v)) for k, v in item.items()} for item in validation_errors]
        )


class CustomTokenExchangeError(ApiError):
    """A custom token exchange (RFC 8693 at ``/oauth/token``) was refused or answered badly.

    ``code`` is one of :class:`CustomTokenExchangeErrorCode` (``token_exchange_failed``,
    ``invalid_response``, ``actor_unavailable``, ...) or, as in the official SDK, the server's
    ``error`` for a refusal the SDK has no code of its own for.
    """

    code = "token_exchange_failed"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            code, message, cause, error=error, error_description=error_description, status=status
        )


class MfaApiError(ApiError):
    """An MFA API call (``/mfa/*``, the ``mfa-otp``/``mfa-oob`` grants) was refused.

    The four subclasses say which step; ``cause`` is the server's error body, when there was
    one, and gives ``error``/``error_description``.
    """

    code = "mfa_api_error"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            code, message, cause, error=error, error_description=error_description, status=status
        )

    @property
    def status_code(self) -> int | None:
        """The HTTP status of the refusal (``status``), as ``examples/MFA.md`` reads it."""
        return self.status


class MfaListAuthenticatorsError(MfaApiError):
    """Listing the user's authenticators was refused."""

    code = "mfa_list_authenticators_error"

    def __init__(self, message: str, cause: object = None, *, status: int | None = None) -> None:
        super().__init__("mfa_list_authenticators_error", message, cause, status=status)


class MfaEnrollmentError(MfaApiError):
    """Enrolling an authenticator was refused."""

    code = "mfa_enrollment_error"

    def __init__(self, message: str, cause: object = None, *, status: int | None = None) -> None:
        super().__init__("mfa_enrollment_error", message, cause, status=status)


class MfaChallengeError(MfaApiError):
    """Starting an MFA challenge was refused."""

    code = "mfa_challenge_error"

    def __init__(self, message: str, cause: object = None, *, status: int | None = None) -> None:
        super().__init__("mfa_challenge_error", message, cause, status=status)


class MfaVerifyError(MfaApiError):
    """Verifying the MFA code or out-of-band answer was refused."""

    code = "mfa_verify_error"

    def __init__(self, message: str, cause: object = None, *, status: int | None = None) -> None:
        super().__init__("mfa_verify_error", message, cause, status=status)


class PasswordlessError(ApiError):
    """A passwordless step was refused; ``retry_after`` is the server's wait in seconds.

    ``code`` is a :class:`PasswordlessErrorCode` value: the server's word where Auth0 names
    the refusal (``bad.email``, ``invalid_grant``, ...), else ``passwordless_start_failed`` or
    ``passwordless_verify_failed``.
    """

    code = "passwordless_error"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        retry_after: int | None = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            code, message, cause, error=error, error_description=error_description, status=status
        )
        self.retry_after = retry_after


class PasswordlessStartError(PasswordlessError):
    """``POST /passwordless/start`` was refused (no code or link was sent)."""

    code = "passwordless_start_failed"


class PasswordlessVerifyError(PasswordlessError):
    """Exchanging the one-time code for tokens was refused."""

    code = "passwordless_verify_failed"


class PasskeyError(ApiError):
    """A passkey sign-up or sign-in step was refused or answered badly.

    ``code`` is a :class:`PasskeyErrorCode` value or the server's ``error``.
    ``auth_session`` is set when Auth0 keeps the session open after a wrong code, with
    ``verification_required`` naming what is still unverified; ``retry_after`` is the server's
    wait in seconds; ``status_code`` (also ``status``) is the HTTP status of a refusal.
    """

    code = "passkey_error"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        auth_session: str | None = None,
        verification_required: list[str] | None = None,
        retry_after: int | None = None,
        status_code: int | None = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
    ) -> None:
        super().__init__(
            code,
            message,
            cause,
            error=error,
            error_description=error_description,
            status=status_code,
        )
        self.auth_session = auth_session
        self.verification_required = verification_required
        self.retry_after = retry_after
        self.status_code = status_code

    @property
    def is_verification_retryable(self) -> bool:
        """Whether the caller may submit another code: a wrong one, in a session still open."""
        return self.code == PasskeyErrorCode.INVALID_GRANT and bool(self.auth_session)


class AnonymousSessionError(ApiError):
    """An anonymous session could not be created or its token obtained."""

    code = "anonymous_session_error"

    def __init__(
        self,
        code: str,
        message: str,
        cause: object = None,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            code, message, cause, error=error, error_description=error_description, status=status
        )


class AnonymousSessionCreateError(AnonymousSessionError):
    """Creating (or re-minting) an anonymous session failed."""

    code = "anonymous_create_error"

    def __init__(
        self, message: str, code: str = "anonymous_create_error", cause: object = None
    ) -> None:
        super().__init__(code, message, cause)


class AnonymousSessionTokenError(AnonymousSessionError):
    """The anonymous session's token could not be obtained (other than by expiry)."""

    code = "anonymous_token_error"

    def __init__(
        self, message: str, code: str = "anonymous_token_error", cause: object = None
    ) -> None:
        super().__init__(code, message, cause)


# --- transport errors: the exchange did not complete --------------------------------------------


class TransportError(Auth0Error):
    """The HTTP exchange failed in the adapter (connection, TLS, timeout)."""

    code = "transport_error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class TransportTimeoutError(TransportError):
    """An exchange (``timeout``) or a whole public call (``call_timeout``) ran out of time."""

    code = "timeout"

    def __init__(self, message: str, *, url: str | None = None, seconds: float) -> None:
        super().__init__(message, url=url)
        self.seconds = seconds


class ResponseTooLargeError(TransportError):
    """A response body was longer than ``limit`` bytes; reading stopped there."""

    code = "response_too_large"

    def __init__(self, message: str, *, url: str | None = None, limit: int) -> None:
        super().__init__(message, url=url)
        self.limit = limit


class StoreUnavailableError(TransportError):
    """A shared store (Redis) could not be reached or did not answer in time.

    Like a failed HTTP exchange, nobody is at fault: retry later. ``store`` names the store
    class; ``url`` is None. The message never holds a key, a value or the server's address.
    """

    code = "store_unavailable"

    def __init__(self, message: str, *, store: str) -> None:
        super().__init__(message)
        self.store = store


# --- outside the branches ------------------------------------------------------------------------


class SessionExpiredError(Auth0Error):
    """The session's lifetime is over; the user has to log in again."""

    code = "session_expired"

    def __init__(self, message: str | None = None, cause: object = None) -> None:
        super().__init__(message or "The session has expired.")
        self.cause = cause


class MfaTokenExpiredError(Auth0Error):
    """A sealed ``mfa_token`` is past its lifetime: get a new one by asking for the token again."""

    code = "mfa_token_expired"

    def __init__(self) -> None:
        super().__init__("The MFA token has expired.")


__all__ = [
    "AccessTokenError",
    "AccessTokenErrorCode",
    "AccessTokenForConnectionError",
    "AccessTokenForConnectionErrorCode",
    "AccountNotConnectedError",
    "AnonymousSessionCreateError",
    "AnonymousSessionError",
    "AnonymousSessionTokenError",
    "ApiError",
    "Auth0Error",
    "AuthorizationError",
    "BackchannelLogoutError",
    "ConfigurationError",
    "CookieTooLargeError",
    "CustomTokenExchangeError",
    "CustomTokenExchangeErrorCode",
    "DomainResolverError",
    "EnterpriseConnectError",
    "EnterpriseConnectErrorCode",
    "IdTokenError",
    "InvalidArgumentError",
    "InvalidGrantError",
    "InvalidRecordError",
    "InvalidResponse",
    "IssuerValidationError",
    "KeyNotFoundError",
    "ManagementApiError",
    "MfaApiError",
    "MfaChallengeError",
    "MfaEnrollmentError",
    "MfaListAuthenticatorsError",
    "MfaRequiredError",
    "MfaTokenExpiredError",
    "MfaTokenInvalidError",
    "MfaVerifyError",
    "MissingExtraError",
    "MissingRefreshTokenError",
    "MissingRequiredArgumentError",
    "MissingStoreOptionsError",
    "MissingTransactionError",
    "MyAccountApiError",
    "OAuthError",
    "OrganizationTokenValidationError",
    "ParError",
    "PasskeyError",
    "PasskeyErrorCode",
    "PasswordlessError",
    "PasswordlessErrorCode",
    "PasswordlessStartError",
    "PasswordlessVerifyError",
    "PollingApiError",
    "ProtocolError",
    "ResponseTooLargeError",
    "SessionExpiredError",
    "StartLinkUserError",
    "StateMismatch",
    "StoreNotSupportedError",
    "StoreUnavailableError",
    "TransactionBindingError",
    "TransportError",
    "TransportTimeoutError",
    "UnsealError",
    "UsageError",
    "UserInfoError",
    "WrongCallbackError",
]
