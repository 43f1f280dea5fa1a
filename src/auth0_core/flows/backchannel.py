"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0; protocol doc §8.2 [Do]).

The flow validates the logout token (:mod:`auth0_core._logout_token`) with the tenant's
cached JWKS, re-fetched once on an unknown ``kid`` as for ID tokens; claims its ``jti`` in the
state store, so a replay is refused by every instance sharing that store; and only then asks
the store to delete the sessions the token names. Any failure before the deletion deletes
nothing.
"""

from __future__ import annotations

from .._client import CoreClient
from .._effects import Flow, StoreOptions, store_claim, store_delete_by_logout_token
from .._id_token import KeyNotFoundError
from .._logout_token import (
    LogoutTokenChecks,
    logout_token_algorithms,
    precheck_logout_token,
    rejected,
    validate_logout_token,
)
from .discovery import metadata_flow, with_jwks_flow


def backchannel_logout_flow(
    client: CoreClient, logout_token: str, store_options: StoreOptions
) -> Flow[None]:
    """Validate ``logout_token``, claim its ``jti``, delete the sessions it names.

    Raises:
        BackchannelLogoutError: the token is invalid (``reason``), or its ``jti`` was already
            claimed (``replayed``); nothing was deleted.
        StoreNotSupportedError: (from the driver) the state store cannot delete by logout
            token; raised after the token was validated and claimed.
        Whatever discovery and the JWKS fetch raise (InvalidResponse, TransportError).
    """
    config = client.config
    algorithms = logout_token_algorithms(config.algorithms)
    precheck_logout_token(logout_token, algorithms)  # junk costs no request
    metadata = yield from metadata_flow(client)
    checks = LogoutTokenChecks(
        issuer=metadata.issuer,
        client_id=config.client_id,
        leeway=config.leeway,
        algorithms=algorithms,
    )
    now = config.env.now()
    try:
        claims = yield from with_jwks_flow(
            client,
            metadata,
            lambda keys: validate_logout_token(logout_token, keys=keys, checks=checks, now=now),
        )
    except KeyNotFoundError:
        raise rejected("unknown_kid") from None
    # Claimed last, so that a token failing any other check cannot burn its jti.
    claimed = yield from store_claim(
        "state", claims.replay_key, claims.replay_expires_at(config.leeway), store_options
    )
    if not claimed:
        raise rejected("replayed")
    yield from store_delete_by_logout_token("state", claims.session_claims(), store_options)
