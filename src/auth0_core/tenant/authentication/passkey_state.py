"""What the tenant remembers for native passkeys (protocol doc §8.11): the ceremonies started at
``/passkey/register`` and ``/passkey/challenge`` (by ``auth_session``, until used or expired)
and the registered credentials (by credential id). Tests reach it as
``tenant.state.passkeys`` and may change its :class:`PasskeySettings`, which start as the
configuration's ``[passkeys]`` table (:class:`PasskeyConfig`).
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlsplit

import attrs

from ...errors import ConfigurationError
from ..config_parse import Section
from ..config_types import DATABASE_CONNECTION


@attrs.define(kw_only=True)
class PasskeySettings:
    """The relying party the tenant is.

    Attributes:
        rp_id: the WebAuthn RP ID; None: the host of the tenant's base URL.
        rp_name: the relying party's display name in the creation options.
        origins: the origins a ceremony may come from; None: ``https://`` on the RP ID or one
            of its subdomains (any port), and the tenant's own origin.
        timeout: seconds an ``auth_session`` (and its challenge) lives.
        connection: the database connection used when a request names no ``realm``.
        verify_email, verify_phone: a sign-up with that identifier gets a six-digit code
            (outbox) that the grant's ``verification`` must carry.
        max_code_attempts: wrong or missing codes before the sign-up's ceremony ends.
    """

    rp_id: str | None = None
    rp_name: str = "auth0-core emulated tenant"
    origins: tuple[str, ...] | None = None
    timeout: int = 300
    connection: str = DATABASE_CONNECTION
    verify_email: bool = False
    verify_phone: bool = False
    max_code_attempts: int = 3


@attrs.frozen(kw_only=True)
class PasskeyConfig(PasskeySettings):
    """The ``[passkeys]`` table (docs/tenant.md): :class:`PasskeySettings`' members and
    defaults, frozen (the settings a tenant starts with)."""


def parse_passkeys(section: Section) -> PasskeyConfig:
    """The ``[passkeys]`` table.

    Raises:
        ConfigurationError: a value of the wrong type, a blank RP ID, an origin that is no
            ``scheme://host[:port]``.
    """
    defaults = PasskeyConfig()
    rp_id = section.get("rp_id", str)
    if rp_id is not None and (not rp_id.strip() or "/" in rp_id or ":" in rp_id):
        raise ConfigurationError(f"{section.where}.rp_id must be a host name")
    origins = section.texts("origins") if "origins" in section.data else None
    for origin in origins or ():
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise ConfigurationError(
                f"{section.where}.origins: {origin!r} is not scheme://host[:port]"
            )
    return PasskeyConfig(
        rp_id=rp_id,
        rp_name=section.text("rp_name", defaults.rp_name),
        origins=origins,
        timeout=section.integer("timeout", defaults.timeout),
        connection=section.text("connection", defaults.connection),
        verify_email=section.flag("verify_email", defaults.verify_email),
        verify_phone=section.flag("verify_phone", defaults.verify_phone),
        max_code_attempts=section.integer("max_code_attempts", defaults.max_code_attempts),
    )


@attrs.define(kw_only=True)
class Ceremony:
    """One challenge handed out: a sign-up (a user to create) or a login."""

    kind: Literal["signup", "login"]
    client_id: str
    challenge: bytes = attrs.field(repr=False)
    rp_id: str
    realm: str
    organization: str | None
    expires_at: int
    user_id: str | None = None  # sign-up: the user to create
    user_handle: bytes | None = attrs.field(default=None, repr=False)
    profile: dict[str, Any] | None = attrs.field(default=None, repr=False)
    user_metadata: dict[str, Any] | None = attrs.field(default=None, repr=False)
    # Sign-up verification: identifier ("email", "phone") -> the code sent, and wrong tries.
    codes: dict[str, str] = attrs.field(factory=dict, repr=False)
    code_attempts: int = 0


@attrs.define(kw_only=True)
class PasskeyCredential:
    """A registered credential: its COSE public key, the last signature counter seen."""

    credential_id: bytes
    user_id: str
    public_key: bytes = attrs.field(repr=False)
    sign_count: int
    rp_id: str
    user_handle: bytes = attrs.field(repr=False)
    attestation_format: str
    created_at: int
    last_used_at: int | None = None


def _settings(config: PasskeyConfig) -> PasskeySettings:
    return PasskeySettings(**attrs.asdict(config, recurse=False))


class PasskeyState:
    """The ceremonies waiting for their credential, and the registered credentials."""

    def __init__(self, config: PasskeyConfig | None = None) -> None:
        self._config = config or PasskeyConfig()
        self.settings = _settings(self._config)
        self.ceremonies: dict[str, Ceremony] = {}
        self.credentials: dict[bytes, PasskeyCredential] = {}

    def __repr__(self) -> str:
        return (
            f"PasskeyState(ceremonies={len(self.ceremonies)}, credentials={len(self.credentials)})"
        )

    def reset(self) -> None:
        """No ceremony waiting, no credential registered, the configured settings."""
        self.settings = _settings(self._config)
        self.ceremonies.clear()
        self.credentials.clear()

    def rp_id(self, base_url: str) -> str:
        """The RP ID: the configured one, else the tenant's host."""
        return self.settings.rp_id or (urlsplit(base_url).hostname or "localhost")

    def origin_allowed(self, origin: str, rp_id: str, base_url: str) -> bool:
        """Whether a ceremony may come from ``origin`` (see :class:`PasskeySettings`)."""
        if self.settings.origins is not None:
            return origin in self.settings.origins
        own = urlsplit(base_url)
        if origin == f"{own.scheme}://{own.netloc}":
            return True
        try:
            parts = urlsplit(origin)
            parts.port  # noqa: B018 - raises ValueError for a bad port
        except ValueError:
            return False
        host = parts.hostname or ""
        return (
            parts.scheme == "https"
            and parts.path == ""
            and (host == rp_id or host.endswith("." + rp_id))
        )

    def purge(self, now: int) -> None:
        for key in [k for k, v in self.ceremonies.items() if v.expires_at <= now]:
            del self.ceremonies[key]
