"""Embedded passwordless (``server_client.passwordless``; protocol doc §8.9, §9.4;
docs/passwordless.md).

``start`` asks the tenant to send a one-time code by e-mail or SMS, or a magic link by e-mail.
A magic link's ``authParams`` carry the SDK's own ``redirect_uri``, ``response_type=code``,
``state`` and ``nonce`` (callers may set only the allow-listed parameters), and a login
transaction is stored under that ``state``, bound to the browser as an interactive login's is:
the link's callback is finished by ``complete_interactive_login``, single-use, the ID token
checked against the ``nonce``. Auth0 takes no PKCE for magic links, so the transaction has no
verifier and the code exchange sends none.

``verify`` exchanges a code with the passwordless OTP grant (``openid`` always asked), validates
the ID token as a login's (signature through the JWKS, issuer, audience, expiry; no nonce: no
``/authorize``), and writes a fresh session. ``mfa_required`` is an
:class:`~auth0_core.errors.MfaRequiredError` with a sealed token (finish with
``server_client.mfa.verify(..., persist=True)``, which starts the session).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._audience import check_audience
from .._authorize import merge_scopes
from .._binding import bind_to_browser
from .._client import CoreClient
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions, fetch, store_set
from .._http import HttpResponse
from .._id_token import IdTokenChecks
from .._options import coerce_options
from .._passwordless_types import (
    PASSWORDLESS_ALLOWED_AUTH_PARAMS,
    PASSWORDLESS_RESERVED_AUTH_PARAMS,
    PasswordlessStartResult,
    StartPasswordlessEmailOptions,
    StartPasswordlessOptions,
    StartPasswordlessSmsOptions,
    VerifyPasswordlessOtpOptions,
)
from .._result import LoginResult
from .._session import new_session
from .._token_sets import DEFAULT_AUDIENCE
from ..endpoints.authentication.passwordless import (
    prepare_passwordless_otp_request,
    prepare_passwordless_start_request,
    process_passwordless_otp_response,
    process_passwordless_start_response,
)
from ..endpoints.authentication.token import TokenResponse
from ..errors import (
    IdTokenError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
    OAuthError,
    PasswordlessErrorCode,
    PasswordlessStartError,
    PasswordlessVerifyError,
    ProtocolError,
    TransportError,
)
from ..records import Transaction
from .callbacks import transaction_key
from .discovery import metadata_flow, verify_id_token_flow
from .session import write_session_flow

DEFAULT_EMAIL_SCOPE = "openid profile email"
DEFAULT_SMS_SCOPE = "openid profile"
_ID_TOKEN_CODES = {
    "aud": PasswordlessErrorCode.INVALID_AUDIENCE,
    "exp": PasswordlessErrorCode.TOKEN_EXPIRED,
    "iss": PasswordlessErrorCode.INVALID_ISSUER,
}


def _start_options(options: object) -> StartPasswordlessOptions:
    if isinstance(options, StartPasswordlessEmailOptions | StartPasswordlessSmsOptions):
        return options
    if not isinstance(options, Mapping):
        raise InvalidArgumentError(
            "options",
            "options must be StartPasswordlessEmailOptions, StartPasswordlessSmsOptions or a dict.",
        )
    sms = options.get("connection") == "sms" or (
        "phone_number" in options and "email" not in options
    )
    if sms:
        return coerce_options(StartPasswordlessSmsOptions, options)
    return coerce_options(StartPasswordlessEmailOptions, options)


def _auth_params(given: Mapping[str, Any] | None) -> dict[str, str]:
    """The caller's ``auth_params``: allow-listed keys only, values as text.

    Raises:
        InvalidArgumentError: a key the SDK sets itself or one not on the allow-list.
    """
    params: dict[str, str] = {}
    for key, value in (given or {}).items():
        if key in PASSWORDLESS_RESERVED_AUTH_PARAMS:
            raise InvalidArgumentError(
                "auth_params", f"'{key}' is set by the SDK and cannot be overridden."
            )
        if key not in PASSWORDLESS_ALLOWED_AUTH_PARAMS:
            raise InvalidArgumentError(
                "auth_params", f"'{key}' is not an allowed passthrough auth parameter."
            )
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidArgumentError("auth_params", f"auth_params.{key} must be text.")
        params[str(key)] = str(value)
    return params


def with_openid(scope: str) -> str:
    """``scope`` with ``openid`` first when it lacks it, its order otherwise kept."""
    return merge_scopes("openid", scope) if "openid" not in scope.split() else scope


def start(
    client: CoreClient,
    options: StartPasswordlessOptions | Mapping[str, Any],
    store_options: StoreOptions = None,
) -> Flow[PasswordlessStartResult]:
    """Send a one-time code (e-mail or SMS) or a magic link (e-mail, ``send="link"``).

    Raises:
        InvalidArgumentError: bad options (a reserved or unknown ``auth_params`` key, a phone
            number not in E.164, ...).
        MissingRequiredArgumentError: a magic link without a configured ``redirect_uri`` or
            without ``store_options``.
        PasswordlessStartError: the tenant refused (``code`` ``bad.email``,
            ``bad.connection``, ``too_many_requests`` with ``retry_after``...) or could not
            be reached.
        MissingStoreOptionsError, CookieTooLargeError: the magic link's transaction could not
            be stored.
    """
    opts = _start_options(options)
    config = client.config
    env = config.env
    auth_params = _auth_params(opts.auth_params)
    link = isinstance(opts, StartPasswordlessEmailOptions) and opts.send == "link"
    link_state: tuple[str, str, str, str] | None = None
    redirect_uri = config.redirect_uri or config.authorization_params.get("redirect_uri")
    if link:
        if not isinstance(redirect_uri, str) or not redirect_uri:
            raise MissingRequiredArgumentError("redirect_uri")
        if store_options is None:
            raise MissingRequiredArgumentError("store_options")
    try:
        metadata = yield from metadata_flow(client)
    except (ProtocolError, TransportError) as failed:
        raise PasswordlessStartError(
            PasswordlessErrorCode.START_FAILED, "The tenant's metadata could not be read.", failed
        ) from None
    body: dict[str, Any] = {"connection": opts.connection}
    if isinstance(opts, StartPasswordlessEmailOptions):
        body.update(email=opts.email, send=opts.send)
    else:
        body["phone_number"] = opts.phone_number
    if opts.captcha:
        body["captcha"] = opts.captcha
    if link:
        assert isinstance(redirect_uri, str)
        state, nonce = env.random_urlsafe(32), env.random_urlsafe(32)
        scope = with_openid(auth_params.get("scope") or DEFAULT_EMAIL_SCOPE)
        auth_params.update(
            redirect_uri=redirect_uri, response_type="code", state=state, nonce=nonce, scope=scope
        )
        link_state = (state, nonce, redirect_uri, scope)
    if auth_params:
        body["authParams"] = auth_params
    request = prepare_passwordless_start_request(
        config, metadata, body, language=opts.language, client_ip=opts.client_ip
    )
    try:
        response = yield from fetch(request)
    except TransportError as failed:
        raise PasswordlessStartError(
            PasswordlessErrorCode.START_FAILED,
            "The passwordless start request failed.",
            failed,
        ) from None
    result = process_passwordless_start_response(response)
    if link_state is not None:  # the link is on its way: its callback needs the transaction
        yield from _store_link_transaction(client, link_state, auth_params, store_options)
    return result


def _store_link_transaction(
    client: CoreClient,
    link_state: tuple[str, str, str, str],
    auth_params: Mapping[str, str],
    store_options: StoreOptions,
) -> Flow[None]:
    """Store the magic link's login transaction under its ``state``, bound to the browser as
    an interactive login's (the binding cookie is set now, once the tenant sent the link)."""
    config = client.config
    state, nonce, redirect_uri, scope = link_state
    now = config.env.now()
    key = transaction_key(client, state)
    transaction = Transaction(
        flow="login",
        state=state,
        nonce=nonce,
        code_verifier="",  # Auth0 takes no PKCE for a magic link
        redirect_uri=redirect_uri,
        audience=auth_params.get("audience"),
        scope=scope,
        domain=config.domain,
        created_at=now,
        expires_at=now + config.transaction_lifetime,
        browser_binding=bind_to_browser(
            store_options,
            key,
            redirect_uri=redirect_uri,
            lifetime=config.transaction_lifetime,
            env=config.env,
        ),
    )
    yield from store_set(
        "transaction", key, transaction.to_dict(), store_options, remove_if_expires=True
    )


