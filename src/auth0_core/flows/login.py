"""Interactive login: authorization code with PKCE, state and nonce (protocol doc §2)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._audience import check_audience
from .._authorize import build_authorize_url, resolve_authorization_params, split_scope
from .._binding import (
    bind_to_browser,
)
from .._callback import CallbackParams
from .._client import CoreClient
from .._dpop import check_token_type, token_fetch
from .._effects import Flow, StoreOptions, fetch, store_set
from .._id_token import IdTokenChecks
from .._options import StartInteractiveLoginOptions, coerce_options
from .._pkce import code_challenge, random_code_verifier
from .._result import LoginResult
from .._session import new_session, session_user
from ..endpoints.authentication.discovery import ServerMetadata
from ..endpoints.authentication.par import prepare_par_request, process_par_response
from ..endpoints.authentication.token import (
    TokenResponse,
    prepare_authorization_code_request,
    process_token_response,
)
from ..errors import (
    ConfigurationError,
    InvalidArgumentError,
    InvalidResponse,
    IssuerValidationError,
    MissingRequiredArgumentError,
)
from ..records import FlowName, Transaction
from .callbacks import read_callback_flow, transaction_key
from .discovery import metadata_flow, verify_id_token_flow
from .session import write_session_flow
from .userinfo import merged_user, token_audience, userinfo_flow


def start_login_flow(
    client: CoreClient,
    options: StartInteractiveLoginOptions | Mapping[str, Any] | None,
    store_options: StoreOptions,
) -> Flow[str]:
    """Build the /authorize URL (or push it first with PAR) and store the transaction.

    Returns:
        The URL to redirect the browser to.

    Raises:
        InvalidArgumentError, MissingRequiredArgumentError: bad options.
        ConfigurationError: PAR requested but not advertised by the tenant.
        ParError, InvalidResponse, TransportError: the PAR request failed.
    """
    config = client.config
    opts = coerce_options(StartInteractiveLoginOptions, options)
    params = resolve_authorization_params(
        config, opts.authorization_params, redirect_uri=opts.redirect_uri
    )
    # Enterprise Connect: the organization comes from the login's e-mail at the tenant, so
    # the configured one is not applied (an explicit per-login one is).
    configured = None if config.enterprise_connect else config.organization
    organization = opts.organization or params.get("organization") or configured
    if organization is not None and not organization.strip():
        raise InvalidArgumentError("organization", "organization must not be blank.")
    if organization:
        params["organization"] = organization
    if opts.invitation:
        params["invitation"] = opts.invitation
    if config.anonymous_sessions:
        from . import anonymous

        ticket = yield from anonymous.exchange_transfer_token_for_injection(
            client, config.domain, store_options
        )
        if ticket:
            params["anon_transfer_token"] = ticket
    use_par = opts.pushed_authorization_requests
    return (
        yield from authorize_flow(
            client,
            params,
            store_options,
            app_state=opts.app_state,
            use_par=config.pushed_authorization_requests if use_par is None else use_par,
            max_age=_max_age(params.get("max_age")),
            organization=organization,
        )
    )


def authorize_flow(
    client: CoreClient,
    params: Mapping[str, str],
    store_options: StoreOptions,
    *,
    app_state: Any,
    use_par: bool,
    flow_name: FlowName = "login",
    max_age: int | None = None,
    organization: str | None = None,
    expected_sub: str | None = None,
) -> Flow[str]:
    """Add state, nonce and PKCE to resolved ``params`` (which carry ``redirect_uri`` and
    ``scope``), build the URL (through PAR when asked) and store the transaction, which
    keeps what the callback checks: ``max_age`` and ``organization`` for the ID token,
    ``expected_sub`` for a link or unlink.

    Raises:
        ConfigurationError: PAR requested but not advertised by the tenant.
        ParError, InvalidResponse, TransportError: the PAR request failed.
    """
    config = client.config
    env = config.env
    state, nonce = env.random_urlsafe(32), env.random_urlsafe(32)
    verifier = random_code_verifier(env)
    query = {
        "client_id": config.client_id,
        "response_type": "code",
        **params,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    audience = params.get("audience")
    resources: tuple[tuple[str, str], ...] = ()
    if config.dialect == "standard":
        query, resources, audience = _standard_query(query)
    metadata = yield from metadata_flow(client)
    if config.dialect == "standard":
        _check_offline_access(query, metadata)
    if use_par:
        response = yield from fetch(prepare_par_request(config, metadata, query, resources))
        request_uri = process_par_response(response)
        url = build_authorize_url(
            metadata, {"client_id": config.client_id, "request_uri": request_uri}
        )
    else:
        url = build_authorize_url(metadata, query, resources)
    now = env.now()
    key = transaction_key(client, state)
    binding = bind_to_browser(
        store_options,
        key,
        redirect_uri=params["redirect_uri"],
        lifetime=config.transaction_lifetime,
        env=env,
    )
    transaction = Transaction(
        flow=flow_name,
        state=state,
        nonce=nonce,
        code_verifier=verifier,
        redirect_uri=params["redirect_uri"],
        audience=audience,
        scope=query["scope"],
        max_age=max_age,
        organization=organization,
        app_state=app_state,
        domain=config.domain,
        created_at=now,
        expires_at=now + config.transaction_lifetime,
        expected_sub=expected_sub,
        browser_binding=binding,
    )
    yield from store_set("transaction", key, transaction.to_dict(), store_options)
    return url


def _max_age(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit():
        raise InvalidArgumentError("max_age", "max_age must be a whole number of seconds.")
    return int(value)


def _standard_query(
    query: dict[str, str],
) -> tuple[dict[str, str], tuple[tuple[str, str], ...], str | None]:
    """The standard dialect's /authorize (and PAR) parameters: the APIs go as RFC 8707's
    ``resource`` (one parameter per API, §2.1) instead of Auth0's ``audience``.

    ``audience`` names the API of the login's access token; ``resource`` (one URI or a list)
    names more APIs whose tokens the refresh token may later get (a server grants a refresh
    for the resources of the authorization request only). With ``resource`` alone, a single
    URI is the login's API; several leave the login's token to the default (userinfo) one.

    Returns:
        The other parameters, the ``resource`` pairs, and the login's API (None: none).
    """
    query = dict(query)
    audience = query.pop("audience", None)
    listed = split_scope(query.pop("resource", None))
    resources = split_scope(" ".join([audience or "", *listed]))
    if audience is None and len(listed) == 1:
        audience = listed[0]
    return query, tuple(("resource", item) for item in resources), audience


def _check_offline_access(query: dict[str, str], metadata: ServerMetadata) -> None:
    """The standard dialect refuses, before the browser leaves, a login that asks for
    ``offline_access`` the server would silently drop: one without ``prompt=consent``
    (OIDC Core §11: the server must ignore it then) or to a server whose ``scopes_supported``
    leaves it out. Without it there is no refresh token, and the first refresh would fail.

    Raises:
        ConfigurationError: either case; the message says how to fix it.
    """
    if "offline_access" not in split_scope(query.get("scope")):
        return
    supported = metadata.scopes_supported
    if supported is not None and "offline_access" not in supported:
        raise ConfigurationError(
            "the scope asks for 'offline_access' but the server's 'scopes_supported' does "
            "not list it, so it would issue no refresh token: remove 'offline_access' from "
            "the scope."
        )
    if "consent" not in (query.get("prompt") or "").split():
        raise ConfigurationError(
            "the scope asks for 'offline_access' without prompt=consent: a standard OpenID "
            "Provider then ignores it (OIDC Core 11) and issues no refresh token. Add "
            "authorization_params={'prompt': 'consent'} (with your other parameters), or "
            "remove 'offline_access' from the scope (the default scope has it)."
        )


def exchange_code_flow(
    client: CoreClient,
    metadata: ServerMetadata,
    params: CallbackParams,
    transaction: Transaction,
) -> Flow[tuple[TokenResponse, dict[str, Any]]]:
    """Exchange the callback's code and validate the ID token against the transaction.

    Raises:
        IssuerValidationError: an ``iss`` callback parameter (RFC 9207) names another issuer.
        MissingRequiredArgumentError: no ``code``.
        OAuthError, InvalidResponse, TransportError: the exchange failed (InvalidResponse
            too for a DPoP-bound token to a client without a DPoP key).
        IdTokenError: the ID token is missing or invalid.
    """
    config = client.config
    if params.iss is not None and params.iss != metadata.issuer:
        raise IssuerValidationError("the callback's 'iss' is not the expected issuer.")
    if not params.code:
        raise MissingRequiredArgumentError("code")
    code = params.code
    audience = token_audience(config, transaction.audience)
    response = yield from token_fetch(
        client,
        lambda: prepare_authorization_code_request(
            config,
            metadata,
            code=code,
            redirect_uri=transaction.redirect_uri,
            code_verifier=transaction.code_verifier,
            resource=audience if config.dialect == "standard" else None,
        ),
    )
    tokens = process_token_response(response)
    check_token_type(client, tokens)
    if tokens.id_token is None:
        raise InvalidResponse("the token response has no id_token (was 'openid' requested?)")
    checks = IdTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        nonce=transaction.nonce,
        max_age=transaction.max_age,
        organization=transaction.organization,
        leeway=config.leeway,
        algorithms=config.algorithms,
    )
    claims = yield from verify_id_token_flow(client, metadata, tokens.id_token, checks)
    # The nonce is checked: the user's claims go on without it (see _session.session_user).
    return tokens, dict(session_user(claims.claims))


def complete_login_flow(
    client: CoreClient, url: str, store_options: StoreOptions
) -> Flow[LoginResult]:
    """Finish a login: consume the transaction, exchange the code, merge userinfo when
    configured (``fetch_userinfo``), write the session.

    Raises:
        Everything :func:`read_callback_flow` and :func:`exchange_code_flow` raise,
        AccessTokenError (``incorrect_audience``) when the access token cannot be shown to
        be for the login's audience, SessionExpiredError when the upstream session is
        already over, and (with
        ``fetch_userinfo``) what :func:`.userinfo.userinfo_flow` raises.
    """
    params, transaction = yield from read_callback_flow(client, url, store_options)
    if transaction.domain is not None:
        # Multiple Custom Domains: finish on the domain the login started on.
        client = client.for_host(transaction.domain)
    metadata = yield from metadata_flow(client)
    tokens, claims = yield from exchange_code_flow(client, metadata, params, transaction)
    # The login's API (the link flows' "my-account" is an alias Auth0 resolves: not here).
    audience = token_audience(client.config, transaction.audience)
    check_audience(client.config, audience, tokens)
    if client.config.fetch_userinfo != "never":
        extra = yield from userinfo_flow(client, metadata, tokens, claims["sub"])
        claims = merged_user(claims, userinfo=extra)
    if client.config.enterprise_connect:
        from . import anonymous, enterprise

        result = enterprise.enterprise_result(
            tokens=tokens,
            user=claims,
            audience=transaction.audience,
            domain=client.config.domain,
            app_state=transaction.app_state,
            now=client.config.env.now(),
        )
        yield from anonymous.clear_after_login(client, store_options)
        return LoginResult(result, user=claims)
    session = new_session(
        client.config,
        claims=claims,
        tokens=tokens,
        audience=audience,
        requested_scope=transaction.scope,
        now=client.config.env.now(),
    )
    yield from write_session_flow(client, session, store_options, remove_if_expires=True)
    return LoginResult.login(
        state_data=session.to_dict(),
        app_state=transaction.app_state,
        authorization_details=tokens.authorization_details,
    )
