"""The typed error hierarchy. Every error a public call raises derives from :class:`Auth0Error`.

::

    Auth0Error
    ├── ConfigurationError            the client was configured wrongly (local misuse)
    │   └── MissingExtraError         a pip extra is not installed (also an ImportError)
    ├── InvalidArgumentError          a call was given a bad value (.argument)
    │   └── MissingRequiredArgumentError
    ├── TransportError                the adapter could not complete an HTTP exchange
    │   └── ResponseTooLargeError     a response body was over max_response_bytes (.limit)
    ├── InvalidResponse               the server broke the protocol (.status, .excerpt)
    ├── ApiError                      the server answered with an error (.code, .error, ...)
    │   ├── OAuthError                an OAuth error body {"error", "error_description"}
    │   │   └── AuthorizationError    the callback carried error=...
    │   ├── ParError
    │   ├── AccessTokenError          no access token could be had for the session (.code)
    │   │   ├── MissingRefreshTokenError
    │   │   ├── InvalidGrantError     the refresh token was refused: log in again
    │   │   └── MfaRequiredError      (.mfa_token sealed, .mfa_requirements)
    │   ├── AccessTokenForConnectionError   Token Vault (.code, .error, .status)
    │   └── ManagementApiError        the Management API refused (.status, .error_code)
    ├── MissingTransactionError       no transaction for the callback's state
    │   └── TransactionBindingError   the callback came from another browser than the login
    ├── StartLinkUserError            linking needs a logged-in user
    ├── StateMismatch                 the callback's state does not match the transaction
    ├── IdTokenError                  an ID token failed validation (.claim)
    │   ├── IssuerValidationError
    │   └── OrganizationTokenValidationError
    ├── SessionExpiredError
    └── UnsealError                   a sealed cookie could not be opened (read as no session)

Messages never contain a token, a secret or a whole response body. Every field is set in
``__init__``.
"""

from __future__ import annotations

# What the server or the browser says can reach an error message only as one printable line:
# no CR/LF to forge log lines, no angle brackets to form markup, and a bounded length.
_SERVER_TEXT_LIMIT = 300


def printable(text: str, limit: int = _SERVER_TEXT_LIMIT) -> str:
    """``text`` as one printable, markup-free line of at most ``limit`` characters (+ "...")."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    line = line.replace("<", "\u2039").replace(">", "\u203a")
    return line[:limit] + ("..." if len(line) > limit else "")


def _printable_or_none(text: str | None) -> str | None:
    return None if text is None else printable(str(text))


class Auth0Error(Exception):
    """Root of every error auth0-core raises."""

    code: str = "auth0_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ConfigurationError(Auth0Error):
    """The client was configured with a missing or invalid value."""

    code = "configuration_error"


class MissingExtraError(ConfigurationError, ImportError):
    """A module needs a third-party package that a pip extra of auth0-core provides.

    It is also an :class:`ImportError`, because it is raised where an import fails: ``import
    auth0_requests`` without ``requests`` installed, for example. ``extra`` names what to install.
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


class InvalidArgumentError(Auth0Error):
    """A public call was given an invalid value for ``argument``."""

    code = "invalid_argument"

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


class MissingRequiredArgumentError(InvalidArgumentError):
    """A public call was not given the required ``argument``."""

    code = "missing_required_argument"

    def __init__(self, argument: str) -> None:
        super().__init__(argument, f"The argument '{argument}' is required but was not provided.")


class TransportError(Auth0Error):
    """The HTTP exchange failed in the adapter (connection, TLS, timeout)."""

    code = "transport_error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class ResponseTooLargeError(TransportError):
    """A response body was longer than ``limit`` bytes; reading stopped there."""

    code = "response_too_large"

    def __init__(self, message: str, *, url: str | None = None, limit: int) -> None:
        super().__init__(message, url=url)
        self.limit = limit


class InvalidResponse(Auth0Error):
    """The server answered something the protocol does not allow."""

    code = "invalid_response"

    def __init__(self, message: str, *, status: int | None = None, excerpt: str = "") -> None:
        detail = f" (HTTP {status})" if status is not None else ""
        excerpt = printable(excerpt, limit=200)
        shown = f": {excerpt}" if excerpt else ""
        super().__init__(f"{message}{detail}{shown}")
        self.status = status
        self.excerpt = excerpt


class ApiError(Auth0Error):
    """The server answered with an error; ``code`` is the server's ``error`` when it gave one.

    Every string here may come from the network, so each is kept as one printable line.
    """

    code = "api_error"

    def __init__(
        self,
        code: str,
        message: str,
        *,
        error_description: str | None = None,
        status: int | None = None,
        error_uri: str | None = None,
    ) -> None:
        code = printable(str(code), limit=100)
        super().__init__(printable(message, limit=2 * _SERVER_TEXT_LIMIT), code=code)
        self.error = code
        self.error_description = _printable_or_none(error_description)
        self.status = status
        self.error_uri = _printable_or_none(error_uri)


class OAuthError(ApiError):
    """An OAuth 2.0 error body ``{"error", "error_description"}`` from an Auth0 endpoint."""

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
            error,
            message,
            error_description=error_description,
            status=status,
            error_uri=error_uri,
        )


class AuthorizationError(OAuthError):
    """The authorization callback carried ``error=`` (RFC 6749 §4.1.2.1)."""


