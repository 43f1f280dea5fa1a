"""Anonymous sessions (``server_client.anonymous``; protocol doc §8.14, inferred from the
published auth0-server-python 1.0.0b20: docs/anonymous-and-enterprise.md).

An anonymous session is an ``anon@...`` identity the tenant mints before any login, at
``POST {domain}/anonymous/token`` (a JSON body: ``client_id``, the client's credentials, and
``audience``/``scope``/``metadata`` when given). The tenant answers an access token, a
``session_token`` (kept only in the anonymous store, never shown) and the session's lifetime.
The same endpoint with the ``session_token`` re-mints an access token (for another audience or
scope, or once the cached one is within 30 s of its expiry); with the ``session_token`` and
``audience=urn:auth0:anon_transfer`` it mints the one-time ``anon_transfer_token`` that
``start_interactive_login`` adds to ``/authorize``, so the tenant can carry the anonymous
visitor over to the user who logs in.

The session is one record, ``_a0_anon``, in the anonymous store (which must not be the state
store), of the shape the official SDK writes (:class:`AnonymousSessionContext`). A session of
another domain (Multiple Custom Domains) is not used: ``get_token`` starts a new one,
``get_session`` answers None, and no transfer ticket is minted for it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._anonymous_types import (
    AnonymousSession,
    AnonymousSessionContext,
    AnonymousSessionData,
    AnonymousTokenSetEntry,
    CreateAnonymousSessionOptions,
)
from .._client import CoreClient
from .._effects import Flow, StoreOptions, fetch, store_delete, store_get, store_set
from .._http import HttpResponse
from .._token import unverified_claims
from ..endpoints.authentication.anonymous import (
    prepare_anonymous_token_request,
    process_anonymous_token_response,
    process_anonymous_transfer_response,
)
from ..errors import (
    AnonymousSessionCreateError,
    AnonymousSessionTokenError,
    ConfigurationError,
    TransportError,
)

ANON_IDENTIFIER = "_a0_anon"
# The audience that mints the login's transfer ticket instead of an access token.
TRANSFER_AUDIENCE = "urn:auth0:anon_transfer"
METADATA_MAX_BYTES = 1024
# A cached token this close to its expiry is re-minted (the official session leeway).
EXPIRY_LEEWAY = 30
# The tenant's words for "this session is over": the stored session is then deleted.
SESSION_OVER = frozenset({"session_expired", "invalid_session_token"})
_NO_STORE = (
    "server_client.anonymous needs its own anonymous_store, distinct from the state_store: "
    "ServerClient(..., anonymous_store=...)."
)


def _require_store(client: CoreClient) -> None:
    if not client.config.anonymous_sessions:
        raise ConfigurationError(_NO_STORE)


def _same_domain(stored: str | None, current: str) -> bool:
    def norm(value: str) -> str:
        value = value.lower()
        for scheme in ("https://", "http://"):
            if value.startswith(scheme):
                value = value[len(scheme) :]
        return value.rstrip("/")

    return stored is not None and norm(stored) == norm(current)


def _usable_domain(client: CoreClient, stored: str | None) -> bool:
    """Whether a session recorded for ``stored`` belongs to this client's domain; a session
    with no domain is this client's only without a domain resolver."""
    if not stored:
        return not client.resolves_domain
    return _same_domain(stored, client.config.domain)


def anonymous_sub(access_token: str) -> str | None:
    """The ``sub`` of a JWT access token when it is an ``anon@...`` subject, read without
    verifying the signature (the token is the tenant's answer over TLS, and the subject is
    shown, never trusted for anything); None for an opaque token, an unreadable payload (one
    nested too deeply included) or another subject."""
    claims = unverified_claims(access_token)
    sub = claims.get("sub") if claims is not None else None
    return sub if isinstance(sub, str) and sub.startswith("anon@") else None


def check_metadata(metadata: object) -> None:
    """Refuse metadata that is not a JSON object of at most 1 KB (compact UTF-8).

    Raises:
        AnonymousSessionCreateError: ``invalid_metadata`` or ``metadata_too_large``.
    """
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise AnonymousSessionCreateError("metadata must be a JSON object", "invalid_metadata")
    try:
        text = json.dumps(
            dict(metadata), ensure_ascii=False, separators=(",", ":"), allow_nan=False
        )
        size = len(text.encode("utf-8"))
    except (TypeError, ValueError, UnicodeEncodeError):
        raise AnonymousSessionCreateError(
            "metadata must contain only JSON-serializable values", "invalid_metadata"
        ) from None
    if size > METADATA_MAX_BYTES:
        raise AnonymousSessionCreateError(
            "metadata exceeds the 1KB size limit", "metadata_too_large"
        )


def _default_scope(client: CoreClient) -> str | None:
    scope = client.config.authorization_params.get("scope")
    return scope if isinstance(scope, str) else None


def _default_audience(client: CoreClient) -> str | None:
    audience = client.config.authorization_params.get("audience")
    return audience if isinstance(audience, str) and audience else None


