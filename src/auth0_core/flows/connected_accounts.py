"""Connected Accounts through the My Account API (protocol doc §7, seed 001).

Every call takes a My Account API token for the session through MRRT (audience
``https://{domain}/me/``) with the one scope it needs, merged with the default scopes
configured for that audience, so that with ``create``, ``read`` and ``delete`` configured one
token serves every call.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .._binding import bind_to_browser
from .._client import CoreClient
from .._effects import Flow, StoreOptions, store_set
from .._http import HttpResponse
from .._my_account_types import (
    CompleteConnectAccountResponse,
    ConnectedAccount,
    ConnectedAccountConnection,
    ListConnectedAccountConnectionsResponse,
    ListConnectedAccountsResponse,
)
from .._options import ConnectAccountOptions, coerce_options
from .._pkce import code_challenge, random_code_verifier
from .._session import without_connection_tokens
from ..endpoints.my_account._api import my_account_audience
from ..endpoints.my_account.connected_accounts import (
    prepare_complete_connect_request,
    prepare_connect_request,
    prepare_delete_connected_account_request,
    prepare_list_connected_account_connections_request,
    prepare_list_connected_accounts_request,
    process_complete_connect_response,
    process_connect_response,
    process_delete_connected_account_response,
    process_list_connected_account_connections_response,
    process_list_connected_accounts_response,
)
from ..errors import InvalidArgumentError
from ..records import ConnectTransaction
from ._resource import resource_fetch
from .callbacks import check_transaction_domain, read_connect_callback_flow, transaction_key
from .paging import PageWalk
from .session import load_session_flow, write_session_flow
from .tokens import access_token_set_flow

if TYPE_CHECKING:
    from .._http import HttpRequest

CREATE_SCOPE = "create:me:connected_accounts"
READ_SCOPE = "read:me:connected_accounts"
DELETE_SCOPE = "delete:me:connected_accounts"


def _call_flow(
    client: CoreClient, request: HttpRequest, scope: str, store_options: StoreOptions
) -> Flow[HttpResponse]:
    """Send a prepared My Account request with a session token holding ``scope``."""
    options = {"audience": my_account_audience(client.config), "scope": scope}
    token = yield from access_token_set_flow(client, options, store_options)
    return (yield from resource_fetch(client, request, token))


def _with_ticket(connect_uri: str, ticket: str) -> str:
    """``connect_uri`` with ``ticket`` added to whatever query it already has."""
    parts = urlsplit(connect_uri)
    query = "&".join(part for part in (parts.query, urlencode({"ticket": ticket})) if part)
    return urlunsplit(parts._replace(query=query, fragment=""))


def _check_app_state(app_state: object) -> None:
    try:
        json.dumps(app_state)
    except (TypeError, ValueError, RecursionError):
        raise InvalidArgumentError(
            "app_state", "app_state must be JSON-serializable (it is stored until the callback)."
        ) from None


def start_connect_account_flow(
    client: CoreClient,
    options: ConnectAccountOptions | Mapping[str, Any],
    store_options: StoreOptions,
) -> Flow[str]:
    """Ask the API to connect an account; store the transaction; return the URL to send the
    browser to (the API's ``connect_uri`` with its ``ticket``).

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: bad options, before any request.
        MyAccountApiError: the API refused.
    """
    config, env = client.config, client.config.env
    opts = coerce_options(ConnectAccountOptions, options)
    redirect_uri = (
        opts.redirect_uri or config.authorization_params.get("redirect_uri") or config.redirect_uri
    )
    _check_app_state(opts.app_state)
    state, verifier = env.random_urlsafe(32), random_code_verifier(env)
    request = prepare_connect_request(
        config,
        connection=opts.connection,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=code_challenge(verifier),
        scopes=opts.scopes,
        authorization_params=opts.authorization_params,
    )
    response = yield from _call_flow(client, request, CREATE_SCOPE, store_options)
    answer = process_connect_response(response)
    key, now = transaction_key(client, state), env.now()
    lifetime = config.transaction_lifetime
    if answer.expires_in > 0:
        lifetime = min(lifetime, answer.expires_in)
    binding = bind_to_browser(
        store_options, key, redirect_uri=str(redirect_uri), lifetime=lifetime, env=env
    )
    transaction = ConnectTransaction(
        state=state,
        code_verifier=verifier,
        auth_session=answer.auth_session,
        redirect_uri=str(redirect_uri),
        connection=str(opts.connection),
        app_state=opts.app_state,
        domain=config.domain,
        created_at=now,
        expires_at=now + lifetime,
        browser_binding=binding,
    )
    yield from store_set("transaction", key, transaction.to_dict(), store_options)
    return _with_ticket(answer.connect_uri, answer.ticket)


def complete_connect_account_flow(
    client: CoreClient, url: str, store_options: StoreOptions
) -> Flow[CompleteConnectAccountResponse]:
    """Finish a connect from its callback URL; return the account with its ``app_state``.

    Raises:
        Everything :func:`read_connect_callback_flow` raises, and
        MyAccountApiError: the API refused to complete.
    """
    connect_code, transaction = yield from read_connect_callback_flow(client, url, store_options)
    check_transaction_domain(client, transaction.domain)  # before its code goes anywhere
    request = prepare_complete_connect_request(
        client.config,
        auth_session=transaction.auth_session,
        connect_code=connect_code,
        redirect_uri=transaction.redirect_uri,
        code_verifier=transaction.code_verifier,
    )
    response = yield from _call_flow(client, request, CREATE_SCOPE, store_options)
    account = process_complete_connect_response(response, app_state=transaction.app_state)
    client.vault_generation += 1  # the vault may answer otherwise for this connection now
    return account


def list_connected_accounts_flow(
    client: CoreClient,
    connection: object,
    take: object,
    from_param: object,
    store_options: StoreOptions,
) -> Flow[ListConnectedAccountsResponse]:
    """One page of the user's connected accounts.

    Raises:
        InvalidArgumentError: bad paging or filter values, before any request.
        MyAccountApiError: the API refused.
    """
    request = prepare_list_connected_accounts_request(
        client.config, connection=connection, take=take, from_param=from_param
    )
    response = yield from _call_flow(client, request, READ_SCOPE, store_options)
    return process_list_connected_accounts_response(response)


def list_connections_flow(
    client: CoreClient, take: object, from_param: object, store_options: StoreOptions
) -> Flow[ListConnectedAccountConnectionsResponse]:
    """One page of the connections the user may connect accounts at.

    Raises:
        InvalidArgumentError: bad paging values, before any request.
        MyAccountApiError: the API refused.
    """
    request = prepare_list_connected_account_connections_request(
        client.config, take=take, from_param=from_param
    )
    response = yield from _call_flow(client, request, READ_SCOPE, store_options)
    return process_list_connected_account_connections_response(response)


def delete_connected_account_flow(
    client: CoreClient, connected_account_id: object, store_options: StoreOptions
) -> Flow[None]:
    """Delete one of the user's connected accounts.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: no or a malformed id.
        MyAccountApiError: the API refused (404: no such account).
    """
    request = prepare_delete_connected_account_request(client.config, connected_account_id)
    response = yield from _call_flow(client, request, DELETE_SCOPE, store_options)
    process_delete_connected_account_response(response)
    client.vault_generation += 1
    # The deleted account's Token Vault tokens must not be handed out from the cache. Which
    # connection it was is not known here (the API answers 204), so every cached one goes:
    # the next get_access_token_for_connection costs one exchange.
    session = yield from load_session_flow(client, store_options)
    if session is not None and session.connection_token_sets:
        yield from write_session_flow(client, without_connection_tokens(session), store_options)


def connected_accounts_walk(
    client: CoreClient, connection: object, take: object, store_options: StoreOptions
) -> PageWalk[ListConnectedAccountsResponse, ConnectedAccount]:
    """Every connected account of the user, page after page.

    Raises (from its flows):
        InvalidArgumentError: bad paging or filter values, before any request.
        MyAccountApiError: the API refused.
        InvalidResponse: the API repeated a page cursor.
    """
    prepare_list_connected_accounts_request(client.config, connection=connection, take=take)
    return PageWalk(
        lambda cursor: list_connected_accounts_flow(
            client, connection, take, cursor, store_options
        ),
        lambda page: page.accounts,
    )


def connections_walk(
    client: CoreClient, take: object, store_options: StoreOptions
) -> PageWalk[ListConnectedAccountConnectionsResponse, ConnectedAccountConnection]:
    """Every connection available for connecting accounts, page after page.

    Raises (from its flows):
        InvalidArgumentError: bad paging values, before any request.
        MyAccountApiError: the API refused.
        InvalidResponse: the API repeated a page cursor.
    """
    prepare_list_connected_account_connections_request(client.config, take=take)
    return PageWalk(
        lambda cursor: list_connections_flow(client, take, cursor, store_options),
        lambda page: page.connections,
    )
