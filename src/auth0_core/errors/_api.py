"""API errors: the server refused (token, authorization, Management and My Account APIs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from ._base import (
    _SERVER_CODE_LIMIT,
    _SERVER_TEXT_LIMIT,
    Auth0Error,
    _printable_or_none,
    printable,
)
from ._codes import (
    AccessTokenErrorCode,
    AccessTokenForConnectionErrorCode,
)

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

    ``rotated_refresh_token``: the stateless ``get_token_by_refresh_token`` refused an answer
    (``incorrect_audience``) that rotated the refresh token it was given; the one given is
    spent (presenting it again is reuse, for which a rotating server revokes the grant), so
    this is the caller's refresh token from now on. None otherwise (a session's refresh keeps
    the rotated token in the session). Never in the message or the repr.
    """

    code = "refresh_token_error"
    codes: ClassVar[frozenset[str]] = frozenset(
        {*(member.value for member in AccessTokenErrorCode), "mfa_required"}
    )
    rotated_refresh_token: str | None = None

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
