"""Native passkeys (protocol doc §8.11; docs/passkeys.md): ``passkey_signup_challenge``,
``passkey_login_challenge`` and ``signin_with_passkey``.

A ceremony is two calls with the browser between them: a challenge (``/passkey/register``
for a new user, ``/passkey/challenge`` for a known one) answers an ``auth_session`` and the
WebAuthn options for ``navigator.credentials.create()`` / ``.get()``; the browser's credential
then goes, with the ``auth_session``, to the WebAuthn grant
(``urn:okta:params:oauth:grant-type:webauthn``, JSON). The tokens are checked as a login's:
the ID token's signature through the JWKS, issuer, audience, expiry, the organization when
one was asked (no nonce: there is no ``/authorize``), ``openid`` always asked; then a fresh
session is written as a login writes it. Nothing is written on any failure.
``mfa_required`` is an :class:`~auth0_core.errors.MfaRequiredError` with a sealed token
(``server_client.mfa.verify(..., persist=True)`` finishes the login and starts the session).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

import attrs

from .._audience import check_audience
from .._client import CoreClient
from .._dpop import token_fetch
from .._dpop_key import is_dpop, load_dpop_key
from .._effects import Flow, StoreOptions, fetch
from .._http import HttpResponse
from .._id_token import IdTokenChecks
from .._my_account_method_types import PasskeyAuthResponse
from .._passkey_types import (
    PasskeyLoginChallengeResponse,
    PasskeyLoginResult,
    PasskeySignupChallengeResponse,
    PasskeyUserProfile,
)
from .._session import new_session, session_user
from .._token_sets import DEFAULT_AUDIENCE
from ..endpoints.authentication.passkeys import (
    prepare_login_challenge_request,
    prepare_signup_challenge_request,
    prepare_webauthn_grant_request,
    process_login_challenge_response,
    process_signup_challenge_response,
)
from ..endpoints.authentication.token import TokenResponse, process_token_response
from ..errors import (
    Auth0Error,
    ConfigurationError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
    OAuthError,
    PasskeyError,
    PasskeyErrorCode,
    ProtocolError,
    TransportError,
    printable,
)
from .discovery import metadata_flow, verify_id_token_flow
from .passwordless import with_openid
from .session import write_session_flow

if TYPE_CHECKING:
    from .._http import HttpRequest

# The client's configuration with a per-call DPoP key (attrs.evolve, named for what it does).
_with_dpop_config = attrs.evolve

DEFAULT_SCOPE = "openid profile email"
VERIFICATION_IDENTIFIERS = ("email", "phone")
DELIVERY_METHODS = ("text", "voice")
_MAX_TEXT = 2048


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_TEXT:
        raise InvalidArgumentError(name, f"{name} must be non-blank text.")
    return value


def _refusal_body(response: HttpResponse) -> dict[str, Any] | None:
    """The JSON object of an error answer, or None when it sent none."""
    document = response.json_or_none()
    return document if isinstance(document, dict) else None


def _retry_after(response: HttpResponse) -> int | None:
    raw = (response.header("retry-after") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 9 else None


def _refused(response: HttpResponse, default: str, what: str) -> NoReturn:
    """Raise :class:`PasskeyError` for a refusal: the server's ``error`` (else ``default``),
    its description, status, ``Retry-After``, and a kept-alive ``auth_session``."""
    body = _refusal_body(response)
    code = body.get("error") if body is not None else None
    code = printable(code, 100) if isinstance(code, str) else ""
    if not code:
        code = default
    description = body.get("error_description") if body is not None else None
    if not isinstance(description, str) or not description:
        description = f"{what} failed with status {response.status}"
    auth_session = body.get("auth_session") if body is not None else None
    required = body.get("verification_required") if body is not None else None
    raise PasskeyError(
        code,
        description,
        None,
        auth_session if isinstance(auth_session, str) else None,
        [printable(item, 100) for item in required if isinstance(item, str)]
        if isinstance(required, list)
        else None,
        _retry_after(response),
        response.status,
        error=code,
        error_description=description,
    )


def _challenge_flow(request: HttpRequest, what: str) -> Flow[HttpResponse]:
    try:
        response = yield from fetch(request)
    except TransportError as failed:
        raise PasskeyError(PasskeyErrorCode.CHALLENGE_FAILED, f"{what} failed.", failed) from None
    if response.status != 200:
        _refused(response, PasskeyErrorCode.CHALLENGE_FAILED, what)
    return response


def _json_safe(name: str, value: object) -> None:
    """Refuse what cannot go in a JSON body (before anything is sent)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise InvalidArgumentError(name, f"{name} must be JSON data.") from None


