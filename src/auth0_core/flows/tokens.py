"""Access tokens for the session: cached, or refreshed with the refresh token used as a
Multi-Resource Refresh Token (protocol doc §4)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from .._audience import check_audience
from .._authorize import merge_scopes
from .._client import CoreClient
from .._config import ClientConfig
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions, store_lock, store_unlock
from .._http import HttpResponse
from .._id_token import IdTokenChecks
from .._options import GetAccessTokenOptions, coerce_options
from .._session import refreshed, with_refresh_token
from .._token_sets import DEFAULT_AUDIENCE, find_token_set, is_fresh, new_token_set, usable_with
from ..endpoints.authentication.token import (
    TokenResponse,
    prepare_refresh_token_request,
    process_refresh_token_response,
)
from ..errors import (
    AccessTokenError,
    IdTokenError,
    InvalidArgumentError,
    InvalidGrantError,
    InvalidResponse,
    MissingRefreshTokenError,
    OAuthError,
)
from ..records import Session, TokenSet
from .discovery import metadata_flow, verify_id_token_flow
from .session import load_session_flow, reload_session_flow, write_session_flow
from .userinfo import merged_user, userinfo_audience_key, userinfo_flow

# One refresh per session among instances sharing a store with locks (docs/tokens.md): held
# at most config.refresh_lock_ttl (a crashed holder frees it), waited for this much longer.
REFRESH_LOCK_EXTRA_WAIT = 1.0


def shared_key(kind: str, *parts: str | None) -> str:
    """A single-flight key from values that may be secret: only their digest is kept.

    Callers pass the token they are replacing among the parts. Concurrent callers, and callers
    holding a stale copy of the session, replace the same token and so share one request (and
    its remembered answer); a later refresh replaces the token that request produced, so it
    gets a key of its own and is never answered with an old response.
    """
    # surrogatepass: a stored token is any str, a lone surrogate (from a JSON escape) included.
    joined = "\0".join(p or "" for p in parts).encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(joined).hexdigest()
    return f"{kind}:{digest}"


def token_defaults(config: ClientConfig, audience: str | None) -> tuple[str, str]:
    """(audience key, default scope) for an access-token request.

    ``authorization_params["scope"]`` as a dict gives each audience its default scope; as a
    string it is the login's scope, so it applies to the login audience only (elsewhere it
    would ask an API for OIDC scopes it never grants, and every call would refresh).
    """
    login_audience = config.authorization_params.get("audience")
    login_audience = login_audience if isinstance(login_audience, str) else None
    key = audience or login_audience or DEFAULT_AUDIENCE
    configured = config.authorization_params.get("scope")
    if isinstance(configured, Mapping):
        value = configured.get(key)
        if value is None and key == (login_audience or DEFAULT_AUDIENCE):
            value = configured.get(DEFAULT_AUDIENCE)
        return key, value if isinstance(value, str) else ""
    if isinstance(configured, str) and key == (login_audience or DEFAULT_AUDIENCE):
        return key, configured
    return key, ""


def raise_refresh_error(
    config: ClientConfig,
    error: OAuthError,
    response: HttpResponse,
    *,
    audience: str | None = None,
    scope: str | None = None,
    subject: str | None = None,
) -> None:
    """Turn a refused refresh into the typed error callers branch on; an ``mfa_required``
    answer's token is sealed with the ``audience`` and ``scope`` it steps up and the
    ``subject`` of the session it came from, when there is one (flows/mfa.py).

    Raises:
        InvalidGrantError, MfaRequiredError, AccessTokenError: always.
    """
    if error.error == "invalid_grant":
        raise InvalidGrantError(error.error_description, status=error.status) from None
    if error.error == "mfa_required":
        from .mfa import raise_mfa_required  # MFA step-up only (issue 14: import time)

        document = response.json_or_none()
        raise_mfa_required(
            config,
            document if isinstance(document, dict) else None,
            audience=audience,
            scope=scope,
            description=error.error_description,
            status=error.status,
            subject=subject,
        )
    # A 429 is not retried (the refresh token may have been used): say so, with the words.
    limited = "the tenant rate-limited the refresh (HTTP 429): " if error.status == 429 else ""
    raise AccessTokenError(
        "refresh_token_error",
        f"The access token could not be refreshed: {limited}{error.message}",
        error=error.error,
        error_description=error.error_description,
        status=error.status,
    ) from None


def refresh_flow(
    client: CoreClient,
    refresh_token: str,
    audience: str | None,
    scope: str,
    replacing: str | None = None,
    *,
    checked: bool = True,
    subject: str | None = None,
) -> Flow[TokenResponse]:
    """One refresh-token grant, shared among concurrent callers holding the same token.

    ``replacing`` is the expired access token this refresh replaces (see :func:`shared_key`).
    ``checked=False`` leaves :func:`check_refreshed` (the token type and the audience) to the
    caller, which keeps a rotated refresh token before refusing the answer.

    Raises:
        InvalidGrantError, MfaRequiredError, AccessTokenError: the tenant refused.
        AccessTokenError, InvalidResponse: (``checked``) what :func:`check_refreshed` raises.
        InvalidResponse, TransportError: the exchange failed.
    """
    config = client.config
    metadata = yield from metadata_flow(client)
    # Built once and sent once for every concurrent caller; with a DPoP key its proof is made
    # when it is sent, and a nonce challenge is answered by one shared retry.
    response = yield from token_fetch(
        client,
        lambda: prepare_refresh_token_request(
            config, metadata, refresh_token=refresh_token, audience=audience, scope=scope
        ),
        shared=shared_key("refresh", refresh_token, audience, scope, replacing),
    )
    try:
        tokens = process_refresh_token_response(response)
    except OAuthError as exc:
        raise_refresh_error(config, exc, response, audience=audience, scope=scope, subject=subject)
        raise  # unreachable: raise_refresh_error always raises
    except InvalidResponse as refused:
        if refused.rotated_refresh_token == refresh_token:  # the same one: nothing rotated
            refused.rotated_refresh_token = None
        raise
    if checked:
        check_refreshed(client, audience or None, tokens)
    return tokens


def check_refreshed(client: CoreClient, audience: str | None, tokens: TokenResponse) -> None:
    """Refuse a refresh's answer this client cannot use: a DPoP-bound token without a key, or
    an access token not shown to be for ``audience`` (MRRT silently answers for the default
    audience when no policy covers the one asked).

    Raises:
        InvalidResponse: a DPoP-bound token and a client without a DPoP key.
        AccessTokenError: (code ``incorrect_audience``) the access token cannot be shown to
            be for ``audience``.
    """
    check_token_type(client, tokens)
    check_audience(client.config, audience, tokens)


def refreshed_claims_flow(
    client: CoreClient, session: Session, tokens: TokenResponse
) -> Flow[dict[str, Any] | None]:
    """Validate a refresh's ID token like a login's (without nonce) and keep its subject.

    Raises:
        IdTokenError: invalid, or for another user than the session's.
    """
    if tokens.id_token is None:
        return None
    metadata = yield from metadata_flow(client)
    config = client.config
    checks = IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        require_nonce=False,
        leeway=config.leeway,
        algorithms=config.algorithms,
    )
    claims = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
    if session.sub != claims.sub:
        raise IdTokenError("sub", "The refreshed ID token is for another user.")
    return dict(claims.claims)


def get_access_token_flow(
    client: CoreClient,
    options: GetAccessTokenOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[str]:
    """A fresh access token for the session's user, refreshing when needed.

    Raises:
        Everything :func:`access_token_set_flow` raises.
    """
    token_set = yield from access_token_set_flow(client, options, store_options)
    return token_set.access_token


def access_token_set_flow(
    client: CoreClient,
    options: GetAccessTokenOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[TokenSet]:
    """The fresh token set for the session's user and the requested audience and scope,
    refreshing when needed; flows that call an API with the token take it from here.

    Raises:
        InvalidArgumentError: a scope or an audience that is not a string.
        MissingRefreshTokenError: no session, or no refresh token and no fresh token.
        InvalidGrantError, MfaRequiredError, AccessTokenError: the refresh was refused.
        IdTokenError: the refresh returned an invalid ID token.
        InvalidResponse, TransportError: the exchange failed.
    """
    opts = coerce_options(GetAccessTokenOptions, options)
    if opts.scope is not None and not isinstance(opts.scope, str):
        raise InvalidArgumentError("scope", "scope must be a space-separated string.")
    if opts.audience is not None and not isinstance(opts.audience, str):
        # It keys a token set in the session, which must read back as a valid record.
        raise InvalidArgumentError("audience", "audience must be a string.")
    config = client.config
    session = yield from load_session_flow(client, store_options)
    if session is None:
        raise MissingRefreshTokenError("There is no session: the user has to log in.")
    audience_key, default = token_defaults(config, opts.audience)
    requested = merge_scopes(default, opts.scope)
    now = config.env.now()
    cached = find_token_set(session.token_sets_for(audience_key), audience_key, requested)
    if (
        cached is not None
        and is_fresh(cached, now, config.leeway)
        and usable_with(cached, config.dpop)
    ):
        return cached
    refresh_token = session.refresh_token
    if not refresh_token:
        raise MissingRefreshTokenError(
            "The access token has expired and the session has no refresh token "
            "(was 'offline_access' requested at login?)."
        )
    lock_id = shared_key("refresh-lock", refresh_token)
    ttl = config.refresh_lock_ttl
    lock = yield from store_lock(
        "state", lock_id, ttl, ttl + REFRESH_LOCK_EXTRA_WAIT, store_options
    )
    if lock is None:
        raise AccessTokenError(
            "refresh_token_error",
            "Another instance held this session's refresh lock for too long.",
        )
    try:
        if lock:
            # Another instance may have refreshed while this one waited: its token serves,
            # and the refresh token it rotated out must not be presented again.
            latest = yield from reload_session_flow(client, session, store_options)
            found = find_token_set(latest.token_sets_for(audience_key), audience_key, requested)
            if (
                found is not None
                and is_fresh(found, config.env.now(), config.leeway)
                and usable_with(found, config.dpop)
            ):
                yield from store_unlock("state", lock_id, lock, store_options)
                return found
            session = latest
            refresh_token = latest.refresh_token or refresh_token
        entry = yield from _refresh_and_store_flow(
            client, session, refresh_token, audience_key, requested, cached, store_options
        )
    except Exception:
        # Released here on errors; a cancelled flow cannot yield, so its lock expires.
        yield from store_unlock("state", lock_id, lock, store_options)
        raise
    yield from store_unlock("state", lock_id, lock, store_options)
    return entry


def _refresh_and_store_flow(
    client: CoreClient,
    session: Session,
    refresh_token: str,
    audience_key: str,
    requested: str,
    cached: TokenSet | None,
    store_options: StoreOptions,
) -> Flow[TokenSet]:
    """Refresh for ``audience_key`` and ``requested``; write the new set into the session."""
    config = client.config
    audience = None if audience_key == DEFAULT_AUDIENCE else audience_key
    replacing = cached.access_token if cached is not None else None
    try:
        tokens = yield from refresh_flow(
            client,
            refresh_token,
            audience,
            requested,
            replacing,
            checked=False,
            subject=session.sub,
        )
    except InvalidResponse as refused:
        yield from _keep_rotated_flow(client, session, refused.rotated_refresh_token, store_options)
        raise
    rotated = rotated_refresh_token(tokens, refresh_token)
    try:
        check_refreshed(client, audience, tokens)
    except (AccessTokenError, InvalidResponse):
        yield from _keep_rotated_flow(client, session, rotated, store_options)
        raise
    claims = yield from refreshed_claims_flow(client, session, tokens)
    base = yield from reload_session_flow(client, session, store_options)
    try:
        user = yield from _refreshed_user_flow(client, base, tokens, claims, audience_key)
    except Exception:
        # Whatever failed (the userinfo call, the endpoint's answer), the refresh token the
        # server rotated is the only one that still works.
        yield from _keep_rotated_flow(client, base, rotated, store_options)
        raise
    entry = new_token_set(audience_key, requested, tokens, config.env.now(), config.dpop)
    yield from write_session_flow(client, refreshed(base, tokens, entry, user), store_options)
    return entry


def _keep_rotated_flow(
    client: CoreClient,
    session: Session,
    rotated: str | None,
    store_options: StoreOptions,
) -> Flow[None]:
    """After a refresh whose answer is refused (docs/standard-dialect.md): nothing of it is
    cached, but a rotated refresh token replaces the one just spent, which the server would
    take for reuse if presented again, so the session keeps working."""
    if rotated is None:
        return
    base = yield from reload_session_flow(client, session, store_options)
    yield from write_session_flow(client, with_refresh_token(base, rotated), store_options)


def rotated_refresh_token(tokens: TokenResponse, spent: str) -> str | None:
    """The refresh token a refresh's answer gave in place of ``spent``; None when it gave
    none or the same one (no rotation)."""
    given = tokens.refresh_token
    return given if given and given != spent else None


def _refreshed_user_flow(
    client: CoreClient,
    session: Session,
    tokens: TokenResponse,
    claims: dict[str, Any] | None,
    audience_key: str,
) -> Flow[dict[str, Any] | None]:
    """The user a refresh leaves in the session (None: unchanged).

    Without ``fetch_userinfo`` a new ID token's claims replace the user, as ever. With it,
    they are merged over the user (claims only userinfo gave are kept), and with
    ``"login_and_refresh"`` a refresh of the token that serves the userinfo endpoint asks it
    again and merges its answer last (docs/standard-dialect.md).

    Raises:
        What :func:`.userinfo.userinfo_flow` raises.
    """
    config = client.config
    if config.fetch_userinfo == "never":
        return claims
    login_key = token_defaults(config, None)[0]
    extra: dict[str, Any] | None = None
    if config.fetch_userinfo == "login_and_refresh" and audience_key == userinfo_audience_key(
        config, login_key
    ):
        metadata = yield from metadata_flow(client)
        extra = yield from userinfo_flow(client, metadata, tokens, session.sub)
    if claims is None and extra is None:
        return None
    return merged_user(session.user, claims, extra)
