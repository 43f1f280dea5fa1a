"""Transport errors, and the two official classes outside the branches."""

from __future__ import annotations

from ._base import (
    Auth0Error,
)

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
