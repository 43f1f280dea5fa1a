"""Configuration of the emulated tenant: clients, users, APIs, connections and settings.

The configuration is TOML (stdlib :mod:`tomllib`). Every key may be left out and takes the default
below; an unknown key or a value of the wrong type raises
:class:`~auth0_core.errors.ConfigurationError`, so a typo never silently changes behaviour.
``docs/tenant.md`` documents every key; ``default.toml`` in this package is the default document.

Shape (abridged)::

    [tenant]
    pushed_authorization_requests = true  # advertise and serve /oauth/par
    access_token_lifetime = 86400          # seconds; default for APIs without their own
    id_token_lifetime = 36000
    authorization_code_lifetime = 60
    par_lifetime = 90
    login_lifetime = 600
    allowed_logout_urls = []
    refresh_token_error_status = 400       # 400 or 403 for invalid_grant on refresh
    logout_token_typ = "logout+jwt"        # typ header of back-channel logout tokens; "" none

    [[apis]]                               # default: https://api.example.com
    identifier = "https://api.example.com" # required
    scopes = ["read:items", "write:items"]
    token_lifetime = 86400                 # default: [tenant] access_token_lifetime

    [[clients]]
    client_id = "demo-client"
    client_secret = "..."
    callbacks = [...]
    token_endpoint_auth_method = "client_secret_basic"
    grant_types = [...]                    # default: every grant the tenant serves
    backchannel_logout_uri = "https://app.example/backchannel-logout"  # default: none
    backchannel_logout_session_required = true  # logout tokens carry sid (false: sub only)
    refresh_token = { rotation_type = "non-rotating", leeway = 0, token_lifetime = 2592000,
                      idle_token_lifetime = 1296000,
                      policies = [{ audience = "https://api.example.com", scope = [...] }] }

    [[client_grants]]                      # what client_credentials may obtain
    client_id = "demo-client"
    audience = "https://api.example.com"
    scope = ["read:items"]

    [[connections]]
    name = "google-oauth2"
    strategy = "google-oauth2"
    token_lifetime = 3600                  # upstream tokens minted by the emulated vault

    [[connected_account_connections]]      # what the My Account API lets users connect
    name = "google-oauth2"
    strategy = "google-oauth2"             # default: the [[connections]] entry's, else the name
    scopes = ["openid", "email"]           # asked for when a connect request names none

    [my_account]
    connect_lifetime = 300                 # seconds a connect ticket is usable
    require_dpop = false                   # refuse Bearer tokens

    [dpop]
    require_nonce = false                  # proofs must carry a tenant nonce (DPoP-Nonce)
    proof_max_age = 60                     # seconds iat may be off the tenant clock
    nonce_lifetime = 300                   # seconds between nonce rotations

    [[users]]
    email = "alice@example.com"
    password = "alice-password"
    connected_accounts = [{ connection = "google-oauth2", login_hint = "alice@gmail.com",
                            scopes = ["openid", "..."] }]

    [[organizations]]
    id = "org_abc123"
    name = "acme"
    members = ["auth0|alice"]

Audiences in policies and client grants may be the placeholders ``"my-account"`` (the tenant's
``{base_url}/me/``) and ``"management"`` (``{base_url}/api/v2/``), resolved when a
:class:`~.tenant.Tenant` is built. When an array of tables (``clients``, ``users``, ``apis``,
...) is given it replaces the default list. References between tables (a policy's audience, a
client grant's client) are resolved at request time; dangling ones are ignored, as on Auth0.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from typing import TypeVar

import attrs

from ..errors import ConfigurationError
from .authentication.mfa_settings import (
    MfaSettings,
    PasswordlessSettings,
    parse_mfa,
    parse_passwordless,
)
from .authentication.passkey_state import PasskeyConfig, parse_passkeys
from .config_parse import (
    Section,
    parse_api,
    parse_client,
    parse_client_grant,
    parse_connected_account_connection,
    parse_connection,
    parse_dpop,
    parse_list,
    parse_my_account,
    parse_organization,
    parse_user,
)
from .config_token_exchange import TokenExchangeProfile, parse_token_exchange_profile
from .config_types import (
    DATABASE_CONNECTION,
    AssertionCredential,
    ClientGrant,
    ConnectedAccount,
    ConnectedAccountConnection,
    DpopSettings,
    MrrtPolicy,
    MyAccountSettings,
    RefreshTokenSettings,
    TenantApi,
    TenantClient,
    TenantConnection,
    TenantOrganization,
    TenantUser,
)

T = TypeVar("T")

_TABLES: dict[str, Callable[[Section], object]] = {
    "clients": parse_client,
    "users": parse_user,
    "organizations": parse_organization,
    "apis": parse_api,
    "client_grants": parse_client_grant,
    "connections": parse_connection,
    "connected_account_connections": parse_connected_account_connection,
    "token_exchange_profiles": parse_token_exchange_profile,
}
_SECTIONS = ("tenant", "my_account", "dpop", "mfa", "passwordless", "passkeys")


@attrs.frozen(kw_only=True)
class TenantConfig:
    """The whole tenant configuration. See ``docs/tenant.md`` for every key and default."""

    pushed_authorization_requests: bool = True
    # RFC 8705 §5: advertise mtls_endpoint_aliases (the /mtls/... paths, docs/mtls.md).
    mtls_endpoint_aliases: bool = False
    access_token_lifetime: int = 86400
    id_token_lifetime: int = 36000
    authorization_code_lifetime: int = 60
    par_lifetime: int = 90
    login_lifetime: int = 600
    allowed_logout_urls: tuple[str, ...] = ()
    refresh_token_error_status: int = 400
    # The ``typ`` header of back-channel logout tokens ("" leaves it out).
    logout_token_typ: str = "logout+jwt"
    clients: tuple[TenantClient, ...] = ()
    users: tuple[TenantUser, ...] = ()
    organizations: tuple[TenantOrganization, ...] = ()
    apis: tuple[TenantApi, ...] = ()
    client_grants: tuple[ClientGrant, ...] = ()
    connections: tuple[TenantConnection, ...] = ()
    connected_account_connections: tuple[ConnectedAccountConnection, ...] = ()
    token_exchange_profiles: tuple[TokenExchangeProfile, ...] = ()
    my_account: MyAccountSettings = attrs.field(factory=MyAccountSettings)
    dpop: DpopSettings = attrs.field(factory=DpopSettings)
    mfa: MfaSettings = attrs.field(factory=MfaSettings)
    passwordless: PasswordlessSettings = attrs.field(factory=PasswordlessSettings)
    passkeys: PasskeyConfig = attrs.field(factory=PasskeyConfig)

    @classmethod
    def from_dict(cls, mapping: Mapping[str, object]) -> TenantConfig:
        """Build a configuration from a parsed TOML document; missing keys take defaults.

        Raises:
            ConfigurationError: an unknown key, a value of the wrong type, a duplicate id.
        """
        return _parse_config(mapping, _default_document())

    @classmethod
    def default(cls) -> TenantConfig:
        """The configuration in the packaged ``default.toml``."""
        return cls.from_dict({})

    def client(self, client_id: str) -> TenantClient | None:
        """The client with ``client_id``, or None."""
        return next((c for c in self.clients if c.client_id == client_id), None)

    def user_by_email(self, email: str, connection: str | None = None) -> TenantUser | None:
        """The user whose email equals ``email`` (case-insensitive, like Auth0), or None.

        With ``connection``, only users of that connection are considered.
        """
        wanted = email.strip().lower()
        return next(
            (
                u
                for u in self.users
                if u.email.lower() == wanted and (connection is None or u.connection == connection)
            ),
            None,
        )

    def user_by_id(self, user_id: str) -> TenantUser | None:
        """The user with ``user_id``, or None."""
        return next((u for u in self.users if u.user_id == user_id), None)

    def organization(self, id_or_name: str) -> TenantOrganization | None:
        """The organization with this id (``org_...``) or name (case-insensitive), or None."""
        if id_or_name.startswith("org_"):
            return next((o for o in self.organizations if o.id == id_or_name), None)
        wanted = id_or_name.lower()
        return next((o for o in self.organizations if o.name.lower() == wanted), None)

    def connection(self, name: str) -> TenantConnection | None:
        """The connection called ``name``, or None."""
        return next((c for c in self.connections if c.name == name), None)

    def connected_account_connection(self, name: str) -> ConnectedAccountConnection | None:
        """The connection called ``name`` if users may connect accounts of it, or None."""
        return next((c for c in self.connected_account_connections if c.name == name), None)

    def vault_connection(self, name: str) -> TenantConnection | None:
        """The connection the Token Vault mints upstream tokens for: the ``[[connections]]``
        entry, else one standing for a connected-account connection of that name, else None."""
        found = self.connection(name)
        if found is not None:
            return found
        connectable = self.connected_account_connection(name)
        if connectable is None:
            return None
        return TenantConnection(name=name, strategy=connectable.strategy)

    def token_exchange_profile(self, subject_token_type: str) -> TokenExchangeProfile | None:
        """The Custom Token Exchange profile for ``subject_token_type``, or None."""
        return next(
            (p for p in self.token_exchange_profiles if p.subject_token_type == subject_token_type),
            None,
        )

    def strategy(self, connection: str) -> str:
        """The strategy of ``connection``; an unlisted one counts as a database connection when
        it is the default database connection's name, else its strategy is its name."""
        found = self.connection(connection)
        if found is not None:
            return found.strategy
        return "auth0" if connection == DATABASE_CONNECTION else connection


