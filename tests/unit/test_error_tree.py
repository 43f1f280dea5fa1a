"""The error tree of auth0_core.errors: four branches say whose fault a failure is, ``code`` is
ours and stable, and the server's words are only ever in ``error``/``error_description``."""

import enum
import importlib
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import pytest

import auth0_core
import auth0_core._id_token
import auth0_core.errors as errors
import auth0_core.stores
import auth0_core.stores._errors
from auth0_core._config import make_config
from auth0_core._http import HttpRequest, call_timed_out, exchange_timed_out, json_response
from auth0_core.endpoints.authentication.par import process_par_response
from auth0_core.endpoints.authentication.token import process_token_response
from auth0_core.endpoints.management.users import process_get_user_response
from auth0_core.errors import (
    AccessTokenError,
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    AnonymousSessionCreateError,
    AnonymousSessionError,
    AnonymousSessionTokenError,
    ApiError,
    Auth0Error,
    AuthorizationError,
    CustomTokenExchangeError,
    InvalidGrantError,
    ManagementApiError,
    MfaApiError,
    MfaChallengeError,
    MfaEnrollmentError,
    MfaListAuthenticatorsError,
    MfaRequiredError,
    MfaVerifyError,
    MissingRefreshTokenError,
    MyAccountApiError,
    OAuthError,
    ParError,
    PasskeyError,
    PasswordlessError,
    PasswordlessStartError,
    PasswordlessVerifyError,
    PollingApiError,
    ProtocolError,
    TransportError,
    UsageError,
)
from auth0_core.flows.tokens import raise_refresh_error

BRANCHES = (UsageError, ProtocolError, ApiError, TransportError)

# Every exported class: its branch (None: outside the branches) and its stable code.
TREE: dict[str, tuple[type[Auth0Error] | None, str]] = {
    "Auth0Error": (None, "auth0_error"),
    "UsageError": (UsageError, "usage_error"),
    "ConfigurationError": (UsageError, "configuration_error"),
    "MissingExtraError": (UsageError, "missing_extra"),
    "InvalidArgumentError": (UsageError, "invalid_argument"),
    "MissingRequiredArgumentError": (UsageError, "missing_required_argument_error"),
    "MissingStoreOptionsError": (UsageError, "missing_required_argument_error"),
    "StoreNotSupportedError": (UsageError, "store_not_supported"),
    "CookieTooLargeError": (UsageError, "cookie_too_large"),
    "StartLinkUserError": (UsageError, "start_link_user_error"),
    "DomainResolverError": (UsageError, "domain_resolver_error"),
    "EnterpriseConnectError": (UsageError, "enterprise_connect_not_supported"),
    "ProtocolError": (ProtocolError, "protocol_error"),
    "InvalidResponse": (ProtocolError, "invalid_response"),
    "MissingTransactionError": (ProtocolError, "missing_transaction_error"),
    "TransactionBindingError": (ProtocolError, "transaction_binding_error"),
    "WrongCallbackError": (ProtocolError, "wrong_callback"),
    "StateMismatch": (ProtocolError, "state_mismatch"),
    "IdTokenError": (ProtocolError, "invalid_id_token"),
    "IssuerValidationError": (ProtocolError, "issuer_validation_error"),
    "OrganizationTokenValidationError": (ProtocolError, "organization_token_validation_error"),
    "KeyNotFoundError": (ProtocolError, "jwks_key_not_found"),
    "UserInfoError": (ProtocolError, "userinfo_error"),
    "BackchannelLogoutError": (ProtocolError, "backchannel_logout_error"),
    "UnsealError": (ProtocolError, "unseal_error"),
    "MfaTokenInvalidError": (ProtocolError, "mfa_token_invalid"),
    "InvalidRecordError": (ProtocolError, "invalid_record"),
    "ApiError": (ApiError, "api_error"),
    "OAuthError": (ApiError, "oauth_error"),
    "AuthorizationError": (ApiError, "authorization_error"),
    "ParError": (ApiError, "par_error"),
    "AccessTokenError": (ApiError, "refresh_token_error"),
    "MissingRefreshTokenError": (ApiError, "missing_refresh_token"),
    "InvalidGrantError": (ApiError, "refresh_token_error"),
    "MfaRequiredError": (ApiError, "mfa_required"),
    "AccessTokenForConnectionError": (ApiError, "api_error"),
    "AccountNotConnectedError": (ApiError, "api_error"),
    "ManagementApiError": (ApiError, "management_api_error"),
    "MyAccountApiError": (ApiError, "my_account_api_error"),
    "PollingApiError": (ApiError, "auth_req_id_error"),
    "CustomTokenExchangeError": (ApiError, "token_exchange_failed"),
    "MfaApiError": (ApiError, "mfa_api_error"),
    "MfaListAuthenticatorsError": (ApiError, "mfa_list_authenticators_error"),
    "MfaEnrollmentError": (ApiError, "mfa_enrollment_error"),
    "MfaChallengeError": (ApiError, "mfa_challenge_error"),
    "MfaVerifyError": (ApiError, "mfa_verify_error"),
    "PasswordlessError": (ApiError, "passwordless_error"),
    "PasswordlessStartError": (ApiError, "passwordless_start_failed"),
    "PasswordlessVerifyError": (ApiError, "passwordless_verify_failed"),
    "PasskeyError": (ApiError, "passkey_error"),
    "AnonymousSessionError": (ApiError, "anonymous_session_error"),
    "AnonymousSessionCreateError": (ApiError, "anonymous_create_error"),
    "AnonymousSessionTokenError": (ApiError, "anonymous_token_error"),
    "TransportError": (TransportError, "transport_error"),
    "TransportTimeoutError": (TransportError, "timeout"),
    "ResponseTooLargeError": (TransportError, "response_too_large"),
    "StoreUnavailableError": (TransportError, "store_unavailable"),
    "SessionExpiredError": (None, "session_expired"),
    "MfaTokenExpiredError": (None, "mfa_token_expired"),
}

