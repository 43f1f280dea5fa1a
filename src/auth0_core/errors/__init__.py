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

from ._api import (
    AccessTokenError,
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    ApiError,
    AuthorizationError,
    CustomTokenExchangeError,
    InvalidGrantError,
    ManagementApiError,
    MfaRequiredError,
    MissingRefreshTokenError,
    MyAccountApiError,
    OAuthError,
    ParError,
    PollingApiError,
)
from ._base import Auth0Error
from ._base import printable as printable  # the one way network text reaches a message
from ._codes import (
    AccessTokenErrorCode,
    AccessTokenForConnectionErrorCode,
    CustomTokenExchangeErrorCode,
    EnterpriseConnectErrorCode,
    PasskeyErrorCode,
    PasswordlessErrorCode,
)
from ._embedded import (
    AnonymousSessionCreateError,
    AnonymousSessionError,
    AnonymousSessionTokenError,
    MfaApiError,
    MfaChallengeError,
    MfaEnrollmentError,
    MfaListAuthenticatorsError,
    MfaVerifyError,
    PasskeyError,
    PasswordlessError,
    PasswordlessStartError,
    PasswordlessVerifyError,
)
from ._protocol import (
    BackchannelLogoutError,
    IdTokenError,
    InvalidRecordError,
    InvalidResponse,
    IssuerValidationError,
    KeyNotFoundError,
    MfaTokenInvalidError,
    MissingTransactionError,
    OrganizationTokenValidationError,
    ProtocolError,
    StateMismatch,
    TransactionBindingError,
    UnsealError,
    UserInfoError,
    WrongCallbackError,
)
from ._transport import (
    MfaTokenExpiredError,
    ResponseTooLargeError,
    SessionExpiredError,
    StoreUnavailableError,
    TransportError,
    TransportTimeoutError,
)
from ._usage import (
    ConfigurationError,
    CookieTooLargeError,
    DomainResolverError,
    EnterpriseConnectError,
    InvalidArgumentError,
    MissingExtraError,
    MissingRequiredArgumentError,
    MissingStoreOptionsError,
    StartLinkUserError,
    StoreNotSupportedError,
    UsageError,
)

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

# The classes are documented, pickled and compared as auth0_core.errors.X, where users import
# them, not by the module of the package that defines them.
for _name in __all__:
    _value = globals()[_name]
    if isinstance(_value, type):
        _value.__module__ = __name__
del _name, _value
