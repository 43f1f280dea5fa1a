"""The option and result types under the names ``auth0_server_python.auth_types`` gives them,
for ``from auth0_requests.auth_types import ...`` (or ``auth0_anyio.auth_types``).

Only the types of features auth0-core has are here; docs/compatibility.md lists the others
and why. Each options class is also accepted as a plain dict with the same keys.
"""

from ._anonymous_types import (
    AnonymousCreateTokenResponse,
    AnonymousSession,
    AnonymousSessionContext,
    AnonymousSessionData,
    AnonymousTokenResponse,
    AnonymousTokenSetEntry,
    AnonymousTransferTokenResponse,
    CreateAnonymousSessionOptions,
    StartEnterpriseLoginOptions,
)
from ._domains import DomainResolverContext
from ._mfa_types import (
    AuthenticatorResponse,
    ChallengeResponse,
    MfaTokenContext,
    MfaVerifyResponse,
    OobEnrollmentResponse,
    OtpEnrollmentResponse,
)
from ._my_account_method_types import (
    AuthenticationMethod,
    EnrollAuthenticationMethodRequest,
    EnrollmentChallengeResponse,
    Factor,
    GetFactorsResponse,
    ListAuthenticationMethodsResponse,
    PasskeyAuthResponse,
    UpdateAuthenticationMethodRequest,
    VerifyAuthenticationMethodRequest,
)
from ._my_account_types import (
    CompleteConnectAccountResponse,
    ConnectedAccount,
    ConnectedAccountConnection,
    ListConnectedAccountConnectionsResponse,
    ListConnectedAccountsResponse,
)
from ._options import (
    ConnectAccountOptions,
    ConnectionTokenOptions,
    CustomTokenExchangeOptions,
    GetAccessTokenOptions,
    LoginWithCustomTokenExchangeOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)
from ._passkey_types import (
    PasskeyAuthenticatorSelection,
    PasskeyLoginChallengeResponse,
    PasskeyLoginResult,
    PasskeyPubKeyCredParam,
    PasskeyPublicKeyOptions,
    PasskeyRpInfo,
    PasskeySignupChallengeResponse,
    PasskeyTokenResponse,
    PasskeyUserInfo,
    PasskeyUserProfile,
)
from ._passwordless_types import (
    PASSWORDLESS_ALLOWED_AUTH_PARAMS,
    PASSWORDLESS_RESERVED_AUTH_PARAMS,
    PasswordlessStartResult,
    StartPasswordlessEmailOptions,
    StartPasswordlessSmsOptions,
    VerifyPasswordlessOtpOptions,
)
from ._result import LoginResult
from ._token_exchange_types import (
    LoginWithCustomTokenExchangeResult,
    SessionTransferTokenResult,
    TokenExchangeResponse,
)

# The official name of the Token Vault options (ours: ConnectionTokenOptions).
AccessTokenForConnectionOptions = ConnectionTokenOptions

__all__ = [
    "AccessTokenForConnectionOptions",
    "AnonymousCreateTokenResponse",
    "AnonymousSession",
    "AnonymousSessionContext",
    "AnonymousSessionData",
    "AnonymousTokenResponse",
    "AnonymousTokenSetEntry",
    "AnonymousTransferTokenResponse",
    "AuthenticationMethod",
    "AuthenticatorResponse",
    "ChallengeResponse",
    "CompleteConnectAccountResponse",
    "ConnectAccountOptions",
    "ConnectedAccount",
    "ConnectedAccountConnection",
    "ConnectionTokenOptions",
    "CreateAnonymousSessionOptions",
    "CustomTokenExchangeOptions",
    "DomainResolverContext",
    "EnrollAuthenticationMethodRequest",
    "EnrollmentChallengeResponse",
    "Factor",
    "GetAccessTokenOptions",
    "GetFactorsResponse",
    "ListAuthenticationMethodsResponse",
    "ListConnectedAccountConnectionsResponse",
    "ListConnectedAccountsResponse",
    "LoginResult",
    "LoginWithCustomTokenExchangeOptions",
    "LoginWithCustomTokenExchangeResult",
    "LogoutOptions",
    "MfaTokenContext",
    "MfaVerifyResponse",
    "OobEnrollmentResponse",
    "OtpEnrollmentResponse",
    "PASSWORDLESS_ALLOWED_AUTH_PARAMS",
    "PASSWORDLESS_RESERVED_AUTH_PARAMS",
    "PasskeyAuthResponse",
    "PasskeyAuthenticatorSelection",
    "PasskeyLoginChallengeResponse",
    "PasskeyLoginResult",
    "PasskeyPubKeyCredParam",
    "PasskeyPublicKeyOptions",
    "PasskeyRpInfo",
    "PasskeySignupChallengeResponse",
    "PasskeyTokenResponse",
    "PasskeyUserInfo",
    "PasskeyUserProfile",
    "PasswordlessStartResult",
    "SessionTransferTokenResult",
    "StartEnterpriseLoginOptions",
    "StartInteractiveLoginOptions",
    "StartLinkUserOptions",
    "StartPasswordlessEmailOptions",
    "StartPasswordlessSmsOptions",
    "StartUnlinkUserOptions",
    "TokenExchangeResponse",
    "UpdateAuthenticationMethodRequest",
    "VerifyAuthenticationMethodRequest",
    "VerifyPasswordlessOtpOptions",
]