# The official SDK's code holders, exported beside the classes (test_official_errors.py checks
# their members against the installed official package).
ENUMS = {
    "AccessTokenErrorCode",
    "AccessTokenForConnectionErrorCode",
    "CustomTokenExchangeErrorCode",
    "EnterpriseConnectErrorCode",
    "PasskeyErrorCode",
    "PasswordlessErrorCode",
}

SERVER_ERROR = "weird_server_code"
SERVER_DESCRIPTION = "the server's own words"

# Each ApiError class that takes the server's error, built with SERVER_ERROR, and the code it
# must report whatever the server said.
FROM_SERVER: dict[type[ApiError], tuple[Callable[[], ApiError], str]] = {
    ApiError: (
        lambda: ApiError("api_error", "refused", error=SERVER_ERROR, status=400),
        "api_error",
    ),
    OAuthError: (lambda: OAuthError(SERVER_ERROR, SERVER_DESCRIPTION, status=400), "oauth_error"),
    AuthorizationError: (
        lambda: AuthorizationError(SERVER_ERROR, SERVER_DESCRIPTION),
        "authorization_error",
    ),
    ParError: (lambda: ParError("refused", error=SERVER_ERROR, status=400), "par_error"),
    AccessTokenError: (
        lambda: AccessTokenError("refresh_token_error", "refused", error=SERVER_ERROR),
        "refresh_token_error",
    ),
    AccessTokenForConnectionError: (
        lambda: AccessTokenForConnectionError("api_error", "refused", error=SERVER_ERROR),
        "api_error",
    ),
    AccountNotConnectedError: (
        lambda: AccountNotConnectedError("refused", error=SERVER_ERROR, status=401),
        "api_error",
    ),
    ManagementApiError: (
        lambda: ManagementApiError(
            status=400, error=SERVER_ERROR, message=SERVER_DESCRIPTION, error_code="inexistent"
        ),
        "management_api_error",
    ),
    MyAccountApiError: (
        lambda: MyAccountApiError(SERVER_ERROR, "about:blank", SERVER_DESCRIPTION, 400),
        "my_account_api_error",
    ),
    PollingApiError: (
        lambda: PollingApiError("auth_req_id_error", "refused", error=SERVER_ERROR),
        "auth_req_id_error",
    ),
    CustomTokenExchangeError: (
        lambda: CustomTokenExchangeError("token_exchange_failed", "refused", error=SERVER_ERROR),
        "token_exchange_failed",
    ),
    MfaApiError: (
        lambda: MfaApiError("mfa_api_error", "refused", {"error": SERVER_ERROR}),
        "mfa_api_error",
    ),
    MfaListAuthenticatorsError: (
        lambda: MfaListAuthenticatorsError("refused", {"error": SERVER_ERROR}),
        "mfa_list_authenticators_error",
    ),
    MfaEnrollmentError: (
        lambda: MfaEnrollmentError("refused", {"error": SERVER_ERROR}),
        "mfa_enrollment_error",
    ),
    MfaChallengeError: (
        lambda: MfaChallengeError("refused", {"error": SERVER_ERROR}),
        "mfa_challenge_error",
    ),
    MfaVerifyError: (
        lambda: MfaVerifyError("refused", {"error": SERVER_ERROR}),
        "mfa_verify_error",
    ),
    PasswordlessError: (
        lambda: PasswordlessError("passwordless_start_failed", "refused", error=SERVER_ERROR),
        "passwordless_start_failed",
    ),
    PasswordlessStartError: (
        lambda: PasswordlessStartError("passwordless_start_failed", "no", error=SERVER_ERROR),
        "passwordless_start_failed",
    ),
    PasswordlessVerifyError: (
        lambda: PasswordlessVerifyError("passwordless_verify_failed", "no", error=SERVER_ERROR),
        "passwordless_verify_failed",
    ),
    PasskeyError: (
        lambda: PasskeyError("passkey_token_error", "refused", error=SERVER_ERROR),
        "passkey_token_error",
    ),
    AnonymousSessionError: (
        lambda: AnonymousSessionError("anonymous_create_error", "no", {"error": SERVER_ERROR}),
        "anonymous_create_error",
    ),
    AnonymousSessionCreateError: (
        lambda: AnonymousSessionCreateError("refused", cause={"error": SERVER_ERROR}),
        "anonymous_create_error",
    ),
    AnonymousSessionTokenError: (
        lambda: AnonymousSessionTokenError("refused", cause={"error": SERVER_ERROR}),
        "anonymous_token_error",
    ),
}