def _profile(user_profile: object) -> dict[str, Any] | None:
    if user_profile is None:
        return None
    if isinstance(user_profile, PasskeyUserProfile):
        return user_profile.to_dict() or None
    if isinstance(user_profile, Mapping):
        return PasskeyUserProfile(**{str(k): v for k, v in user_profile.items()}).to_dict() or None
    raise InvalidArgumentError(
        "user_profile", "user_profile must be a PasskeyUserProfile or a dict."
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
    """Start a passkey sign-up (``POST /passkey/register``); see :mod:`.passkeys_api`."""
    if delivery_method is not None and delivery_method not in DELIVERY_METHODS:
        raise InvalidArgumentError("delivery_method", "delivery_method must be 'text' or 'voice'")
    fields: dict[str, Any] = {}
    profile = _profile(user_profile)
    if profile:
        _json_safe("user_profile", profile)
        fields["user_profile"] = profile
    if user_metadata is not None and not isinstance(user_metadata, Mapping):
        raise InvalidArgumentError("user_metadata", "user_metadata must be a dict.")
    if user_metadata:
        _json_safe("user_metadata", dict(user_metadata))
        fields["user_metadata"] = dict(user_metadata)
    realm = _optional_text("connection", connection)
    org = _optional_text("organization", organization) or client.config.organization
    _optional_text("client_ip", client_ip)
    if realm:
        fields["realm"] = realm
    if org:
        fields["organization"] = org
    if delivery_method:
        fields["delivery_method"] = delivery_method
    request = prepare_signup_challenge_request(client.config, fields, client_ip)
    response = yield from _challenge_flow(request, "Passkey signup challenge")
    return process_signup_challenge_response(response)


def passkey_login_challenge(
    client: CoreClient,
    username: str | None = None,
    connection: str | None = None,
    organization: str | None = None,
    store_options: StoreOptions = None,
    client_ip: str | None = None,
) -> Flow[PasskeyLoginChallengeResponse]:
    """Start a passkey login (``POST /passkey/challenge``); see :mod:`.passkeys_api`.
    ``username`` is accepted and never sent (Auth0 refuses it; the credential names the
    user), as the official SDK does."""
    _optional_text("username", username)
    fields: dict[str, Any] = {}
    realm = _optional_text("connection", connection)
    org = _optional_text("organization", organization) or client.config.organization
    _optional_text("client_ip", client_ip)
    if realm:
        fields["realm"] = realm
    if org:
        fields["organization"] = org
    request = prepare_login_challenge_request(client.config, fields, client_ip)
    response = yield from _challenge_flow(request, "Passkey login challenge")
    return process_login_challenge_response(response)


def _credential(authn_response: object) -> dict[str, Any]:
    """The browser's credential as the JSON the grant sends (WebAuthn's member names)."""
    if isinstance(authn_response, PasskeyAuthResponse):
        credential = authn_response
    elif isinstance(authn_response, Mapping):
        names = {alias: name for name, alias in PasskeyAuthResponse._aliases.items()}
        values = {names.get(str(k), str(k)): v for k, v in authn_response.items()}
        known = {f.name for f in attrs.fields(PasskeyAuthResponse)}
        unknown = sorted(k for k in values if k not in known)
        if unknown:
            raise InvalidArgumentError(
                "authn_response", f"authn_response has no member(s) {', '.join(unknown)}."
            )
        try:
            credential = PasskeyAuthResponse(**values)
        except TypeError:
            raise InvalidArgumentError(
                "authn_response", "authn_response lacks id, rawId, type or response."
            ) from None
    else:
        raise InvalidArgumentError(
            "authn_response", "authn_response must be a PasskeyAuthResponse or a dict."
        )
    for name in ("id", "raw_id", "type"):
        if not isinstance(getattr(credential, name), str) or not getattr(credential, name):
            raise InvalidArgumentError("authn_response", f"authn_response.{name} must be text.")
    response = credential.response
    if (
        not isinstance(response, Mapping)
        or not response
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in response.items())
    ):
        raise InvalidArgumentError(
            "authn_response", "authn_response.response must map names to text."
        )
    extensions = credential.client_extension_results
    if extensions is not None and not isinstance(extensions, Mapping):
        raise InvalidArgumentError(
            "authn_response", "authn_response.clientExtensionResults must be a dict."
        )
    value = credential.to_dict()
    _json_safe("authn_response", value)
    return value


def _verification(verification: object) -> dict[str, str]:
    if verification is None:
        return {}
    if not isinstance(verification, Mapping):
        raise InvalidArgumentError(
            "verification", "verification must be a dict keyed by 'email' or 'phone'"
        )
    codes: dict[str, str] = {}
    for identifier, code in verification.items():
        if identifier not in VERIFICATION_IDENTIFIERS:
            raise InvalidArgumentError(
                "verification", "verification keys must be 'email' or 'phone'"
            )
        if code is not None and not isinstance(code, str):
            raise InvalidArgumentError(
                "verification", f"the '{identifier}' verification code must be a string"
            )
        if code and code.strip():
            codes[identifier] = code
    return codes


