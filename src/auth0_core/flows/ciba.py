"""Client-Initiated Backchannel Authentication (protocol doc §8.3, docs/ciba.md).

The application asks the tenant to authenticate a user it names (``login_hint``) on the
user's own device, then polls the token endpoint until the user approves, refuses, or the
request expires. The waiting between polls is a :class:`~auth0_core.effects.Sleep` the
driver performs: the flow never sleeps itself, and its clock is the configured ``Env``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import attrs

from .._audience import check_audience
from .._authorize import default_scope, merge_scopes
from .._client import CoreClient
from .._config import DEFAULT_SCOPE
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions, fetch, sleep
from .._id_token import IdTokenChecks
from .._session import new_session
from ..endpoints.authentication.ciba import (
    BackchannelAuthorization,
    prepare_backchannel_authorize_request,
    prepare_backchannel_grant_request,
    process_backchannel_authorize_response,
    process_backchannel_grant_response,
)
from ..endpoints.authentication.discovery import ServerMetadata
from ..endpoints.authentication.token import TokenResponse
from ..errors import (
    IdTokenError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
    PollingApiError,
)
from .discovery import metadata_flow, verify_id_token_flow
from .session import write_session_flow
from .userinfo import merged_user, token_audience, userinfo_flow

# CIBA Core §7.3 / RFC 8628 §3.5: after slow_down, every later poll waits 5 s longer.
SLOW_DOWN_STEP = 5
# Auth0 refuses a binding message longer than this (protocol doc §8.3); another server sets
# its own rules, and this bound only keeps a request from carrying any amount of text.
_MAX_BINDING_MESSAGE = {"auth0": 64, "standard": 1024}
_MAX_LOGIN_HINT = 1024
# Parameters the flow sets itself, or that belong to /authorize and never to /bc-authorize.
_NOT_PASSED = frozenset(
    {
        "client_id",
        "login_hint",
        "binding_message",
        "redirect_uri",
        "response_type",
        "response_mode",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "grant_type",
        "auth_req_id",
    }
)
_OPTIONS = frozenset({"login_hint", "binding_message", "authorization_params"})


@attrs.frozen(kw_only=True)
class CibaRequest:
    """What one backchannel authentication request sent and expects back: its form
    ``fields``, the ``sub`` the user must have (None for a standard login hint that is no
    ``sub``), its API (``audience``, sent as ``resource`` in the standard dialect) and scope."""

    fields: dict[str, str] = attrs.field(repr=False)
    expected_sub: str | None = attrs.field(repr=False)
    audience: str | None
    scope: str


def _login_hint(client: CoreClient, hint: object, issuer: str) -> tuple[str, str | None]:
    """The ``login_hint`` field and the ``sub`` it names.

    Auth0 takes ``{"sub": ...}`` only, sent as its ``iss_sub`` JSON; the standard dialect sends
    the ``sub`` as it is, or a string hint (an e-mail, a phone number: the server's choice,
    CIBA Core §7.1) as given, which names no ``sub`` to check the ID token against.
    """
    standard = client.config.dialect == "standard"
    if standard and isinstance(hint, str):
        if not hint.strip() or len(hint) > _MAX_LOGIN_HINT:
            raise InvalidArgumentError(
                "login_hint", f"login_hint must be non-blank text of at most {_MAX_LOGIN_HINT}."
            )
        return hint, None
    if hint is not None and not isinstance(hint, Mapping):
        shapes = "a dict with a 'sub', or a string" if standard else "a dict with a 'sub'"
        raise InvalidArgumentError("login_hint", f"login_hint must be {shapes}.")
    sub = (hint or {}).get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise MissingRequiredArgumentError("login_hint.sub")
    if len(sub) > _MAX_LOGIN_HINT:
        raise InvalidArgumentError(
            "login_hint", f"login_hint.sub must be at most {_MAX_LOGIN_HINT} characters."
        )
    if standard:
        return sub, sub
    return json.dumps({"format": "iss_sub", "iss": issuer, "sub": sub}, separators=(",", ":")), sub


def _binding_message(client: CoreClient, message: object) -> str | None:
    """The ``binding_message``: required by Auth0, optional elsewhere (CIBA Core §7.1)."""
    dialect = client.config.dialect
    if message is None or message == "":
        if dialect == "standard":
            return None
        # Auth0 refuses the request without one; the official SDK sends none when not given.
        raise MissingRequiredArgumentError("binding_message")
    limit = _MAX_BINDING_MESSAGE[dialect]
    if not isinstance(message, str) or len(message) > limit:
        raise InvalidArgumentError(
            "binding_message", f"binding_message must be text of at most {limit}."
        )
    return message


def _request_fields(
    client: CoreClient, options: Mapping[str, Any] | None, issuer: str
) -> CibaRequest:
    """The ``/bc-authorize`` request for ``options``.

    Raises:
        InvalidArgumentError: options of a wrong shape or value.
        MissingRequiredArgumentError: no ``login_hint.sub``, or (Auth0) no ``binding_message``.
    """
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", "options must be a dict.")
    unknown = sorted(str(k) for k in options if k not in _OPTIONS)
    if unknown:
        raise InvalidArgumentError("options", f"unknown option '{unknown[0]}'.")
    standard = client.config.dialect == "standard"
    login_hint, sub = _login_hint(client, options.get("login_hint"), issuer)
    message = _binding_message(client, options.get("binding_message"))
    params = options.get("authorization_params") or {}
    if not isinstance(params, Mapping):
        raise InvalidArgumentError("authorization_params", "authorization_params must be a dict.")
    fields: dict[str, str] = {}
    for name, value in params.items():
        if name in _NOT_PASSED:
            raise InvalidArgumentError(
                "authorization_params", f"authorization_params may not set {name} here."
            )
        if standard and name == "resource":
            raise InvalidArgumentError(
                "authorization_params",
                "name the API as 'audience': the standard dialect sends it as 'resource'.",
            )
        if name in ("scope", "audience", "requested_expiry", "authorization_details"):
            continue
        if not isinstance(value, str) or isinstance(value, bool):
            raise InvalidArgumentError(
                "authorization_params", f"authorization_params.{name} must be a string."
            )
        fields[str(name)] = value
    audience = params.get("audience", client.config.authorization_params.get("audience"))
    if audience is not None and (not isinstance(audience, str) or not audience.strip()):
        raise InvalidArgumentError("audience", "audience must be a non-blank string.")
    call_scope = params.get("scope")
    if call_scope is not None and not isinstance(call_scope, str):
        raise InvalidArgumentError("scope", "a per-call scope must be a string.")
    base_scope = default_scope(client.config, audience)
    if base_scope is None and call_scope is None:
        base_scope = DEFAULT_SCOPE
    fields["scope"] = merge_scopes("openid", base_scope, call_scope)
    if audience is not None:
        fields["resource" if standard else "audience"] = audience
    expiry = params.get("requested_expiry")
    if expiry is not None:
        if isinstance(expiry, bool) or not isinstance(expiry, int) or expiry <= 0:
            raise InvalidArgumentError(
                "requested_expiry", "requested_expiry must be a positive whole number of seconds."
            )
        fields["requested_expiry"] = str(expiry)
    details = params.get("authorization_details")
    if details is not None:
        if audience is None and not standard:
            raise InvalidArgumentError(
                "authorization_details", "authorization_details needs an audience."
            )
        fields["authorization_details"] = (
            details if isinstance(details, str) else json.dumps(details)
        )
    fields["login_hint"] = login_hint
    if message is not None:
        fields["binding_message"] = message
    return CibaRequest(fields=fields, expected_sub=sub, audience=audience, scope=fields["scope"])


def initiate_flow(
    client: CoreClient, options: Mapping[str, Any] | None
) -> Flow[tuple[ServerMetadata, BackchannelAuthorization, CibaRequest]]:
    """Ask the tenant to authenticate the user; return what polling needs: the metadata, the
    tenant's answer and the request sent.

    Raises:
        InvalidArgumentError, MissingRequiredArgumentError: bad options.
        ConfigurationError: the tenant has no backchannel authentication endpoint.
        OAuthError: the tenant refused the request.
        InvalidResponse, TransportError: the exchange failed.
    """
    metadata = yield from metadata_flow(client)
    request = _request_fields(client, options, metadata.issuer)
    response = yield from fetch(
        prepare_backchannel_authorize_request(client.config, metadata, request.fields)
    )
    return metadata, process_backchannel_authorize_response(response), request


def poll_once_flow(
    client: CoreClient,
    metadata: ServerMetadata,
    auth_req_id: str,
    *,
    expected_sub: str | None = None,
    audience: str | None = None,
) -> Flow[tuple[TokenResponse, dict[str, Any] | None]]:
    """One poll; the tokens and the ID token's validated claims (None without an ID token).

    ``audience`` is the API whose token is asked for; the standard dialect names it as
    ``resource`` (RFC 8707 §2.2), as at a code exchange. Its token is not checked here.

    Raises:
        PollingApiError: no tokens yet, or never (see its codes).
        IdTokenError: the ID token is invalid, or names another user than ``expected_sub``.
        InvalidResponse, TransportError: the exchange failed.
    """
    config = client.config
    resource = audience if config.dialect == "standard" else None
    response = yield from token_fetch(
        client,
        lambda: prepare_backchannel_grant_request(
            config, metadata, auth_req_id=auth_req_id, resource=resource
        ),
    )
    tokens = process_backchannel_grant_response(response)
    check_token_type(client, tokens)
    if tokens.id_token is None:
        return tokens, None
    checks = IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        require_nonce=False,  # no /authorize, no nonce (protocol doc §8.3)
        leeway=config.leeway,
        algorithms=config.algorithms,
    )
    verified = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
    claims = dict(verified.claims)
    if expected_sub is not None and claims.get("sub") != expected_sub:
        raise IdTokenError("sub", "the ID token names another user than the one asked for.")
    return tokens, claims


def poll_until_done_flow(
    client: CoreClient,
    metadata: ServerMetadata,
    started: BackchannelAuthorization,
    request: CibaRequest,
) -> Flow[tuple[TokenResponse, dict[str, Any] | None]]:
    """Wait ``interval``, poll, and again until tokens come or the request is over; then
    check that the access token is for the API asked (docs/standard-dialect.md).

    ``slow_down`` adds 5 s to the interval for every later poll (more when ``Retry-After``
    asks for more). No poll is made once the request has expired by the injected clock.

    Raises:
        PollingApiError: ``expired_token`` (the tenant said so, or no poll fits before
            ``expires_in``), ``access_denied`` (the user refused) or ``auth_req_id_error``.
        AccessTokenError: (code ``incorrect_audience``) the access token cannot be shown to
            be for the API asked.
        IdTokenError, InvalidResponse, TransportError: as :func:`poll_once_flow`.
    """
    clock = client.config.env.clock
    expires_at = clock() + started.expires_in
    interval: float = started.interval
    audience = token_audience(client.config, request.audience)
    while True:
        if clock() + interval >= expires_at:
            raise PollingApiError(
                "expired_token",
                "the backchannel authentication request expired before the user answered.",
            )
        yield from sleep(interval)
        try:
            tokens, claims = yield from poll_once_flow(
                client,
                metadata,
                started.auth_req_id,
                expected_sub=request.expected_sub,
                audience=audience,
            )
        except PollingApiError as answer:
            if answer.code == "slow_down":
                interval = max(interval + SLOW_DOWN_STEP, answer.interval or 0)
            elif answer.code != "authorization_pending":
                raise
        else:
            check_audience(client.config, audience, tokens)
            return tokens, claims


def token_result(tokens: TokenResponse, now: int) -> dict[str, Any]:
    """The token response as the official SDK returns it, ``expires_at`` added."""
    result: dict[str, Any] = {
        "access_token": tokens.access_token,
        "token_type": tokens.token_type,
    }
    if tokens.expires_in is not None:
        result["expires_in"] = tokens.expires_in
        result["expires_at"] = now + tokens.expires_in
    optional = {
        "scope": tokens.scope,
        "id_token": tokens.id_token,
        "refresh_token": tokens.refresh_token,
        "authorization_details": (
            [dict(d) for d in tokens.authorization_details]
            if tokens.authorization_details is not None
            else None
        ),
    }
    result.update({k: v for k, v in optional.items() if v is not None})
    return result


def initiate_backchannel_authentication_flow(
    client: CoreClient, options: Mapping[str, Any] | None
) -> Flow[dict[str, Any]]:
    """``/bc-authorize`` only: ``{"auth_req_id", "expires_in", "interval"}``."""
    _, started, _ = yield from initiate_flow(client, options)
    return started.to_dict()


def backchannel_authentication_grant_flow(
    client: CoreClient, auth_req_id: str
) -> Flow[dict[str, Any]]:
    """One poll for ``auth_req_id``: the tokens, or a :class:`PollingApiError`.

    The call knows nothing of the request but its id: in the standard dialect it asks for
    the configured audience's token (``resource``), and checks no audience."""
    if not isinstance(auth_req_id, str) or not auth_req_id:
        raise MissingRequiredArgumentError("auth_req_id")
    metadata = yield from metadata_flow(client)
    audience = client.config.authorization_params.get("audience")
    tokens, _ = yield from poll_once_flow(
        client,
        metadata,
        auth_req_id,
        audience=audience if isinstance(audience, str) and audience else None,
    )
    return token_result(tokens, client.config.env.now())