# The ApiError classes whose server error is the one they stand for (None: not asked).
IMPLIED_SERVER_ERROR: dict[type[ApiError], tuple[Callable[[], ApiError], str | None]] = {
    MissingRefreshTokenError: (lambda: MissingRefreshTokenError("no session"), None),
    InvalidGrantError: (lambda: InvalidGrantError(SERVER_DESCRIPTION, status=400), "invalid_grant"),
    MfaRequiredError: (
        lambda: MfaRequiredError("MFA first", mfa_token="sealed", status=403),
        "mfa_required",
    ),
}


def exported_classes() -> list[type[Auth0Error]]:
    return [getattr(errors, name) for name in errors.__all__ if name not in ENUMS]


def test_every_export_is_an_auth0_error_placed_in_the_table_or_a_code_enum() -> None:
    assert errors.__all__ == sorted(errors.__all__)
    assert set(errors.__all__) == set(TREE) | ENUMS
    for cls in exported_classes():
        assert isinstance(cls, type)
        assert issubclass(cls, Auth0Error), cls
    for name in ENUMS:
        holder = getattr(errors, name)
        assert issubclass(holder, enum.StrEnum), name


@pytest.mark.parametrize("name", sorted(TREE))
def test_each_class_is_under_exactly_its_branch_with_its_code(name: str) -> None:
    cls = getattr(errors, name)
    branch, code = TREE[name]
    assert [b for b in BRANCHES if issubclass(cls, b)] == ([branch] if branch else [])
    assert cls.code == code


def docstring_tree() -> dict[str, str | None]:
    """Each class the module docstring draws, with the parent it is drawn under."""
    parents: dict[str, str | None] = {}
    path: list[str] = []
    for line in (errors.__doc__ or "").splitlines():
        drawn = re.match(r"    ((?:[│ ]   )*)([├└]── )?([A-Z]\w+) ", line)
        if drawn is None or not (drawn.group(2) or drawn.group(3) == "Auth0Error"):
            continue
        depth = len(drawn.group(1)) // 4 + (1 if drawn.group(2) else 0)
        del path[depth:]
        parents[drawn.group(3)] = path[-1] if path else None
        path.append(drawn.group(3))
    return parents


