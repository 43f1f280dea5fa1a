"""The official SDK's ``*ErrorCode`` enumerations, as StrEnums of the same strings."""

from __future__ import annotations

from enum import StrEnum

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
