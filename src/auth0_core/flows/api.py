"""The public calls, with the exact signatures the facades expose.

Each function builds the flow for one ``ServerClient`` method; the facades turn it into a
blocking method (``auth0_requests``) or a coroutine method (``auth0_anyio``) with
:func:`auth0_core._facade.sync_call` / :func:`~auth0_core._facade.async_call`, so the list
of methods, their arguments and their documentation exist once.

Each call's ``Raises:`` names the :mod:`auth0_core.errors` classes a caller may meet: the
class to catch, and a subclass where callers branch on it. Any call may also run out of its
``call_timeout`` (a :class:`~auth0_core.errors.TransportTimeoutError`, itself a
:class:`~auth0_core.errors.TransportError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions
from .._options import (
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
)
from .._result import LoginResult
from . import callbacks, login, session, tokens

# The flows of the login, session and token calls are imported with this module; those of the
# other features (linking, connected accounts, management, back-channel logout, CIBA, Token
# Vault, custom token exchange, client credentials, stateless refresh) by their first call, so
# importing an adapter does not load them (issue 14: import time).
if TYPE_CHECKING:
    from .._anonymous_types import StartEnterpriseLoginOptions
    from .._my_account_types import (
        CompleteConnectAccountResponse,
        ConnectedAccount,
        ConnectedAccountConnection,
        ListConnectedAccountConnectionsResponse,
        ListConnectedAccountsResponse,
    )
    from .._options import (
        ConnectAccountOptions,
        ConnectionTokenOptions,
        CustomTokenExchangeOptions,
        LoginWithCustomTokenExchangeOptions,
        StartLinkUserOptions,
        StartUnlinkUserOptions,
    )
    from .._token_exchange_types import (
        LoginWithCustomTokenExchangeResult,
        SessionTransferTokenResult,
        TokenExchangeResponse,
    )
    from .paging import PageWalk

Options = Mapping[str, Any]


def start_interactive_login(
    client: CoreClient,
    options: StartInteractiveLoginOptions | Options | None = None,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """Return the URL that starts a login (through PAR when configured); store the
    transaction.

    Raises:
        InvalidArgumentError: bad options (a reserved or non-scalar authorization parameter,
            a blank organization, a non-numeric max_age).
        MissingRequiredArgumentError: no ``redirect_uri`` anywhere.
        ConfigurationError: PAR asked for but not advertised, or discovery has no issuer.
        ParError: the tenant refused the pushed authorization request.
        InvalidResponse: discovery or PAR answered something malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the transaction could not be stored.
    """
    return login.start_login_flow(client, options, store_options)


def complete_interactive_login(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish the login from the full callback URL; write the session; return a dict
    ``{"state_data": <the session>, "app_state"?, "authorization_details"?}`` like the
    official SDK's (a :class:`~auth0_core._result.LoginResult`, with ``.user`` and
    ``.app_state`` besides).

    Raises:
        InvalidArgumentError: the callback URL is malformed (e.g. a repeated parameter).
        MissingRequiredArgumentError: the callback has no ``state`` or no ``code``.
        MissingTransactionError: no live transaction for this callback (expired, used, or
            another browser's: TransactionBindingError).
        StateMismatch: the stored transaction belongs to another state.
        AuthorizationError: the callback carries ``error=``.
        OAuthError: the tenant refused the code exchange.
        IdTokenError: the ID token is invalid (IssuerValidationError also for a callback
            ``iss`` naming another issuer).
        SessionExpiredError: the identity provider's session is already over.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    return login.complete_login_flow(client, url, store_options)


def get_user(client: CoreClient, store_options: StoreOptions = None) -> Flow[dict[str, Any] | None]:
    """The logged-in user's claims, or None.

    Raises:
        MissingStoreOptionsError: a cookie store was called without ``store_options``.
        TransportTimeoutError: the store took longer than ``call_timeout``.
    """
    return session.get_user_flow(client, store_options)


def get_session(
    client: CoreClient, store_options: StoreOptions = None
) -> Flow[dict[str, Any] | None]:
    """The session without its internals, or None.

    Raises:
        MissingStoreOptionsError: a cookie store was called without ``store_options``.
        TransportTimeoutError: the store took longer than ``call_timeout``.
    """
    return session.get_session_flow(client, store_options)


def logout(
    client: CoreClient,
    options: LogoutOptions | Options | None = None,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """Clear the session and return the tenant's logout URL.

    Raises:
        InvalidArgumentError: bad options.
        ConfigurationError: ``logout_strategy="oidc"`` but the tenant advertises no
            ``end_session_endpoint``, or discovery has no issuer.
        InvalidResponse: the discovery document is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError: a cookie store was called without ``store_options``.
    """
    return session.logout_flow(client, options, store_options)


def get_access_token(
    client: CoreClient,
    store_options: StoreOptions = None,
    audience: str | None = None,
    scope: str | None = None,
    *,
    options: GetAccessTokenOptions | Options | None = None,
) -> Flow[str]:
    """An access token for the session, refreshed (as an MRRT for another audience) when
    needed. ``options`` (a dict or GetAccessTokenOptions) replaces audience and scope.

    Raises:
        InvalidArgumentError: bad options (a scope or an audience that is not a string).
        MissingRefreshTokenError: no session, or an expired token and no refresh token.
        InvalidGrantError: the refresh token was refused: the user has to log in again.
        MfaRequiredError: the tenant wants multi-factor authentication first.
        AccessTokenError: any other refusal (``refresh_token_error``), or a token for another
            audience (``incorrect_audience``).
        IdTokenError: the refresh returned an invalid ID token, or one for another user.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be read or
            written.
    """
    chosen = options if options is not None else {"audience": audience, "scope": scope}
    return tokens.get_access_token_flow(client, chosen, store_options)


def get_access_token_for_connection(
    client: CoreClient,
    options: ConnectionTokenOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """The user's access token at a federated connection, through Token Vault.

    Raises:
        InvalidArgumentError: no or a blank ``connection``, a ``login_hint`` that is not a
            string, or bad options.
        AccessTokenForConnectionError: nothing to exchange (``missing_refresh_token``), no
            connected account (AccountNotConnectedError, ``api_error``), another refusal
            (``api_error``) or a malformed answer (``retrieval_error``).
        ConfigurationError: the discovery document has no issuer.
        InvalidResponse: the discovery document is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be read or
            written.
    """
    from . import token_vault

    return token_vault.get_access_token_for_connection_flow(client, options, store_options)


def get_client_credentials_token(
    client: CoreClient, audience: str, organization: str | None = None
) -> Flow[str]:
    """An access token for the application itself (client credentials), cached.

    Raises:
        InvalidArgumentError: a blank audience or organization.
        OAuthError: the tenant refused (``access_denied`` without a client grant, ...).
        ConfigurationError: the discovery document has no issuer.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import client_credentials

    return client_credentials.client_credentials_flow(client, audience, organization)