def test_the_module_docstring_draws_the_tree_as_it_is() -> None:
    drawn = docstring_tree()
    assert set(drawn) == set(errors.__all__) - ENUMS
    for name, parent in drawn.items():
        bases = [b.__name__ for b in getattr(errors, name).__bases__ if issubclass(b, Auth0Error)]
        assert bases == ([parent] if parent else []), name


def test_multiple_inheritance_is_kept() -> None:
    assert issubclass(errors.MissingExtraError, ImportError)
    assert issubclass(errors.MissingExtraError, errors.ConfigurationError)
    assert issubclass(errors.TransactionBindingError, errors.MissingTransactionError)
    assert issubclass(errors.MissingStoreOptionsError, errors.MissingRequiredArgumentError)
    assert issubclass(errors.KeyNotFoundError, errors.IdTokenError)


def test_old_import_paths_name_the_same_classes() -> None:
    for name in ("CookieTooLargeError", "MissingStoreOptionsError", "StoreNotSupportedError"):
        assert getattr(auth0_core.stores, name) is getattr(errors, name)
        assert getattr(auth0_core.stores._errors, name) is getattr(errors, name)
    assert auth0_core._id_token.KeyNotFoundError is errors.KeyNotFoundError


def test_no_sdk_module_defines_an_error_class_elsewhere() -> None:
    # The emulated tenant is a test double, not the SDK: its errors are its own.
    for module in pkgutil.walk_packages(auth0_core.__path__, "auth0_core."):
        if not module.name.startswith("auth0_core.tenant"):
            importlib.import_module(module.name)
    pending, defined = [Auth0Error], []
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        defined.append(cls)
    sdk = [c for c in defined if c.__module__.startswith("auth0_core.")]
    misplaced = [
        c for c in sdk if c.__module__ != "auth0_core.errors" and ".tenant" not in c.__module__
    ]
    assert misplaced == []
    assert {c.__name__ for c in sdk if c.__module__ == "auth0_core.errors"} == set(TREE)


def test_every_api_error_class_is_checked_below() -> None:
    api_classes = {c for c in exported_classes() if issubclass(c, ApiError)}
    assert api_classes == set(FROM_SERVER) | set(IMPLIED_SERVER_ERROR)


@pytest.mark.parametrize("cls", list(FROM_SERVER), ids=lambda c: c.__name__)
def test_the_server_error_goes_to_error_never_to_code(cls: type[ApiError]) -> None:
    build, code = FROM_SERVER[cls]
    error = build()
    assert type(error) is cls
    assert error.code == code
    assert error.error == SERVER_ERROR
    assert SERVER_ERROR in repr(error)


@pytest.mark.parametrize("cls", list(IMPLIED_SERVER_ERROR), ids=lambda c: c.__name__)
def test_classes_standing_for_one_server_error(cls: type[ApiError]) -> None:
    build, server_error = IMPLIED_SERVER_ERROR[cls]
    error = build()
    assert (error.code, error.error) == (cls.code, server_error)


@pytest.mark.parametrize("cls", [AccessTokenError, AccessTokenForConnectionError, PollingApiError])
def test_a_multi_code_class_takes_only_its_own_codes(cls: Any) -> None:
    with pytest.raises(ValueError, match=SERVER_ERROR):
        cls(SERVER_ERROR, "refused")
    for code in cls.codes:
        assert cls(code, "refused").code == code


def test_official_codes_are_kept() -> None:
    assert AccessTokenError.codes == {*errors.AccessTokenErrorCode, "mfa_required"}
    assert AccessTokenForConnectionError.codes == set(errors.AccessTokenForConnectionErrorCode)
    assert {"missing_refresh_token", "refresh_token_error", "incorrect_audience"} <= (
        AccessTokenError.codes
    )


# --- the raise sites put the server's words in .error -------------------------------------------


def test_a_token_endpoint_error_body() -> None:
    body = {"error": SERVER_ERROR, "error_description": SERVER_DESCRIPTION}
    with pytest.raises(OAuthError) as info:
        process_token_response(json_response(400, body))
    assert (info.value.code, info.value.error, info.value.error_description) == (
        "oauth_error",
        SERVER_ERROR,
        SERVER_DESCRIPTION,
    )