class ParError(ApiError):
    """The Pushed Authorization Request failed."""


class AccessTokenError(ApiError):
    """No access token could be returned for the session.

    ``code`` is ours (``missing_refresh_token``, ``wrong_audience``, ...) or the server's
    ``error``; ``error``/``error_description``/``status`` are the server's when it answered.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(code, message, error_description=error_description, status=status)


class MissingRefreshTokenError(AccessTokenError):
    """The session has no refresh token (or there is no session) and the token is expired."""

    def __init__(self, message: str) -> None:
        super().__init__("missing_refresh_token", message)


class InvalidGrantError(AccessTokenError):
    """The tenant refused the refresh token (revoked, expired, reused): log in again."""

    def __init__(self, error_description: str | None, *, status: int | None = None) -> None:
        super().__init__(
            "invalid_grant",
            "The refresh token was refused; the user has to log in again.",
            error_description=error_description,
            status=status,
        )


class MfaRequiredError(AccessTokenError):
    """The tenant requires multi-factor authentication before issuing the token.

    ``mfa_token`` is sealed (as the official SDK does) so it can travel through the browser;
    ``mfa_requirements`` is the server's object, when given.
    """

    def __init__(
        self,
        error_description: str | None,
        *,
        mfa_token: str,
        mfa_requirements: object = None,
        status: int | None = None,
    ) -> None:
        super().__init__(
            "mfa_required",
            "Multi-factor authentication is required.",
            error_description=error_description,
            status=status,
        )
        self.mfa_token = mfa_token
        self.mfa_requirements = mfa_requirements


class AccessTokenForConnectionError(ApiError):
    """A Token Vault exchange failed.

    Codes: ``missing_refresh_token`` (no session or nothing to exchange), ``not_connected``
    (the tenant holds no account for that connection: start Connected Accounts),
    ``api_error`` (any other server error; ``error`` keeps the server's code),
    ``retrieval_error`` (a malformed answer).
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        error: str | None = None,
        error_description: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(code, message, error_description=error_description, status=status)
        self.error = printable(error or code, limit=100)


class ManagementApiError(ApiError):
    """The Management API refused a call.

    Keeps the HTTP ``status`` and the body's ``error`` (reason phrase), ``message`` and
    ``errorCode`` (as ``error_code``). ``metadata_merged`` is True when a linking call had
    already written the merged ``user_metadata`` before the link itself failed.
    """

    def __init__(
        self,
        *,
        status: int,
        error: str | None,
        message: str,
        error_code: str | None,
        metadata_merged: bool = False,
    ) -> None:
        code = error_code or (error or "management_api_error").lower().replace(" ", "_")
        super().__init__(
            code,
            f"Management API error {status}: {message}",
            error_description=message,
            status=status,
        )
        self.error = printable(error or code, limit=100)
        self.error_code = _printable_or_none(error_code)
        self.metadata_merged = metadata_merged


class StartLinkUserError(Auth0Error):
    """Linking or unlinking needs a logged-in user with an ID token."""

    code = "start_link_user_error"


class MissingTransactionError(Auth0Error):
    """No login transaction exists for the callback (expired, replayed, or never started)."""

    code = "missing_transaction_error"

    def __init__(self, message: str = "The login transaction is missing or has expired.") -> None:
        super().__init__(message)


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


class StateMismatch(Auth0Error):
    """The callback's ``state`` does not match the stored transaction."""

    code = "state_mismatch"

    def __init__(self, message: str = "The state parameter does not match.") -> None:
        super().__init__(message)


class IdTokenError(Auth0Error):
    """An ID token failed validation; ``claim`` names what failed (or a header part)."""

    code = "invalid_id_token"

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim


class IssuerValidationError(IdTokenError):
    """The token's ``iss`` is not the expected issuer."""

    code = "invalid_issuer"

    def __init__(self, message: str = "The token's issuer is not the expected issuer.") -> None:
        super().__init__("iss", message)


class OrganizationTokenValidationError(IdTokenError):
    """The token's organization claim does not match the requested organization."""

    code = "invalid_organization"


class SessionExpiredError(Auth0Error):
    """The session's lifetime is over; the user has to log in again."""

    code = "session_expired"

    def __init__(self, message: str = "The session has expired.") -> None:
        super().__init__(message)


class UnsealError(Auth0Error):
    """A sealed (JWE) value could not be opened: tampered, truncated, or another secret."""

    code = "unseal_error"

    def __init__(self, message: str = "The sealed value could not be decrypted.") -> None:
        super().__init__(message)


__all__ = [
    "AccessTokenError",
    "AccessTokenForConnectionError",
    "ApiError",
    "Auth0Error",
    "AuthorizationError",
    "ConfigurationError",
    "IdTokenError",
    "InvalidArgumentError",
    "InvalidGrantError",
    "InvalidResponse",
    "IssuerValidationError",
    "ManagementApiError",
    "MfaRequiredError",
    "MissingExtraError",
    "MissingRefreshTokenError",
    "MissingRequiredArgumentError",
    "MissingTransactionError",
    "OAuthError",
    "OrganizationTokenValidationError",
    "ParError",
    "ResponseTooLargeError",
    "SessionExpiredError",
    "StartLinkUserError",
    "StateMismatch",
    "TransactionBindingError",
    "TransportError",
    "UnsealError",
]
