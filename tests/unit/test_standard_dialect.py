"""The standard dialect beside Auth0's (docs/standard-dialect.md), driven through the pure
flows: RFC 8707 ``resource`` on the wire, audience safety in both dialects, userinfo merged
after checking ``sub``, RP-initiated logout, and the offline_access check at login.

The emulated tenant answers what it models; where a test needs an answer it does not give (an
opaque token, another user's userinfo, a server without an endpoint), ``Driver.intercept``
fabricates that one answer and every other request still reaches the tenant.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from auth0_core import Env, FixedClock, HttpRequest, HttpResponse
from auth0_core._audience import check_audience
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._http import json_response, parse_form
from auth0_core.effects import Effect, Flow, SharedRequest, StoreDelete, StoreGet, StoreSet, run
from auth0_core.endpoints.authentication.discovery import ServerMetadata
from auth0_core.endpoints.authentication.token import (
    TokenResponse,
    prepare_authorization_code_request,
    prepare_client_credentials_request,
    prepare_refresh_token_request,
    process_token_response,
)
from auth0_core.endpoints.authentication.userinfo import process_userinfo_response
from auth0_core.errors import (
    AccessTokenError,
    ConfigurationError,
    InvalidArgumentError,
    InvalidGrantError,
    InvalidResponse,
    OAuthError,
    UserInfoError,
)
from auth0_core.flows.client_credentials import client_credentials_flow
from auth0_core.flows.login import complete_login_flow, start_login_flow
from auth0_core.flows.session import logout_flow
from auth0_core.flows.stateless import get_token_by_refresh_token_flow
from auth0_core.flows.tokens import get_access_token_flow
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow

BASE = "https://tenant.example"
TOKEN_URL = f"{BASE}/oauth/token"
USERINFO_URL = f"{BASE}/userinfo"
API = "https://api.example.com"
OTHER_API = "https://other.example.com"
START = 1_800_000_000
DAY = 86_400
CALLBACK = "http://127.0.0.1:3000/auth/callback"
CONSENT = {"prompt": "consent"}
OPAQUE = "opaque-access-token-0123456789"
ROTATED = "rotated-refresh-token-0123456789"

Intercept = Callable[[HttpRequest], HttpResponse | None]


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned compact JWT (the SDK only reads an access token's payload)."""

    def part(value: dict[str, Any]) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'typ': 'at+jwt'})}.{part(claims)}.c2lnbmF0dXJl"


def payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def form(request: HttpRequest) -> dict[str, str]:
    return {key: values[0] for key, values in parse_form(request.body).items()}


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