def _post(
    client: CoreClient,
    fields: Mapping[str, Any],
    error: type[AnonymousSessionCreateError | AnonymousSessionTokenError],
) -> Flow[HttpResponse]:
    try:
        return (yield from fetch(prepare_anonymous_token_request(client.config, fields)))
    except TransportError as failed:
        raise error("Failed to reach the anonymous token endpoint", error.code, failed) from None


def _create_at(
    client: CoreClient,
    *,
    audience: str | None,
    scope: str | None,
    metadata: Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[AnonymousSession]:
    fields: dict[str, Any] = {"audience": audience or None, "scope": scope or None}
    if metadata:
        fields["metadata"] = dict(metadata)
    response = yield from _post(client, fields, AnonymousSessionCreateError)
    answer = process_anonymous_token_response(response, create=True)
    assert answer.session_token is not None  # checked by _parse
    now = client.config.env.now()
    entry = AnonymousTokenSetEntry(
        access_token=answer.access_token,
        expires_at=now + answer.expires_in,
        audience=audience,
        scope=scope,
        granted_scope=answer.scope,
    )
    context = AnonymousSessionContext(
        session_token=answer.session_token,
        token_sets=(entry,),
        session_expires_at=(
            None if answer.session_expires_in is None else now + answer.session_expires_in
        ),
        metadata=dict(metadata) if metadata is not None else None,
        created_at=now,
        domain=client.config.domain,
        sub=anonymous_sub(answer.access_token),
    )
    yield from store_set("anonymous", ANON_IDENTIFIER, context.to_dict(), store_options)
    return AnonymousSession(
        access_token=entry.access_token,
        expires_at=entry.expires_at,
        session_expires_at=context.session_expires_at,
        metadata=context.metadata,
        sub=context.sub,
        scope=entry.granted_scope,
    )


def _create_options(options: object) -> CreateAnonymousSessionOptions:
    if isinstance(options, CreateAnonymousSessionOptions):
        return options
    names = {"audience", "scope", "metadata"}
    if not isinstance(options, Mapping) or not names.issuperset(options):
        raise AnonymousSessionCreateError("Invalid create_session options", "invalid_options")
    for key in ("audience", "scope"):
        if options.get(key) is not None and not isinstance(options.get(key), str):
            raise AnonymousSessionCreateError("Invalid create_session options", "invalid_options")
    if options.get("metadata") is not None and not isinstance(options.get("metadata"), Mapping):
        raise AnonymousSessionCreateError("Invalid create_session options", "invalid_options")
    return CreateAnonymousSessionOptions(**options)


def create_session(
    client: CoreClient,
    options: CreateAnonymousSessionOptions | Mapping[str, Any] | None = None,
    *,
    audience: str | None = None,
    scope: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    store_options: StoreOptions = None,
) -> Flow[AnonymousSession]:
    """Mint a new anonymous session (see :mod:`.anonymous_api`)."""
    _require_store(client)
    if options is not None:
        opts = _create_options(options)
        audience = audience if audience is not None else opts.audience
        scope = scope if scope is not None else opts.scope
        metadata = metadata if metadata is not None else opts.metadata
    check_metadata(metadata)
    for name, value in (("audience", audience), ("scope", scope)):
        if value is not None and not isinstance(value, str):
            raise AnonymousSessionCreateError(f"{name} must be text", "invalid_options")
    return (
        yield from _create_at(
            client,
            audience=audience or _default_audience(client),
            scope=scope or _default_scope(client),
            metadata=metadata,
            store_options=store_options,
        )
    )


def _stored_context(
    client: CoreClient, store_options: StoreOptions
) -> Flow[tuple[dict[str, Any] | None, AnonymousSessionContext | None]]:
    stored = yield from store_get("anonymous", ANON_IDENTIFIER, store_options)
    if not stored:
        return None, None
    try:
        return stored, AnonymousSessionContext.from_dict(stored)
    except (TypeError, ValueError):
        return stored, None


def get_token(
    client: CoreClient,
    store_options: StoreOptions = None,
    *,
    audience: str | None = None,
    scope: str | None = None,
) -> Flow[AnonymousSession]:
    """The anonymous session's access token for ``audience``/``scope`` (see
    :mod:`.anonymous_api`)."""
    _require_store(client)
    stored, context = yield from _stored_context(client, store_options)
    if not stored:
        raise AnonymousSessionTokenError(
            "No active anonymous session. Call create_session() first."
        )
    audience = audience or _default_audience(client)
    scope = scope or _default_scope(client)
    if context is None:
        yield from store_delete("anonymous", ANON_IDENTIFIER, store_options)
        raise AnonymousSessionTokenError(
            "The stored anonymous session is corrupt or unreadable. Call create_session() to "
            "start a new session.",
            "invalid_session_state",
        )
    if not _usable_domain(client, context.domain):
        return (
            yield from _create_at(
                client, audience=audience, scope=scope, metadata=None, store_options=store_options
            )
        )
    now = client.config.env.now()
    for entry in context.token_sets:
        if entry.audience == audience and entry.scope == scope:
            if entry.expires_at - EXPIRY_LEEWAY > now:
                return AnonymousSession(
                    access_token=entry.access_token,
                    expires_at=entry.expires_at,
                    session_expires_at=context.session_expires_at,
                    metadata=context.metadata,
                    sub=context.sub,
                    scope=entry.granted_scope,
                )
            break
    return (yield from _remint(client, context, audience, scope, store_options))


def _remint(
    client: CoreClient,
    context: AnonymousSessionContext,
    audience: str | None,
    scope: str | None,
    store_options: StoreOptions,
) -> Flow[AnonymousSession]:
    fields = {"session_token": context.session_token, "audience": audience, "scope": scope}
    response = yield from _post(client, fields, AnonymousSessionTokenError)
    try:
        answer = process_anonymous_token_response(response)
    except AnonymousSessionTokenError as refused:
        if refused.code in SESSION_OVER:
            yield from _delete_if_unchanged(client, context, store_options)
        raise
    now = client.config.env.now()
    sub = anonymous_sub(answer.access_token)
    entry = AnonymousTokenSetEntry(
        access_token=answer.access_token,
        expires_at=now + answer.expires_in,
        audience=audience,
        scope=scope,
        granted_scope=answer.scope,
    )
    session_expires_at = (
        context.session_expires_at
        if answer.session_expires_in is None
        else now + answer.session_expires_in
    )
    result = AnonymousSession(
        access_token=entry.access_token,
        expires_at=entry.expires_at,
        session_expires_at=session_expires_at,
        metadata=context.metadata,
        sub=sub if sub is not None else context.sub,
        scope=answer.scope,
    )
    # Read again: a session replaced meanwhile (a concurrent create_session) is left alone.
    _, current = yield from _stored_context(client, store_options)
    if current is None or current.session_token != context.session_token:
        return result
    kept = tuple(e for e in current.token_sets if not (e.audience == audience and e.scope == scope))
    updated = AnonymousSessionContext(
        session_token=current.session_token,
        token_sets=(*kept, entry),
        session_expires_at=session_expires_at,
        metadata=current.metadata,
        created_at=current.created_at,
        domain=current.domain,
        sub=current.sub if current.sub is not None or sub is None else sub,
    )
    yield from store_set("anonymous", ANON_IDENTIFIER, updated.to_dict(), store_options)
    return result


def _delete_if_unchanged(
    client: CoreClient, context: AnonymousSessionContext, store_options: StoreOptions
) -> Flow[None]:
    """Delete the stored session if it still holds ``context``'s session token."""
    _, current = yield from _stored_context(client, store_options)
    if current is not None and current.session_token == context.session_token:
        yield from store_delete("anonymous", ANON_IDENTIFIER, store_options)


def logout(client: CoreClient, store_options: StoreOptions = None) -> Flow[None]:
    """Forget the anonymous session here (its tokens are not revoked)."""
    _require_store(client)
    stored = yield from store_get("anonymous", ANON_IDENTIFIER, store_options)
    if stored:
        yield from store_delete("anonymous", ANON_IDENTIFIER, store_options)


def end_if_active(client: CoreClient, store_options: StoreOptions) -> Flow[None]:
    """Forget the anonymous session, if anonymous sessions are configured and there is one
    (after a login, and at logout)."""
    if not client.config.anonymous_sessions:
        return
    stored = yield from store_get("anonymous", ANON_IDENTIFIER, store_options)
    if stored:
        yield from store_delete("anonymous", ANON_IDENTIFIER, store_options)


def clear_after_login(client: CoreClient, store_options: StoreOptions) -> Flow[None]:
    """What a successful login does to the anonymous session: forget it, unless
    ``clear_anonymous_session_on_login=False``."""
    if client.config.clear_anonymous_session_on_login:
        yield from end_if_active(client, store_options)


def get_session(
    client: CoreClient, store_options: StoreOptions = None
) -> Flow[AnonymousSessionData | None]:
    """The stored anonymous identity, no token; None without one (see :mod:`.anonymous_api`)."""
    if not client.config.anonymous_sessions:
        return None
    _, context = yield from _stored_context(client, store_options)
    if context is None:
        return None
    if context.domain and not _same_domain(context.domain, client.config.domain):
        return None
    return AnonymousSessionData(
        sub=context.sub,
        metadata=context.metadata,
        created_at=context.created_at,
        session_expires_at=context.session_expires_at,
        domain=context.domain,
    )


def exchange_transfer_token_for_injection(
    client: CoreClient, origin_domain: str, store_options: StoreOptions = None
) -> Flow[str | None]:
    """A one-time ticket for the anonymous session, for a login at ``origin_domain``; None
    when there is no session, it belongs to another domain, or the tenant does not mint one
    (a login goes on without it)."""
    if not client.config.anonymous_sessions:
        return None
    _, context = yield from _stored_context(client, store_options)
    if context is None:
        return None
    if not context.domain:
        if client.resolves_domain:
            return None
    elif not _same_domain(context.domain, origin_domain):
        return None
    fields = {"session_token": context.session_token, "audience": TRANSFER_AUDIENCE}
    try:
        response = yield from fetch(prepare_anonymous_token_request(client.config, fields))
    except TransportError:
        return None
    return process_anonymous_transfer_response(response)
