"""Client configuration, validated once at construction. Secrets never appear in a repr."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Literal, Required, TypedDict, Unpack, get_args
from urllib.parse import urlsplit

import attrs

from ._assertion_key import SUPPORTED_ALGORITHMS as SUPPORTED_ASSERTION_ALGORITHMS
from ._assertion_key import AssertionKey, AssertionKeyInput, load_assertion_key
from ._dpop_key import DEFAULT_ALGORITHM, DPoPKey, DPoPKeyInput, generate_dpop_key, load_dpop_key
from ._env import Env
from ._http import split_url
from ._id_token import algorithm_tuple, check_algorithms
from ._secret_jwt import ALGORITHMS as SECRET_JWT_ALGORITHMS
from ._secret_jwt import DEFAULT_ALGORITHM as SECRET_JWT_DEFAULT
from .errors import ConfigurationError

ClientAuthMethod = Literal[
    "client_secret_basic",
    "client_secret_post",
    "client_secret_jwt",
    "private_key_jwt",
    "tls_client_auth",
]
LogoutStrategy = Literal["auto", "v2", "oidc"]
# Which authorization server the client talks to (docs/standard-dialect.md).
Dialect = Literal["auth0", "standard"]
# When the userinfo endpoint's claims are merged into the session's user (OIDC Core §5.3).
FetchUserinfo = Literal["never", "login", "login_and_refresh"]

MIN_SECRET_LENGTH = 32
_IDENTIFIER = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}")
DEFAULT_SCOPE = "openid profile email offline_access"
# Bounds of the whole-second options, far beyond any sane value: they refuse only typos and
# values (10**30) that no cookie Max-Age or datetime downstream can hold.
MAX_DURATION = 10 * 365 * 86_400  # rolling_duration, absolute_duration: 10 years
MAX_LEEWAY = 3600  # clock skew tolerated on ID and logout tokens, early token refresh
MAX_MFA_TOKEN_TTL = 86_400  # Auth0's raw mfa_token itself lives minutes
# Each whole-second option: its smallest and largest value.
_SECONDS_OPTIONS = {
    "leeway": (0, MAX_LEEWAY),
    "rolling_duration": (1, MAX_DURATION),
    "absolute_duration": (1, MAX_DURATION),
    "mfa_token_ttl": (1, MAX_MFA_TOKEN_TTL),
}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalize_domain(domain: str) -> str:
    """Turn a configured domain into a base URL without a trailing slash.

    ``tenant.eu.auth0.com`` and ``https://tenant.eu.auth0.com/`` both give
    ``https://tenant.eu.auth0.com``. Plain ``http://`` is accepted only for loopback hosts (a
    local emulated tenant); anything else must be HTTPS.

    Raises:
        ConfigurationError: the domain is empty, has a path, query or credentials, or asks for
            plain HTTP on a non-loopback host.
    """
    if not isinstance(domain, str) or not domain.strip():
        raise ConfigurationError("'domain' is required.")
    text = domain.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = split_url(text)
    if parts is None or parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError("'domain' must be a host name or an https:// base URL.")
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        raise ConfigurationError("'domain' must not carry a path, query or credentials.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError("plain http:// is allowed only for loopback hosts.")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _freeze(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only copy of ``authorization_params``.

    Raises:
        ConfigurationError: the value is neither a mapping nor None (``dict()`` of a str
            would fail with a ValueError, or turn pairs into parameters).
    """
    if value is not None and not isinstance(value, Mapping):
        raise ConfigurationError("'authorization_params' must be a mapping (a dict) or None.")
    return MappingProxyType(dict(value or {}))


def _secrets(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        raise ConfigurationError("'secret' is required (at least 32 characters).")
    items = (value,) if isinstance(value, str) else tuple(value)
    if not items:
        raise ConfigurationError("'secret' must contain at least one secret.")
    for item in items:
        if not isinstance(item, str) or len(item) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"every 'secret' must be a string of at least {MIN_SECRET_LENGTH} characters."
            )
    return items


