"""Reading the session, and logging out (protocol doc §3.2, §8.1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from .._client import CoreClient
from .._effects import Flow, StoreGet, StoreOptions, store_delete, store_get, store_set
from .._options import LogoutOptions, coerce_options
from .._session import is_live, needs_roll, rolled, with_internal
from ..errors import ConfigurationError, InvalidArgumentError
from ..records import Session, from_stored
from .discovery import metadata_flow


def logout_stamp_key(client: CoreClient, sub: str) -> str:
    """Where the user's "not before" stamp lives in the logout stamp store."""
    return f"{client.config.state_identifier}:not_before:{sub}"


def _stored_session(client: CoreClient, store_options: StoreOptions) -> Flow[Session | None]:
    """The stored session record; None when absent or not a valid session.

    The one place a session is read from a store. A store that keeps parsed records (the
    memory store's ``get_record``, see :class:`~auth0_core.effects.StoreGet`) answers with
    the frozen record itself, shared by every read: no JSON parse, no copy, no validation per
    read. Any other store's dict is validated here.
    """
    stored = yield StoreGet(
        store="state",
        identifier=client.config.state_identifier,
        options=store_options,
        record=Session.adopt_dict,  # a store's get_record hands over a fresh dict
    )
    if type(stored) is Session:
        return stored
    return from_stored(Session.from_dict, stored if isinstance(stored, Mapping) else None)


def read_session_flow(client: CoreClient, store_options: StoreOptions) -> Flow[Session | None]:
    """The stored session as it is (live or not); None when absent or not a valid session."""
    session = yield from _stored_session(client, store_options)
    if session is not None and client.resolves_domain and not _of_domain(client, session):
        return None  # another domain's session is no session here (docs/custom-domains.md)
    return session


def _of_another_domain(client: CoreClient, store_options: StoreOptions) -> Flow[bool]:
    """Whether the stored session is another domain's (resolver mode): logout on this domain
    leaves it alone, and still deletes a record that is no valid session."""
    if not client.resolves_domain:
        return False
    session = yield from _stored_session(client, store_options)
    return session is not None and not _of_domain(client, session)


def _of_domain(client: CoreClient, session: Session) -> bool:
    """Whether ``session`` belongs to the client's (resolved) domain: the domain it
    recorded, else (written without one) the host of its user's ``iss``."""
    domain = session.domain
    if domain is None:
        issuer = session.user.get("iss")
        domain = urlsplit(issuer).netloc if isinstance(issuer, str) else None
    return domain is not None and domain.lower() == client.config.domain


def write_session_flow(
    client: CoreClient,
    session: Session,
    store_options: StoreOptions,
    *,
    remove_if_expires: bool = False,
) -> Flow[None]:
    """Store ``session`` under the configured identifier. A new login's session
    (``remove_if_expires``: interactive, passwordless, passkey, CIBA, token-exchange login, a
    first session after MFA) ends the anonymous session, when anonymous sessions are
    configured and ``clear_anonymous_session_on_login`` (docs/anonymous-and-enterprise.md)."""
    yield from store_set(
        "state",
        client.config.state_identifier,
        session.to_dict(),
        store_options,
        remove_if_expires=remove_if_expires,
    )
    if remove_if_expires and client.config.anonymous_sessions:
        from . import anonymous

        yield from anonymous.clear_after_login(client, store_options)


def _logged_out_since(client: CoreClient, session: Session) -> Flow[bool]:
    """Whether a logout stamp for the session's user is newer than the session."""
    if not client.config.logout_stamps:
        return False
    stamp = yield from store_get("logout_stamp", logout_stamp_key(client, session.sub), None)
    not_before = stamp.get("not_before") if isinstance(stamp, Mapping) else None
    if not isinstance(not_before, int) or isinstance(not_before, bool):
        return False
    return session.internal.created_at < not_before


def load_session_flow(client: CoreClient, store_options: StoreOptions) -> Flow[Session | None]:
    """The live session, or None. An expired session, or one older than its user's logout
    stamp, is deleted; a live one rolls forward."""
    config = client.config
    session = yield from read_session_flow(client, store_options)
    if session is None:
        return None
    now = config.env.now()
    if not is_live(config, session, now) or (
        config.logout_stamps and (yield from _logged_out_since(client, session))
    ):
        yield from store_delete("state", config.state_identifier, store_options)
        return None
    if needs_roll(session, now):
        session = rolled(config, session, now)
        yield from write_session_flow(client, session, store_options)
    return session