def load_config(path: str | None) -> TenantConfig:
    """Load a configuration from a TOML file, or the default configuration when ``path`` is None.

    Raises:
        ConfigurationError: the file cannot be read, is not TOML, or is not a valid configuration.
    """
    if path is None:
        return TenantConfig.default()
    try:
        with open(path, "rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ConfigurationError(f"cannot read tenant configuration {path!r}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"tenant configuration {path!r} is not TOML: {exc}") from None
    return TenantConfig.from_dict(document)


def _default_document() -> dict[str, object]:
    text = resources.files(__package__).joinpath("default.toml").read_text("utf-8")
    return tomllib.loads(text)


def _tables(
    document: Mapping[str, object], defaults: Mapping[str, object], key: str
) -> list[object]:
    value = document.get(key, defaults.get(key, []))
    if not isinstance(value, list):
        raise ConfigurationError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _parse_config(document: Mapping[str, object], defaults: Mapping[str, object]) -> TenantConfig:
    top = Section("the tenant configuration", document)
    top.seen.update(_TABLES)
    settings, my_account, dpop, mfa, passwordless, passkeys = (
        Section(f"[{name}]", top.get(name, dict) or {}) for name in _SECTIONS
    )
    top.finish()
    tables = {
        key: parse_list(_tables(document, defaults, key), f"[[{key}]]", parse)
        for key, parse in _TABLES.items()
    }
    config = TenantConfig(
        pushed_authorization_requests=settings.flag("pushed_authorization_requests", True),
        mtls_endpoint_aliases=settings.flag("mtls_endpoint_aliases", False),
        access_token_lifetime=settings.integer("access_token_lifetime", 86400),
        id_token_lifetime=settings.integer("id_token_lifetime", 36000),
        authorization_code_lifetime=settings.integer("authorization_code_lifetime", 60),
        par_lifetime=settings.integer("par_lifetime", 90),
        login_lifetime=settings.integer("login_lifetime", 600),
        allowed_logout_urls=settings.texts("allowed_logout_urls"),
        refresh_token_error_status=settings.integer("refresh_token_error_status", 400),
        logout_token_typ=settings.text("logout_token_typ", "logout+jwt"),
        my_account=parse_my_account(my_account),
        dpop=parse_dpop(dpop),
        mfa=parse_mfa(mfa),
        passwordless=parse_passwordless(passwordless),
        passkeys=parse_passkeys(passkeys),
        **tables,  # type: ignore[arg-type]  # each parser returns its table's record type
    )
    for section in (settings, my_account, dpop, mfa, passwordless, passkeys):
        section.finish()
    config = _fill_in_strategies(config)
    _check(config)
    return config


