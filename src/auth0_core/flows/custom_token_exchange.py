"""Custom Token Exchange (RFC 8693) and Session Transfer Tokens (protocol doc §8.5,
docs/custom-token-exchange.md).

Every argument is checked before any request: a bad one is an
:class:`~auth0_core.errors.InvalidArgumentError` (a missing one its subclass
:class:`~auth0_core.errors.MissingRequiredArgumentError`), where the official SDK raises
``CustomTokenExchangeError`` with ``invalid_token_format``, ``missing_actor_token`` or
``missing_actor_token_type``. What the tenant refuses is a
:class:`~auth0_core.errors.CustomTokenExchangeError` whose ``code`` is the server's ``error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit, urlunsplit

import attrs

from .._authorize import merge_scopes
from .._client import CoreClient
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions
from .._id_token import IdTokenChecks
from .._options import (
    CustomTokenExchangeOptions,
    LoginWithCustomTokenExchangeOptions,
    coerce_options,
)
from .._session import new_session, refreshed
from .._token_exchange_types import (
    LoginWithCustomTokenExchangeResult,
    SessionTransferTokenResult,
    TokenExchangeResponse,
)
from .._token_sets import new_token_set
from ..endpoints.authentication.discovery import ServerMetadata
from ..endpoints.authentication.token_exchange import (
    ExchangedTokens,
    prepare_custom_token_exchange_request,
    process_custom_token_exchange_response,
)
from ..errors import (
    AccessTokenError,
    CustomTokenExchangeError,
    CustomTokenExchangeErrorCode,
    IdTokenError,
    InvalidArgumentError,
    MissingRequiredArgumentError,
)
from .discovery import metadata_flow, verify_id_token_flow
from .session import load_session_flow, reload_session_flow, write_session_flow
from .tokens import refresh_flow, refreshed_claims_flow, token_defaults

ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
SESSION_TRANSFER_TOKEN_TYPE = "urn:auth0:params:oauth:token-type:session_transfer_token"
# Auth0 refuses subject token types in these namespaces (protocol doc §8.5); so do we, first.
RESERVED_NAMESPACES = (
    "http://auth0.com",
    "https://auth0.com",
    "http://okta.com",
    "https://okta.com",
    "urn:ietf",
    "urn:auth0",
    "urn:okta",
)
# Parameters the exchange sets itself: authorization_params may not carry them.
_OWN_PARAMETERS = frozenset(
    {
        "grant_type",
        "client_id",
        "client_secret",
        "client_assertion",
        "client_assertion_type",
        "subject_token",
        "subject_token_type",
        "actor_token",
        "actor_token_type",
        "audience",
        "scope",
        "organization",
    }
)
_REQUIRED = ("subject_token", "subject_token_type")
OptionsT = TypeVar("OptionsT", bound=CustomTokenExchangeOptions)
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def _token(name: str, value: object) -> str:
    """A non-blank token without a ``Bearer`` prefix.

    Raises:
        MissingRequiredArgumentError: None or empty.
        InvalidArgumentError: not a string, blank, or with a ``Bearer`` prefix.
    """
    if value is None or value == "":
        raise MissingRequiredArgumentError(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-blank string.")
    if value.strip()[:7].lower() == "bearer ":
        raise InvalidArgumentError(name, f"{name} must not include the 'Bearer ' prefix.")
    return value


def _token_type(name: str, value: object, *, reserved_allowed: bool) -> str:
    """A token type URI (``scheme:rest``); a subject's outside the reserved namespaces.

    Raises:
        MissingRequiredArgumentError: None or empty.
        InvalidArgumentError: blank, not a URI, or reserved.
    """
    if value is None or value == "":
        raise MissingRequiredArgumentError(name)
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-blank URI without spaces.")
    if ":" not in value or any(c.isspace() for c in value):
        raise InvalidArgumentError(name, f"{name} must be a URI (urn:... or https://...).")
    folded = value.lower()
    if not reserved_allowed and any(folded.startswith(p) for p in RESERVED_NAMESPACES):
        raise InvalidArgumentError(
            name, f"{name} is in a namespace Auth0 reserves; use a URI you control."
        )
    return value


def _optional_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-blank string when given.")
    return value


def _extra(params: object) -> dict[str, str]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidArgumentError("authorization_params", "authorization_params must be a dict.")
    extra: dict[str, str] = {}
    for name, value in params.items():
        if not isinstance(name, str) or name in _OWN_PARAMETERS:
            raise InvalidArgumentError(
                "authorization_params", f"authorization_params may not set {name} here."
            )
        if not isinstance(value, str):
            raise InvalidArgumentError(
                "authorization_params", f"authorization_params.{name} must be a string."
            )
        extra[name] = value
    return extra


@attrs.frozen(kw_only=True)
class ExchangeRequest:
    """The checked arguments of one exchange."""

    subject_token: str = attrs.field(repr=False)
    subject_token_type: str
    audience: str | None
    scope: str | None
    actor_token: str | None = attrs.field(repr=False)
    actor_token_type: str | None
    organization: str | None
    extra: Mapping[str, str]


def check_exchange(
    subject_token: object,
    subject_token_type: object,
    *,
    audience: object = None,
    scope: object = None,
    actor_token: object = None,
    actor_token_type: object = None,
    organization: object = None,
    authorization_params: object = None,
) -> ExchangeRequest:
    """Every check the exchange makes before sending (protocol doc §8.5).

    Raises:
        MissingRequiredArgumentError: no subject token or type; an actor token without its
            type, or a type without its token.
        InvalidArgumentError: any other bad value.
    """
    subject = _token("subject_token", subject_token)
    subject_type = _token_type("subject_token_type", subject_token_type, reserved_allowed=False)
    if actor_token is not None and actor_token_type is None:
        raise MissingRequiredArgumentError("actor_token_type")
    if actor_token_type is not None and actor_token is None:
        raise MissingRequiredArgumentError("actor_token")
    actor = None if actor_token is None else _token("actor_token", actor_token)
    actor_type = (
        None
        if actor_token_type is None
        else _token_type("actor_token_type", actor_token_type, reserved_allowed=True)
    )
    return ExchangeRequest(
        subject_token=subject,
        subject_token_type=subject_type,
        audience=_optional_text("audience", audience),
        scope=_optional_text("scope", scope),
        actor_token=actor,
        actor_token_type=actor_type,
        organization=_optional_text("organization", organization),
        extra=_extra(authorization_params),
    )


def _coerce(cls: type[CustomTokenExchangeOptions], options: object) -> CustomTokenExchangeOptions:
    """The options as ``cls``; a dict without a required key names it.

    Raises:
        MissingRequiredArgumentError, InvalidArgumentError: as :func:`coerce_options`.
    """
    if options is None:
        raise MissingRequiredArgumentError("options")
    if isinstance(options, Mapping):
        for name in _REQUIRED:
            if name not in options and _camel(name) not in options:
                raise MissingRequiredArgumentError(name)
    if not isinstance(options, cls | Mapping):
        raise InvalidArgumentError("options", f"options must be a dict or {cls.__name__}.")
    return coerce_options(cls, options)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _request_from(options: CustomTokenExchangeOptions, scope: str | None = None) -> ExchangeRequest:
    return check_exchange(
        options.subject_token,
        options.subject_token_type,
        audience=options.audience,
        scope=options.scope if scope is None else scope,
        actor_token=options.actor_token,
        actor_token_type=options.actor_token_type,
        organization=options.organization,
        authorization_params=options.authorization_params,
    )


def _id_token_checks(
    client: CoreClient, metadata: ServerMetadata, leeway: int, organization: str | None = None
) -> IdTokenChecks:
    config = client.config
    return IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        require_nonce=False,  # no /authorize, no nonce
        organization=organization,
        leeway=leeway,
        algorithms=config.algorithms,
    )


def exchange_flow(
    client: CoreClient, request: ExchangeRequest
) -> Flow[tuple[ExchangedTokens, dict[str, Any] | None]]:
    """Send the exchange; the answer and its ID token's validated claims (None without one).

    Raises:
        CustomTokenExchangeError: the tenant refused.
        IdTokenError: the ID token is invalid.
        InvalidResponse, TransportError: the exchange failed.
    """
    config = client.config
    metadata = yield from metadata_flow(client)
    response = yield from token_fetch(
        client,
        lambda: prepare_custom_token_exchange_request(
            config,
            metadata,
            subject_token=request.subject_token,
            subject_token_type=request.subject_token_type,
            audience=request.audience,
            scope=request.scope,
            actor_token=request.actor_token,
            actor_token_type=request.actor_token_type,
            organization=request.organization,
            extra=request.extra,
        ),
    )
    exchanged = process_custom_token_exchange_response(response)
    if exchanged.issued_token_type != SESSION_TRANSFER_TOKEN_TYPE:
        check_token_type(client, exchanged.tokens)  # an STT is opaque, of type N_A
    id_token = exchanged.tokens.id_token
    if id_token is None:
        return exchanged, None
    checks = _id_token_checks(client, metadata, config.leeway, request.organization)
    verified = yield from verify_id_token_flow(client, metadata, id_token, checks)
    return exchanged, dict(verified.claims)


def _response(exchanged: ExchangedTokens, claims: dict[str, Any] | None) -> TokenExchangeResponse:
    tokens = exchanged.tokens
    act = claims.get("act") if claims is not None else None
    return TokenExchangeResponse(
        access_token=tokens.access_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in or 0,
        scope=tokens.scope,
        issued_token_type=exchanged.issued_token_type,
        id_token=tokens.id_token,
        refresh_token=tokens.refresh_token,
        act=dict(act) if isinstance(act, Mapping) else None,
    )


def custom_token_exchange_flow(client: CoreClient, options: object) -> Flow[TokenExchangeResponse]:
    """Check the options, exchange, validate any ID token; no session is touched."""
    request = _request_from(_coerce(CustomTokenExchangeOptions, options))
    exchanged, claims = yield from exchange_flow(client, request)
    return _response(exchanged, claims)


def login_with_custom_token_exchange_flow(
    client: CoreClient, options: object, store_options: StoreOptions
) -> Flow[LoginWithCustomTokenExchangeResult]:
    """Exchange with ``openid`` always asked, validate the ID token, write a fresh session."""
    opts = _coerce(LoginWithCustomTokenExchangeOptions, options)
    request = _request_from(opts)
    requested_scope = merge_scopes("openid", request.scope)
    request = _request_from(opts, scope=requested_scope)
    exchanged, claims = yield from exchange_flow(client, request)
    if claims is None:
        raise IdTokenError("id_token", "the token exchange answered no ID token to log in with.")
    config = client.config
    session = new_session(
        config,
        claims=claims,
        tokens=exchanged.tokens,
        audience=request.audience,
        requested_scope=requested_scope,
        now=config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    details = exchanged.tokens.authorization_details
    return LoginWithCustomTokenExchangeResult(
        state_data=session.to_dict(),
        authorization_details=[dict(d) for d in details] if details is not None else None,
    )


def _usable_id_token_flow(client: CoreClient, token: str | None) -> Flow[bool]:
    """Whether ``token`` is a valid, unexpired ID token of this client (no leeway)."""
    if not token:
        return False
    metadata = yield from metadata_flow(client)
    try:
        yield from verify_id_token_flow(
            client, metadata, token, _id_token_checks(client, metadata, 0)
        )
    except IdTokenError:
        return False
    return True


def session_actor_flow(client: CoreClient, store_options: StoreOptions) -> Flow[str]:
    """The session's ID token, refreshed first when it is no longer valid.

    Raises:
        CustomTokenExchangeError: (``actor_unavailable``) no session, or no usable ID token
            and none could be refreshed.
    """
    session = yield from load_session_flow(client, store_options)
    if session is None:
        raise CustomTokenExchangeError(
            CustomTokenExchangeErrorCode.ACTOR_UNAVAILABLE,
            "No usable actor token: pass actor_token, or log the acting user in first.",
        )
    if (yield from _usable_id_token_flow(client, session.id_token)):
        return session.id_token or ""
    if session.refresh_token:
        audience_key, scope = token_defaults(client.config, None)
        try:
            tokens = yield from refresh_flow(client, session.refresh_token, None, scope)
            claims = yield from refreshed_claims_flow(client, session, tokens)
        except (AccessTokenError, IdTokenError):
            tokens, claims = None, None
        if tokens is not None and tokens.id_token is not None:
            base = yield from reload_session_flow(client, session, store_options)
            now = client.config.env.now()
            entry = new_token_set(audience_key, scope, tokens, now, client.config.dpop)
            yield from write_session_flow(
                client, refreshed(base, tokens, entry, claims), store_options
            )
            if (yield from _usable_id_token_flow(client, tokens.id_token)):
                return tokens.id_token
    raise CustomTokenExchangeError(
        CustomTokenExchangeErrorCode.ACTOR_UNAVAILABLE,
        "No usable actor token: the session's ID token is expired and could not be refreshed.",
    )


def request_session_transfer_token_flow(
    client: CoreClient,
    subject_token: str,
    subject_token_type: str,
    actor_token: str | None,
    actor_token_type: str | None,
    scope: str | None,
    organization: str | None,
    store_options: StoreOptions,
) -> Flow[SessionTransferTokenResult]:
    """Check the arguments, resolve the actor, exchange for ``urn:{domain}:session_transfer``."""
    check_exchange(
        subject_token,
        subject_token_type,
        scope=scope,
        actor_token=actor_token if actor_token is not None else "placeholder",
        actor_token_type=actor_token_type or ID_TOKEN_TYPE,
        organization=organization,
    )
    if actor_token is None:
        actor_token = yield from session_actor_flow(client, store_options)
    request = check_exchange(
        subject_token,
        subject_token_type,
        audience=f"urn:{client.config.domain}:session_transfer",
        scope=scope,
        actor_token=actor_token,
        actor_token_type=actor_token_type or ID_TOKEN_TYPE,
        organization=organization,
    )
    exchanged, _ = yield from exchange_flow(client, request)
    tokens = exchanged.tokens
    return SessionTransferTokenResult(
        session_transfer_token=tokens.access_token,
        issued_token_type=exchanged.issued_token_type or "",
        expires_in=tokens.expires_in or 0,
        token_type=tokens.token_type,
        scope=tokens.scope,
    )


def build_session_transfer_redirect(
    target_login_url: object, result: object, organization: object = None
) -> str:
    """``target_login_url`` with ``session_transfer_token`` (and ``organization``) added to
    its query.

    Raises:
        MissingRequiredArgumentError: no ``target_login_url``.
        InvalidArgumentError: not an absolute ``https`` URL (``http`` only for loopback), a
            fragment, a ``result`` without a token, a blank ``organization``.
    """
    name = "target_login_url"
    if target_login_url is None or target_login_url == "":
        raise MissingRequiredArgumentError(name)
    if not isinstance(target_login_url, str) or not target_login_url.strip():
        raise InvalidArgumentError(name, f"{name} must be a non-blank URL.")
    try:
        parts = urlsplit(target_login_url)
        host = parts.hostname
    except ValueError:
        raise InvalidArgumentError(name, f"{name} is not a valid URL.") from None
    if not parts.scheme or not parts.netloc or not host:
        raise InvalidArgumentError(name, f"{name} must be an absolute URL.")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in _LOOPBACK):
        raise InvalidArgumentError(
            name, f"{name} must use https (http only for localhost and loopback addresses)."
        )
    if parts.fragment or target_login_url.endswith("#"):
        raise InvalidArgumentError(name, f"{name} must not have a fragment.")
    if isinstance(result, SessionTransferTokenResult):
        token: object = result.session_transfer_token
    elif isinstance(result, Mapping):
        token = result.get("session_transfer_token")
    else:
        token = getattr(result, "session_transfer_token", None)
    if not isinstance(token, str) or not token.strip():
        raise InvalidArgumentError("result", "result must carry a session_transfer_token.")
    added = [("session_transfer_token", token)]
    org = _optional_text("organization", organization)
    if org is not None:
        added.append(("organization", org))
    query = f"{parts.query}&{urlencode(added)}" if parts.query else urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
