"""Linking and unlinking a connection through /authorize (protocol doc §5.1, seed 000).

The browser goes through Auth0's pages with the logged-in user's ID token as
``id_token_hint``; the callback is completed like a login, but the result is merged into the
existing session, and only for the same user.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any, Literal, cast

from .._authorize import resolve_authorization_params
from .._client import CoreClient
from .._effects import Flow, StoreOptions
from .._options import StartLinkUserOptions, StartUnlinkUserOptions, coerce_options
from .._result import LoginResult
from .._session import linked
from .._token_sets import DEFAULT_AUDIENCE, new_token_set
from ..errors import IdTokenError, InvalidArgumentError, StartLinkUserError
from .callbacks import check_transaction_domain, read_callback_flow
from .discovery import metadata_flow
from .login import authorize_flow, exchange_code_flow
from .session import load_session_flow, write_session_flow

LinkFlow = Literal["link", "unlink"]
LinkOptions = StartLinkUserOptions | Mapping[str, Any]
UnlinkOptions = StartUnlinkUserOptions | Mapping[str, Any]
# The SDK sets these for a link; a caller overriding them could link another account.
RESERVED_LINK_PARAMS = frozenset(
    {
        "client_id",
        "response_type",
        "scope",
        "state",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "id_token_hint",
        "requested_connection",
        "requested_connection_scope",
    }
)
# Auth0's (undocumented) audience for the hosted linking flow, as the official SDK sends it.
LINK_AUDIENCE = "my-account"


def _utf8(text: str) -> bytes:
    """``text`` as bytes to compare, whatever it holds (a stored lone surrogate included)."""
    return text.encode("utf-8", "surrogatepass")


def _link_params(
    client: CoreClient, call_params: Mapping[str, Any] | None, fixed: Mapping[str, str | None]
) -> dict[str, str]:
    clash = sorted(RESERVED_LINK_PARAMS.intersection(call_params or {}))
    if clash:
        raise InvalidArgumentError(
            "authorization_params",
            f"linking authorization_params may not set {', '.join(clash)}: the SDK sets them.",
        )
    config = client.config
    merged = {"audience": LINK_AUDIENCE, **(call_params or {})}
    if "audience" in config.authorization_params and "audience" not in (call_params or {}):
        merged["audience"] = config.authorization_params["audience"]
    params = resolve_authorization_params(config, merged)
    params.update({k: v for k, v in fixed.items() if v is not None})
    return params


def start_link_flow(
    client: CoreClient,
    flow_name: LinkFlow,
    options: StartLinkUserOptions | StartUnlinkUserOptions | Mapping[str, Any],
    store_options: StoreOptions,
) -> Flow[str]:
    """The /authorize URL that links (or unlinks) ``connection`` to the logged-in user.

    Raises:
        StartLinkUserError: no session, or a session without an ID token.
        InvalidArgumentError, MissingRequiredArgumentError: bad options.
    """
    opts: StartLinkUserOptions | StartUnlinkUserOptions
    if flow_name == "link":
        opts = coerce_options(StartLinkUserOptions, cast(LinkOptions, options))
    else:
        opts = coerce_options(StartUnlinkUserOptions, cast(UnlinkOptions, options))
    # Without a connection the official SDK still starts the flow (its documentation's
    # examples pass none): no requested_connection is sent then, and Auth0 decides.
    if opts.connection is not None and (
        not isinstance(opts.connection, str) or not opts.connection.strip()
    ):
        raise InvalidArgumentError("connection", "connection must be a non-blank string.")
    session = yield from load_session_flow(client, store_options)
    if session is None or not session.id_token:
        raise StartLinkUserError(
            f"Unable to start the user {flow_name}ing process without a logged in user."
        )
    connection_scope = getattr(opts, "connection_scope", None)
    params = _link_params(
        client,
        opts.authorization_params,
        {
            "scope": f"openid {flow_name}_account",
            "requested_connection": opts.connection,
            "requested_connection_scope": connection_scope,
            "id_token_hint": session.id_token,
        },
    )
    return (
        yield from authorize_flow(
            client,
            params,
            store_options,
            app_state=opts.app_state,
            use_par=False,  # the hint carries the user's ID token: never push it elsewhere
            flow_name=flow_name,
            expected_sub=session.sub,
        )
    )


def complete_link_flow(
    client: CoreClient, flow_name: LinkFlow, url: str, store_options: StoreOptions
) -> Flow[LoginResult]:
    """Finish a link (or unlink): validate, exchange, and merge into the same user's session.

    The session is written only if the new ID token is for the user who started the flow;
    the existing refresh token and token sets are kept when the exchange brings none, and the
    user's claims are merged (see :func:`merge_user`).

    Raises:
        Everything a login callback raises, and
        MissingTransactionError: the callback belongs to another kind of flow.
        StartLinkUserError: the user has logged out meanwhile.
        IdTokenError: (claim ``sub``) the ID token is for another user.
    """
    params, transaction = yield from read_callback_flow(client, url, store_options, flow_name)
    check_transaction_domain(client, transaction.domain)  # before its code goes anywhere
    session = yield from load_session_flow(client, store_options)
    if session is None:
        raise StartLinkUserError(f"The user logged out before the {flow_name} completed.")
    metadata = yield from metadata_flow(client)
    tokens, claims = yield from exchange_code_flow(client, metadata, params, transaction)
    expected = transaction.expected_sub
    if not (
        expected is not None
        and hmac.compare_digest(_utf8(expected), _utf8(str(claims.get("sub"))))
        and expected == session.sub
    ):
        raise IdTokenError("sub", f"The {flow_name} returned an ID token for another user.")
    now = client.config.env.now()
    audience = DEFAULT_AUDIENCE if transaction.audience is None else transaction.audience
    entry = new_token_set(audience, transaction.scope, tokens, now, client.config.dpop)
    user = merge_user(session.user, claims)
    yield from write_session_flow(client, linked(session, user, tokens, entry), store_options)
    return LoginResult.link(app_state=transaction.app_state, user=user)


def merge_user(previous: Mapping[str, Any], claims: Mapping[str, Any]) -> dict[str, Any]:
    """The session's user after a link or unlink: the new ID token's claims, completed by the
    previous user's where the new token lacks them.

    A link asks for ``openid link_account`` only, so its ID token carries no profile claims
    (name, email, picture...): replacing the user with it would lose them. Another user's
    claims are never merged.
    """
    if previous.get("sub") != claims.get("sub"):
        return dict(claims)
    return {**previous, **claims}