class Driver:
    """Performs a flow's effects: HTTP to the tenant (``intercept`` first), stores in dicts."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.requests: list[HttpRequest] = []
        self.store: dict[tuple[str, str], dict[str, Any]] = {}
        self.writes: list[tuple[str, str]] = []
        self.intercept: Intercept = lambda request: None

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return self.intercept(request) or self.tenant.handle(request)

    def browser(self, request: HttpRequest) -> HttpResponse:
        return self.tenant.handle(request)  # the user's browser, not the app

    def perform(self, effect: Effect) -> object:
        if isinstance(effect, SharedRequest):
            return self.send(effect.request)
        if isinstance(effect, HttpRequest):
            return self.send(effect)
        if isinstance(effect, StoreGet):
            return self.store.get((effect.store, effect.identifier))
        if isinstance(effect, StoreSet):
            self.writes.append((effect.store, effect.identifier))
            self.store[(effect.store, effect.identifier)] = json.loads(json.dumps(effect.value))
            return None
        if isinstance(effect, StoreDelete):
            self.store.pop((effect.store, effect.identifier), None)
            return None
        return ""  # a lock: none kept

    def run(self, flow: Flow[Any]) -> Any:
        return run(flow, self.perform)

    def sent_to(self, url: str) -> list[HttpRequest]:
        return [r for r in self.requests if r.url.split("?")[0] == url]

    @property
    def session(self) -> dict[str, Any] | None:
        return self.store.get(("state", "_a0_session"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def tenant(clock: FixedClock) -> Tenant:
    return Tenant(TenantConfig.default(), base_url=BASE, env=Env(clock=clock))


@pytest.fixture
def driver(tenant: Tenant) -> Driver:
    return Driver(tenant)


def rotating_tenant(clock: FixedClock) -> Tenant:
    """A tenant whose refresh tokens rotate: a spent one is refused (and revokes the family)."""
    config = TenantConfig.default()
    client = config.clients[0]
    rotating = attrs.evolve(client.refresh_token, rotation_type="rotating")
    config = attrs.evolve(config, clients=(attrs.evolve(client, refresh_token=rotating),))
    return Tenant(config, base_url=BASE, env=Env(clock=clock))


def core(clock: FixedClock, **options: Any) -> CoreClient:
    values: dict[str, Any] = {
        "domain": BASE,
        "client_id": "demo-client",
        "client_secret": "demo-client-secret-please-change-0123456789",
        "secret": "a-session-secret-of-at-least-32-characters",
        "authorization_params": {"redirect_uri": CALLBACK},
        "env": Env(clock=clock),
    }
    values.update(options)
    return CoreClient(make_config(**values))


def login(driver: Driver, client: CoreClient, **params: str) -> Any:
    """Start a login with ``params``, log alice in at the tenant, complete it."""
    url = driver.run(start_login_flow(client, {"authorization_params": params}, None))
    flow = browser_login_flow(url, "alice@example.com", "alice-password")
    callback = run(flow, lambda effect: driver.browser(effect))  # type: ignore[arg-type]
    return driver.run(complete_login_flow(client, str(callback), None))


def token_answer(**members: Any) -> HttpResponse:
    return json_response(200, {"token_type": "Bearer", "expires_in": 3600, **members})


def answer_token_once(driver: Driver, response: HttpResponse, grant: str) -> None:
    """Fabricate the next answer of the token endpoint to ``grant``."""
    used: list[bool] = []

    def intercept(request: HttpRequest) -> HttpResponse | None:
        if request.url == TOKEN_URL and form(request).get("grant_type") == grant and not used:
            used.append(True)
            return response
        return None

    driver.intercept = intercept


METADATA = ServerMetadata(
    issuer=f"{BASE}/",
    authorization_endpoint=f"{BASE}/authorize",
    token_endpoint=TOKEN_URL,
    jwks_uri=f"{BASE}/.well-known/jwks.json",
)


# --- configuration ------------------------------------------------------------------------------


def test_auth0_is_the_default_dialect_and_userinfo_is_off(clock: FixedClock) -> None:
    config = core(clock).config
    assert (config.dialect, config.fetch_userinfo) == ("auth0", "never")


@pytest.mark.parametrize(
    "options",
    [
        {"dialect": "oidc"},
        {"fetch_userinfo": True},
        {"fetch_userinfo": "always"},
        {"dialect": "standard", "logout_strategy": "v2"},
    ],
)
def test_bad_dialect_options_are_configuration_errors(
    clock: FixedClock, options: dict[str, Any]
) -> None:
    with pytest.raises(ConfigurationError):
        core(clock, **options)


# --- the wire: resource instead of audience -----------------------------------------------------


def test_token_requests_name_the_api_per_dialect(clock: FixedClock) -> None:
    for dialect, name, other in (
        ("auth0", "audience", "resource"),
        ("standard", "resource", "audience"),
    ):
        config = core(clock, dialect=dialect).config
        refresh = form(
            prepare_refresh_token_request(
                config, METADATA, refresh_token="rt", audience=API, scope="read"
            )
        )
        credentials = form(
            prepare_client_credentials_request(config, METADATA, audience=API, organization=None)
        )
        for fields in (refresh, credentials):
            assert fields[name] == API
            assert other not in fields
    code = prepare_authorization_code_request(
        core(clock, dialect="standard").config,
        METADATA,
        code="c",
        redirect_uri=CALLBACK,
        code_verifier="v" * 43,
        resource=API,
    )
    assert form(code)["resource"] == API
    plain = prepare_authorization_code_request(
        core(clock).config, METADATA, code="c", redirect_uri=CALLBACK, code_verifier="v" * 43
    )
    assert "resource" not in form(plain)
    assert "audience" not in form(plain)


def test_standard_authorize_url_sends_resource_not_audience(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard")
    url = driver.run(
        start_login_flow(
            client, {"authorization_params": {"audience": API, "scope": "openid"}}, None
        )
    )
    sent = query(url)
    assert sent["resource"] == API
    assert "audience" not in sent
    (transaction,) = [v for (kind, _), v in driver.store.items() if kind == "transaction"]
    assert transaction["audience"] == API
    # Auth0's dialect is unchanged.
    url = driver.run(
        start_login_flow(core(clock), {"authorization_params": {"audience": API}}, None)
    )
    assert query(url)["audience"] == API
    assert "resource" not in query(url)


def test_standard_par_pushes_resource(driver: Driver, clock: FixedClock) -> None:
    client = core(clock, dialect="standard", pushed_authorization_requests=True)
    url = driver.run(
        start_login_flow(
            client, {"authorization_params": {"resource": API, "scope": "openid"}}, None
        )
    )
    (pushed,) = driver.sent_to(f"{BASE}/oauth/par")
    assert form(pushed)["resource"] == API
    assert "audience" not in form(pushed)
    assert set(query(url)) == {"client_id", "request_uri"}


def test_more_resources_are_repeated_parameters(driver: Driver, clock: FixedClock) -> None:
    """RFC 8707 §2.1: the login's API (``audience``) and more APIs (``resource``, a list) go
    as one ``resource`` parameter each, at /authorize and in the pushed request."""
    pushed = json_response(201, {"request_uri": "urn:ietf:params:oauth:request_uri:x"})
    # The emulated tenant speaks Auth0's dialect, which refuses a repeated parameter.
    driver.intercept = lambda request: pushed if request.url.endswith("/oauth/par") else None
    for par in (False, True):
        client = core(clock, dialect="standard", pushed_authorization_requests=par)
        params = {"audience": API, "resource": [OTHER_API, API], "scope": "openid"}
        url = driver.run(start_login_flow(client, {"authorization_params": params}, None))
        if par:
            sent = parse_qs(driver.sent_to(f"{BASE}/oauth/par")[-1].body.decode())
        else:
            sent = parse_qs(urlsplit(url).query)
        assert sent["resource"] == [API, OTHER_API]
        assert "audience" not in sent
    transactions = [v for (kind, _), v in driver.store.items() if kind == "transaction"]
    assert {t["audience"] for t in transactions} == {API}
    several = {"resource": [API, OTHER_API], "scope": "openid"}
    driver.run(
        start_login_flow(core(clock, dialect="standard"), {"authorization_params": several}, None)
    )
    newest = [v for (kind, _), v in driver.store.items() if kind == "transaction"][-1]
    assert newest["audience"] is None  # several APIs: the login's token is the default one
    with pytest.raises(InvalidArgumentError):
        driver.run(
            start_login_flow(
                core(clock, dialect="standard"),
                {"authorization_params": {"resource": [API, 3]}},
                None,
            )
        )
    with pytest.raises(InvalidArgumentError):  # Auth0's dialect takes no list
        driver.run(start_login_flow(core(clock), {"authorization_params": several}, None))


# --- offline_access at login ----------------------------------------------------------------------


def test_offline_access_without_consent_fails_at_login_start(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard")
    with pytest.raises(ConfigurationError) as info:
        driver.run(start_login_flow(client, None, None))  # the default scope has it
    assert "prompt=consent" in str(info.value)
    assert driver.writes == []  # no transaction: the browser never leaves
    url = driver.run(start_login_flow(client, {"authorization_params": CONSENT}, None))
    assert "offline_access" in query(url)["scope"].split()
    assert query(url)["prompt"] == "consent"
    # Without offline_access nothing is asked; Auth0's dialect never asks.
    driver.run(start_login_flow(client, {"authorization_params": {"scope": "openid"}}, None))
    driver.run(start_login_flow(core(clock), None, None))


def test_offline_access_the_server_does_not_list_fails_even_with_consent(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    def without_offline_access(request: HttpRequest) -> HttpResponse | None:
        if request.url.endswith("/.well-known/openid-configuration"):
            document = tenant.handle(request).json_object()
            document["scopes_supported"] = ["openid", "profile", "email"]
            return json_response(200, document)
        return None

    driver.intercept = without_offline_access
    client = core(clock, dialect="standard")
    with pytest.raises(ConfigurationError) as info:
        driver.run(start_login_flow(client, {"authorization_params": CONSENT}, None))
    assert "scopes_supported" in str(info.value)


# --- audience safety ----------------------------------------------------------------------------


def tokens(access_token: str, **members: Any) -> TokenResponse:
    return process_token_response(token_answer(access_token=access_token, **members))


@pytest.mark.parametrize("dialect", ["auth0", "standard"])
def test_audience_check(clock: FixedClock, dialect: str) -> None:
    config = core(clock, dialect=dialect).config
    check_audience(config, API, tokens(jwt({"aud": API})))
    check_audience(config, API, tokens(jwt({"aud": [API, f"{BASE}/userinfo"]})))
    check_audience(config, None, tokens(OPAQUE))  # nothing asked, nothing checked
    check_audience(config, API, tokens(OPAQUE, resource=API))  # the answer says so
    check_audience(config, API, tokens(OPAQUE, aud=[API]))
    check_audience(config, API, tokens(OPAQUE), unreadable_ok=True)
    refused = [
        tokens(jwt({"aud": OTHER_API})),
        tokens(jwt({"aud": [OTHER_API]}), resource=API),  # a JWT's aud wins
        tokens(jwt({"sub": "no-aud"})),
        tokens(OPAQUE),
        tokens(OPAQUE, resource=OTHER_API),
        tokens("a.b.c.d.e"),  # an encrypted token cannot be read
    ]
    for answer in refused:
        with pytest.raises(AccessTokenError) as info:
            check_audience(config, API, answer)
        assert info.value.code == "incorrect_audience"
        assert API in str(info.value)
        assert answer.access_token not in str(info.value) + repr(info.value)


def logged_in(driver: Driver, client: CoreClient) -> dict[str, Any]:
    login(driver, client, **CONSENT)
    session = driver.session
    assert session is not None
    assert session["refresh_token"]
    return session


@pytest.mark.parametrize("dialect", ["auth0", "standard"])
def test_an_opaque_token_for_an_api_is_refused_nothing_cached_refresh_token_kept(
    driver: Driver, clock: FixedClock, dialect: str
) -> None:
    client = core(clock, dialect=dialect)
    before = logged_in(driver, client)
    answer_token_once(
        driver, token_answer(access_token=OPAQUE, refresh_token=ROTATED), "refresh_token"
    )
    with pytest.raises(AccessTokenError) as info:
        driver.run(get_access_token_flow(client, {"audience": API}, None))
    assert info.value.code == "incorrect_audience"
    assert OPAQUE not in repr(info.value)
    assert ROTATED not in str(info.value)
    (refresh,) = driver.sent_to(TOKEN_URL)[1:]
    name = "resource" if dialect == "standard" else "audience"
    assert form(refresh)[name] == API
    after = driver.session
    assert after is not None
    assert [s["audience"] for s in after["token_sets"]] == ["default"]
    assert after["refresh_token"] == ROTATED  # the spent one replaced, not lost
    assert after["token_sets"] == before["token_sets"]


def test_a_refused_answer_without_rotation_leaves_the_session_untouched(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock)
    before = logged_in(driver, client)
    writes = len(driver.writes)
    answer_token_once(driver, token_answer(access_token=jwt({"aud": OTHER_API})), "refresh_token")
    with pytest.raises(AccessTokenError):
        driver.run(get_access_token_flow(client, {"audience": API}, None))
    assert len(driver.writes) == writes
    assert driver.session == before


def test_standard_a_token_the_answer_names_for_the_resource_is_cached(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard")
    logged_in(driver, client)
    answer_token_once(
        driver,
        token_answer(access_token=OPAQUE, resource=API, refresh_token=ROTATED),
        "refresh_token",
    )
    assert driver.run(get_access_token_flow(client, {"audience": API}, None)) == OPAQUE
    session = driver.session
    assert session is not None
    assert session["refresh_token"] == ROTATED
    assert driver.run(get_access_token_flow(client, {"audience": API}, None)) == OPAQUE
    assert len(driver.sent_to(TOKEN_URL)) == 2  # the code exchange and one refresh


def test_a_login_token_not_for_the_login_audience_writes_no_session(
    driver: Driver, clock: FixedClock
) -> None:
    def for_another_api(request: HttpRequest) -> HttpResponse | None:
        # The tenant's real answer (a valid ID token), its access token for another API.
        if request.url == TOKEN_URL and form(request)["grant_type"] == "authorization_code":
            answer = driver.tenant.handle(request).json_object()
            return json_response(200, {**answer, "access_token": jwt({"aud": OTHER_API})})
        return None

    driver.intercept = for_another_api
    with pytest.raises(AccessTokenError) as info:
        login(driver, core(clock), audience=API)
    assert info.value.code == "incorrect_audience"
    assert driver.session is None


def test_a_login_for_an_audience_checks_its_token(driver: Driver, clock: FixedClock) -> None:
    client = core(clock)
    login(driver, client, audience=API)
    session = driver.session
    assert session is not None
    (token_set,) = session["token_sets"]
    assert token_set["audience"] == API
    assert API in payload(token_set["access_token"])["aud"]


@pytest.mark.parametrize("dialect", ["auth0", "standard"])
def test_client_credentials_name_the_api_and_check_the_token(
    driver: Driver, clock: FixedClock, dialect: str
) -> None:
    client = core(clock, dialect=dialect)
    answer_token_once(driver, token_answer(access_token=OPAQUE), "client_credentials")
    if dialect == "standard":
        with pytest.raises(AccessTokenError):
            driver.run(client_credentials_flow(client, API))
        assert client.client_credentials_cache == {}
    else:  # Auth0 answers this grant for the audience asked, or refuses: no fallback
        assert driver.run(client_credentials_flow(client, API)) == OPAQUE
    (sent,) = driver.sent_to(TOKEN_URL)
    name = "resource" if dialect == "standard" else "audience"
    assert form(sent)[name] == API
    answer_token_once(
        driver, token_answer(access_token=jwt({"aud": OTHER_API})), "client_credentials"
    )
    with pytest.raises(AccessTokenError):
        driver.run(client_credentials_flow(client, OTHER_API + "/x"))


# --- userinfo ------------------------------------------------------------------------------------


def strip_profile(tenant: Tenant) -> None:
    """ID tokens with ``sub`` and the protocol claims only (as §5.4 allows in the code flow)."""
    profile = {"name", "nickname", "email", "email_verified", "picture", "updated_at"}
    tenant.id_token_hook = lambda claims, header: (
        {k: v for k, v in claims.items() if k not in profile},
        header,
    )


def answer_userinfo(driver: Driver, tenant: Tenant, **changes: Any) -> None:
    """The tenant's userinfo answer with ``changes`` applied."""

    def intercept(request: HttpRequest) -> HttpResponse | None:
        if request.url == USERINFO_URL:
            claims = tenant.handle(request).json_object()
            return json_response(200, {**claims, **changes})
        return None

    driver.intercept = intercept


