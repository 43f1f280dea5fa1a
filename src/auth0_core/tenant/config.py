"""Configuration of the emulated tenant: clients, users, organizations and tenant settings.

The configuration is TOML (stdlib :mod:`tomllib`). Every key may be left out and takes the default
below; an unknown key or a value of the wrong type raises
:class:`~auth0_core.errors.ConfigurationError`, so a typo never silently changes behaviour.

Shape and defaults (``default.toml`` in this package holds the default document)::

    [tenant]
    pushed_authorization_requests = true  # advertise and serve /oauth/par
    access_token_lifetime = 86400          # seconds, access token exp - iat
    id_token_lifetime = 36000              # seconds, ID token exp - iat
    authorization_code_lifetime = 60       # seconds a code may be exchanged
    par_lifetime = 90                      # seconds a PAR request_uri is usable
    login_lifetime = 600                   # seconds a login page (tx) stays usable
    allowed_logout_urls = []               # tenant-level list (logout without client_id)

    [[clients]]
    client_id = "demo-client"              # required
    client_secret = "..."                  # optional; needed for client_secret_* auth
    name = "Demo Client"                   # optional, defaults to client_id
    callbacks = ["http://127.0.0.1:3000/auth/callback", ...]   # allowed redirect_uri values
    allowed_logout_urls = ["http://127.0.0.1:3000/", ...]
    token_endpoint_auth_method = "client_secret_basic"
        # client_secret_basic | client_secret_post (both accept either secret method),
        # private_key_jwt (only client assertions), none (public client)
    client_assertion_public_key = ""       # PEM public key or a JWK as a JSON string;
                                           # enables private_key_jwt for this client

    [[users]]
    email = "alice@example.com"            # required; also the login username
    password = "alice-password"            # required
    user_id = "auth0|alice"                # default "auth0|<local part of email>"
    name = "Alice Example"                 # default: the email
    nickname = "alice"                     # default: the local part of the email
    email_verified = true
    picture = ""                           # optional URL; omitted from claims when empty

    [[organizations]]                      # none by default
    id = "org_abc123"                      # required, must start with "org_"
    name = "acme"                          # required; /authorize accepts the id or the name
    display_name = "Acme"                  # default: name
    members = ["auth0|alice"]              # user_ids allowed to log in to it

When ``clients`` or ``users`` is left out entirely, the defaults above are used; when given, the
list replaces the default list.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Literal, TypeVar, cast

import attrs

from ..errors import ConfigurationError

AuthMethod = Literal["client_secret_basic", "client_secret_post", "private_key_jwt", "none"]
_AUTH_METHODS: tuple[AuthMethod, ...] = (
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
)

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class TenantClient:
    """An application registered on the tenant."""

    client_id: str
    client_secret: str | None = attrs.field(default=None, repr=False)
    name: str = ""
    callbacks: tuple[str, ...] = ()
    allowed_logout_urls: tuple[str, ...] = ()
    token_endpoint_auth_method: AuthMethod = "client_secret_basic"
    client_assertion_public_key: str | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class TenantUser:
    """A database user who can log in on the tenant's login page."""

    email: str
    password: str = attrs.field(repr=False)
    user_id: str
    name: str
    nickname: str
    email_verified: bool = True
    picture: str | None = None


@attrs.frozen(kw_only=True)
class TenantOrganization:
    """An Auth0 organization; only its ``members`` may log in through it."""

    id: str
    name: str
    display_name: str
    members: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class TenantConfig:
    """The whole tenant configuration. See the module docstring for every key and default."""

    pushed_authorization_requests: bool = True
    access_token_lifetime: int = 86400
    id_token_lifetime: int = 36000
    authorization_code_lifetime: int = 60
    par_lifetime: int = 90
    login_lifetime: int = 600
    allowed_logout_urls: tuple[str, ...] = ()
    clients: tuple[TenantClient, ...] = ()
    users: tuple[TenantUser, ...] = ()
    organizations: tuple[TenantOrganization, ...] = ()

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

    def user_by_email(self, email: str) -> TenantUser | None:
        """The user whose email equals ``email`` (case-insensitive, like Auth0), or None."""
        wanted = email.strip().lower()
        return next((u for u in self.users if u.email.lower() == wanted), None)

    def user_by_id(self, user_id: str) -> TenantUser | None:
        """The user with ``user_id``, or None."""
        return next((u for u in self.users if u.user_id == user_id), None)

    def organization(self, id_or_name: str) -> TenantOrganization | None:
        """The organization with this id (``org_...``) or name (case-insensitive), or None."""
        if id_or_name.startswith("org_"):
            return next((o for o in self.organizations if o.id == id_or_name), None)
        wanted = id_or_name.lower()
        return next((o for o in self.organizations if o.name.lower() == wanted), None)


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


