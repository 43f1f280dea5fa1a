"""API errors of the embedded flows: MFA, passwordless, passkeys, anonymous sessions."""

from __future__ import annotations

from ._api import (
    ApiError,
)
from ._codes import (
    PasskeyErrorCode,
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
