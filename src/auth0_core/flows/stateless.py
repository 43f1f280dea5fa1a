"""The stateless helpers: token grants for tokens the caller holds, with no session at all.

``get_token_by_refresh_token`` and ``get_token_for_connection`` (protocol doc §9.1) take the
refresh token as an argument, read and write no store, and return the tenant's answer. They
share the wire requests, DPoP handling, single-flight and typed errors of the session flows
(:mod:`.tokens`, :mod:`.token_vault`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._authorize import merge_scopes
from .._client import CoreClient
from .._effects import Flow
from ..errors import (
    AccessTokenError,
    InvalidArgumentError,
    InvalidResponse,
    MissingRequiredArgumentError,
)
from .token_vault import exchange_flow
from .tokens import check_refreshed, refresh_flow, rotated_refresh_token, token_defaults

# What the official SDK assumes when the tenant gives a connection token without a lifetime.
_DEFAULT_CONNECTION_LIFETIME = 3600
_REFRESH_OPTIONS = frozenset({"refresh_token", "audience", "scope", "domain"})
_CONNECTION_OPTIONS = frozenset({"connection", "refresh_token", "login_hint", "domain"})


def _options(options: object, known: frozenset[str]) -> Mapping[str, Any]:
    if not isinstance(options, Mapping):
        raise InvalidArgumentError("options", "options must be a dict.")
    unknown = sorted(str(key) for key in options if key not in known)
    if unknown:
        raise InvalidArgumentError("options", f"unknown option(s): {', '.join(unknown)}.")
    return options


def _required(options: Mapping[str, Any], name: str) -> str:
    value = options.get(name)
    if value is None or value == "":
        raise MissingRequiredArgumentError(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-empty string.")
    return value


def _optional(options: Mapping[str, Any], name: str) -> str | None:
    value = options.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-empty string.")
    return value


def _check_domain(client: CoreClient, options: Mapping[str, Any]) -> None:
    # The official SDK sends the grant to options["domain"] (a session's domain under
    # multiple custom domains); this client has one tenant, so another domain is refused
    # rather than silently answered by the configured one.
    domain = _optional(options, "domain")
    if domain is None:
        return
    host = domain.split("://", 1)[-1].rstrip("/").lower()
    if host != client.config.domain.lower():
        raise InvalidArgumentError(
            "domain", "domain must be the configured tenant's (one domain per client)."
        )


def get_token_by_refresh_token_flow(
    client: CoreClient, options: Mapping[str, Any]
) -> Flow[dict[str, Any]]:
    """The refresh-token grant for ``options["refresh_token"]``: the tenant's JSON answer
    with ``expires_at`` added when it gives ``expires_in``.

    Raises:
        MissingRequiredArgumentError: no ``refresh_token``.
        InvalidArgumentError: options not a dict, an unknown key, a value not a string, or a
            ``domain`` other than the configured one.
        InvalidGrantError, MfaRequiredError, AccessTokenError: the tenant refused (see
            :func:`.tokens.refresh_flow`); an answer for another API than ``audience`` is
            ``AccessTokenError("incorrect_audience")`` with the refresh token it rotated, if
            any, as ``rotated_refresh_token``.
        InvalidResponse: a malformed answer, or a DPoP-bound one to a client without a key;
            either with the refresh token it rotated, if any, as ``rotated_refresh_token``.
        TransportError: the exchange failed.
    """
    opts = _options(options, _REFRESH_OPTIONS)
    refresh_token = _required(opts, "refresh_token")
    audience = _optional(opts, "audience")
    scope = opts.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise InvalidArgumentError("scope", "scope must be a space-separated string.")
    _check_domain(client, opts)
    now = client.config.env.now()
    _, default = token_defaults(client.config, audience)
    # Shared like a session's refresh: concurrent calls with one refresh token, and repeats
    # within the single-flight window (30 s), get one grant's answer, so a rotating refresh
    # token is never sent twice (which the tenant would take for reuse).
    tokens = yield from refresh_flow(
        client,
        refresh_token,
        audience,
        merge_scopes(default, scope),
        replacing="stateless",
        checked=False,
    )
    try:
        check_refreshed(client, audience, tokens)
    except (AccessTokenError, InvalidResponse) as refused:
        # Nothing is stored here: a refresh token the refused answer rotated goes back to the
        # caller on the error, or it would be lost with the spent one unusable.
        refused.rotated_refresh_token = rotated_refresh_token(tokens, refresh_token)
        raise
    result: dict[str, Any] = {
        "access_token": tokens.access_token,
        "token_type": tokens.token_type,
    }
    for name in ("expires_in", "scope", "id_token", "refresh_token"):
        value = getattr(tokens, name)
        if value is not None:
            result[name] = value
    if tokens.authorization_details is not None:
        result["authorization_details"] = [dict(d) for d in tokens.authorization_details]
    if tokens.expires_in is not None:
        result["expires_at"] = now + tokens.expires_in
    return result


def get_token_for_connection_flow(
    client: CoreClient, options: Mapping[str, Any]
) -> Flow[dict[str, Any]]:
    """Token Vault's exchange of ``options["refresh_token"]`` for the user's token at
    ``options["connection"]``: ``{"access_token", "expires_at", "scope"}`` (an hour when the
    tenant gives no lifetime; ``scope`` ``""`` when it gives none). Nothing is cached.

    Raises:
        MissingRequiredArgumentError: no ``connection`` or no ``refresh_token``.
        InvalidArgumentError: options not a dict, an unknown key, a value not a string, or a
            ``domain`` other than the configured one.
        AccessTokenForConnectionError: refused (``api_error``; AccountNotConnectedError when
            the user has no account at the connection) or malformed (``retrieval_error``).
        TransportError: the exchange failed in transit.
    """
    opts = _options(options, _CONNECTION_OPTIONS)
    connection = _required(opts, "connection")
    refresh_token = _required(opts, "refresh_token")
    # An empty login_hint is left out, as the official SDK does.
    login_hint = _optional({"login_hint": opts.get("login_hint") or None}, "login_hint")
    _check_domain(client, opts)
    now = client.config.env.now()
    # Each call is an exchange of its own (a fresh nonce in the single-flight key): nothing
    # is cached, as the caller keeps what it needs.
    tokens = yield from exchange_flow(
        client,
        (refresh_token, "refresh_token"),
        connection,
        login_hint,
        client.config.env.random_urlsafe(16),
    )
    lifetime = tokens.expires_in if tokens.expires_in else _DEFAULT_CONNECTION_LIFETIME
    return {
        "access_token": tokens.access_token,
        "expires_at": now + lifetime,
        "scope": tokens.scope or "",
    }