@attrs.frozen(kw_only=True)
class ClientConfig:
    """Everything a flow needs to know about the application and its tenant.

    Build it with :func:`make_config`, which validates every value.
    """

    base_url: str
    client_id: str
    client_secret: str | None = attrs.field(default=None, repr=False)
    client_auth_method: ClientAuthMethod = "client_secret_basic"
    client_assertion_signing_key: AssertionKeyInput | None = attrs.field(
        default=None, repr=False, eq=False
    )
    client_assertion_signing_alg: str = "RS256"
    # The assertion key (docs/private-key-jwt.md): loaded and checked against
    # the algorithm at construction; its repr shows only the algorithm and the kid.
    client_assertion_kid: str | None = None
    client_assertion_key: AssertionKey | None = None
    secrets: tuple[str, ...] = attrs.field(repr=False)
    redirect_uri: str | None = None
    authorization_params: Mapping[str, Any] = attrs.field(factory=dict, converter=_freeze)
    pushed_authorization_requests: bool = False
    organization: str | None = None
    leeway: int = 60
    algorithms: tuple[str, ...] = ("RS256",)
    transaction_identifier: str = "_a0_tx"
    state_identifier: str = "_a0_session"
    transaction_lifetime: int = 600
    # Seconds a sealed mfa_token (MfaRequiredError) stays usable (docs/mfa.md).
    mfa_token_ttl: int = 300
    rolling_duration: int = 86_400
    absolute_duration: int = 259_200
    logout_strategy: LogoutStrategy = "auto"
    telemetry: bool = True
    # Retries of requests that are safe to repeat (GETs: discovery, JWKS, My Account reads),
    # docs/network.md: attempts in all (1: none) and the longest wait between two.
    retry_max_attempts: int = 3
    retry_max_wait: float = 5.0
    # docs/tokens.md: seconds an instance holds a session's refresh lock (a store with
    # locks) at most, so that a crashed holder cannot wedge the session; waiters wait a second
    # longer. The facade raises the default to its 'timeout': a refresh's exchange may last
    # that long, and the lock must outlive it.
    refresh_lock_ttl: float = 15.0
    # docs/standard-dialect.md: "auth0" (the default: Auth0's `audience`, /v2/logout, ...) or
    # "standard" (any OpenID Provider: RFC 8707 `resource`, RP-initiated logout with
    # id_token_hint and state, offline_access checked at login).
    dialect: Dialect = "auth0"
    # docs/standard-dialect.md: merge the userinfo endpoint's claims into the session's user
    # after the code exchange ("login"), and also after a refresh of the token that serves
    # the userinfo endpoint ("login_and_refresh"); in either dialect.
    fetch_userinfo: FetchUserinfo = "never"
    # The DPoP key (docs/dpop.md): None unless 'dpop' or 'dpop_key' was given. Its repr shows
    # only the algorithm and the public key's thumbprint.
    dpop: DPoPKey | None = None
    # Set by the facade when a logout_stamp_store is configured (docs/login.md).
    logout_stamps: bool = False
    # Set by the facade when an anonymous_store is configured (docs/anonymous-and-enterprise.md):
    # server_client.anonymous works, a login carries the anonymous session's transfer ticket.
    anonymous_sessions: bool = False
    # After a login, clear the anonymous session (when anonymous sessions are configured).
    clear_anonymous_session_on_login: bool = True
    # Enterprise Connect (docs/anonymous-and-enterprise.md): a login writes no session and
    # returns the verified user and tokens; the session and token calls are refused.
    enterprise_connect: bool = False
    # mTLS (RFC 8705, docs/mtls.md): the client authenticates with the certificate of
    # ssl_context (tls_client_auth) at the mtls_endpoint_aliases. ssl_context alone only
    # configures the transports' TLS (a private CA, say).
    use_mtls: bool = False
    # An ssl.SSLContext (typed Any: the core imports no transport module, ssl included).
    ssl_context: Any = attrs.field(default=None, repr=False, eq=False)
    env: Env = attrs.field(factory=Env)
    # Multiple Custom Domains (docs/custom-domains.md): the callable given as 'domain'. Then
    # base_url is "" here and set per call on the resolved domain's client.
    domain_resolver: Callable[..., Any] | None = attrs.field(default=None, repr=False)

    @property
    def domain(self) -> str:
        """The tenant host (with port when one was given)."""
        return urlsplit(self.base_url).netloc

    @property
    def cookie_secure(self) -> bool:
        """Whether cookies must be ``Secure``: everywhere but plain-HTTP loopback development."""
        return self.base_url.startswith("https://")


