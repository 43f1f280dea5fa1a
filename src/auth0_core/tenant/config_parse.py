"""Parsing the tenant's TOML tables into the frozen records of :mod:`.config`.

Every table goes through :class:`Section`, which type-checks each key it reads and makes
``finish()`` reject the keys nobody read, so a typo is an error instead of a silent default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from ..errors import ConfigurationError
from .client_keys import ASSERTION_ALGORITHMS, registered_keys
from .config_types import (
    AUTH_METHODS,
    DATABASE_CONNECTION,
    ROTATION_TYPES,
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
_CONNECTION_ID = re.compile(r"^con_[A-Za-z0-9]{16}$")


class Section:
    """Typed, checked access to one TOML table; ``finish()`` rejects keys nobody read."""

    def __init__(self, where: str, value: object) -> None:
        if not isinstance(value, Mapping):
            raise ConfigurationError(f"{where} must be a table")
        self.where = where
        self.data = cast(Mapping[str, object], value)
        self.seen: set[str] = set()

    def get(self, key: str, kind: type[T]) -> T | None:
        """The value of ``key`` checked to be a ``kind``, or None when the key is absent."""
        self.seen.add(key)
        if key not in self.data:
            return None
        value = self.data[key]
        # bool is an int subclass; an int setting must not accept true/false.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise ConfigurationError(f"{self.where}.{key} must be of type {kind.__name__}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value = self.get(key, str)
        if value is not None:
            return value
        if default is None:
            raise ConfigurationError(f"{self.where}.{key} is required")
        return default

    def optional_text(self, key: str) -> str | None:
        return self.get(key, str) or None

    def integer(self, key: str, default: int, *, minimum: int = 1) -> int:
        value = self.get(key, int)
        if value is None:
            return default
        if value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise ConfigurationError(f"{self.where}.{key} must be {kind}")
        return value

    def optional_integer(self, key: str) -> int | None:
        return None if self.get(key, int) is None else self.integer(key, 1)

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, bool)
        return default if value is None else value

    def texts(self, key: str) -> tuple[str, ...]:
        values: list[object] = self.get(key, list) or []
        if not all(isinstance(v, str) for v in values):
            raise ConfigurationError(f"{self.where}.{key} must be a list of strings")
        return tuple(cast(list[str], values))

    def json_table(self, key: str) -> dict[str, Any]:
        """A table of JSON-compatible values (metadata), copied; {} when absent."""
        value = self.get(key, dict) or {}
        if not _json_compatible(value):
            raise ConfigurationError(f"{self.where}.{key} must hold JSON values only")
        return cast(dict[str, Any], _copy(value))

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.text(key, default)
        if value not in choices:
            raise ConfigurationError(f"{self.where}.{key} must be one of {', '.join(choices)}")
        return value

    def tables(self, key: str, parse: Callable[[Section], T]) -> tuple[T, ...]:
        """A nested array of tables (``key = [{...}, ...]``), each parsed and finished."""
        return parse_list(self.get(key, list) or [], f"{self.where}.{key}", parse)

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise ConfigurationError(f"unknown key(s) in {self.where}: {', '.join(unknown)}")


def _json_compatible(value: object) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_compatible(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_compatible(v) for v in value)
    return isinstance(value, str | int | float | bool)


def _copy(value: object) -> object:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def parse_list(items: list[object], where: str, parse: Callable[[Section], T]) -> tuple[T, ...]:
    """Parse every table of an array of tables, naming each by position in errors."""
    parsed: list[T] = []
    for index, item in enumerate(items):
        section = Section(f"{where} #{index + 1}", item)
        parsed.append(parse(section))
        section.finish()
    return tuple(parsed)


def parse_client(section: Section) -> TenantClient:
    client_id = section.text("client_id")
    method = section.choice("token_endpoint_auth_method", AUTH_METHODS, "client_secret_basic")
    grant_types = section.texts("grant_types") if "grant_types" in section.data else None
    client = TenantClient(
        client_id=client_id,
        client_secret=section.optional_text("client_secret"),
        name=section.text("name", client_id),
        callbacks=section.texts("callbacks"),
        allowed_logout_urls=section.texts("allowed_logout_urls"),
        token_endpoint_auth_method=method,  # type: ignore[arg-type]  # checked by choice()
        client_assertion_public_key=section.optional_text("client_assertion_public_key"),
        client_assertion_credentials=section.tables(
            "client_assertion_credentials", _parse_assertion_credential
        ),
        tls_client_auth_subject_dn=section.optional_text("tls_client_auth_subject_dn"),
        refresh_token=_parse_refresh_settings(section),
        grant_types=grant_types,
        require_dpop=section.flag("require_dpop", False),
        backchannel_logout_uri=section.optional_text("backchannel_logout_uri"),
        backchannel_logout_session_required=section.flag(
            "backchannel_logout_session_required", True
        ),
    )
    has_keys = client.client_assertion_public_key is not None or bool(
        client.client_assertion_credentials
    )
    if method == "private_key_jwt" and not has_keys:
        raise ConfigurationError(f"{section.where} uses private_key_jwt without a public key")
    if method == "tls_client_auth" and client.tls_client_auth_subject_dn is None:
        raise ConfigurationError(
            f"{section.where} uses tls_client_auth without a tls_client_auth_subject_dn"
        )
    if method.startswith("client_secret") and client.client_secret is None:
        raise ConfigurationError(f"{section.where} uses {method} without a client_secret")
    uri = client.backchannel_logout_uri
    if uri is not None and not uri.startswith(("https://", "http://")):
        raise ConfigurationError(f"{section.where}.backchannel_logout_uri must be an http(s) URL")
    if has_keys:
        try:  # Fail at load time, not at the first token request.
            registered_keys(client)
        except ConfigurationError as exc:
            raise ConfigurationError(f"{section.where}: {exc}") from None
    return client


def _parse_assertion_credential(section: Section) -> AssertionCredential:
    alg = section.optional_text("alg")
    if alg is not None and alg not in ASSERTION_ALGORITHMS:
        raise ConfigurationError(
            f"{section.where}.alg must be one of {', '.join(ASSERTION_ALGORITHMS)}"
        )
    return AssertionCredential(
        public_key=section.text("public_key"),
        kid=section.optional_text("kid"),
        alg=alg,
    )


def _parse_refresh_settings(client: Section) -> RefreshTokenSettings:
    section = Section(f"{client.where}.refresh_token", client.get("refresh_token", dict) or {})
    defaults = RefreshTokenSettings()
    settings = RefreshTokenSettings(
        rotation_type=section.choice(  # type: ignore[arg-type]  # checked by choice()
            "rotation_type", ROTATION_TYPES, defaults.rotation_type
        ),
        leeway=section.integer("leeway", defaults.leeway, minimum=0),
        token_lifetime=section.integer("token_lifetime", defaults.token_lifetime),
        idle_token_lifetime=section.integer("idle_token_lifetime", defaults.idle_token_lifetime),
        policies=section.tables("policies", _parse_policy),
    )
    section.finish()
    return settings


def _parse_policy(section: Section) -> MrrtPolicy:
    return MrrtPolicy(audience=section.text("audience"), scope=section.texts("scope"))


def parse_user(section: Section) -> TenantUser:
    email = section.text("email")
    local_part = email.split("@", 1)[0]
    connection = section.text("connection", DATABASE_CONNECTION)
    prefix = "auth0" if connection == DATABASE_CONNECTION else connection
    user_id = section.text("user_id", f"{prefix}|{local_part}")
    if "|" not in user_id or user_id.startswith("|") or user_id.endswith("|"):
        raise ConfigurationError(f"{section.where}.user_id must look like 'provider|id'")
    return TenantUser(
        email=email,
        password=section.text("password"),
        user_id=user_id,
        name=section.text("name", email),
        nickname=section.text("nickname", local_part),
        email_verified=section.flag("email_verified", True),
        picture=section.optional_text("picture"),
        connected_accounts=section.tables("connected_accounts", _parse_connected_account),
        connection=connection,
        user_metadata=section.json_table("user_metadata"),
        app_metadata=section.json_table("app_metadata"),
    )


def _parse_connected_account(section: Section) -> ConnectedAccount:
    return ConnectedAccount(
        connection=section.text("connection"),
        login_hint=section.optional_text("login_hint"),
        scopes=section.texts("scopes"),
    )


def parse_organization(section: Section) -> TenantOrganization:
    org_id = section.text("id")
    if not org_id.startswith("org_"):
        raise ConfigurationError(f"{section.where}.id must start with 'org_'")
    name = section.text("name")
    return TenantOrganization(
        id=org_id,
        name=name,
        display_name=section.text("display_name", name),
        members=section.texts("members"),
    )


def parse_api(section: Section) -> TenantApi:
    return TenantApi(
        identifier=section.text("identifier"),
        scopes=section.texts("scopes"),
        token_lifetime=section.optional_integer("token_lifetime"),
    )


def parse_client_grant(section: Section) -> ClientGrant:
    return ClientGrant(
        client_id=section.text("client_id"),
        audience=section.text("audience"),
        scope=section.texts("scope"),
    )


def parse_connection(section: Section) -> TenantConnection:
    name = section.text("name")
    connection = TenantConnection(
        name=name,
        strategy=section.text("strategy", name),
        token_lifetime=section.integer("token_lifetime", 3600),
    )
    given_id = section.optional_text("id")
    if given_id is None:
        return connection
    if not _CONNECTION_ID.match(given_id):
        raise ConfigurationError(f"{section.where}.id must match con_ + 16 letters or digits")
    return TenantConnection(
        name=name,
        strategy=connection.strategy,
        token_lifetime=connection.token_lifetime,
        id=given_id,
    )


def parse_connected_account_connection(section: Section) -> ConnectedAccountConnection:
    # An empty strategy is filled in from [[connections]] once every table is parsed.
    return ConnectedAccountConnection(
        name=section.text("name"),
        strategy=section.text("strategy", ""),
        scopes=section.texts("scopes"),
    )


def parse_my_account(section: Section) -> MyAccountSettings:
    defaults = MyAccountSettings()
    return MyAccountSettings(
        connect_lifetime=section.integer("connect_lifetime", defaults.connect_lifetime),
        require_dpop=section.flag("require_dpop", defaults.require_dpop),
    )


def parse_dpop(section: Section) -> DpopSettings:
    defaults = DpopSettings()
    return DpopSettings(
        require_nonce=section.flag("require_nonce", defaults.require_nonce),
        proof_max_age=section.integer("proof_max_age", defaults.proof_max_age),
        nonce_lifetime=section.integer("nonce_lifetime", defaults.nonce_lifetime),
    )