def _fill_in_strategies(config: TenantConfig) -> TenantConfig:
    """Connected-account connections without a strategy take their connection's."""
    connectable = tuple(
        c if c.strategy else attrs.evolve(c, strategy=config.strategy(c.name))
        for c in config.connected_account_connections
    )
    return attrs.evolve(config, connected_account_connections=connectable)


def _check(config: TenantConfig) -> None:
    if config.refresh_token_error_status not in (400, 403):
        raise ConfigurationError("[tenant].refresh_token_error_status must be 400 or 403")
    _require_unique([c.client_id for c in config.clients], "client_id")
    _require_unique([u.user_id for u in config.users], "user_id")
    emails = [f"{u.email.lower()} ({u.connection})" for u in config.users]
    _require_unique(emails, "user email")
    identities = [
        f"{config.strategy(u.connection)}/{u.user_id.split('|', 1)[1]}" for u in config.users
    ]
    _require_unique(identities, "user identity (provider/user_id)")
    orgs = config.organizations
    _require_unique([o.id for o in orgs] + [o.name.lower() for o in orgs], "organization id/name")
    _require_unique([a.identifier for a in config.apis], "API identifier")
    _require_unique([c.name for c in config.connections], "connection name")
    _require_unique(
        [c.name for c in config.connected_account_connections], "connected-account connection"
    )
    grants = [f"{g.client_id} -> {g.audience}" for g in config.client_grants]
    _require_unique(grants, "client grant")


def _require_unique(values: list[str], what: str) -> None:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ConfigurationError(f"duplicate {what}: {', '.join(duplicates)}")


__all__ = [
    "AssertionCredential",
    "ClientGrant",
    "ConnectedAccount",
    "ConnectedAccountConnection",
    "DpopSettings",
    "MrrtPolicy",
    "MyAccountSettings",
    "RefreshTokenSettings",
    "TenantApi",
    "TenantClient",
    "TenantConfig",
    "TenantConnection",
    "TenantOrganization",
    "TenantUser",
    "load_config",
]