class ClientOptions(TypedDict, total=False):
    """The keyword arguments of ``ServerClient(...)`` that configure the client.

    Defaults are those of :class:`ClientConfig`; ``secret`` is one string or a list (the first
    encrypts, all decrypt). ``dpop=True`` generates a DPoP key (``dpop_alg``, ES256 by
    default); ``dpop_key`` supplies one (docs/dpop.md).
    """

    domain: Required[str | Callable[..., Any]]
    client_id: Required[str]
    client_secret: str | None
    secret: str | Sequence[str]
    client_assertion_signing_key: AssertionKeyInput | None
    client_assertion_signing_alg: str | None
    client_assertion_kid: str | None
    client_auth_method: ClientAuthMethod
    redirect_uri: str | None
    authorization_params: Mapping[str, Any] | None
    pushed_authorization_requests: bool
    organization: str | None
    transaction_identifier: str
    state_identifier: str
    leeway: int
    algorithms: Sequence[str]
    mfa_token_ttl: int
    rolling_duration: int
    absolute_duration: int
    logout_strategy: LogoutStrategy
    telemetry: bool
    retry_max_attempts: int
    retry_max_wait: float
    refresh_lock_ttl: float
    dialect: Dialect
    fetch_userinfo: FetchUserinfo
    dpop: bool
    dpop_key: DPoPKeyInput | None
    dpop_alg: str | None
    use_mtls: bool
    ssl_context: Any  # an ssl.SSLContext
    env: Env | None
    enterprise_connect: bool
    clear_anonymous_session_on_login: bool


# Options that make_config converts before they become ClientConfig fields.
_CONVERTED = frozenset(
    {
        "domain",
        "secret",
        "algorithms",
        "env",
        "client_auth_method",
        "dpop",
        "dpop_key",
        "dpop_alg",
        "client_assertion_signing_alg",
    }
)


def _dpop_key(options: ClientOptions, env: Env) -> DPoPKey | None:
    """The DPoP key the options ask for: ``dpop_key`` loaded, or with ``dpop=True`` a new
    one (``dpop_alg``, ES256 by default); None when DPoP is off."""
    enabled = options.get("dpop")
    key = options.get("dpop_key")
    alg = options.get("dpop_alg")
    if enabled is not None and not isinstance(enabled, bool):
        raise ConfigurationError("'dpop' must be True or False.")
    if alg is not None and not isinstance(alg, str):
        raise ConfigurationError("'dpop_alg' must be a string.")
    if key is not None:
        if enabled is False:
            raise ConfigurationError("'dpop' is False but a 'dpop_key' was given.")
        return load_dpop_key(key, alg)
    if enabled:
        return generate_dpop_key(env, alg or DEFAULT_ALGORITHM)
    if alg is not None:
        raise ConfigurationError("'dpop_alg' needs 'dpop=True' or a 'dpop_key'.")
    return None


def _assertion_alg(options: ClientOptions) -> str:
    # None means the default, as in the official SDK (``client_assertion_signing_alg=None``).
    alg = options.get("client_assertion_signing_alg")
    if alg is not None:
        return alg
    if options.get("client_auth_method") == "client_secret_jwt":
        return SECRET_JWT_DEFAULT
    return "RS256"


def _assertion_key(options: ClientOptions) -> AssertionKey | None:
    """The ``private_key_jwt`` key, loaded and checked against its algorithm; None without
    ``client_assertion_signing_key``."""
    key = options.get("client_assertion_signing_key")
    alg = _assertion_alg(options)
    kid = options.get("client_assertion_kid")
    if key is not None and options.get("client_auth_method") == "client_secret_jwt":
        raise ConfigurationError(
            "client_secret_jwt signs with the client secret: leave "
            "'client_assertion_signing_key' out (or use private_key_jwt)."
        )
    if key is None or (isinstance(key, str | bytes) and not key):
        if kid is not None:
            raise ConfigurationError("'client_assertion_kid' needs 'client_assertion_signing_key'.")
        return None
    # Auth0 knows a credential by the kid it generated itself, so a kid of our own making (the
    # thumbprint) could name no credential there: only a given kid is sent to Auth0.
    standard = options.get("dialect", "auth0") == "standard"
    return load_assertion_key(key, alg, kid, thumbprint_kid=standard)


def _env(value: object) -> Env:
    """The ``env`` option: an :class:`Env`, a new one for None.

    Raises:
        ConfigurationError: anything else (the facade reads its clock right away).
    """
    if value is None:
        return Env()
    if not isinstance(value, Env):
        raise ConfigurationError(
            f"'env' must be an auth0_core.Env or None, not {type(value).__name__}."
        )
    return value


