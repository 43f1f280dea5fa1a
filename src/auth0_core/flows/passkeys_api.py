"""The public passkey calls of ``ServerClient`` (the official ``passkey_signup_challenge``,
``passkey_login_challenge``, ``signin_with_passkey``), with the exact signatures the facades
expose; each loads :mod:`.passkeys` on its first call, so importing an adapter does not
(issue 14: import time). See docs/passkeys.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions

if TYPE_CHECKING:
    from .._my_account_method_types import PasskeyAuthResponse
    from .._passkey_types import (
        PasskeyLoginChallengeResponse,
        PasskeyLoginResult,
        PasskeySignupChallengeResponse,
        PasskeyUserProfile,
    )


def passkey_signup_challenge(
    client: CoreClient,
    user_profile: PasskeyUserProfile | Mapping[str, Any] | None = None,
    connection: str | None = None,
    organization: str | None = None,
    user_metadata: Mapping[str, Any] | None = None,
    store_options: StoreOptions = None,
    delivery_method: str | None = None,
    client_ip: str | None = None,
) -> Flow[PasskeySignupChallengeResponse]:
    """Start a passkey sign-up (``POST /passkey/register``): the tenant answers an
    ``auth_session`` and the creation options for ``navigator.credentials.create()``. Finish
    with :func:`signin_with_passkey`. ``connection`` is the database connection (``realm``),
    ``user_metadata`` goes at the body's root, ``client_ip`` as ``auth0-forwarded-for``.

    Raises:
        InvalidArgumentError: a bad argument (``delivery_method`` not ``text``/``voice``, a
            profile member that is not text, ...).
        PasskeyError: the tenant refused (``code`` is its ``error``, with ``status_code`` and
            ``retry_after``), could not be reached (``passkey_challenge_error``), or answered
            badly (``invalid_response``).
    """
    from . import passkeys

    return passkeys.passkey_signup_challenge(
        client, user_profile, connection, organization, user_metadata, store_options,
        delivery_method, client_ip,
    )  # fmt: skip


def passkey_login_challenge(
    client: CoreClient,
    username: str | None = None,
    connection: str | None = None,
    organization: str | None = None,
    store_options: StoreOptions = None,
    client_ip: str | None = None,
) -> Flow[PasskeyLoginChallengeResponse]:
    """Start a passkey login (``POST /passkey/challenge``): the tenant answers an
    ``auth_session`` and the request options for ``navigator.credentials.get()``. Finish with
    :func:`signin_with_passkey`. ``username`` is never sent (Auth0 refuses it: the credential
    names the user).

    Raises:
        InvalidArgumentError: a bad argument.
        PasskeyError: the tenant refused, could not be reached (``passkey_challenge_error``),
            or answered badly (``invalid_response``).
    """
    from . import passkeys

    return passkeys.passkey_login_challenge(
        client, username, connection, organization, store_options, client_ip
    )


def signin_with_passkey(
    client: CoreClient,
    auth_session: str,
    authn_response: PasskeyAuthResponse | Mapping[str, Any],
    store_options: StoreOptions = None,
    connection: str | None = None,
    organization: str | None = None,
    scope: str | None = None,
    audience: str | None = None,
    dpop_key: Any = None,
    verification: Mapping[str, str | None] | None = None,
    client_ip: str | None = None,
) -> Flow[PasskeyLoginResult]:
    """Exchange the browser's credential (``authn_response``, from ``create()`` or ``get()``)
    with the challenge's ``auth_session`` for tokens (the WebAuthn grant), validate the ID
    token as a login's (``openid`` always asked; the organization when one is given or
    configured), and write a fresh session as a login does; return it as ``state_data``.
    ``dpop_key`` binds the tokens to that key (a Bearer answer is then refused).

    Raises:
        MissingRequiredArgumentError: no ``auth_session`` or ``authn_response``.
        InvalidArgumentError: a malformed ``authn_response``, ``verification`` or
            ``dpop_key``.
        ConfigurationError: ``dpop_key`` with ``use_mtls``.
        PasskeyError: the tenant refused the credential (``invalid_grant``: a wrong
            challenge, origin, RP ID, counter or signature, an unknown credential, a used or
            expired ``auth_session``), could not be reached or answered badly
            (``passkey_token_error``, ``invalid_response``), or a DPoP binding mismatch.
            Nothing is written.
        MfaRequiredError: MFA first (a sealed token for ``server_client.mfa``).
        AccessTokenError: ``incorrect_audience``: the access token is not shown to be for
            ``audience`` (as a login's); nothing is written.
        IdTokenError: no valid ID token (``IssuerValidationError``,
            ``OrganizationTokenValidationError``, ...); nothing is written.
        SessionExpiredError: the identity provider's session is already over.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import passkeys

    return passkeys.signin_with_passkey(
        client, auth_session, authn_response, store_options, connection, organization,
        scope, audience, dpop_key, verification, client_ip,
    )  # fmt: skip
