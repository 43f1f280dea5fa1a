"""The MFA API client (``server_client.mfa``; protocol doc §8.10, §9.2; docs/mfa.md).

When a token request answers ``mfa_required``, the SDK raises
:class:`~auth0_core.errors.MfaRequiredError` with Auth0's raw ``mfa_token`` *sealed* (a JWE
under the configured secret, salt ``mfa_token``) together with the request it stepped up
(audience, scope), the client it was issued to and when: the sealed token may travel through
the browser, and every method here takes it, opens it and refuses it after ``mfa_token_ttl``
seconds. The official SDK's ``examples/MFA.md`` instead passes the raw token that
:func:`decrypt_mfa_token` reveals; a value that is no sealed token is taken as such a raw token
(no local lifetime, no audience: Auth0 still checks it), so both ways work.

``verify`` picks the grant from the credential given (``otp``; ``oob_code`` with
``binding_code``; ``recovery_code``), validates any ID token like a refresh's, and with
``persist=True`` writes the tokens into the session (or starts one from the ID token when there
is none). Nothing is written when any step fails.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NoReturn

import attrs

from .._audience import check_audience
from .._client import CoreClient
from .._config import ClientConfig
from .._dpop import check_token_type, token_fetch
from .._dpop_key import is_dpop, load_dpop_key
from .._effects import Flow, StoreOptions, fetch
from .._id_token import IdTokenChecks
from .._mfa_types import (
    AuthenticatorResponse,
    ChallengeResponse,
    EnrollmentResponse,
    MfaTokenContext,
    MfaVerifyResponse,
)
from .._session import new_session, refreshed
from .._token_sets import DEFAULT_AUDIENCE, new_token_set
from ..endpoints.authentication.mfa import (
    prepare_associate_request,
    prepare_challenge_request,
    prepare_list_authenticators_request,
    prepare_mfa_verify_request,
    process_associate_response,
    process_challenge_response,
    process_list_authenticators_response,
    process_mfa_verify_response,
)
from ..endpoints.authentication.token import TokenResponse
from ..errors import (
    ConfigurationError,
    InvalidArgumentError,
    MfaChallengeError,
    MfaEnrollmentError,
    MfaRequiredError,
    MfaTokenExpiredError,
    MfaTokenInvalidError,
    MfaVerifyError,
    OAuthError,
    ProtocolError,
)
from .discovery import metadata_flow, verify_id_token_flow
from .session import load_session_flow, write_session_flow

MFA_TOKEN_SALT = "mfa_token"
# A client's configuration with another DPoP key, for one verify given its own key.
_with_config = attrs.evolve
# factor_type -> (authenticator type, OOB channel): the official mapping, "push" for "auth0".
_FACTORS: dict[str, tuple[str, str | None]] = {
    "otp": ("otp", None),
    "sms": ("oob", "sms"),
    "voice": ("oob", "voice"),
    "email": ("oob", "email"),
    "auth0": ("oob", "auth0"),
    "push": ("oob", "auth0"),
}
_FACTOR_NAMES = "otp, sms, voice, email, auth0 (push)"
# A raw Auth0 mfa_token is a header-safe token (Auth0's are iron-sealed "Fe26.2*..." strings).
_RAW_TOKEN = re.compile(r"[!#-~]{1,4096}")
_MAX_CODE = 256


# --- the sealed token ----------------------------------------------------------------------


def seal_mfa_token(
    config: ClientConfig,
    raw: str,
    *,
    audience: str,
    scope: str,
    requirements: object,
    subject: str | None = None,
) -> str:
    """Auth0's raw ``mfa_token`` sealed with what it stepped up (and the ``sub`` of the session
    it came from), for :class:`MfaRequiredError`."""
    from .._seal import seal

    context = {
        "mfa_token": raw,
        "audience": audience,
        "scope": scope,
        "mfa_requirements": requirements if isinstance(requirements, Mapping) else None,
        "created_at": config.env.now(),
        "client_id": config.client_id,
    }
    if subject is not None:
        context["sub"] = subject
    return seal(context, config.secrets[0], MFA_TOKEN_SALT)


def raise_mfa_required(
    config: ClientConfig,
    body: Mapping[str, Any] | None,
    *,
    audience: str | None,
    scope: str | None,
    description: str | None,
    status: int | None,
    subject: str | None = None,
) -> None:
    """Raise :class:`MfaRequiredError` for an ``mfa_required`` answer carrying an
    ``mfa_token``; return (doing nothing) when it carries none.

    Raises:
        MfaRequiredError: the sealed token, the server's ``mfa_requirements``.
    """
    raw = body.get("mfa_token") if body is not None else None
    if not isinstance(raw, str) or not _RAW_TOKEN.fullmatch(raw):
        return
    requirements = body.get("mfa_requirements") if body is not None else None
    requirements = dict(requirements) if isinstance(requirements, Mapping) else None
    raise MfaRequiredError(
        "Multi-factor authentication is required.",
        mfa_token=seal_mfa_token(
            config,
            raw,
            audience=audience or DEFAULT_AUDIENCE,
            scope=scope or "",
            requirements=requirements,
            subject=subject,
        ),
        mfa_requirements=requirements,
        error_description=description,
        status=status,
    )


def _opened(config: ClientConfig, token: str) -> MfaTokenContext:
    from .._seal import unseal
    from ..errors import UnsealError

    try:
        payload = unseal(token, config.secrets, MFA_TOKEN_SALT)
    except UnsealError:
        raise MfaTokenInvalidError() from None
    raw = payload.get("mfa_token")
    created_at = payload.get("created_at")
    audience = payload.get("audience", DEFAULT_AUDIENCE)
    scope = payload.get("scope", "")
    client_id = payload.get("client_id")
    requirements = payload.get("mfa_requirements")
    subject = payload.get("sub")
    if (
        not isinstance(raw, str)
        or not _RAW_TOKEN.fullmatch(raw)
        or not isinstance(created_at, int)
        or isinstance(created_at, bool)
        or not isinstance(audience, str)
        or not isinstance(scope, str)
        or (client_id is not None and client_id != config.client_id)
        or (requirements is not None and not isinstance(requirements, Mapping))
        or (subject is not None and not isinstance(subject, str))
    ):
        raise MfaTokenInvalidError()
    if config.env.now() - created_at > config.mfa_token_ttl:
        raise MfaTokenExpiredError()
    return MfaTokenContext(
        mfa_token=raw,
        audience=audience or DEFAULT_AUDIENCE,
        scope=scope,
        mfa_requirements=requirements,
        created_at=created_at,
        client_id=client_id,
        sub=subject,
    )


def _looks_sealed(token: str) -> bool:
    return token.count(".") == 4


def decrypt_mfa_token(client: CoreClient, encrypted_token: str) -> MfaTokenContext:
    """Open the sealed ``mfa_token`` of an :class:`MfaRequiredError`: Auth0's raw token, the
    audience and scope it stepped up, its requirements and when it was sealed. Not a
    coroutine on either facade, as in the official SDK.

    Raises:
        MfaTokenInvalidError: not a token this client sealed (tampered, another secret,
            another client).
        MfaTokenExpiredError: sealed more than ``mfa_token_ttl`` seconds ago.
    """
    if not isinstance(encrypted_token, str) or not _looks_sealed(encrypted_token):
        raise MfaTokenInvalidError()
    return _opened(client.config, encrypted_token)


def _context(client: CoreClient, options: object) -> MfaTokenContext:
    """The context of ``options["mfa_token"]``: opened when sealed, else a raw token's."""
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", "options must be a dict.")
    token = options.get("mfa_token")
    if not isinstance(token, str) or not token:
        raise MfaTokenInvalidError()
    if _looks_sealed(token):
        return _opened(client.config, token)
    if not _RAW_TOKEN.fullmatch(token):
        raise MfaTokenInvalidError()
    return MfaTokenContext(mfa_token=token, audience=DEFAULT_AUDIENCE, scope="", created_at=0)