def test_userinfo_is_off_by_default(driver: Driver, clock: FixedClock, tenant: Tenant) -> None:
    strip_profile(tenant)
    login(driver, core(clock))
    assert driver.sent_to(USERINFO_URL) == []
    session = driver.session
    assert session is not None
    assert "email" not in session["user"]


def test_userinfo_claims_are_merged_after_login(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    strip_profile(tenant)
    login(driver, core(clock, fetch_userinfo="login"))
    (request,) = driver.sent_to(USERINFO_URL)
    assert (request.header("authorization") or "").startswith("Bearer ")
    session = driver.session
    assert session is not None
    user = session["user"]
    assert (user["sub"], user["email"], user["name"]) == (
        "auth0|alice",
        "alice@example.com",
        "Alice Example",
    )
    assert user["iss"] == f"{BASE}/"
    assert "sid" in user


def test_userinfo_wins_for_profile_claims_never_for_the_id_tokens_own(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    answer_userinfo(
        driver,
        tenant,
        name="Alice Renamed",
        iss="https://evil.example/",
        aud="someone-else",
        sid="forged",
        org_id="org_forged",
        session_expiry=START + 5,
        nonce="n",
    )
    login(driver, core(clock, fetch_userinfo="login"))
    session = driver.session
    assert session is not None
    user = session["user"]
    assert user["name"] == "Alice Renamed"
    assert user["iss"] == f"{BASE}/"
    assert user["aud"] == "demo-client"
    assert user["sid"] != "forged"
    assert "org_id" not in user
    assert "session_expiry" not in user
    assert "nonce" not in user
    assert session["internal"]["session_expires_at"] is None


def test_userinfo_for_another_user_writes_no_session(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    answer_userinfo(driver, tenant, sub="auth0|mallory", email="mallory@example.com")
    with pytest.raises(UserInfoError) as info:
        login(driver, core(clock, fetch_userinfo="login"))
    assert info.value.claim == "sub"
    assert info.value.code == "userinfo_error"
    assert driver.session is None


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            HttpResponse(
                status=401,
                headers=(
                    ("WWW-Authenticate", 'Bearer error="invalid_token", error_description="gone"'),
                ),
            ),
            OAuthError,
        ),
        (json_response(200, {"email": "x@example.com"}), InvalidResponse),
        (
            HttpResponse(status=200, headers=(("Content-Type", "application/jwt"),), body=b"a.b.c"),
            InvalidResponse,
        ),
        (HttpResponse(status=502, body=b"<html>bad gateway</html>"), InvalidResponse),
    ],
)
def test_a_failed_userinfo_call_writes_no_session(
    driver: Driver, clock: FixedClock, answer: HttpResponse, error: type[Exception]
) -> None:
    driver.intercept = lambda request: answer if request.url == USERINFO_URL else None
    with pytest.raises(error):
        login(driver, core(clock, fetch_userinfo="login"))
    assert driver.session is None


