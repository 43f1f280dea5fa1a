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

# CIBA Core §7.3 / RFC 8628 §3.5: after slow_down, every later poll waits 5 s longer.
SLOW_DOWN_STEP = 5
# Auth0 refuses a binding message longer than this (protocol doc §8.3).
_MAX_BINDING_MESSAGE = 64
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


def _request_fields(
    client: CoreClient, options: Mapping[str, Any] | None, issuer: str
) -> tuple[dict[str, str], str]:
    """The ``/bc-authorize`` fields for ``options`` and the ``sub`` the user must have.

    Raises:
        InvalidArgumentError: options of a wrong shape or value.
        MissingRequiredArgumentError: no ``login_hint.sub`` or no ``binding_message``.
    """
    if options is None:
        options = {}
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", "options must be a dict.")
    unknown = sorted(str(k) for k in options if k not in _OPTIONS)
    if unknown:
        raise InvalidArgumentError("options", f"unknown option '{unknown[0]}'.")
    hint = options.get("login_hint")
    if hint is not None and not isinstance(hint, Mapping):
        raise InvalidArgumentError("login_hint", "login_hint must be a dict with a 'sub'.")
    sub = (hint or {}).get("sub")
    if not isinstance(sub, str) or not sub.strip():
        raise MissingRequiredArgumentError("login_hint.sub")
    message = options.get("binding_message")
    if message is None or message == "":
        # Auth0 refuses the request without one; the official SDK sends none when not given.
        raise MissingRequiredArgumentError("binding_message")
    if not isinstance(message, str) or len(message) > _MAX_BINDING_MESSAGE:
        raise InvalidArgumentError(
            "binding_message", f"binding_message must be text of at most {_MAX_BINDING_MESSAGE}."
        )
    params = options.get("authorization_params") or {}
    if not isinstance(params, Mapping):
        raise InvalidArgumentError("authorization_params", "authorization_params must be a dict.")
    fields: dict[str, str] = {}
    for name, value in params.items():
        if name in _NOT_PASSED:
            raise InvalidArgumentError(
                "authorization_params", f"authorization_params may not set {name} here."
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
        fields["audience"] = audience
    expiry = params.get("requested_expiry")
    if expiry is not None:
        if isinstance(expiry, bool) or not isinstance(expiry, int) or expiry <= 0:
            raise InvalidArgumentError(
                "requested_expiry", "requested_expiry must be a positive whole number of seconds."
            )
        fields["requested_expiry"] = str(expiry)
    details = params.get("authorization_details")
    if details is not None:
        if audience is None:
            raise InvalidArgumentError(
                "authorization_details", "authorization_details needs an audience."
            )
        fields["authorization_details"] = (
            details if isinstance(details, str) else json.dumps(details)
        )
    fields["login_hint"] = json.dumps(
        {"format": "iss_sub", "iss": issuer, "sub": sub}, separators=(",", ":")
    )
    fields["binding_message"] = message
    return fields, sub


def initiate_flow(
    client: CoreClient, options: Mapping[str, Any] | None
) -> Flow[tuple[ServerMetadata, BackchannelAuthorization, dict[str, str], str]]:
    """Ask the tenant to authenticate the user; return what polling needs: the metadata, the
    tenant's answer, the fields sent and the expected ``sub``.

    Raises:
        InvalidArgumentError, MissingRequiredArgumentError: bad options.
        ConfigurationError: the tenant has no backchannel authentication endpoint.
        OAuthError: the tenant refused the request.
        InvalidResponse, TransportError: the exchange failed.
    """
    metadata = yield from metadata_flow(client)
    fields, sub = _request_fields(client, options, metadata.issuer)
    response = yield from fetch(
        prepare_backchannel_authorize_request(client.config, metadata, fields)
    )
    return metadata, process_backchannel_authorize_response(response), fields, sub


def poll_once_flow(
    client: CoreClient,
    metadata: ServerMetadata,
    auth_req_id: str,
    *,
    expected_sub: str | None = None,
) -> Flow[tuple[TokenResponse, dict[str, Any] | None]]:
    """One poll; the tokens and the ID token's validated claims (None without an ID token).

    Raises:
        PollingApiError: no tokens yet, or never (see its codes).
        IdTokenError: the ID token is invalid, or names another user than ``expected_sub``.
        InvalidResponse, TransportError: the exchange failed.
    """
    config = client.config
    response = yield from token_fetch(
        client,
        lambda: prepare_backchannel_grant_request(config, metadata, auth_req_id=auth_req_id),
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
    *,
    expected_sub: str | None,
) -> Flow[tuple[TokenResponse, dict[str, Any] | None]]:
    """Wait ``interval``, poll, and again until tokens come or the request is over.

    ``slow_down`` adds 5 s to the interval for every later poll (more when ``Retry-After``
    asks for more). No poll is made once the request has expired by the injected clock.

    Raises:
        PollingApiError: ``expired_token`` (the tenant said so, or no poll fits before
            ``expires_in``), ``access_denied`` (the user refused) or ``auth_req_id_error``.
        IdTokenError, InvalidResponse, TransportError: as :func:`poll_once_flow`.
    """
    clock = client.config.env.clock
    expires_at = clock() + started.expires_in
    interval: float = started.interval
    while True:
        if clock() + interval >= expires_at:
            raise PollingApiError(
                "expired_token",
                "the backchannel authentication request expired before the user answered.",
            )
        yield from sleep(interval)
        try:
            return (
                yield from poll_once_flow(
                    client, metadata, started.auth_req_id, expected_sub=expected_sub
                )
            )
        except PollingApiError as answer:
            if answer.code == "slow_down":
                interval = max(interval + SLOW_DOWN_STEP, answer.interval or 0)
            elif answer.code != "authorization_pending":
                raise


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
    _, started, _, _ = yield from initiate_flow(client, options)
    return started.to_dict()


def backchannel_authentication_grant_flow(
    client: CoreClient, auth_req_id: str
) -> Flow[dict[str, Any]]:
    """One poll for ``auth_req_id``: the tokens, or a :class:`PollingApiError`."""
    if not isinstance(auth_req_id, str) or not auth_req_id:
        raise MissingRequiredArgumentError("auth_req_id")
    metadata = yield from metadata_flow(client)
    tokens, _ = yield from poll_once_flow(client, metadata, auth_req_id)
    return token_result(tokens, client.config.env.now())


def backchannel_authentication_flow(
    client: CoreClient, options: Mapping[str, Any] | None
) -> Flow[dict[str, Any]]:
    """Initiate, then poll until the end: the tokens of the user named."""
    metadata, started, _, sub = yield from initiate_flow(client, options)
    tokens, _ = yield from poll_until_done_flow(client, metadata, started, expected_sub=sub)
    return token_result(tokens, client.config.env.now())


def login_backchannel_flow(
    client: CoreClient, options: Mapping[str, Any] | None, store_options: StoreOptions
) -> Flow[dict[str, Any]]:
    """Initiate, poll until the end, validate the ID token, write a fresh session; return
    ``{"authorization_details": ...}`` (None when the tenant sent none), as the official SDK."""
    metadata, started, fields, sub = yield from initiate_flow(client, options)
    tokens, claims = yield from poll_until_done_flow(client, metadata, started, expected_sub=sub)
    if claims is None:
        raise IdTokenError("id_token", "the token response has no ID token to log in with.")
    session = new_session(
        client.config,
        claims=claims,
        tokens=tokens,
        audience=fields.get("audience"),
        requested_scope=fields["scope"],
        now=client.config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    details = tokens.authorization_details
    return {"authorization_details": [dict(d) for d in details] if details is not None else None}