def _with_key(client: CoreClient, dpop_key: object) -> CoreClient:
    if dpop_key is None:
        return client
    if client.config.use_mtls:
        raise ConfigurationError(
            "dpop_key cannot be combined with use_mtls: DPoP and mTLS bind tokens differently."
        )
    export = getattr(dpop_key, "export_private", None)  # a jwcrypto JWK, as the official
    try:
        key = load_dpop_key(json.loads(export()) if callable(export) else dpop_key)
    except Exception:
        raise InvalidArgumentError("dpop_key", "dpop_key is not a usable key.") from None
    return CoreClient(_with_dpop_config(client.config, dpop=key))


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
    """Exchange the browser's credential for tokens and write a session; see
    :mod:`.passkeys_api`."""
    if not auth_session:
        raise MissingRequiredArgumentError("auth_session")
    if not isinstance(auth_session, str) or len(auth_session) > 4096:
        raise InvalidArgumentError("auth_session", "auth_session must be text.")
    if authn_response is None:
        raise MissingRequiredArgumentError("authn_response")
    credential = _credential(authn_response)
    codes = _verification(verification)
    realm = _optional_text("connection", connection)
    org = _optional_text("organization", organization) or client.config.organization
    audience = _optional_text("audience", audience)
    scope = with_openid(_optional_text("scope", scope) or DEFAULT_SCOPE)
    _optional_text("client_ip", client_ip)
    bound = dpop_key is not None
    client = _with_key(client, dpop_key)
    config = client.config
    try:
        metadata = yield from metadata_flow(client)
    except (ProtocolError, TransportError) as failed:
        raise PasskeyError(
            PasskeyErrorCode.TOKEN_EXCHANGE_FAILED,
            "The tenant's metadata could not be read.",
            failed,
        ) from None
    fields: dict[str, Any] = {"auth_session": auth_session, "authn_response": credential}
    if realm:
        fields["realm"] = realm
    if org:
        fields["organization"] = org
    fields["scope"] = scope
    if audience:
        fields["audience"] = audience
    if codes:
        fields["verification"] = codes

    def build() -> HttpRequest:
        return prepare_webauthn_grant_request(config, metadata, fields, client_ip)

    try:
        response = yield from token_fetch(client, build)
    except TransportError as failed:
        raise PasskeyError(
            PasskeyErrorCode.TOKEN_EXCHANGE_FAILED, "The passkey token request failed.", failed
        ) from None
    tokens = _tokens(client, response, audience, scope, bound)
    check_audience(config, audience, tokens)  # as a login's: shown to be for the API
    if tokens.id_token is None:
        raise PasskeyError(
            PasskeyErrorCode.TOKEN_EXCHANGE_FAILED,
            "The token response has no ID token (was 'openid' granted?).",
        )
    checks = IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        require_nonce=False,  # no /authorize, no nonce
        leeway=config.leeway,
        algorithms=config.algorithms,
        organization=org,
    )
    verified = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
    claims = dict(session_user(verified.claims))
    if config.fetch_userinfo != "never":  # as a login does (docs/standard-dialect.md)
        from .userinfo import merged_user, userinfo_flow

        extra = yield from userinfo_flow(client, metadata, tokens, str(claims["sub"]))
        claims = merged_user(claims, userinfo=extra)
    session = new_session(
        config,
        claims=claims,
        tokens=tokens,
        audience=audience,
        requested_scope=scope,
        now=config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    return PasskeyLoginResult(state_data=session.to_dict())


def _tokens(
    client: CoreClient, response: HttpResponse, audience: str | None, scope: str, bound: bool
) -> TokenResponse:
    try:
        tokens = process_token_response(response)
    except OAuthError as refused:
        if refused.error == "mfa_required":
            from .mfa import raise_mfa_required

            raise_mfa_required(
                client.config,
                _refusal_body(response),
                audience=audience or DEFAULT_AUDIENCE,
                scope=scope,
                description=refused.error_description,
                status=refused.status,
            )
        _refused(response, PasskeyErrorCode.TOKEN_EXCHANGE_FAILED, "Passkey token exchange")
    except Auth0Error:
        if response.status != 200:
            _refused(response, PasskeyErrorCode.TOKEN_EXCHANGE_FAILED, "Passkey token exchange")
        raise PasskeyError(
            PasskeyErrorCode.INVALID_RESPONSE,
            "The passkey token response is malformed.",
            status_code=response.status,
        ) from None
    token_is_dpop = is_dpop(tokens.token_type)
    if bound and not token_is_dpop:
        raise PasskeyError(
            PasskeyErrorCode.TOKEN_EXCHANGE_FAILED,
            "DPoP token binding failed: a dpop_key was given but the token is not DPoP-bound.",
        )
    if not bound and token_is_dpop and client.config.dpop is None:
        raise PasskeyError(
            PasskeyErrorCode.TOKEN_EXCHANGE_FAILED,
            "The tenant answered a DPoP-bound token but no dpop_key was given.",
        )
    return tokens
