"""APIs (audiences) the tenant knows, with MRRT policies and client grants resolved against them.

The configuration may name the tenant's own APIs by placeholder (``"my-account"``,
``"management"``) because their identifiers depend on ``base_url``; :class:`Apis` resolves them
once, when the tenant is built.
"""

from __future__ import annotations

import attrs

from .config import TenantConfig
from .config_types import (
    MANAGEMENT_AUDIENCE,
    MY_ACCOUNT_AUDIENCE,
    ClientGrant,
    TenantApi,
    TenantClient,
)

# Scopes that belong to OpenID Connect, not to any API: never subject to API or policy checks.
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})

MY_ACCOUNT_SCOPES = (
    "create:me:connected_accounts",
    "read:me:connected_accounts",
    "delete:me:connected_accounts",
    # Factors and authentication methods (protocol doc 8.12), each method scope in the OpenAPI
    # file's spelling and in the official SDK docs' (which Auth0 issues is UNCONFIRMED).
    "read:me:factors",
    *(
        f"{action}:me:authentication{sep}methods"
        for action in ("read", "create", "update", "delete")
        for sep in ("_", "-")
    ),
)
MANAGEMENT_SCOPES = ("read:users", "update:users", "delete:sessions")


@attrs.frozen(kw_only=True)
class Api:
    """A registered API with its identifier resolved and its token lifetime settled."""

    identifier: str
    scopes: tuple[str, ...]
    token_lifetime: int


class Apis:
    """The tenant's APIs, built from the configuration and ``base_url``.

    Args:
        config: the tenant configuration (``apis``, ``client_grants``, client policies).
        base_url: the tenant's base URL without a trailing slash.
    """

    def __init__(self, config: TenantConfig, base_url: str) -> None:
        self._placeholders = {
            MY_ACCOUNT_AUDIENCE: f"{base_url}/me/",
            MANAGEMENT_AUDIENCE: f"{base_url}/api/v2/",
        }
        self.default_lifetime = config.access_token_lifetime
        builtin = (
            TenantApi(identifier=MY_ACCOUNT_AUDIENCE, scopes=MY_ACCOUNT_SCOPES),
            TenantApi(identifier=MANAGEMENT_AUDIENCE, scopes=MANAGEMENT_SCOPES),
        )
        self._apis: dict[str, Api] = {}
        # Configured entries come last so they may override a built-in API (same identifier).
        for api in (*builtin, *config.apis):
            identifier = self.resolve(api.identifier)
            lifetime = api.token_lifetime or config.access_token_lifetime
            self._apis[identifier] = Api(
                identifier=identifier, scopes=api.scopes, token_lifetime=lifetime
            )
        self._grants = config.client_grants

    def resolve(self, audience: str) -> str:
        """The identifier ``audience`` stands for (placeholders resolved, others unchanged)."""
        return self._placeholders.get(audience, audience)

    def get(self, audience: str | None) -> Api | None:
        """The API registered under ``audience``, or None."""
        return self._apis.get(audience) if audience else None

    def identifiers(self) -> list[str]:
        """Every registered API identifier."""
        return list(self._apis)

    def lifetime(self, audience: str | None) -> int:
        """Access-token lifetime for ``audience`` (the tenant default when it is no API)."""
        api = self.get(audience)
        return api.token_lifetime if api else self.default_lifetime

    def policy_scopes(self, client: TenantClient, audience: str | None) -> tuple[str, ...] | None:
        """The scopes a client's MRRT policy allows for ``audience``; None without a policy.

        Policies for audiences that are not registered APIs are ignored, and policy scopes the
        API does not define are dropped: Auth0 silently ignores both.
        """
        api = self.get(audience)
        if api is None:
            return None
        for policy in client.refresh_token.policies:
            if self.resolve(policy.audience) == api.identifier:
                return tuple(s for s in policy.scope if s in api.scopes)
        return None

    def client_grant(self, client_id: str, audience: str) -> ClientGrant | None:
        """The client grant letting ``client_id`` use client credentials for ``audience``."""
        return next(
            (
                grant
                for grant in self._grants
                if grant.client_id == client_id and self.resolve(grant.audience) == audience
            ),
            None,
        )