def test_process_userinfo_response_reads_the_challenge() -> None:
    with pytest.raises(OAuthError) as info:
        process_userinfo_response(
            HttpResponse(
                status=401,
                headers=(
                    ("WWW-Authenticate", 'DPoP error="invalid_token", error_description="expired"'),
                ),
            )
        )
    assert (info.value.error, info.value.error_description, info.value.status) == (
        "invalid_token",
        "expired",
        401,
    )
    with pytest.raises(OAuthError) as info:
        process_userinfo_response(HttpResponse(status=403))
    assert info.value.error == "invalid_token"
    assert process_userinfo_response(json_response(200, {"sub": "s", "x": 1})) == {
        "sub": "s",
        "x": 1,
    }


def test_a_server_without_userinfo_endpoint_is_a_configuration_error(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    def without_userinfo(request: HttpRequest) -> HttpResponse | None:
        if request.url.endswith("/.well-known/openid-configuration"):
            document = tenant.handle(request).json_object()
            del document["userinfo_endpoint"]
            return json_response(200, document)
        return None

    driver.intercept = without_userinfo
    with pytest.raises(ConfigurationError):
        login(driver, core(clock, fetch_userinfo="login"))
    assert driver.session is None


def test_login_and_refresh_merges_userinfo_again_on_refresh(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    client = core(clock, fetch_userinfo="login_and_refresh")
    logged_in(driver, client)
    answer_userinfo(driver, tenant, name="Alice Later", locale="fr")
    clock.advance(DAY - 59)
    driver.run(get_access_token_flow(client, None, None))
    assert len(driver.sent_to(USERINFO_URL)) == 2
    session = driver.session
    assert session is not None
    assert (session["user"]["name"], session["user"]["locale"]) == ("Alice Later", "fr")
    # A token for another API serves no userinfo call.
    driver.run(get_access_token_flow(client, {"audience": API}, None))
    assert len(driver.sent_to(USERINFO_URL)) == 2


def test_login_mode_keeps_userinfo_claims_across_a_refresh(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    strip_profile(tenant)
    client = core(clock, fetch_userinfo="login")
    logged_in(driver, client)
    clock.advance(DAY - 59)
    driver.run(get_access_token_flow(client, None, None))  # brings a new ID token
    assert len(driver.sent_to(USERINFO_URL)) == 1
    session = driver.session
    assert session is not None
    assert session["user"]["email"] == "alice@example.com"


def test_userinfo_for_another_user_on_refresh_keeps_the_session(
    driver: Driver, clock: FixedClock, tenant: Tenant
) -> None:
    client = core(clock, fetch_userinfo="login_and_refresh")
    before = logged_in(driver, client)
    answer_userinfo(driver, tenant, sub="auth0|mallory")
    clock.advance(DAY - 59)
    with pytest.raises(UserInfoError):
        driver.run(get_access_token_flow(client, None, None))
    session = driver.session
    assert session is not None
    assert session["token_sets"] == before["token_sets"]


def test_standard_userinfo_login_exchanges_the_code_without_resource(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard", fetch_userinfo="login")
    login(driver, client, audience=API, scope="openid profile")
    exchange = driver.sent_to(TOKEN_URL)[0]
    assert form(exchange)["grant_type"] == "authorization_code"
    assert "resource" not in form(exchange)
    session = driver.session
    assert session is not None
    assert [s["audience"] for s in session["token_sets"]] == ["default"]


def test_standard_login_exchanges_the_code_for_the_resource(
    driver: Driver, clock: FixedClock
) -> None:
    def for_the_resource(request: HttpRequest) -> HttpResponse | None:
        # The emulated tenant speaks Auth0's dialect: it reads no 'resource'. Its answer is
        # kept, but for its access token, as a standard server's for that resource.
        if request.url == TOKEN_URL and form(request).get("resource") == API:
            answer = driver.tenant.handle(request).json_object()
            return json_response(200, {**answer, "access_token": jwt({"aud": API})})
        return None

    driver.intercept = for_the_resource
    client = core(clock, dialect="standard")
    login(driver, client, audience=API, scope="openid profile")
    exchange = driver.sent_to(TOKEN_URL)[0]
    assert form(exchange)["resource"] == API
    assert "audience" not in form(exchange)
    session = driver.session
    assert session is not None
    assert [s["audience"] for s in session["token_sets"]] == [API]


# --- logout --------------------------------------------------------------------------------------


def test_standard_logout_uses_end_session_with_id_token_hint_and_state(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock, dialect="standard")
    session = logged_in(driver, client)
    url = driver.run(
        logout_flow(client, {"return_to": "http://127.0.0.1:3000/bye", "state": "s-1"}, None)
    )
    assert url.split("?")[0] == f"{BASE}/oidc/logout"
    assert query(url) == {
        "client_id": "demo-client",
        "id_token_hint": session["id_token"],
        "post_logout_redirect_uri": "http://127.0.0.1:3000/bye",
        "state": "s-1",
    }
    assert driver.session is None
    # Without a session: no hint, still a logout URL.
    url = driver.run(logout_flow(client, None, None))
    assert query(url) == {"client_id": "demo-client"}


def test_auth0_logout_never_puts_the_id_token_in_the_url(driver: Driver, clock: FixedClock) -> None:
    client = core(clock)
    logged_in(driver, client)
    url = driver.run(
        logout_flow(client, {"return_to": "http://127.0.0.1:3000/bye", "state": "s"}, None)
    )
    assert query(url) == {
        "client_id": "demo-client",
        "post_logout_redirect_uri": "http://127.0.0.1:3000/bye",
        "state": "s",
    }
    v2 = core(clock, logout_strategy="v2")
    url = driver.run(logout_flow(v2, {"return_to": "http://127.0.0.1:3000/bye"}, None))
    assert url.split("?")[0] == f"{BASE}/v2/logout"


def test_standard_logout_refusals(driver: Driver, clock: FixedClock, tenant: Tenant) -> None:
    client = core(clock, dialect="standard")
    logged_in(driver, client)
    with pytest.raises(InvalidArgumentError):
        driver.run(logout_flow(client, {"federated": True}, None))
    with pytest.raises(InvalidArgumentError):
        driver.run(logout_flow(client, {"state": ""}, None))
    assert driver.session is not None  # refused before anything was deleted

    def without_end_session(request: HttpRequest) -> HttpResponse | None:
        if request.url.endswith("/.well-known/openid-configuration"):
            document = tenant.handle(request).json_object()
            del document["end_session_endpoint"]
            return json_response(200, document)
        return None

    driver.intercept = without_end_session
    bare = core(clock, dialect="standard")  # a fresh discovery cache
    with pytest.raises(ConfigurationError):
        driver.run(logout_flow(bare, None, None))
    assert driver.session is None  # the local session is gone all the same


def test_a_refused_rotating_refresh_keeps_the_rotated_refresh_token(clock: FixedClock) -> None:
    """The tenant's real MRRT fallback (an API without a refresh-token policy) with rotation:
    the refused answer spent the stored refresh token; the rotated one is kept, so the session
    still refreshes (the tenant refuses a spent token)."""
    driver = Driver(rotating_tenant(clock))
    client = core(clock)
    before = logged_in(driver, client)
    with pytest.raises(AccessTokenError) as info:
        driver.run(get_access_token_flow(client, {"audience": "https://no-policy.example"}, None))
    assert info.value.code == "incorrect_audience"
    after = driver.session
    assert after is not None
    assert after["refresh_token"] != before["refresh_token"]
    assert after["token_sets"] == before["token_sets"]
    clock.advance(DAY - 59)
    assert driver.run(get_access_token_flow(client, None, None))


def changed_refresh_answers(driver: Driver, tenant: Tenant, **changes: Any) -> None:
    """The tenant's refresh answers (rotation and all) with ``changes`` applied."""

    def intercept(request: HttpRequest) -> HttpResponse | None:
        if request.url == TOKEN_URL and form(request).get("grant_type") == "refresh_token":
            answer = tenant.handle(request).json_object()
            return json_response(200, {**answer, **changes})
        return None

    driver.intercept = intercept


def bound_refresh_answers(driver: Driver, tenant: Tenant) -> None:
    """Marked DPoP-bound: what a server breaking RFC 9449 would answer a client that sent no
    proof."""
    changed_refresh_answers(driver, tenant, token_type="DPoP")


def non_ascii_access_tokens(driver: Driver, tenant: Tenant) -> None:
    """An access token no Authorization header can carry: a malformed answer."""
    changed_refresh_answers(driver, tenant, access_token="at-\u00e9-\u4e2d")


def endless_lifetimes(driver: Driver, tenant: Tenant) -> None:
    """An ``expires_in`` of 4,300 digits: a malformed answer no session could store."""
    changed_refresh_answers(driver, tenant, expires_in=9 * 10**4299)


def refused_userinfo(driver: Driver, tenant: Tenant) -> None:
    answer_userinfo(driver, tenant, sub="auth0|mallory")


@pytest.mark.parametrize(
    ("options", "refuse", "error"),
    [
        ({"fetch_userinfo": "login_and_refresh"}, refused_userinfo, UserInfoError),
        ({}, non_ascii_access_tokens, InvalidResponse),
        ({}, endless_lifetimes, InvalidResponse),
        ({}, bound_refresh_answers, InvalidResponse),
    ],
)
def test_a_refused_rotating_refresh_keeps_the_rotated_refresh_token_and_the_rest(
    clock: FixedClock,
    options: dict[str, Any],
    refuse: Callable[[Driver, Tenant], None],
    error: type[Exception],
) -> None:
    """Userinfo for another user, or a DPoP-bound token to a client without a key: nothing
    of the answer is kept but the refresh token it rotated."""
    tenant = rotating_tenant(clock)
    driver = Driver(tenant)
    client = core(clock, **options)
    before = logged_in(driver, client)
    refuse(driver, tenant)
    clock.advance(DAY - 59)
    with pytest.raises(error):
        driver.run(get_access_token_flow(client, None, None))
    after = driver.session
    assert after is not None
    assert after["refresh_token"] != before["refresh_token"]
    assert after["token_sets"] == before["token_sets"]
    assert after["user"] == before["user"]
    driver.intercept = lambda request: None
    assert driver.run(get_access_token_flow(client, None, None))


def no_policy(driver: Driver, tenant: Tenant) -> None:
    """Nothing to change: the audience asked has no refresh-token policy."""


@pytest.mark.parametrize(
    ("audience", "refuse", "error"),
    [
        ("https://no-policy.example", no_policy, AccessTokenError),
        (None, bound_refresh_answers, InvalidResponse),
        (None, non_ascii_access_tokens, InvalidResponse),
        (None, endless_lifetimes, InvalidResponse),
    ],
)
def test_the_stateless_refresh_hands_back_a_refresh_token_its_refused_answer_rotated(
    clock: FixedClock,
    audience: str | None,
    refuse: Callable[[Driver, Tenant], None],
    error: type[AccessTokenError | InvalidResponse],
) -> None:
    """``get_token_by_refresh_token`` stores nothing: the refresh token rotated by an answer it
    refuses (for another API; DPoP-bound to a client without a key) comes back on the error
    (never in its text), and it is the one that works."""
    tenant = rotating_tenant(clock)
    driver = Driver(tenant)
    client = core(clock)
    spent = logged_in(driver, client)["refresh_token"]
    refuse(driver, tenant)
    asked = {"refresh_token": spent, **({"audience": audience} if audience else {})}
    with pytest.raises(error) as info:
        driver.run(get_token_by_refresh_token_flow(client, asked))
    refused = info.value
    assert isinstance(refused, AccessTokenError | InvalidResponse)
    rotated = refused.rotated_refresh_token
    assert rotated
    assert rotated != spent
    assert rotated not in f"{refused!s}{refused!r}{refused.args!r}"
    driver.intercept = lambda request: None
    answer = driver.run(get_token_by_refresh_token_flow(client, {"refresh_token": rotated}))
    assert answer["access_token"]
    with pytest.raises(InvalidGrantError):  # the spent one is reuse
        driver.run(get_token_by_refresh_token_flow(client, {"refresh_token": spent}))


def test_a_refused_stateless_answer_without_rotation_hands_back_nothing(
    driver: Driver, clock: FixedClock
) -> None:
    client = core(clock)
    given = logged_in(driver, client)["refresh_token"]
    asked = {"refresh_token": given, "audience": "https://no-policy.example"}
    with pytest.raises(AccessTokenError) as info:
        driver.run(get_token_by_refresh_token_flow(client, asked))
    assert info.value.code == "incorrect_audience"
    assert info.value.rotated_refresh_token is None
    assert driver.run(get_token_by_refresh_token_flow(client, {"refresh_token": given}))