def reload_session_flow(
    client: CoreClient, loaded: Session, store_options: StoreOptions
) -> Flow[Session]:
    """The session to merge a new token into: as stored now, but never older than ``loaded``.

    Re-reading picks up what another request wrote meanwhile (a shared store). A store that
    can only see the incoming request (a cookie store) answers with the record as it was
    before this request rolled it forward, so the newer ``internal`` part is kept.
    """
    latest = yield from read_session_flow(client, store_options)
    if latest is None:
        return loaded
    if _last_seen(loaded) > _last_seen(latest):
        return with_internal(latest, loaded.internal)
    return latest


def _last_seen(session: Session) -> int:
    last_seen = session.internal.last_seen
    return 0 if last_seen is None else last_seen


def get_session_flow(
    client: CoreClient, store_options: StoreOptions
) -> Flow[dict[str, Any] | None]:
    """The session without its ``internal`` part, or None."""
    session = yield from load_session_flow(client, store_options)
    return session.public_dict() if session is not None else None


def get_user_flow(client: CoreClient, store_options: StoreOptions) -> Flow[dict[str, Any] | None]:
    """The logged-in user's claims, or None."""
    session = yield from load_session_flow(client, store_options)
    return session.user_dict() if session is not None else None


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
    advertises it, ``/v2/logout`` otherwise. In the Auth0 dialect the ID token is never put in
    the URL; the standard dialect always uses the ``end_session_endpoint`` and sends the
    session's ID token as ``id_token_hint`` (OpenID RP-Initiated Logout 1.0 §2), with
    ``client_id``, ``post_logout_redirect_uri`` and ``state``.
    """
    config = client.config
    opts = coerce_options(LogoutOptions, options)
    if not isinstance(opts.federated, bool):
        raise InvalidArgumentError("federated", "federated must be True or False.")
    if opts.state is not None and (not isinstance(opts.state, str) or not opts.state):
        raise InvalidArgumentError("state", "state must be a non-empty string.")
    standard = config.dialect == "standard"
    if standard and opts.federated:
        raise InvalidArgumentError(
            "federated", "federated is Auth0's logout parameter: the standard dialect has none."
        )
    id_token: str | None = None
    if config.logout_stamps or standard:
        session = yield from read_session_flow(client, store_options)
        if session is not None and config.logout_stamps:
            yield from stamp_logout_flow(client, session.sub)
        id_token = session.id_token if session is not None else None
    if not (yield from _of_another_domain(client, store_options)):
        yield from store_delete("state", config.state_identifier, store_options)
    if config.anonymous_sessions or config.enterprise_connect:
        from . import anonymous, enterprise

        if config.enterprise_connect:
            enterprise.logout_warning(opts.federated)
        # A shared device: no anonymous session of before the login is carried on.
        yield from anonymous.end_if_active(client, store_options)
    metadata = yield from metadata_flow(client)
    end_session = metadata.end_session_endpoint
    if standard and end_session is None:
        raise ConfigurationError(
            "the standard dialect logs out at the server's 'end_session_endpoint', which its "
            "discovery document does not advertise (the local session is deleted)."
        )
    if config.logout_strategy == "oidc" and end_session is None:
        raise ConfigurationError(
            "logout_strategy='oidc' but the tenant does not advertise 'end_session_endpoint'."
        )
    if end_session is not None and config.logout_strategy != "v2":
        query = {"client_id": config.client_id}
        if standard and id_token:
            query["id_token_hint"] = id_token
        if opts.return_to:
            query["post_logout_redirect_uri"] = opts.return_to
        if opts.state:
            query["state"] = opts.state
        if opts.federated:  # a presence flag: Auth0 reads no value
            query["federated"] = "true"
        separator = "&" if urlsplit(end_session).query else "?"
        return f"{end_session}{separator}{urlencode(query)}"
    query = {"client_id": config.client_id}
    if opts.return_to:
        query["returnTo"] = opts.return_to
    if opts.federated:
        query["federated"] = "true"
    return f"{config.base_url}/v2/logout?{urlencode(query)}"
