"""What tests may switch while a tenant runs: the live copy of a few settings, and misbehaviours.

The configuration is frozen; :class:`TenantSettings` starts from it and lives on the state, so a
test can turn DPoP nonces on halfway through, or make the tenant misbehave the way a client must
survive (``Tenant.settings``).
"""

from __future__ import annotations

import attrs

from .config import TenantConfig


@attrs.define(kw_only=True)
class TenantSettings:
    """Live settings; every endpoint reads them on each request.

    Attributes:
        dpop_require_nonce: DPoP proofs must carry a nonce the tenant issued (``[dpop]
            require_nonce``), at the token endpoint and at the resource servers.
        my_account_require_dpop: the My Account API refuses Bearer tokens (``[my_account]
            require_dpop``).
        repeat_next_cursor: misbehaviour: a list page fetched with ``from=<cursor>`` answers
            that same cursor as ``next``, forever, so client iterators must notice and stop.
        reconnect_conflict: completing a connect for an account the user already has (same
            connection and login hint) answers 409 instead of replacing the account.
    """

    dpop_require_nonce: bool = False
    my_account_require_dpop: bool = False
    repeat_next_cursor: bool = False
    reconnect_conflict: bool = False

    @classmethod
    def from_config(cls, config: TenantConfig) -> TenantSettings:
        return cls(
            dpop_require_nonce=config.dpop.require_nonce,
            my_account_require_dpop=config.my_account.require_dpop,
        )