def _optional_text(options: Mapping[str, Any], name: str, error: type[Exception]) -> str | None:
    value = options.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > _MAX_CODE:
        raise error(f"'{name}' must be text.")
    return value


# --- the calls -----------------------------------------------------------------------------


def list_authenticators(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[list[AuthenticatorResponse]]:
    """The authenticators the user has enrolled (``GET /mfa/authenticators``).

    ``options["mfa_token"]``: the sealed token of an :class:`MfaRequiredError` (or the raw
    token :func:`decrypt_mfa_token` reveals). ``store_options`` picks the domain in resolver
    mode; no store is read.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaListAuthenticatorsError: the tenant refused, or answered something malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    context = _context(client, options)
    response = yield from fetch(
        prepare_list_authenticators_request(client.config, context.mfa_token)
    )
    return process_list_authenticators_response(response)


def enroll_authenticator(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[EnrollmentResponse]:
    """Enroll an authenticator (``POST /mfa/associate``): ``options["factor_type"]`` is
    ``otp``, ``sms`` or ``voice`` (with ``phone_number``), ``email`` (``email`` optional) or
    ``auth0``/``push``. An OTP enrollment gives the secret and its ``otpauth://`` URI; an
    out-of-band one sends a code and gives the ``oob_code`` to verify it with.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaEnrollmentError: an unknown factor type, a refusal, or a malformed answer.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    context = _context(client, options)
    factor = options.get("factor_type")
    if not isinstance(factor, str) or factor not in _FACTORS:
        raise MfaEnrollmentError(f"Unsupported factor_type. Supported types: {_FACTOR_NAMES}.")
    kind, channel = _FACTORS[factor]
    body: dict[str, Any] = {"authenticator_types": [kind]}
    if channel is not None:
        body["oob_channels"] = [channel]
    for name in ("phone_number", "email"):
        value = _optional_text(options, name, MfaEnrollmentError)
        if value is not None:
            body[name] = value
    request = prepare_associate_request(client.config, context.mfa_token, body)
    response = yield from fetch(request)
    return process_associate_response(response)


def challenge_authenticator(
    client: CoreClient, options: Mapping[str, Any], store_options: StoreOptions = None
) -> Flow[ChallengeResponse]:
    """Start a challenge (``POST /mfa/challenge``): ``factor_type`` ``otp`` (nothing is
    sent: the app shows the code) or an out-of-band one (a code is sent, or a push), with an
    optional ``authenticator_id``.

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaChallengeError: an unknown factor type, a refusal, or a malformed answer.
        ConfigurationError: the client assertion's signing key is unusable.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    context = _context(client, options)
    factor = options.get("factor_type")
    if not isinstance(factor, str) or factor not in _FACTORS:
        raise MfaChallengeError(f"Unsupported factor_type. Supported types: {_FACTOR_NAMES}.")
    authenticator_id = _optional_text(options, "authenticator_id", MfaChallengeError)
    metadata = yield from metadata_flow(client)
    request = prepare_challenge_request(
        client.config, metadata, context.mfa_token, _FACTORS[factor][0], authenticator_id
    )
    response = yield from fetch(request)
    return process_challenge_response(response)


def _credential(options: Mapping[str, Any]) -> dict[str, str | None]:
    """The grant fields of the one credential in ``options``."""
    given = [name for name in ("otp", "oob_code", "recovery_code") if options.get(name)]
    if len(given) != 1:
        raise MfaVerifyError(
            "Give exactly one verification credential: otp, oob_code (with binding_code for "
            "SMS, voice and e-mail) or recovery_code."
        )
    name = given[0]
    fields: dict[str, str | None] = {name: _optional_text(options, name, MfaVerifyError)}
    if name == "oob_code":
        fields["binding_code"] = _optional_text(options, "binding_code", MfaVerifyError)
    return fields


def _flag(options: Mapping[str, Any], name: str) -> bool:
    value = options.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidArgumentError(name, f"{name} must be True or False.")
    return value


def verify(
    client: CoreClient,
    options: Mapping[str, Any],
    store_options: StoreOptions = None,
    dpop_key: Any = None,
) -> Flow[MfaVerifyResponse]:
    """Answer the challenge with an MFA grant: ``otp``, ``oob_code`` (+ ``binding_code``;
    none while a push is pending), or ``recovery_code``; return the tokens.

    With ``persist=True`` the access token is stored in the session for ``audience`` (given,
    else the one the sealed token stepped up) and ``scope``, and any new ID token replaces
    the session's (it must name the session's user); with no session, one is started from the
    ID token (after a passwordless or first-factor step that asked for MFA). ``dpop_key``
    binds the tokens to that key for this call (the client's own key otherwise).

    Raises:
        MfaTokenInvalidError, MfaTokenExpiredError: the token is not usable.
        MfaRequiredError: one more factor is required (a new sealed token).
        MfaVerifyError: no or several credentials; the tenant refused (a wrong, expired or
            reused code, a used or expired ``mfa_token``: ``error`` says which;
            ``authorization_pending`` while a push is unanswered); a malformed answer; a
            DPoP key given but an unbound token answered; ``persist`` with no session and no
            ID token, or an ID token of another user than the session's.
        IdTokenError: the answer's ID token is invalid.
        AccessTokenError: (``incorrect_audience``, with ``persist``) the access token is not
            shown to be for the audience it would be stored under.
        InvalidArgumentError: ``persist`` that is not a bool, an unusable ``dpop_key``.
        ConfigurationError: ``dpop_key`` with ``use_mtls`` (tokens bound two ways).
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be written.
    """
    context = _context(client, options)
    fields = _credential(options)
    persist = _flag(options, "persist")
    audience = _optional_text(options, "audience", MfaVerifyError) or context.audience
    scope = _optional_text(options, "scope", MfaVerifyError)
    scope = context.scope if scope is None else scope
    if dpop_key is not None:
        if client.config.use_mtls:
            raise ConfigurationError(
                "dpop_key cannot be combined with use_mtls: DPoP and mTLS bind tokens differently."
            )
        export = getattr(dpop_key, "export_private", None)  # a jwcrypto JWK, as the official
        try:
            key = load_dpop_key(json.loads(export()) if callable(export) else dpop_key)
        except Exception:
            raise InvalidArgumentError("dpop_key", "dpop_key is not a usable key.") from None
        client = CoreClient(_with_config(client.config, dpop=key))
    config = client.config
    if persist and context.sub is not None:
        # The sealed token names the user whose session stepped up: persisting into another
        # user's session is refused before the answer is spent.
        current = yield from load_session_flow(client, store_options)
        if current is not None and current.sub != context.sub:
            raise MfaVerifyError("The MFA token is for another user than the session's.")
    metadata = yield from metadata_flow(client)
    fields["mfa_token"] = context.mfa_token
    response = yield from token_fetch(
        client, lambda: prepare_mfa_verify_request(config, metadata, fields)
    )
    tokens = _tokens(client, response, context, dpop_key is not None)
    claims: dict[str, Any] | None = None
    if tokens.id_token is not None:
        checks = IdTokenChecks(
            issuer=metadata.issuer,
            client_id=config.client_id,
            require_nonce=False,  # no /authorize, no nonce
            leeway=config.leeway,
            algorithms=config.algorithms,
        )
        verified = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
        claims = dict(verified.claims)
    if context.sub is not None and claims is not None and claims.get("sub") != context.sub:
        raise MfaVerifyError("The MFA answer is for another user than the one who stepped up.")
    if persist:
        yield from _persist_flow(client, tokens, claims, audience, scope, store_options)
    return _result(tokens, audience, response)


def _tokens(
    client: CoreClient, response: Any, context: MfaTokenContext, bound: bool
) -> TokenResponse:
    """The grant's tokens, or the typed refusal."""
    try:
        tokens = process_mfa_verify_response(response)
    except OAuthError as refused:
        document = response.json_or_none()
        body = document if isinstance(document, dict) else None
        if refused.error == "mfa_required":
            raise_mfa_required(
                client.config,
                body,
                audience=context.audience,
                scope=context.scope,
                description=refused.error_description,
                status=refused.status,
                subject=context.sub,
            )
        # "error: description", so a caller matching the message (MFA.md's polling loop
        # looks for "authorization_pending") finds the server's word.
        _refused(str(refused), body, refused.status)
    except ProtocolError:
        raise MfaVerifyError(
            "The MFA verification answer is malformed.", status=response.status
        ) from None
    if bound and not is_dpop(tokens.token_type):
        raise MfaVerifyError(
            "DPoP token binding failed: a DPoP key was given but an unbound token was answered."
        )
    try:
        check_token_type(client, tokens)
    except ProtocolError:
        raise MfaVerifyError(
            "The tenant answered a DPoP-bound token to a request without a DPoP proof."
        ) from None
    return tokens


def _refused(description: str, body: object, status: int | None) -> NoReturn:
    raise MfaVerifyError(description, body, status=status)


def _result(tokens: TokenResponse, audience: str, response: Any) -> MfaVerifyResponse:
    body = response.json_or_none()
    recovery = body.get("recovery_code") if isinstance(body, dict) else None
    return MfaVerifyResponse(
        access_token=tokens.access_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in or 0,
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        scope=tokens.scope,
        audience=None if audience == DEFAULT_AUDIENCE else audience,
        recovery_code=recovery
        if isinstance(recovery, str) and len(recovery) <= _MAX_CODE
        else None,
    )


def _persist_flow(
    client: CoreClient,
    tokens: TokenResponse,
    claims: dict[str, Any] | None,
    audience: str,
    scope: str,
    store_options: StoreOptions,
) -> Flow[None]:
    """Write the verified tokens into the session, or start one from the ID token."""
    config = client.config
    # Stored under the audience's key: only a token shown to be for it (as a login's).
    check_audience(config, None if audience == DEFAULT_AUDIENCE else audience, tokens)
    now = config.env.now()
    session = yield from load_session_flow(client, store_options)
    if session is None:
        if claims is None:
            raise MfaVerifyError(
                "No session to update with the MFA tokens, and no ID token to start one."
            )
        fresh = new_session(
            config,
            claims=claims,
            tokens=tokens,
            audience=None if audience == DEFAULT_AUDIENCE else audience,
            requested_scope=scope,
            now=now,
        )
        yield from write_session_flow(client, fresh, store_options, remove_if_expires=True)
        return
    if claims is not None and claims.get("sub") != session.sub:
        raise MfaVerifyError("The MFA tokens are for another user than the session's.")
    entry = new_token_set(audience, scope, tokens, now, config.dpop)
    yield from write_session_flow(client, refreshed(session, tokens, entry, claims), store_options)
