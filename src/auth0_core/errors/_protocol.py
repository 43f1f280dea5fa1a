"""Protocol errors: the server or the browser broke the protocol."""

from __future__ import annotations

from ._base import (
    Auth0Error,
    printable,
)

# --- protocol errors: the server or the browser broke the protocol ------------------------------


class ProtocolError(Auth0Error):
    """The server or the browser sent something the protocol does not allow."""

    code = "protocol_error"


class InvalidResponse(ProtocolError):
    """The server answered something the protocol does not allow.

    ``rotated_refresh_token``: as on :class:`AccessTokenError`, the refresh token that a
    refused answer to a refresh rotated (a malformed answer that still carries a usable one,
    or a DPoP-bound token answered to a client without a key): a session's refresh keeps it in
    the session, the stateless ``get_token_by_refresh_token`` hands it back here. None
    otherwise. Never in the message or the repr.
    """

    code = "invalid_response"
    rotated_refresh_token: str | None = None

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