# --- parsing helpers -------------------------------------------------------------------------


class _Section:
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

    def integer(self, key: str, default: int) -> int:
        value = self.get(key, int)
        if value is None:
            return default
        if value <= 0:
            raise ConfigurationError(f"{self.where}.{key} must be a positive integer")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, bool)
        return default if value is None else value

    def texts(self, key: str) -> tuple[str, ...]:
        values: list[object] = self.get(key, list) or []
        if not all(isinstance(v, str) for v in values):
            raise ConfigurationError(f"{self.where}.{key} must be a list of strings")
        return tuple(cast(list[str], values))

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.seen)
        if unknown:
            raise ConfigurationError(f"unknown key(s) in {self.where}: {', '.join(unknown)}")


def _tables(
    document: Mapping[str, object], defaults: Mapping[str, object], key: str
) -> list[object]:
    value = document.get(key, defaults.get(key, []))
    if not isinstance(value, list):
        raise ConfigurationError(f"{key} must be an array of tables ([[{key}]])")
    return value


def _parse_config(document: Mapping[str, object], defaults: Mapping[str, object]) -> TenantConfig:
    top = _Section("the tenant configuration", document)
    for key in ("clients", "users", "organizations"):
        top.seen.add(key)
    settings = _Section("[tenant]", top.get("tenant", dict) or {})
    top.finish()
    clients = _parse_list(_tables(document, defaults, "clients"), "clients", _parse_client)
    users = _parse_list(_tables(document, defaults, "users"), "users", _parse_user)
    orgs = _parse_list(
        _tables(document, defaults, "organizations"), "organizations", _parse_organization
    )
    _require_unique([c.client_id for c in clients], "client_id")
    _require_unique([u.user_id for u in users], "user_id")
    _require_unique([u.email.lower() for u in users], "user email")
    _require_unique([o.id for o in orgs] + [o.name.lower() for o in orgs], "organization id/name")
    config = TenantConfig(
        pushed_authorization_requests=settings.flag("pushed_authorization_requests", True),
        access_token_lifetime=settings.integer("access_token_lifetime", 86400),
        id_token_lifetime=settings.integer("id_token_lifetime", 36000),
        authorization_code_lifetime=settings.integer("authorization_code_lifetime", 60),
        par_lifetime=settings.integer("par_lifetime", 90),
        login_lifetime=settings.integer("login_lifetime", 600),
        allowed_logout_urls=settings.texts("allowed_logout_urls"),
        clients=clients,
        users=users,
        organizations=orgs,
    )
    settings.finish()
    return config


def _parse_list(items: list[object], key: str, parse: Callable[[_Section], T]) -> tuple[T, ...]:
    parsed: list[T] = []
    for index, item in enumerate(items):
        section = _Section(f"[[{key}]] #{index + 1}", item)
        parsed.append(parse(section))
        section.finish()
    return tuple(parsed)


def _require_unique(values: list[str], what: str) -> None:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ConfigurationError(f"duplicate {what}: {', '.join(duplicates)}")


def _parse_client(section: _Section) -> TenantClient:
    client_id = section.text("client_id")
    method = section.text("token_endpoint_auth_method", "client_secret_basic")
    if method not in _AUTH_METHODS:
        raise ConfigurationError(
            f"{section.where}.token_endpoint_auth_method must be one of {', '.join(_AUTH_METHODS)}"
        )
    client = TenantClient(
        client_id=client_id,
        client_secret=section.optional_text("client_secret"),
        name=section.text("name", client_id),
        callbacks=section.texts("callbacks"),
        allowed_logout_urls=section.texts("allowed_logout_urls"),
        token_endpoint_auth_method=method,
        client_assertion_public_key=section.optional_text("client_assertion_public_key"),
    )
    if method == "private_key_jwt" and client.client_assertion_public_key is None:
        raise ConfigurationError(f"{section.where} uses private_key_jwt without a public key")
    if method.startswith("client_secret") and client.client_secret is None:
        raise ConfigurationError(f"{section.where} uses {method} without a client_secret")
    if client.client_assertion_public_key is not None:
        # Fail at load time, not at the first token request.
        from .client_auth import import_assertion_key

        import_assertion_key(client.client_assertion_public_key)
    return client


def _parse_user(section: _Section) -> TenantUser:
    email = section.text("email")
    local_part = email.split("@", 1)[0]
    picture = section.optional_text("picture")
    return TenantUser(
        email=email,
        password=section.text("password"),
        user_id=section.text("user_id", f"auth0|{local_part}"),
        name=section.text("name", email),
        nickname=section.text("nickname", local_part),
        email_verified=section.flag("email_verified", True),
        picture=picture,
    )


def _parse_organization(section: _Section) -> TenantOrganization:
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
