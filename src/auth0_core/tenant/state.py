"""What the tenant knows and remembers: the data every endpoint reads and changes.

The configuration is frozen; the rest changes as requests arrive. An endpoint receives the state
and nothing else, so no endpoint depends on the :class:`~auth0_core.tenant.Tenant` face, whose
lock guards every access to the state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from joserfc.jwk import RSAKey

from .._env import Env
from .._http import HttpResponse
from .apis import Apis
from .authentication.anonymous_state import AnonymousState, EnterpriseState
from .authentication.mfa_state import MfaState
from .authentication.passkey_state import PasskeyState
from .authentication.passwordless_state import PasswordlessState
from .ciba_requests import BackchannelRequests
from .config import TenantConfig
from .config_types import TenantClient
from .directory import UserDirectory
from .dpop.nonces import ReplayCache
from .keys import SigningKeys
from .my_account.methods_store import MethodStore
from .outbox import Outbox
from .params import Params
from .records import (
    AcceptedAssertion,
    CodeGrant,
    ConnectCode,
    ConnectRequest,
    LogEntry,
    LoginTransaction,
    PushedRequest,
    SessionTransfer,
)
from .refresh_store import RefreshTokens
from .sessions import Sessions
from .settings import TenantSettings
from .vault import Vault

IdTokenHook = Callable[[dict[str, Any], dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
GrantHandler = Callable[["TenantState", TenantClient, Params], HttpResponse]

# Replay records outlive their code by a day: long enough to catch a replay.
_USED_CODE_RETENTION = 86400


class TenantState:
    """An in-memory tenant's data.

    Args:
        config: clients, users, organizations and settings.
        base_url: where the tenant is reached; the issuer is ``base_url + "/"``.
        grant_handlers: ``grant_type`` -> handler, the grants ``/oauth/token`` serves.
        env: clock and randomness (default: real time, ``secrets``).
        signing_key: the first signing key (default: the process-wide pooled key).
    """

    def __init__(
        self,
        config: TenantConfig,
        *,
        base_url: str,
        grant_handlers: Mapping[str, GrantHandler],
        env: Env | None = None,
        signing_key: RSAKey | None = None,
    ) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.issuer = self.base_url + "/"
        self.env = env if env is not None else Env()
        self.keys = SigningKeys(signing_key)
        # Placeholders ("my-account", "management") resolve against this tenant's base_url.
        self.apis = Apis(config, self.base_url)
        # Users, identities and metadata as linking and the Management API change them.
        self.users = UserDirectory(config)
        self.refresh_tokens = RefreshTokens()
        # Login sessions (sid -> user, clients given tokens), ended by logout or the admin.
        self.sessions = Sessions()
        # Connected accounts (configured, then as the My Account API changes them), upstream tokens.
        self.vault = Vault(config, self.env)
        # Users' authentication methods and enrollments (My Account API, protocol doc 8.12).
        self.authentication_methods = MethodStore(self.env)
        self.settings = TenantSettings.from_config(config)
        self.outbox = Outbox()
        self.grant_handlers: dict[str, GrantHandler] = dict(grant_handlers)
        self.id_token_hook: IdTokenHook | None = None
        self._secret: bytes | None = None
        self.log: list[LogEntry] = []
        # What lives between two requests of one login, until it expires.
        self.pushed: dict[str, PushedRequest] = {}
        self.logins: dict[str, LoginTransaction] = {}
        self.codes: dict[str, CodeGrant] = {}
        # code -> (expiry, refresh tokens it produced), to revoke them if the code is replayed.
        self.used_codes: dict[str, tuple[int, list[str]]] = {}
        self.used_jtis: dict[tuple[str, str], int] = {}
        # The client assertions accepted, newest last (the last 100), for tests and the admin.
        self.accepted_assertions: deque[AcceptedAssertion] = deque(maxlen=100)
        # DPoP: proofs seen lately (replays are refused), and the key of the token request
        # being answered (set by /oauth/token around its grant handler; None otherwise), which
        # binds the access tokens minted meanwhile (cnf.jkt) and makes them "DPoP" tokens.
        self.dpop_replays = ReplayCache()
        self.dpop_jkt: str | None = None
        # Connected accounts on their way: ticket -> request (until consent), code -> request.
        self.connect_tickets: dict[str, ConnectRequest] = {}
        self.connect_codes: dict[str, ConnectCode] = {}
        # CIBA requests started at /bc-authorize, until answered or expired (and their settings).
        self.ciba = BackchannelRequests()
        # Session Transfer Tokens minted by the custom token exchange, until redeemed or expired.
        self.session_transfers: dict[str, SessionTransfer] = {}
        # MFA (policy, mfa_tokens, authenticators, challenges) and passwordless codes.
        self.mfa = MfaState(config.mfa)
        self.passwordless = PasswordlessState(config.passwordless)
        # Anonymous sessions and Enterprise Connect's domains (inferred from the official 1.0.0b20).
        self.anonymous = AnonymousState()
        self.enterprise = EnterpriseState()
        # Native passkeys: ceremonies by auth_session, registered credentials, RP settings.
        self.passkeys = PasskeyState(config.passkeys)

    def __repr__(self) -> str:
        return f"TenantState(base_url={self.base_url!r})"

    @property
    def secret(self) -> bytes:
        """The tenant's own random key, for what it MACs (paging cursors, DPoP nonces).

        Drawn on first use, so a tenant that never needs it consumes no randomness and exchanges
        recorded with a seeded random source still replay byte for byte.
        """
        if self._secret is None:
            self._secret = self.env.token_bytes(32)
        return self._secret

    def purge_expired(self) -> None:
        """Forget expired pushed requests, login pages and codes, and old replay records."""
        now = self.env.now()
        stores = (self.pushed, self.logins, self.codes, self.connect_tickets, self.connect_codes)
        for store in (*stores, self.session_transfers):
            for key in [k for k, v in store.items() if v.expires_at <= now]:
                del store[key]
        for code in [
            c for c, (exp, _) in self.used_codes.items() if exp + _USED_CODE_RETENTION <= now
        ]:
            del self.used_codes[code]
        self.ciba.purge(now)
        self.mfa.purge(now)
        self.passwordless.purge(now)
        self.anonymous.purge(now)
        self.passkeys.purge(now)
