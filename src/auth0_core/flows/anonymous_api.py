"""The public calls of ``server_client.anonymous`` (the official ``AnonymousClient`` of
auth0-server-python 1.0.0b20), with the signatures the facades expose; each loads
:mod:`.anonymous` on its first call. See docs/anonymous-and-enterprise.md."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._client import CoreClient
from .._effects import Flow, StoreOptions

if TYPE_CHECKING:
    from .._anonymous_types import (
        AnonymousSession,
        AnonymousSessionData,
        CreateAnonymousSessionOptions,
    )


def create_session(
    client: CoreClient,
    options: CreateAnonymousSessionOptions | Mapping[str, Any] | None = None,
    *,
    audience: str | None = None,
    scope: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    store_options: StoreOptions = None,
) -> Flow[AnonymousSession]:
    """Mint a new ``anon@...`` identity at the tenant and store it (replacing any other).

    ``options`` (CreateAnonymousSessionOptions or a dict with ``audience``, ``scope``,
    ``metadata``) fills what the keywords leave out; then ``authorization_params``'s audience
    and scope. ``metadata``: a JSON object of at most 1 KB, fixed for the session's life.

    Raises:
        ConfigurationError: no ``anonymous_store`` was configured.
        AnonymousSessionCreateError: bad options (``invalid_options``, ``invalid_metadata``,
            ``metadata_too_large``), the tenant refused (its ``error`` as ``code``), gave no
            ``session_token`` (``missing_session_token``) or could not be reached.
    """
    from . import anonymous

    return anonymous.create_session(
        client,
        options,
        audience=audience,
        scope=scope,
        metadata=metadata,
        store_options=store_options,
    )


def get_token(
    client: CoreClient,
    store_options: StoreOptions = None,
    *,
    audience: str | None = None,
    scope: str | None = None,
) -> Flow[AnonymousSession]:
    """The anonymous session's access token for ``audience``/``scope``: the cached one while
    it has more than 30 s left, else one re-minted with the stored ``session_token``.

    Raises:
        ConfigurationError: no ``anonymous_store`` was configured.
        AnonymousSessionTokenError: no session (``anonymous_token_error``), an unreadable
            stored one (``invalid_session_state``, then deleted), the tenant's word that it is
            over (``session_expired``, ``invalid_session_token``: deleted), another refusal,
            or the tenant could not be reached.
    """
    from . import anonymous

    return anonymous.get_token(client, store_options, audience=audience, scope=scope)


def get_session(
    client: CoreClient, store_options: StoreOptions = None
) -> Flow[AnonymousSessionData | None]:
    """The stored anonymous identity (``sub``, ``metadata``, ``created_at``,
    ``session_expires_at``, ``domain``), without calling the tenant; None when there is none,
    it is unreadable, it belongs to another domain, or no ``anonymous_store`` is configured."""
    from . import anonymous

    return anonymous.get_session(client, store_options)


def logout(client: CoreClient, store_options: StoreOptions = None) -> Flow[None]:
    """Forget the anonymous session here; the tokens it issued are not revoked.

    Raises:
        ConfigurationError: no ``anonymous_store`` was configured.
    """
    from . import anonymous

    return anonymous.logout(client, store_options)


def exchange_transfer_token_for_injection(
    client: CoreClient, origin_domain: str, store_options: StoreOptions = None
) -> Flow[str | None]:
    """A one-time ``anon_transfer_token`` for a login at ``origin_domain`` (what
    ``start_interactive_login`` adds to ``/authorize``); None without a session of that
    domain, or when the tenant mints none."""
    from . import anonymous

    return anonymous.exchange_transfer_token_for_injection(client, origin_domain, store_options)