def test_a_refused_pushed_authorization_request() -> None:
    with pytest.raises(ParError) as info:
        process_par_response(json_response(400, {"error": SERVER_ERROR}))
    assert (info.value.code, info.value.error, info.value.status) == (
        "par_error",
        SERVER_ERROR,
        400,
    )


def refused_refresh(status: int, body: dict[str, Any]) -> AccessTokenError:
    config = make_config(
        domain="tenant.example", client_id="cid", client_secret="x", secret="s" * 32
    )
    response = json_response(status, body)
    with pytest.raises(OAuthError) as refusal:
        process_token_response(response)
    with pytest.raises(AccessTokenError) as info:
        raise_refresh_error(config, refusal.value, response)
    return info.value


def test_a_refused_refresh() -> None:
    error = refused_refresh(400, {"error": SERVER_ERROR, "error_description": SERVER_DESCRIPTION})
    assert type(error) is AccessTokenError
    assert (error.code, error.error, error.error_description, error.status) == (
        "refresh_token_error",
        SERVER_ERROR,
        SERVER_DESCRIPTION,
        400,
    )
    error = refused_refresh(400, {"error": "invalid_grant"})
    assert (type(error), error.code, error.error) == (
        InvalidGrantError,
        "refresh_token_error",
        "invalid_grant",
    )


def test_a_management_api_refusal() -> None:
    body = {"statusCode": 404, "error": "Not Found", "message": "no user", "errorCode": "gone"}
    with pytest.raises(ManagementApiError) as info:
        process_get_user_response(json_response(404, body))
    error = info.value
    assert (error.code, error.error, error.error_code, error.error_description, error.status) == (
        "management_api_error",
        "Not Found",
        "gone",
        "no user",
        404,
    )


def test_timeouts_are_transport_timeouts() -> None:
    request = HttpRequest(method="GET", url="https://tenant.example/jwks?code=secret")
    exchange = exchange_timed_out(request, 2.5)
    call = call_timed_out(30)
    for error in (exchange, call):
        assert type(error) is errors.TransportTimeoutError
        assert error.code == "timeout"
    assert (exchange.seconds, exchange.url, call.seconds) == (
        2.5,
        "https://tenant.example/jwks",
        30,
    )


# --- no token in what an error shows ------------------------------------------------------------

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlLXZhbHVl"


def test_the_mfa_token_is_not_shown() -> None:
    error = MfaRequiredError(SERVER_DESCRIPTION, TOKEN, {"x": 1}, error_description="words")
    assert error.mfa_token == TOKEN
    for shown in (str(error), repr(error), *error.args):
        assert TOKEN not in shown


def test_the_raw_mfa_token_of_a_refusal_is_neither_shown_nor_kept() -> None:
    body = {"error": "mfa_required", "error_description": "MFA", "mfa_token": TOKEN}
    error = refused_refresh(403, body)
    assert isinstance(error, MfaRequiredError)
    assert (error.code, error.error, error.status) == ("mfa_required", "mfa_required", 403)
    for shown in (str(error), repr(error), error.mfa_token):
        assert TOKEN not in shown


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhdXRoMHxhbGljZSJ9.c2lnbmF0dXJlLXZhbHVl"


@pytest.mark.parametrize(
    "description",
    [
        f"the refresh token {JWT} is revoked",
        f"bad token:{JWT}.",
        f"jwe {JWT}.aXY.Y2lwaGVy.dGFn",  # five parts: a JWE
    ],
)
def test_a_token_a_server_echoes_never_reaches_a_message(description: str) -> None:
    for error in (
        OAuthError("invalid_grant", description, status=400),
        raise_and_catch(description),
    ):
        shown = f"{error} {error!r} {error.error_description}"
        assert "eyJ" not in shown
        assert "(a token)" in shown


def raise_and_catch(description: str) -> errors.OAuthError:
    response = json_response(400, {"error": "invalid_grant", "error_description": description})
    try:
        process_token_response(response)
    except errors.OAuthError as error:
        return error
    raise AssertionError("not refused")
