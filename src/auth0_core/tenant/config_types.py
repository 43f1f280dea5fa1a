"""The frozen records a tenant configuration is made of (parsed in :mod:`.config_parse`)."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from typing import Any, Literal

import attrs

AuthMethod = Literal[
    "client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", "none"
]
AUTH_METHODS: tuple[AuthMethod, ...] = (
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "tls_client_auth",
    "none",
)
RotationType = Literal["non-rotating", "rotating"]
ROTATION_TYPES: tuple[RotationType, ...] = ("non-rotating", "rotating")

# Audience placeholders usable in configuration: the real identifiers depend on base_url.
MY_ACCOUNT_AUDIENCE = "my-account"
MANAGEMENT_AUDIENCE = "management"
# The database connection users belong to unless they name another one.
DATABASE_CONNECTION = "Username-Password-Authentication"
_ID_ALPHABET = string.ascii_letters + string.digits


def connection_id(name: str) -> str:
    """A stable Auth0-shaped connection id (``con_`` + 16 alphanumerics) derived from ``name``."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return "con_" + "".join(_ID_ALPHABET[b % len(_ID_ALPHABET)] for b in digest[:16])


@attrs.frozen(kw_only=True)
class MrrtPolicy:
    """A Multi-Resource Refresh Token policy: refresh tokens may mint tokens for ``audience``."""

    audience: str
    scope: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class RefreshTokenSettings:
    """A client's ``refresh_token`` object, in the Management API's shape."""

    rotation_type: RotationType = "non-rotating"
    # Seconds a rotated token stays usable (Auth0's "Rotation Overlap Period").
    leeway: int = 0
    token_lifetime: int = 2_592_000  # absolute, from the login (30 days)
    idle_token_lifetime: int = 1_296_000  # since the family was last used (15 days)
    policies: tuple[MrrtPolicy, ...] = ()

    @property
    def rotating(self) -> bool:
        return self.rotation_type == "rotating"


@attrs.frozen(kw_only=True)
class AssertionCredential:
    """A public key a client signs ``private_key_jwt`` assertions with (Auth0: a client
    credential of type ``public_key``)."""

    # PEM (RSA or EC public key) or a JWK's JSON.
    public_key: str = attrs.field(repr=False)
    # None: the JWK's ``kid``, else the key's RFC 7638 thumbprint.
    kid: str | None = None
    # None: every algorithm of the key's type (RS*/PS* for RSA, the curve's ES* for EC).
    alg: str | None = None


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
    # More assertion keys, each with its own kid and algorithm (key rotation, Auth0's
    # credentials); client_assertion_public_key, when given, is one more.
    client_assertion_credentials: tuple[AssertionCredential, ...] = ()
    # RFC 8705 tls_client_auth: the subject DN (RFC 4514 string) the client's certificate
    # must carry; the certificate itself is verified by the server adapter's TLS.
    tls_client_auth_subject_dn: str | None = None
    refresh_token: RefreshTokenSettings = RefreshTokenSettings()
    # None: every grant the tenant serves (including ones added through grant_handlers).
    grant_types: tuple[str, ...] | None = None
    # Auth0's "Require Token Sender-Constraining": token requests must carry a DPoP proof.
    require_dpop: bool = False
    # OIDC Back-Channel Logout: where the tenant POSTs logout tokens (None: never), and
    # whether they carry the session's ``sid`` (else only ``sub``).
    backchannel_logout_uri: str | None = None
    backchannel_logout_session_required: bool = True

    def allows_grant(self, grant_type: str) -> bool:
        """Whether ``grant_type`` is enabled for this client."""
        return self.grant_types is None or grant_type in self.grant_types


@attrs.frozen(kw_only=True)
class ConnectedAccount:
    """An upstream account the user connected (held in the tenant's emulated Token Vault)."""

    connection: str
    login_hint: str | None = None
    scopes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ConnectedAccountConnection:
    """A connection users may connect upstream accounts of (My Account API, Token Vault)."""

    name: str
    strategy: str
    # What the upstream consent asks for when the connect request names no scopes.
    scopes: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class MyAccountSettings:
    """The ``[my_account]`` table: how the My Account API (``{base}/me/v1``) behaves."""

    # Seconds a connect ticket (and its auth_session) stays usable: the connect ``expires_in``.
    connect_lifetime: int = 300
    # Refuse Bearer tokens: only DPoP-bound tokens with a proof are accepted.
    require_dpop: bool = False


@attrs.frozen(kw_only=True)
class DpopSettings:
    """The ``[dpop]`` table: how DPoP proofs (RFC 9449) are checked, everywhere."""

    # Proofs must carry a nonce the tenant issued (RFC 9449 §8, §9).
    require_nonce: bool = False
    # Seconds a proof's ``iat`` may be away from the tenant's clock, either way.
    proof_max_age: int = 60
    # Seconds between nonce rotations; the previous nonce stays valid for one more period.
    nonce_lifetime: int = 300


@attrs.frozen(kw_only=True)
class TenantUser:
    """A user who can log in on the tenant's login page through its ``connection``.

    ``user_metadata`` and ``app_metadata`` are the initial values only: the tenant's user
    directory holds the live (mutable) ones.
    """

    email: str
    password: str = attrs.field(repr=False)
    user_id: str
    name: str
    nickname: str
    email_verified: bool = True
    picture: str | None = None
    connected_accounts: tuple[ConnectedAccount, ...] = ()
    connection: str = DATABASE_CONNECTION
    user_metadata: Mapping[str, Any] = attrs.field(factory=dict, hash=False)
    app_metadata: Mapping[str, Any] = attrs.field(factory=dict, hash=False)


@attrs.frozen(kw_only=True)
class TenantOrganization:
    """An Auth0 organization; only its ``members`` may log in through it."""

    id: str
    name: str
    display_name: str
    members: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class TenantApi:
    """An API (resource server): an audience and the scopes it defines."""

    identifier: str
    scopes: tuple[str, ...] = ()
    token_lifetime: int | None = None  # None: the tenant's access_token_lifetime


@attrs.frozen(kw_only=True)
class ClientGrant:
    """What the client credentials grant may obtain: ``client_id`` -> ``audience``, ``scope``."""

    client_id: str
    audience: str
    scope: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class TenantConnection:
    """An identity provider connection (database, social, enterprise)."""

    name: str
    strategy: str
    # Lifetime of the upstream access tokens the emulated Token Vault mints for it.
    token_lifetime: int = 3600
    # ``con_`` + 16 alphanumerics, as on Auth0 (Management API ``connection_id``).
    id: str = attrs.field(
        default=attrs.Factory(lambda self: connection_id(self.name), takes_self=True)
    )

    @property
    def is_social(self) -> bool:
        """Whether identities of this connection are social (Auth0's ``isSocial``)."""
        return self.strategy != "auth0"
