"""The public calls, with the exact signatures the facades expose.

Each function builds the flow for one ``ServerClient`` method; the facades turn it into a
blocking method (``auth0_requests``) or a coroutine method (``auth0_anyio``) with
:func:`auth0_core._facade.sync_call` / :func:`~auth0_core._facade.async_call`, so the list
of methods, their arguments and their documentation exist once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions
from .._options import (
    ConnectionTokenOptions,
    GetAccessTokenOptions,
    LogoutOptions,
    StartInteractiveLoginOptions,
    StartLinkUserOptions,
    StartUnlinkUserOptions,
)
from .._result import LoginResult
from . import client_credentials, linking, login, management, session, token_vault, tokens

Options = Mapping[str, Any]


def start_interactive_login(
    client: CoreClient,
    options: StartInteractiveLoginOptions | Options | None = None,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """Return the URL that starts a login (through PAR when configured); store the
    transaction."""
    return login.start_login_flow(client, options, store_options)


def complete_interactive_login(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish the login from the full callback URL; write the session; return app_state."""
    return login.complete_login_flow(client, url, store_options)


def get_user(client: CoreClient, store_options: StoreOptions = None) -> Flow[dict[str, Any] | None]:
    """The logged-in user's claims, or None."""
    return session.get_user_flow(client, store_options)


def get_session(
    client: CoreClient, store_options: StoreOptions = None
) -> Flow[dict[str, Any] | None]:
    """The session without its internals, or None."""
    return session.get_session_flow(client, store_options)


def logout(
    client: CoreClient,
    options: LogoutOptions | Options | None = None,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """Clear the session and return the tenant's logout URL."""
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
    needed. ``options`` (a dict or GetAccessTokenOptions) replaces audience and scope."""
    chosen = options if options is not None else {"audience": audience, "scope": scope}
    return tokens.get_access_token_flow(client, chosen, store_options)


def get_access_token_for_connection(
    client: CoreClient,
    options: ConnectionTokenOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """The user's access token at a federated connection, through Token Vault."""
    return token_vault.get_access_token_for_connection_flow(client, options, store_options)


def get_client_credentials_token(
    client: CoreClient, audience: str, organization: str | None = None
) -> Flow[str]:
    """An access token for the application itself (client credentials), cached."""
    return client_credentials.client_credentials_flow(client, audience, organization)


def start_link_user(
    client: CoreClient, options: StartLinkUserOptions | Options, store_options: StoreOptions = None
) -> Flow[str]:
    """The /authorize URL that links ``options["connection"]`` to the logged-in user."""
    return linking.start_link_flow(client, "link", options, store_options)


def complete_link_user(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish linking from the callback URL; merge into the same user's session."""
    return linking.complete_link_flow(client, "link", url, store_options)


def start_unlink_user(
    client: CoreClient,
    options: StartUnlinkUserOptions | Options,
    store_options: StoreOptions = None,
) -> Flow[str]:
    """The /authorize URL that unlinks ``options["connection"]`` from the logged-in user."""
    return linking.start_link_flow(client, "unlink", options, store_options)


def complete_unlink_user(
    client: CoreClient, url: str, store_options: StoreOptions = None
) -> Flow[LoginResult]:
    """Finish unlinking from the callback URL."""
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
    primary's identities."""
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
    remaining identities."""
    return management.unlink_user_accounts_flow(client, primary_user_id, provider, user_id)