def _verify_options(options: object) -> VerifyPasswordlessOtpOptions:
    if isinstance(options, VerifyPasswordlessOtpOptions):
        return options
    if not isinstance(options, Mapping):
        raise InvalidArgumentError(
            "options", "options must be VerifyPasswordlessOtpOptions or a dict."
        )
    return coerce_options(VerifyPasswordlessOtpOptions, options)


def verify(
    client: CoreClient,
    options: VerifyPasswordlessOtpOptions | Mapping[str, Any],
    store_options: StoreOptions = None,
) -> Flow[LoginResult]:
    """Exchange the code for tokens (the passwordless OTP grant), validate the ID token as a
    login's, and write a fresh session; return ``{"state_data": <the session>}``.

    Raises:
        InvalidArgumentError: bad options (no address for the connection, both, ...).
        PasswordlessVerifyError: the tenant refused (``invalid_grant``: a wrong, expired,
            used-up or too often tried code; ``too_many_requests`` with ``retry_after``), no ID
            token came, or it is invalid (``invalid_issuer``, ``invalid_audience``,
            ``token_expired``, ``passwordless_verify_failed``); or the tenant could not be
            reached (``discovery_error`` before the exchange). Nothing is written.
        MfaRequiredError: the user must pass MFA first (a sealed token for server_client.mfa).
        AccessTokenError: (``incorrect_audience``) the access token is not shown to be for
            ``audience``; nothing is written.
        SessionExpiredError: the identity provider's session is already over.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    opts = _verify_options(options)
    config = client.config
    try:
        metadata = yield from metadata_flow(client)
    except (ProtocolError, TransportError) as failed:
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.DISCOVERY_ERROR,
            "Failed to fetch authorization server metadata.",
            failed,
        ) from None
    default = DEFAULT_EMAIL_SCOPE if opts.connection == "email" else DEFAULT_SMS_SCOPE
    scope = with_openid(opts.scope or default)
    fields: dict[str, str | None] = {
        "realm": opts.connection,
        "username": opts.username,
        "otp": opts.verification_code,
        "scope": scope,
        "audience": opts.audience,
    }
    try:
        response = yield from token_fetch(
            client,
            lambda: prepare_passwordless_otp_request(
                config, metadata, fields, client_ip=opts.client_ip
            ),
        )
    except TransportError as failed:
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED, "The passwordless verify request failed.", failed
        ) from None
    tokens = _tokens(client, response, opts.audience, scope)
    if tokens.id_token is None:
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED,
            "The token response has no ID token (was 'openid' requested?).",
        )
    checks = IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        require_nonce=False,  # no /authorize, no nonce
        leeway=config.leeway,
        algorithms=config.algorithms,
    )
    try:
        verified = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
    except IdTokenError as invalid:
        code = _ID_TOKEN_CODES.get(invalid.claim, PasswordlessErrorCode.VERIFY_FAILED)
        raise PasswordlessVerifyError(code, str(invalid), invalid) from None
    except (ProtocolError, TransportError) as failed:  # the JWKS could not be read
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED, "The tenant's keys could not be read.", failed
        ) from None
    check_audience(config, opts.audience, tokens)  # as a login's: shown to be for the API
    session = new_session(
        config,
        claims=dict(verified.claims),
        tokens=tokens,
        audience=opts.audience,
        requested_scope=scope,
        now=config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    return LoginResult.login(state_data=session.to_dict())


def _tokens(
    client: CoreClient, response: HttpResponse, audience: str | None, scope: str
) -> TokenResponse:
    try:
        tokens = process_passwordless_otp_response(response)
    except OAuthError as refused:  # mfa_required: the rest is PasswordlessVerifyError
        from .mfa import raise_mfa_required

        document = response.json_or_none()
        raise_mfa_required(
            client.config,
            document if isinstance(document, dict) else None,
            audience=audience or DEFAULT_AUDIENCE,
            scope=scope,
            description=refused.error_description,
            status=refused.status,
        )
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED,
            "Multi-factor authentication is required, but the tenant sent no mfa_token.",
            status=refused.status,
        ) from None
    try:
        check_token_type(client, tokens)
    except ProtocolError:
        raise PasswordlessVerifyError(
            PasswordlessErrorCode.VERIFY_FAILED,
            "The tenant answered a DPoP-bound token to a request without a DPoP proof.",
        ) from None
    return tokens