def start_link_user(
    client: CoreClient, options: StartLinkUserOptions | Options, store_options: StoreOptions = None
) -> Flow[str]:
    """The /authorize URL that links ``options["connection"]`` to the logged-in user
    (without one, no ``requested_connection`` is sent, as with the official SDK).

    Raises:
        InvalidArgumentError: a blank or non-string ``connection``, or an authorization
            parameter the link sets.
        MissingRequiredArgumentError: no ``redirect_uri`` anywhere.
        StartLinkUserError: no logged-in user, or a session without an ID token.
        ConfigurationError: the discovery document has no issuer.
        InvalidResponse: the discovery document is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the transaction could not be stored.
    """
    from . import linking

    return linking.start_link_flow(client, "link", options, store_options)


def complete_link_user(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish linking from the callback URL; merge into the same user's session; return
    ``{"app_state": ...}`` (a LoginResult: ``.user`` is the merged user).

    Raises:
        InvalidArgumentError: the callback URL is malformed (e.g. a repeated parameter).
        MissingRequiredArgumentError: the callback has no ``state`` or no ``code``.
        MissingTransactionError: no live transaction for this callback (expired, used,
            another browser's, or not a link flow's).
        StateMismatch: the stored transaction belongs to another state.
        AuthorizationError: the callback carries ``error=``.
        StartLinkUserError: the user logged out before the link completed.
        OAuthError: the tenant refused the code exchange.
        IdTokenError: the ID token is invalid, or for another user (``claim="sub"``).
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import linking

    return linking.complete_link_flow(client, "link", url, store_options)


def start_unlink_user(
    client: CoreClient,
    options: StartUnlinkUserOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """The /authorize URL that unlinks ``options["connection"]`` from the logged-in user
    (without one, no ``requested_connection`` is sent, as with the official SDK).

    Raises:
        InvalidArgumentError: a blank or non-string ``connection``, or an authorization
            parameter the unlink sets.
        MissingRequiredArgumentError: no ``redirect_uri`` anywhere.
        StartLinkUserError: no logged-in user, or a session without an ID token.
        ConfigurationError: the discovery document has no issuer.
        InvalidResponse: the discovery document is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the transaction could not be stored.
    """
    from . import linking

    return linking.start_link_flow(client, "unlink", options, store_options)


def complete_unlink_user(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish unlinking from the callback URL; merge into the same user's session; return
    ``{"app_state": ...}`` (a LoginResult: ``.user`` is the session's user).

    Raises:
        InvalidArgumentError: the callback URL is malformed (e.g. a repeated parameter).
        MissingRequiredArgumentError: the callback has no ``state`` or no ``code``.
        MissingTransactionError: no live transaction for this callback (expired, used,
            another browser's, or not an unlink flow's).
        StateMismatch: the stored transaction belongs to another state.
        AuthorizationError: the callback carries ``error=``.
        StartLinkUserError: the user logged out before the unlink completed.
        OAuthError: the tenant refused the code exchange.
        IdTokenError: the ID token is invalid, or for another user (``claim="sub"``).
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import linking

    return linking.complete_link_flow(client, "unlink", url, store_options)


def link_user_accounts(
    client: CoreClient,
    primary_user_id: str,
    *,
    secondary_id_token: str | None = None,
    provider: str | None = None,
    user_id: str | None = None,
    connection_id: str | None = None,
    merge_user_metadata: bool = False,
) -> Flow[list[dict[str, Any]]]:
    """Link an identity into ``primary_user_id`` through the Management API; return the
    primary's identities.

    Raises:
        InvalidArgumentError: not exactly one of ``secondary_id_token`` and ``user_id``, a
            ``secondary_id_token`` that is not a JWT, no provider for a ``user_id`` without
            one, or a blank id.
        OAuthError: no Management API token (the application has no client grant for it).
        ManagementApiError: the API refused (``metadata_merged`` says whether the merged
            ``user_metadata`` was already written).
        InvalidResponse: an answer is malformed.
        TransportError: Auth0 could not be reached, or answered too late or too much.
    """
    from . import management

    return management.link_user_accounts_flow(
        client,
        primary_user_id,
        secondary_id_token=secondary_id_token,
        provider=provider,
        user_id=user_id,
        connection_id=connection_id,
        merge_user_metadata=merge_user_metadata,
    )


def unlink_user_accounts(
    client: CoreClient, primary_user_id: str, provider: str, user_id: str
) -> Flow[list[dict[str, Any]]]:
    """Unlink ``provider``/``user_id`` from ``primary_user_id`` (Management API); return the
    remaining identities.

    Raises:
        InvalidArgumentError: a blank id.
        OAuthError: no Management API token (the application has no client grant for it).
        ManagementApiError: the API refused (404 when the identity is not linked).
        InvalidResponse: an answer is malformed.
        TransportError: Auth0 could not be reached, or answered too late or too much.
    """
    from . import management

    return management.unlink_user_accounts_flow(client, primary_user_id, provider, user_id)


def callback_kind(client: CoreClient, url: str, store_options: StoreOptions = None) -> Flow[str]:
    """Which ``complete_*`` call a callback URL needs: ``"login"``
    (``complete_interactive_login``), ``"link"``, ``"unlink"`` or ``"connect"``
    (``complete_connect_account``). The transaction is read, not consumed.

    One callback route may serve every flow: branch on this, and each ``complete_*`` call
    refuses another flow's callback with :class:`~auth0_core.errors.WrongCallbackError`.

    Raises:
        InvalidArgumentError: the callback URL is malformed (e.g. a repeated parameter).
        MissingStoreOptionsError: a cookie store was called without ``store_options``.
    """
    return callbacks.callback_kind_flow(client, url, store_options)


def start_connect_account(
    client: CoreClient,
    options: ConnectAccountOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """The URL that sends the browser to connect an upstream account (Connected Accounts);
    the transaction is stored for :func:`complete_connect_account`.

    Raises:
        MissingRequiredArgumentError: no ``connection``, or no ``redirect_uri`` anywhere.
        InvalidArgumentError: a value the My Account API would refuse (blank or long
            connection, scopes beyond 1-100 unique strings, an authorization parameter it does
            not take), or an ``app_state`` that is not JSON; raised before any request.
        MyAccountApiError: the My Account API refused (``status``, ``detail``,
            ``validation_errors``).
        MissingRefreshTokenError, AccessTokenError: no My Account API token for the session
            (no session, no refresh token, or the audience is not in the refresh policy).
        InvalidResponse: an answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the transaction could not be stored.
    """
    from . import connected_accounts

    return connected_accounts.start_connect_account_flow(client, options, store_options)


def complete_connect_account(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[CompleteConnectAccountResponse]:
    """Finish connecting an account from the full callback URL (``connect_code`` and
    ``state``); return the account with the ``app_state`` given at the start.

    Raises:
        InvalidArgumentError: the callback URL is malformed (e.g. a repeated parameter).
        MissingRequiredArgumentError: the callback has no ``state`` or no ``connect_code``.
        WrongCallbackError: a login, link or unlink callback (nothing consumed).
        MissingTransactionError: no live transaction for this callback (expired, used, or
            another browser's: TransactionBindingError).
        StateMismatch: the stored transaction belongs to another state.
        AuthorizationError: the callback carries ``error=`` (the user declined).
        MyAccountApiError: the My Account API refused to complete.
        MissingRefreshTokenError, AccessTokenError: no My Account API token for the session.
        InvalidResponse: an answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import connected_accounts

    return connected_accounts.complete_connect_account_flow(client, url, store_options)


def list_connected_accounts(
    client: CoreClient,
    connection: str | None = None,
    from_param: str | None = None,
    take: int | None = None,
    store_options: StoreOptions = None,
) -> Flow[ListConnectedAccountsResponse]:
    """One page (``take``, 1-20, default 10) of the user's connected accounts, optionally of
    one ``connection``; pass the page's ``next`` as ``from_param`` for the following one.

    Raises:
        InvalidArgumentError: ``take`` outside 1-20, a blank connection or cursor; raised
            before any request.
        MyAccountApiError: the My Account API refused.
        MissingRefreshTokenError, AccessTokenError: no My Account API token for the session.
        InvalidResponse: an answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import connected_accounts

    return connected_accounts.list_connected_accounts_flow(
        client, connection, take, from_param, store_options
    )


def list_connected_account_connections(
    client: CoreClient,
    from_param: str | None = None,
    take: int | None = None,
    store_options: StoreOptions = None,
) -> Flow[ListConnectedAccountConnectionsResponse]:
    """One page of the connections available for Connected Accounts, paged like
    :func:`list_connected_accounts`.

    Raises:
        InvalidArgumentError: ``take`` outside 1-20, a blank cursor; before any request.
        MyAccountApiError: the My Account API refused.
        MissingRefreshTokenError, AccessTokenError: no My Account API token for the session.
        InvalidResponse: an answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import connected_accounts

    return connected_accounts.list_connections_flow(client, take, from_param, store_options)


def delete_connected_account(
    client: CoreClient, connected_account_id: str, store_options: StoreOptions = None
) -> Flow[None]:
    """Remove one of the user's connected accounts (its Token Vault tokens go with it).

    Raises:
        MissingRequiredArgumentError: no ``connected_account_id``.
        InvalidArgumentError: an id that is not ``cac_...``; before any request.
        MyAccountApiError: the My Account API refused (404: no such account).
        MissingRefreshTokenError, AccessTokenError: no My Account API token for the session.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import connected_accounts

    return connected_accounts.delete_connected_account_flow(
        client, connected_account_id, store_options
    )


def iter_connected_accounts(
    client: CoreClient,
    connection: str | None = None,
    take: int | None = None,
    store_options: StoreOptions = None,
) -> PageWalk[ListConnectedAccountsResponse, ConnectedAccount]:
    """Every connected account of the user, following ``next`` page after page (``take``
    per page): ``for`` on the sync client, ``async for`` on the async one.

    Raises:
        InvalidArgumentError: ``take`` outside 1-20, a blank connection; at the call.
        MyAccountApiError, AccessTokenError, TransportError: while iterating, as
            :func:`list_connected_accounts`.
        InvalidResponse: the API answered a cursor it had already given (no endless loop).
    """
    from . import connected_accounts

    return connected_accounts.connected_accounts_walk(client, connection, take, store_options)


def iter_connected_account_connections(
    client: CoreClient, take: int | None = None, store_options: StoreOptions = None
) -> PageWalk[ListConnectedAccountConnectionsResponse, ConnectedAccountConnection]:
    """Every connection available for Connected Accounts, page after page, like
    :func:`iter_connected_accounts`.

    Raises:
        InvalidArgumentError: ``take`` outside 1-20; at the call.
        MyAccountApiError, AccessTokenError, TransportError: while iterating.
        InvalidResponse: the API answered a cursor it had already given.
    """
    from . import connected_accounts

    return connected_accounts.connections_walk(client, take, store_options)


def handle_backchannel_logout(
    client: CoreClient, logout_token: str, store_options: StoreOptions = None
) -> Flow[None]:
    """End every session a back-channel logout token names (OpenID Connect Back-Channel
    Logout 1.0; docs/backchannel-logout.md).

    The token is validated first: signature through the tenant's JWKS (re-fetched once for an
    unknown ``kid``), ``iss``, ``aud``, ``iat``, ``exp``, ``events``, ``sid``/``sub``, no
    ``nonce``, ``typ``; then its ``jti`` is claimed in the state store (a replay is refused by
    every instance sharing a store with ``claim``); then the state store's
    ``delete_by_logout_token`` deletes the sessions matching ``sid`` or ``sub`` for the token's
    issuer. ``backchannel_logout_wsgi_app`` / ``backchannel_logout_asgi_app`` serve this as
    the endpoint Auth0 posts to.

    Raises:
        BackchannelLogoutError: the token is invalid or replayed (``reason`` says which
            check failed); nothing was deleted.
        StoreNotSupportedError: the state store cannot delete sessions by logout token
            (cookie stores): raised after the token was validated.
        ConfigurationError: the discovery document has no issuer.
        InvalidResponse: the discovery document or the JWKS is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import backchannel

    if client.config.enterprise_connect:
        return _nothing()  # Enterprise Connect keeps no session to end
    return backchannel.backchannel_logout_flow(client, logout_token, store_options)


def _nothing() -> Flow[None]:
    return None
    yield  # a flow that ends at once


def start_enterprise_login(
    client: CoreClient,
    options: StartEnterpriseLoginOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str | None]:
    """Begin an Enterprise Connect login from the user's e-mail: when the tenant says (by
    WebFinger) that its domain is one of its enterprise domains, the login URL, as
    ``start_interactive_login`` returns it, with the e-mail as ``login_hint``; else None, for
    the application's own login (docs/anonymous-and-enterprise.md). The configured
    ``organization`` is not sent: the tenant resolves it from the e-mail.

    Raises:
        MissingRequiredArgumentError: no ``email``.
        InvalidArgumentError: an e-mail without a local part or a domain, or bad options.
        Everything ``start_interactive_login`` raises, for a managed domain.
    """
    from . import enterprise_login

    return enterprise_login.start_enterprise_login_flow(client, options, store_options)


def initiate_backchannel_authentication(
    client: CoreClient, options: Options, store_options: StoreOptions = None
) -> Flow[dict[str, Any]]:
    """Start Client-Initiated Backchannel Authentication (CIBA, docs/ciba.md): ask the tenant
    to authenticate ``options["login_hint"]["sub"]`` on the user's own device, showing
    ``options["binding_message"]``; return ``{"auth_req_id", "expires_in", "interval"}``.

    ``options["authorization_params"]`` may carry ``scope`` (``openid`` is always sent),
    ``audience``, ``requested_expiry`` (seconds) and ``authorization_details``; the
    constructor's ``authorization_params`` give only the default audience and scope
    (``redirect_uri`` and the like belong to ``/authorize`` and are never sent here).
    ``store_options`` is accepted for the official SDK's signature; no store is used. In the
    standard dialect (docs/ciba.md) the ``sub`` goes as the ``login_hint`` itself, a string
    ``login_hint`` is sent as given, ``binding_message`` is optional and the audience goes as
    ``resource``.

    Raises:
        MissingRequiredArgumentError: no ``login_hint.sub``, or (Auth0) no ``binding_message``.
        InvalidArgumentError: an option of the wrong shape or value.
        ConfigurationError: the tenant advertises no backchannel authentication endpoint.
        OAuthError: the tenant refused the request (``unknown_user_id``, ...).
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import ciba

    return ciba.initiate_backchannel_authentication_flow(client, options)


def backchannel_authentication_grant(
    client: CoreClient, auth_req_id: str, store_options: StoreOptions = None
) -> Flow[dict[str, Any]]:
    """Poll once for the tokens of a CIBA request: the token response (with ``expires_at``),
    its ID token validated. ``store_options`` is accepted for the official SDK's signature.
    In the standard dialect it asks for the configured audience's token (``resource``); the
    call knows nothing else of the request, so no audience is checked.

    Raises:
        MissingRequiredArgumentError: no ``auth_req_id``.
        PollingApiError: no tokens: ``code`` ``authorization_pending`` (poll again after the
            interval), ``slow_down`` (poll 5 s slower), ``expired_token``, ``access_denied``
            or ``auth_req_id_error``.
        IdTokenError: the ID token is invalid.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import ciba

    return ciba.backchannel_authentication_grant_flow(client, auth_req_id)


def backchannel_authentication(
    client: CoreClient, options: Options, store_options: StoreOptions = None
) -> Flow[dict[str, Any]]:
    """Start CIBA as :func:`initiate_backchannel_authentication` does, then poll until the
    user answers: the token response (with ``expires_at``), its ID token validated and
    naming the user asked for.

    Waits ``interval`` between polls, 5 s more after each ``slow_down``; stops when no poll
    fits before ``expires_in``. The waits do not count against ``call_timeout``; cancel the
    call as any other (a cancel scope; closing the sync client).

    Raises:
        MissingRequiredArgumentError: no ``login_hint.sub``, or (Auth0) no ``binding_message``.
        InvalidArgumentError: an option of the wrong shape or value.
        ConfigurationError: the tenant advertises no backchannel authentication endpoint.
        OAuthError: the tenant refused the request.
        PollingApiError: ``code`` ``expired_token`` (nobody answered in time),
            ``access_denied`` (the user refused) or ``auth_req_id_error``.
        AccessTokenError: (code ``incorrect_audience``) the access token cannot be shown to be
            for the audience asked.
        IdTokenError: the ID token is invalid or names another user.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much;
            or the sync client was closed while the call waited.
    """
    from . import ciba

    return ciba.backchannel_authentication_flow(client, options)


def login_backchannel(
    client: CoreClient, options: Options, store_options: StoreOptions = None
) -> Flow[dict[str, Any]]:
    """Log the user in with CIBA: :func:`backchannel_authentication`, then write a fresh
    session from the validated ID token (its user, its ``sid``; userinfo merged in with
    ``fetch_userinfo``, as at an interactive login); return
    ``{"authorization_details": ...}``.

    Raises:
        MissingRequiredArgumentError: no ``login_hint.sub``, or (Auth0) no ``binding_message``.
        InvalidArgumentError: an option of the wrong shape or value.
        ConfigurationError: the tenant advertises no backchannel authentication endpoint.
        OAuthError: the tenant refused the request.
        PollingApiError: ``code`` ``expired_token``, ``access_denied`` or
            ``auth_req_id_error``.
        AccessTokenError: (code ``incorrect_audience``) the access token cannot be shown to be
            for the audience asked; no session is written.
        UserInfoError, OAuthError: (with ``fetch_userinfo``) the userinfo answer is another
            user's, or the endpoint refused the token; no session is written.
        IdTokenError: the ID token is missing, invalid or names another user; no session is
            written.
        SessionExpiredError: the identity provider's session is already over.
        InvalidResponse: an answer of the tenant is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import ciba

    return ciba.login_backchannel_flow(client, options, store_options)


def get_token_by_refresh_token(client: CoreClient, options: Options) -> Flow[dict[str, Any]]:
    """Exchange ``options["refresh_token"]`` (with optional ``audience`` and ``scope``, the
    configured default scope merged in) for fresh tokens, touching no session or store:
    the token response as a dict, with ``expires_at`` (docs/tokens.md, stateless helpers).

    Raises:
        MissingRequiredArgumentError: no ``refresh_token``.
        InvalidArgumentError: options not a dict, an unknown key, a value of the wrong type,
            or a ``domain`` other than the configured one.
        InvalidGrantError: the refresh token was refused (code ``refresh_token_error``).
        MfaRequiredError: MFA is required first (code ``mfa_required``, sealed ``mfa_token``).
        AccessTokenError: another refusal (``refresh_token_error``) or a token for another
            audience (``incorrect_audience``).
        InvalidResponse: the tenant's answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import stateless

    return stateless.get_token_by_refresh_token_flow(client, options)


def get_token_for_connection(client: CoreClient, options: Options) -> Flow[dict[str, Any]]:
    """Exchange ``options["refresh_token"]`` for the user's access token at
    ``options["connection"]`` (optional ``login_hint``) through Token Vault, touching no
    session or store: ``{"access_token", "expires_at", "scope"}``.

    Raises:
        MissingRequiredArgumentError: no ``connection`` or no ``refresh_token``.
        InvalidArgumentError: options not a dict, an unknown key, a value of the wrong type,
            or a ``domain`` other than the configured one.
        AccountNotConnectedError: the user has no account at the connection (code
            ``api_error``).
        AccessTokenForConnectionError: refused (``api_error``) or a malformed answer
            (``retrieval_error``).
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import stateless

    return stateless.get_token_for_connection_flow(client, options)


def custom_token_exchange(
    client: CoreClient,
    options: CustomTokenExchangeOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[TokenExchangeResponse]:
    """Exchange an external token for Auth0 tokens (Custom Token Exchange, RFC 8693;
    docs/custom-token-exchange.md); no session is read or written. Any ID token in the answer
    is validated, and ``act`` read from it. ``store_options`` is accepted for the official
    SDK's signature.

    Raises:
        MissingRequiredArgumentError: no ``subject_token`` or ``subject_token_type``; an
            ``actor_token`` without ``actor_token_type`` or the other way round.
        InvalidArgumentError: a blank token, a ``Bearer`` prefix, a subject token type in a
            reserved namespace, an ``authorization_params`` key the exchange sets itself.
        CustomTokenExchangeError: the tenant refused (``code`` is the server's ``error``).
        IdTokenError: the answer's ID token is invalid.
        InvalidResponse: the tenant's answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import custom_token_exchange as _cte

    return _cte.custom_token_exchange_flow(client, options)


def login_with_custom_token_exchange(
    client: CoreClient,
    options: LoginWithCustomTokenExchangeOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[LoginWithCustomTokenExchangeResult]:
    """Log the user in with a Custom Token Exchange: ``openid`` is always asked, the ID token
    validated (signature, issuer, audience, expiry; organization when given), and a fresh
    session written for its user; return the session as ``state_data``.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: as :func:`custom_token_exchange`.
        CustomTokenExchangeError: the tenant refused (``code`` is the server's ``error``).
        IdTokenError: no ID token, or an invalid one; no session is written.
        SessionExpiredError: the identity provider's session is already over.
        InvalidResponse: the tenant's answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
        MissingStoreOptionsError, CookieTooLargeError: the session could not be stored.
    """
    from . import custom_token_exchange as _cte

    return _cte.login_with_custom_token_exchange_flow(client, options, store_options)


def request_session_transfer_token(
    client: CoreClient,
    subject_token: str,
    subject_token_type: str,
    actor_token: str | None = None,
    actor_token_type: str | None = None,
    scope: str | None = None,
    organization: str | None = None,
    store_options: StoreOptions = None,
) -> Flow[SessionTransferTokenResult]:
    """Mint a Session Transfer Token: a Custom Token Exchange for
    ``audience=urn:{domain}:session_transfer``. The actor is ``actor_token`` (of
    ``actor_token_type``, by default an ID token), else the session's ID token, refreshed
    first when it is no longer valid.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: as :func:`custom_token_exchange`,
            or a blank ``organization``.
        CustomTokenExchangeError: (``actor_unavailable``) no actor token given and no usable
            one in the session; or the tenant refused (``code`` is the server's ``error``,
            such as ``session_transfer_disabled``).
        InvalidResponse: the tenant's answer is malformed.
        TransportError: the tenant could not be reached, or answered too late or too much.
    """
    from . import custom_token_exchange as _cte

    return _cte.request_session_transfer_token_flow(
        client,
        subject_token,
        subject_token_type,
        actor_token,
        actor_token_type,
        scope,
        organization,
        store_options,
    )


def build_session_transfer_redirect(
    client: CoreClient,
    target_login_url: str,
    result: SessionTransferTokenResult,
    organization: str | None = None,
) -> str:
    """The target application's login URL carrying the Session Transfer Token (and the
    organization); not a coroutine on either facade, as in the official SDK.

    Raises:
        MissingRequiredArgumentError: no ``target_login_url``.
        InvalidArgumentError: not an absolute ``https`` URL (``http`` only for loopback), a
            fragment, a result without a token, a blank ``organization``.
    """
    from . import custom_token_exchange as _cte

    return _cte.build_session_transfer_redirect(target_login_url, result, organization)