def make_config(**options: Unpack[ClientOptions]) -> ClientConfig:
    """Validate the keyword arguments of ``ServerClient(...)`` into a :class:`ClientConfig`.

    Raises:
        ConfigurationError: a required value is missing, an option is unknown, or a value is
            invalid.
    """
    unknown = sorted(set(options) - set(ClientOptions.__annotations__))
    if unknown:
        raise ConfigurationError(f"unknown option(s): {', '.join(unknown)}.")
    client_id = options.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise ConfigurationError("'client_id' is required.")
    method = options.get("client_auth_method") or (
        "private_key_jwt" if options.get("client_assertion_signing_key") else "client_secret_basic"
    )
    if options.get("use_mtls") is True and not options.get("client_auth_method"):
        method = "tls_client_auth"
    env = _env(options.get("env"))
    dpop = _dpop_key(options, env)  # outside the try: its errors never quote a value
    assertion_key = _assertion_key(options)  # the same
    domain = options.get("domain", "")  # a callable: a domain resolver (docs/custom-domains.md)
    try:
        config = ClientConfig(
            base_url="" if callable(domain) else normalize_domain(domain),
            domain_resolver=domain if callable(domain) else None,
            secrets=_secrets(options.get("secret")),
            algorithms=algorithm_tuple(options.get("algorithms", ("RS256",))),
            env=env,
            client_auth_method=method,
            dpop=dpop,
            client_assertion_key=assertion_key,
            client_assertion_signing_alg=_assertion_alg(options),
            **{k: v for k, v in options.items() if k not in _CONVERTED},  # type: ignore[arg-type]
        )
    except TypeError as exc:  # a value of the wrong type reached attrs
        raise ConfigurationError(f"invalid configuration: {exc}") from None
    _validate(config)
    return config


def _validate_mtls(config: ClientConfig) -> None:
    """``use_mtls`` and ``ssl_context`` (docs/mtls.md): the certificate is the only credential,
    as in the official SDK, so a secret, an assertion key or DPoP alongside is refused."""
    context = config.ssl_context
    if not isinstance(config.use_mtls, bool):
        raise ConfigurationError("'use_mtls' must be True or False.")
    # Duck-typed: the core imports no transport module, ssl included.
    if context is not None and not all(
        callable(getattr(context, name, None)) for name in ("wrap_socket", "load_cert_chain")
    ):
        raise ConfigurationError("'ssl_context' must be an ssl.SSLContext.")
    if not config.use_mtls:
        if config.client_auth_method == "tls_client_auth":
            raise ConfigurationError("tls_client_auth needs 'use_mtls=True' and 'ssl_context'.")
        return
    if config.client_auth_method != "tls_client_auth":
        raise ConfigurationError(
            "use_mtls authenticates the client with its certificate (tls_client_auth); "
            "leave 'client_auth_method' out."
        )
    if context is None:
        raise ConfigurationError(
            "use_mtls=True needs 'ssl_context': an ssl.SSLContext with the client "
            "certificate loaded (load_cert_chain)."
        )
    if config.client_secret or config.client_assertion_signing_key:
        raise ConfigurationError(
            "use_mtls cannot be combined with 'client_secret' or "
            "'client_assertion_signing_key': the certificate is the client's only credential."
        )
    if config.dpop is not None:
        raise ConfigurationError(
            "use_mtls cannot be combined with DPoP: each binds tokens its own way."
        )
    if config.base_url.startswith("http://"):
        raise ConfigurationError("use_mtls needs an https:// domain.")


def _validate(config: ClientConfig) -> None:
    method = config.client_auth_method
    _validate_client_secret(config.client_secret)
    _validate_mtls(config)
    _validate_retry(config)
    if method == "private_key_jwt":
        if not config.client_assertion_signing_key:
            raise ConfigurationError("private_key_jwt needs 'client_assertion_signing_key'.")
    elif method in ("client_secret_basic", "client_secret_post"):
        if not config.client_secret:
            raise ConfigurationError(
                "'client_secret' or 'client_assertion_signing_key' is required."
            )
    elif method == "client_secret_jwt":
        _validate_secret_jwt(config)
    elif method != "tls_client_auth":
        # Never echoed: the value may be anything, a megabyte long or a secret put in by mistake.
        raise ConfigurationError(
            f"'client_auth_method' must be one of {', '.join(get_args(ClientAuthMethod))}."
        )
    if (
        method != "client_secret_jwt"
        and config.client_assertion_signing_alg not in SUPPORTED_ASSERTION_ALGORITHMS
    ):
        raise ConfigurationError(
            "'client_assertion_signing_alg' must be one of "
            f"{', '.join(SUPPORTED_ASSERTION_ALGORITHMS)}."
        )
    check_algorithms(config.algorithms, config.client_secret)
    _validate_seconds(config)
    organization = config.organization
    if organization is not None and (not isinstance(organization, str) or not organization.strip()):
        raise ConfigurationError("'organization' must be a non-blank string or None.")
    if config.logout_strategy not in ("auto", "v2", "oidc"):
        raise ConfigurationError("'logout_strategy' must be 'auto', 'v2' or 'oidc'.")
    _validate_dialect(config)
    for flag in (
        "enterprise_connect",
        "clear_anonymous_session_on_login",
        "telemetry",
        "pushed_authorization_requests",
    ):
        if not isinstance(getattr(config, flag), bool):
            raise ConfigurationError(f"'{flag}' must be True or False.")
    for name in ("state_identifier", "transaction_identifier"):
        # A store key and, for the cookie stores, a cookie name: an HTTP token.
        value = getattr(config, name)
        if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
            raise ConfigurationError(
                f"'{name}' must be a cookie name: 1 to 128 letters, digits or !#$%&'*+-.^_`|~."
            )