def backchannel_authentication_flow(
    client: CoreClient, options: Mapping[str, Any] | None
) -> Flow[dict[str, Any]]:
    """Initiate, then poll until the end: the tokens of the user named."""
    metadata, started, request = yield from initiate_flow(client, options)
    tokens, _ = yield from poll_until_done_flow(client, metadata, started, request)
    return token_result(tokens, client.config.env.now())


def login_backchannel_flow(
    client: CoreClient, options: Mapping[str, Any] | None, store_options: StoreOptions
) -> Flow[dict[str, Any]]:
    """Initiate, poll until the end, validate the ID token, merge userinfo when configured
    (``fetch_userinfo``), write a fresh session; return ``{"authorization_details": ...}``
    (None when the tenant sent none), as the official SDK."""
    metadata, started, request = yield from initiate_flow(client, options)
    tokens, claims = yield from poll_until_done_flow(client, metadata, started, request)
    if claims is None:
        raise IdTokenError("id_token", "the token response has no ID token to log in with.")
    if client.config.fetch_userinfo != "never":
        extra = yield from userinfo_flow(client, metadata, tokens, claims["sub"])
        claims = merged_user(claims, userinfo=extra)
    session = new_session(
        client.config,
        claims=claims,
        tokens=tokens,
        audience=token_audience(client.config, request.audience),
        requested_scope=request.scope,
        now=client.config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    details = tokens.authorization_details
    return {"authorization_details": [dict(d) for d in details] if details is not None else None}
