"""Reading the session, and logging out (protocol doc §3.2, §8.1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from .._client import CoreClient
from .._effects import Flow, StoreOptions, store_delete, store_get, store_set
from .._options import LogoutOptions, coerce_options
from .._session import is_live, needs_roll, public_view, rolled
from ..errors import ConfigurationError
from .discovery import metadata_flow


def load_session_flow(
    client: CoreClient, store_options: StoreOptions
) -> Flow[dict[str, Any] | None]:
    """The live session, or None. An expired session is deleted; a live one rolls forward."""
    config = client.config
    session = yield from store_get("state", config.state_identifier, store_options)
    if session is None:
        return None
    now = config.env.now()
    if not is_live(config, session, now):
        yield from store_delete("state", config.state_identifier, store_options)
        return None
    if needs_roll(session, now):
        session = rolled(config, session, now)
        yield from store_set("state", config.state_identifier, session, store_options)
    return session


def reload_session_flow(
    client: CoreClient, loaded: Mapping[str, Any], store_options: StoreOptions
) -> Flow[dict[str, Any]]:
    """The session to merge a new token into: as stored now, but never older than ``loaded``.

    Re-reading picks up what another request wrote meanwhile (a shared store). A store that
    can only see the incoming request (a cookie store) answers with the record as it was
    before this request rolled it forward, so the newer ``internal`` part is kept.
    """
    latest = yield from store_get("state", client.config.state_identifier, store_options)
    if latest is None:
        return dict(loaded)
    mine, theirs = loaded.get("internal"), latest.get("internal")
    if (
        isinstance(mine, Mapping)
        and isinstance(theirs, Mapping)
        and _last_seen(mine) > _last_seen(theirs)
    ):
        return {**latest, "internal": dict(mine)}
    return latest


def _last_seen(internal: Mapping[str, Any]) -> int:
    value = internal.get("last_seen")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def get_session_flow(
    client: CoreClient, store_options: StoreOptions
) -> Flow[dict[str, Any] | None]:
    """The session without its ``internal`` part, or None."""
    session = yield from load_session_flow(client, store_options)
    return public_view(session) if session is not None else None


def get_user_flow(client: CoreClient, store_options: StoreOptions) -> Flow[dict[str, Any] | None]:
    """The logged-in user's claims, or None."""
    session = yield from load_session_flow(client, store_options)
    return dict(session["user"]) if session is not None else None


def logout_flow(
    client: CoreClient,
    options: LogoutOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[str]:
    """Delete the local session first, then return the tenant's logout URL.

    ``logout_strategy="auto"`` uses the discovery ``end_session_endpoint`` when the tenant
    advertises it, ``/v2/logout`` otherwise. The ID token is never put in the URL.
    """
    config = client.config
    opts = coerce_options(LogoutOptions, options)
    yield from store_delete("state", config.state_identifier, store_options)
    metadata = yield from metadata_flow(client)
    end_session = metadata.end_session_endpoint
    if config.logout_strategy == "oidc" and end_session is None:
        raise ConfigurationError(
            "logout_strategy='oidc' but the tenant does not advertise 'end_session_endpoint'."
        )
    if end_session is not None and config.logout_strategy != "v2":
        query = {"client_id": config.client_id}
        if opts.return_to:
            query["post_logout_redirect_uri"] = opts.return_to
        return f"{end_session}?{urlencode(query)}"
    query = {"client_id": config.client_id}
    if opts.return_to:
        query["returnTo"] = opts.return_to
    return f"{config.base_url}/v2/logout?{urlencode(query)}"