def _validate_client_secret(secret: object) -> None:
    """``client_secret``: None or text that encodes as UTF-8 (it is sent in a header or a
    form, or keys an HMAC).

    Raises:
        ConfigurationError: another type, or a str with a lone surrogate.
    """
    if secret is None:
        return
    if isinstance(secret, str):
        try:
            secret.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            pass
        else:
            return
    raise ConfigurationError("'client_secret' must be a string of UTF-8 text, or None.")


def _validate_secret_jwt(config: ClientConfig) -> None:
    """``client_secret_jwt`` (docs/private-key-jwt.md): the standard dialect only, an HMAC
    algorithm, and a secret at least as long as its hash (RFC 7518 §3.2)."""
    if config.dialect != "standard":
        raise ConfigurationError(
            "Auth0 has no client_secret_jwt: use 'client_secret_basic' or "
            "'client_secret_post' (or private_key_jwt), or dialect='standard' for another "
            "OpenID Provider."
        )
    alg = config.client_assertion_signing_alg
    if alg not in SECRET_JWT_ALGORITHMS:
        raise ConfigurationError(
            "client_secret_jwt signs with 'client_assertion_signing_alg' "
            f"{', '.join(SECRET_JWT_ALGORITHMS)}."
        )
    shortest = SECRET_JWT_ALGORITHMS[alg][1]
    if not config.client_secret or len(config.client_secret.encode("utf-8")) < shortest:
        raise ConfigurationError(
            f"client_secret_jwt with {alg} needs a 'client_secret' of at least {shortest} "
            "bytes (RFC 7518 section 3.2)."
        )


def _validate_dialect(config: ClientConfig) -> None:
    """``dialect`` and ``fetch_userinfo`` (docs/standard-dialect.md)."""
    if config.dialect not in ("auth0", "standard"):
        raise ConfigurationError("'dialect' must be 'auth0' or 'standard'.")
    if config.fetch_userinfo not in ("never", "login", "login_and_refresh"):
        raise ConfigurationError(
            "'fetch_userinfo' must be 'never', 'login' or 'login_and_refresh'."
        )
    if config.dialect == "standard" and config.logout_strategy == "v2":
        raise ConfigurationError(
            "logout_strategy='v2' is Auth0's /v2/logout: the standard dialect logs out at "
            "the server's 'end_session_endpoint' (use 'auto' or 'oidc')."
        )


def _validate_seconds(config: ClientConfig) -> None:
    """``leeway``, the session durations and ``mfa_token_ttl``: whole seconds within bounds.

    A float (nan above all: every comparison with it is false) or a bool would pass a plain
    ``<= 0`` and misbehave later: a nan ``absolute_duration`` never persists a session, a nan
    ``rolling_duration`` never ends one, a float ``leeway`` fails every login.

    Raises:
        ConfigurationError: a value that is not an int (bool excluded) within its bounds.
    """
    for name, (low, high) in _SECONDS_OPTIONS.items():
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigurationError(
                f"'{name}' must be a whole number of seconds from {low} to {high}."
            )


def _validate_retry(config: ClientConfig) -> None:
    attempts, wait = config.retry_max_attempts, config.retry_max_wait
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 10:
        raise ConfigurationError("'retry_max_attempts' must be a whole number from 1 to 10.")
    if isinstance(wait, bool) or not isinstance(wait, int | float) or not 0 <= wait <= 60:
        raise ConfigurationError("'retry_max_wait' must be a number of seconds from 0 to 60.")
    ttl = config.refresh_lock_ttl
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 1 <= ttl <= 3600:
        raise ConfigurationError("'refresh_lock_ttl' must be a number of seconds from 1 to 3600.")
