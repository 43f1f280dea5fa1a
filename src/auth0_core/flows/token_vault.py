"""Token Vault: the user's access token at a federated connection (protocol doc §6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .._client import CoreClient
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions
from .._options import ConnectionTokenOptions, coerce_options
from .._session import with_connection_token
from .._token_sets import (
    DEFAULT_AUDIENCE,
    find_connection_token_set,
    find_token_set,
    is_fresh,
)
from ..endpoints.authentication.token import (
    TokenResponse,
    prepare_connection_token_request,
    process_token_response,
)
from ..errors import (
    AccessTokenForConnectionError,
    AccountNotConnectedError,
    InvalidArgumentError,
    InvalidResponse,
    OAuthError,
)
from ..records import ConnectionTokenSet, Session
from .discovery import metadata_flow
from .session import load_session_flow, reload_session_flow, write_session_flow
from .tokens import shared_key

# The token the exchange trades, and which kind it is.
SubjectToken = tuple[str, Literal["refresh_token", "access_token"]]


def _subject(client: CoreClient, session: Session) -> SubjectToken:
    """The refresh token, or (a backend holding only an access token) the login's token."""
    if session.refresh_token:
        return session.refresh_token, "refresh_token"
    login = find_token_set(session.token_sets, DEFAULT_AUDIENCE, "")
    config = client.config
    if login is not None and is_fresh(login, config.env.now(), config.leeway):
        return login.access_token, "access_token"
    raise AccessTokenForConnectionError(
        "missing_refresh_token",
        "The session has no refresh token (nor a valid access token) to exchange.",
    )


def exchange_flow(
    client: CoreClient,
    subject: SubjectToken,
    connection: str,
    login_hint: str | None,
    replacing: str | None = None,
) -> Flow[TokenResponse]:
    """The federated-connection token exchange, shared among concurrent callers.

    Raises:
        AccessTokenForConnectionError: refused (``api_error``; AccountNotConnectedError on 401)
            or malformed (``retrieval_error``).
    """
    metadata = yield from metadata_flow(client)
    response = yield from token_fetch(
        client,
        lambda: prepare_connection_token_request(
            client.config,
            metadata,
            subject_token=subject[0],
            subject_token_kind=subject[1],
            connection=connection,
            login_hint=login_hint,
        ),
        shared=shared_key(
            "vault", subject[0], connection, login_hint, replacing, str(client.vault_generation)
        ),
    )
    try:
        tokens = process_token_response(response)
        check_token_type(client, tokens)
        return tokens
    except OAuthError as exc:
        message = f"Failed to get a token for connection '{connection}': {exc.message}"
        words = {"error": exc.error, "error_description": exc.error_description}
        if exc.status == 401:
            raise AccountNotConnectedError(message, **words, status=exc.status) from None
        raise AccessTokenForConnectionError(
            "api_error", message, **words, status=exc.status
        ) from None
    except InvalidResponse as exc:
        raise AccessTokenForConnectionError(
            "retrieval_error", f"The Token Vault answer was malformed: {exc}", status=exc.status
        ) from None


def get_access_token_for_connection_flow(
    client: CoreClient,
    options: ConnectionTokenOptions | Mapping[str, Any],
    store_options: StoreOptions,
) -> Flow[str]:
    """The user's upstream access token for ``connection`` (cached until it expires).

    Raises:
        InvalidArgumentError: no or a blank ``connection``, a ``login_hint`` not a string.
        AccessTokenForConnectionError: see :func:`exchange_flow` and ``missing_refresh_token``.
        TransportError: the exchange failed in transit.
    """
    opts = coerce_options(ConnectionTokenOptions, options)
    if not isinstance(opts.connection, str) or not opts.connection.strip():
        raise InvalidArgumentError("connection", "connection is required.")
    if opts.login_hint is not None and not isinstance(opts.login_hint, str):
        # It is cached in the session, which must read back as a valid record.
        raise InvalidArgumentError("login_hint", "login_hint must be a string.")
    config = client.config
    session = yield from load_session_flow(client, store_options)
    if session is None:
        raise AccessTokenForConnectionError(
            "missing_refresh_token", "There is no session: the user has to log in."
        )
    now = config.env.now()
    cached = find_connection_token_set(
        session.connection_token_sets, opts.connection, opts.login_hint
    )
    if cached is not None and is_fresh(cached, now, config.leeway):
        return cached.access_token
    replacing = cached.access_token if cached is not None else None
    tokens = yield from exchange_flow(
        client, _subject(client, session), opts.connection, opts.login_hint, replacing
    )
    if tokens.expires_in:  # without a lifetime the token is not cached (protocol doc §6.3)
        base = yield from reload_session_flow(client, session, store_options)
        entry = ConnectionTokenSet(
            connection=opts.connection,
            login_hint=opts.login_hint,
            access_token=tokens.access_token,
            scope=tokens.scope,
            expires_at=now + tokens.expires_in,
            obtained_at=now,
        )
        yield from write_session_flow(client, with_connection_token(base, entry), store_options)
    return tokens.access_token
