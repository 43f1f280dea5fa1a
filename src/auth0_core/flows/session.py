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


def logout_stamp_key(client: CoreClient, sub: str) -> str:
    """Where the user's "not before" stamp lives in the logout stamp store."""
    return f"{client.config.state_identifier}:not_before:{sub}"


def _subject(session: Mapping[str, Any]) -> str | None:
    user = session.get("user")
    sub = user.get("sub") if isinstance(user, Mapping) else None
    return sub if isinstance(sub, str) and sub else None


def _logged_out_since(client: CoreClient, session: Mapping[str, Any]) -> Flow[bool]:
    """Whether a logout stamp for the session's user is newer than the session."""
    sub = _subject(session)
    if not client.config.logout_stamps or sub is None:
        return False
    stamp = yield from store_get("logout_stamp", logout_stamp_key(client, sub), None)
    not_before = stamp.get("not_before") if isinstance(stamp, Mapping) else None
    internal = session.get("internal")
    created = internal.get("created_at") if isinstance(internal, Mapping) else None
    if not isinstance(not_before, int) or isinstance(not_before, bool):
        return False
    # A session with no creation time predates every stamp.
    return not isinstance(created, int) or created < not_before


def load_session_flow(
    client: CoreClient, store_options: StoreOptions
) -> Flow[dict[str, Any] | None]:
    """The live session, or None. An expired session, or one older than its user's logout
    stamp, is deleted; a live one rolls forward."""
    config = client.config
    session = yield from store_get("state", config.state_identifier, store_options)
    if session is None:
        return None
    now = config.env.now()
    if not is_live(config, session, now) or (yield from _logged_out_since(client, session)):
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


def stamp_logout_flow(client: CoreClient, sub: str) -> Flow[None]:
    """Make every session of ``sub`` created before now read as logged out.

    The stamp outlives the longest a session can live, then expires from the store.
    """
    config = client.config
    now = config.env.now()
    stamp = {"not_before": now, "expires_at": now + config.absolute_duration}
    yield from store_set("logout_stamp", logout_stamp_key(client, sub), stamp, None)


def logout_flow(
    client: CoreClient,
    options: LogoutOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[str]:
    """Delete the local session first, then return the tenant's logout URL.

    With a logout stamp store, the user's "not before" stamp is set to now as well, so every
    older session of that user (a copied cookie, another device) reads as logged out.
    ``logout_strategy="auto"`` uses the discovery ``end_session_endpoint`` when the tenant
    advertises it, ``/v2/logout`` otherwise. The ID token is never put in the URL.
    """
    config = client.config
    opts = coerce_options(LogoutOptions, options)
    if config.logout_stamps:
        session = yield from store_get("state", config.state_identifier, store_options)
        sub = _subject(session) if session is not None else None
        if sub is not None:
            yield from stamp_logout_flow(client, sub)
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
