"""handle_backchannel_logout on the core: every bad logout token is refused with its reason
and deletes nothing; good ones delete exactly the sessions they name; a jti is used once."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.backchannel_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    EVENT,
    ISSUER,
    NOW,
    FakeTenant,
    Keys,
    SpyStateStore,
    b64,
    b64json,
    client_options,
    fill,
    logout_claims,
    mint,
    remaining,
    session,
    sign_segments,
)

from auth0_core import FixedClock
from auth0_core._client import CoreClient
from auth0_core._config import make_config
from auth0_core._http import HttpRequest
from auth0_core._jwks import REFETCH_INTERVAL
from auth0_core._logout_token import (
    DEFAULT_LIFETIME,
    MESSAGES,
    LogoutTokenChecks,
    LogoutTokenClaims,
    logout_token_algorithms,
)
from auth0_core.effects import (
    Effect,
    SharedRequest,
    Sleep,
    StoreClaim,
    StoreDelete,
    StoreDeleteByLogoutToken,
    StoreGet,
    StoreSet,
    run,
)
from auth0_core.errors import (
    BackchannelLogoutError,
    ConfigurationError,
    InvalidResponse,
    StoreNotSupportedError,
)
from auth0_core.flows import api
from auth0_core.stores._memory import ClaimTable

SESSIONS = {
    "alice-laptop": session("auth0|alice", "sid-alice-1"),
    "alice-phone": session("auth0|alice", "sid-alice-2"),
    "bob": session("auth0|bob", "sid-bob-1"),
    "alice-elsewhere": session("auth0|alice", "sid-alice-1", iss="https://other.example/"),
}
ALL = list(SESSIONS)


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


class Instance:
    """One application instance: a core client driven by a plain ``perform``."""

    def __init__(
        self,
        tenant: FakeTenant,
        store: Any,
        claims: Any,
        clock: FixedClock,
        **options: Any,
    ) -> None:
        self.tenant = tenant
        self.store = store
        self.claims = claims
        self.clock = clock
        self.core = CoreClient(make_config(**client_options(clock, **options)))
        self.effects: list[Effect] = []

    def perform(self, effect: Effect) -> object:
        self.effects.append(effect)
        if isinstance(effect, Sleep):  # a retry's backoff (docs/network.md): time moves on
            self.clock.advance(effect.seconds)
            return None
        if isinstance(effect, SharedRequest):
            return self.tenant.handle(effect.request)
        if isinstance(effect, HttpRequest):
            return self.tenant.handle(effect)
        if isinstance(effect, StoreClaim):
            return self.claims.claim(effect.identifier, effect.expires_at)
        if isinstance(effect, StoreDeleteByLogoutToken):
            if not hasattr(self.store, "delete_by_logout_token"):
                raise StoreNotSupportedError("no delete_by_logout_token")
            return self.store.delete_by_logout_token(effect.claims, options=effect.options)
        if isinstance(effect, StoreGet):
            return self.store.get(effect.identifier, options=effect.options)
        if isinstance(effect, StoreSet):
            return self.store.set(effect.identifier, dict(effect.value), options=effect.options)
        assert isinstance(effect, StoreDelete)
        return self.store.delete(effect.identifier, options=effect.options)

    def logout(self, token: str) -> None:
        run(api.handle_backchannel_logout(self.core, token), self.perform)


@attrs.define
class World:
    keys: Keys
    clock: FixedClock
    tenant: FakeTenant
    store: SpyStateStore
    claims: ClaimTable
    app: Instance

    def refused(self, token: str) -> BackchannelLogoutError:
        with pytest.raises(BackchannelLogoutError) as info:
            self.app.logout(token)
        return info.value


@pytest.fixture
def world(keys: Keys) -> World:
    clock = FixedClock(NOW)
    tenant = FakeTenant(keys.rsa)
    store = SpyStateStore(clock)
    fill(store, SESSIONS)
    claims = ClaimTable(clock)
    return World(keys, clock, tenant, store, claims, Instance(tenant, store, claims, clock))


# --- the matrix: each bad token, its reason, nothing deleted ------------------------------------

Maker = Callable[[Keys], str]


def claims_of(**changes: object) -> Maker:
    return lambda k: mint(k.rsa, logout_claims(**changes))


def with_header(**fields: object) -> Maker:
    def make(k: Keys) -> str:
        header = {"alg": "RS256", "typ": "logout+jwt", "kid": "k1", **fields}
        return mint(
            k.rsa, logout_claims(), header={n: v for n, v in header.items() if v is not ...}
        )

    return make


def tampered_payload(k: Keys) -> str:
    head, _, signature = mint(k.rsa).split(".")
    return f"{head}.{b64json(logout_claims(sub='auth0|admin'))}.{signature}"


def alg_none(k: Keys) -> str:
    return f"{b64json({'alg': 'none', 'typ': 'logout+jwt'})}.{b64json(logout_claims())}."


def hs256_with_client_secret(k: Keys) -> str:
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'logout+jwt'})}.{b64json(logout_claims())}"
    mac = hmac.new(CLIENT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def payload_bytes(data: bytes) -> Maker:
    return lambda k: mint(k.rsa, payload=data)


def raw_header(text: bytes) -> Maker:
    return lambda k: sign_segments(b64(text), b64json(logout_claims()), k.rsa, "RS256")


def iat_only(age: int) -> Maker:
    return claims_of(iat=NOW - age, exp=...)


BAD: dict[str, tuple[Maker, str]] = {
    # signature and algorithm
    "tampered payload": (tampered_payload, "invalid_signature"),
    "signed by an impostor key with our kid": (
        lambda k: mint(k.impostor, logout_claims()),
        "invalid_signature",
    ),
    "alg none": (alg_none, "unsupported_algorithm"),
    "HS256 signed with the client secret": (hs256_with_client_secret, "unsupported_algorithm"),
    "ES256 when only RS256 is allowed": (
        lambda k: mint(k.ec, logout_claims(), alg="ES256"),
        "unsupported_algorithm",
    ),
    # issuer and audience
    "wrong iss": (claims_of(iss="https://evil.example/"), "invalid_issuer"),
    "iss without its slash": (claims_of(iss=ISSUER.rstrip("/")), "invalid_issuer"),
    "no iss": (claims_of(iss=...), "invalid_issuer"),
    "wrong aud": (claims_of(aud="another-client"), "invalid_audience"),
    "aud list without us": (claims_of(aud=["a", "b"]), "invalid_audience"),
    "aud not a string": (claims_of(aud=7), "invalid_audience"),
    "no aud": (claims_of(aud=...), "invalid_audience"),
    # times (leeway 60 s)
    "expired": (claims_of(iat=NOW - 300, exp=NOW - 61), "expired"),
    "expired at exactly exp + leeway": (claims_of(iat=NOW - 300, exp=NOW - 60), "expired"),
    "no exp and iat older than 10 min + leeway": (
        iat_only(DEFAULT_LIFETIME + 60),
        "expired",
    ),
    "iat in the future": (claims_of(iat=NOW + 61, exp=NOW + 300), "issued_in_future"),
    "no iat": (claims_of(iat=...), "missing_iat"),
    "iat a string": (claims_of(iat=str(NOW)), "invalid_iat"),
    "iat a float": (claims_of(iat=NOW + 0.5), "invalid_iat"),
    "exp a boolean": (claims_of(exp=True), "invalid_exp"),
    "exp null": (claims_of(exp=None), "invalid_exp"),
    # jti
    "no jti": (claims_of(jti=...), "missing_jti"),
    "jti a number": (claims_of(jti=12), "invalid_jti"),
    "jti empty": (claims_of(jti=""), "invalid_jti"),
    # events
    "no events": (claims_of(events=...), "missing_events"),
    "events not an object": (claims_of(events=[EVENT]), "invalid_events"),
    "events member not an object": (claims_of(events={EVENT: "yes"}), "invalid_events"),
    "events without the back-channel event": (
        claims_of(events={"http://schemas.openid.net/event/other": {}}),
        "invalid_events",
    ),
    # sid and sub
    "neither sid nor sub": (claims_of(sid=..., sub=...), "missing_sid_and_sub"),
    "sid not a string": (claims_of(sid=42), "invalid_sid"),
    "sid null, sub fine": (claims_of(sid=None), "invalid_sid"),
    "sub empty": (claims_of(sub=""), "invalid_sub"),
    # nonce, typ
    "nonce present": (claims_of(nonce="n-123"), "nonce_present"),
    "nonce present even null": (claims_of(nonce=None), "nonce_present"),
    "typ of an access token": (with_header(typ="at+jwt"), "invalid_typ"),
    "typ of an ID token's cousin": (with_header(typ="secevent+jwt"), "invalid_typ"),
    # malformed
    "two segments": (lambda k: ".".join(mint(k.rsa).split(".")[:2]), "malformed"),
    "not base64url": (lambda k: "a$b.c.d", "malformed"),
    "payload not JSON": (payload_bytes(b"not json"), "malformed"),
    "payload a JSON array": (payload_bytes(b"[1, 2]"), "malformed"),
    "payload with a duplicate member": (
        payload_bytes(b'{"iss": "x", "iss": "' + ISSUER.encode() + b'"}'),
        "malformed",
    ),
    "header not JSON": (raw_header(b"{alg: RS256"), "malformed"),
    "header with crit": (with_header(crit=["exp"]), "malformed"),
    "kid not a string": (with_header(kid=1), "malformed"),
    "too long": (lambda k: "a" * 20_000 + ".b.c", "malformed"),
    "empty": (lambda k: "", "missing_logout_token"),
}


def test_the_matrix_is_large_and_covers_every_token_reason() -> None:
    assert len(BAD) >= 15
    token_reasons = set(MESSAGES) - {
        "missing_logout_token",
        "duplicate_logout_token",
        "body_too_large",
        "malformed_body",
        "unsupported_content_type",
    }
    # unknown_kid and replayed need more than one token: tested below.
    assert {reason for _, reason in BAD.values()} | {"unknown_kid", "replayed"} == (
        token_reasons | {"missing_logout_token"}
    )


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_token_is_refused_with_its_reason_and_deletes_nothing(
    world: World, case: str
) -> None:
    make, reason = BAD[case]
    token = make(world.keys)
    error = world.refused(token)
    assert error.reason == reason
    assert error.code == "backchannel_logout_error"
    assert world.store.deletes == []
    assert not any(isinstance(e, StoreDeleteByLogoutToken) for e in world.app.effects)
    assert remaining(world.store, ALL) == ALL
    for shown in (str(error), repr(error), *map(str, error.args)):
        assert token not in shown or not token
        for part in token.split("."):
            assert len(part) < 8 or part not in shown


@pytest.mark.parametrize("case", ["alg none", "two segments", "header not JSON", "empty"])
def test_junk_costs_no_request(world: World, case: str) -> None:
    make, reason = BAD[case]
    assert world.refused(make(world.keys)).reason == reason
    assert world.tenant.paths == []
    assert world.app.effects == []


def test_a_token_refused_by_any_check_does_not_burn_its_jti(world: World) -> None:
    jti = "jti-reused-after-a-refusal"
    assert world.refused(mint(world.keys.rsa, logout_claims(jti=jti, nonce="n"))).reason == (
        "nonce_present"
    )
    assert not any(isinstance(e, StoreClaim) for e in world.app.effects)
    world.app.logout(mint(world.keys.rsa, logout_claims(jti=jti)))
    assert remaining(world.store, ALL) == ["alice-phone", "bob", "alice-elsewhere"]


def test_hs256_is_refused_even_when_id_tokens_may_use_it(world: World) -> None:
    app = Instance(
        world.tenant, world.store, world.claims, world.clock, algorithms=["RS256", "HS256"]
    )
    with pytest.raises(BackchannelLogoutError) as info:
        app.logout(hs256_with_client_secret(world.keys))
    assert info.value.reason == "unsupported_algorithm"
    assert world.store.deletes == []


# --- unknown kid: exactly one re-fetch --------------------------------------------------------


def test_an_unknown_kid_costs_exactly_one_refetch_then_is_refused(world: World) -> None:
    stranger = mint(world.keys.rotated, logout_claims())  # kid k2, never published
    assert world.refused(stranger).reason == "unknown_kid"
    assert world.tenant.jwks_requests == 2  # the first fetch and one re-fetch
    assert world.store.deletes == []
    # Within the re-fetch interval another unknown kid costs nothing more.
    world.clock.advance(REFETCH_INTERVAL - 1)
    assert world.refused(
        mint(world.keys.rotated, logout_claims(iat=int(world.clock.now)))
    ).reason == ("unknown_kid")
    assert world.tenant.jwks_requests == 2
    assert remaining(world.store, ALL) == ALL


def test_a_rotated_key_is_found_by_the_one_refetch(world: World) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(sid="sid-bob-1", sub="auth0|bob")))
    assert world.tenant.jwks_requests == 1
    world.tenant.published.append(world.keys.rotated)  # the tenant rotates its signing key
    world.app.logout(mint(world.keys.rotated, logout_claims()))
    assert world.tenant.jwks_requests == 2
    assert remaining(world.store, ALL) == ["alice-phone", "alice-elsewhere"]


# --- good tokens --------------------------------------------------------------------------------


def test_sid_only_deletes_that_session(world: World) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(sub=...)))
    assert world.store.deletes == [{"sid": "sid-alice-1", "sub": None, "iss": ISSUER}]
    assert remaining(world.store, ALL) == ["alice-phone", "bob", "alice-elsewhere"]


def test_sub_only_deletes_every_session_of_that_user_at_this_issuer(world: World) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(sid=...)))
    assert world.store.deletes == [{"sid": None, "sub": "auth0|alice", "iss": ISSUER}]
    assert remaining(world.store, ALL) == ["bob", "alice-elsewhere"]


def test_sid_and_sub_delete_the_session_named_by_sid(world: World) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(sid="sid-alice-2")))
    assert world.store.deletes == [{"sid": "sid-alice-2", "sub": "auth0|alice", "iss": ISSUER}]
    assert remaining(world.store, ALL) == ["alice-laptop", "bob", "alice-elsewhere"]


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": "k1"},
        {"alg": "RS256", "kid": "k1", "typ": "JWT"},
        {"alg": "RS256", "kid": "k1", "typ": "application/logout+jwt"},
        {"alg": "RS256", "kid": "k1", "typ": "Logout+JWT"},
        {"alg": "RS256"},  # no kid: the only RS256 key serves
    ],
    ids=["no typ", "typ JWT", "media type", "case", "no kid"],
)
def test_accepted_headers(world: World, header: dict[str, object]) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(), header=header))
    assert len(world.store.deletes) == 1


def test_accepted_claim_shapes(world: World) -> None:
    k = world.keys.rsa
    world.app.logout(mint(k, logout_claims(aud=["other", CLIENT_ID], sid="sid-bob-1")))
    world.app.logout(mint(k, logout_claims(exp=..., iat=NOW - DEFAULT_LIFETIME, sid="x")))
    world.app.logout(mint(k, logout_claims(iat=NOW + 60, exp=NOW + 200, sid="y")))
    world.app.logout(mint(k, logout_claims(exp=NOW - 59, iat=NOW - 200, sid="z")))
    world.app.logout(mint(k, logout_claims(events={EVENT: {"extra": 1}, "other": 2}, sid="w")))
    assert len(world.store.deletes) == 5


def test_an_es256_token_when_the_configuration_allows_it(world: World) -> None:
    world.tenant.published.append(world.keys.ec)
    app = Instance(world.tenant, world.store, world.claims, world.clock, algorithms=["ES256"])
    app.logout(mint(world.keys.ec, logout_claims(), alg="ES256"))
    assert len(world.store.deletes) == 1


# --- the replay cache ---------------------------------------------------------------------------


def test_a_replayed_jti_is_refused_and_deletes_nothing_more(world: World) -> None:
    token = mint(world.keys.rsa, logout_claims(sid=...))
    world.app.logout(token)
    world.store.set("alice-again", session("auth0|alice", "sid-alice-3"))  # logs in again
    assert world.refused(token).reason == "replayed"
    assert len(world.store.deletes) == 1
    assert world.store.get("alice-again") is not None


def test_the_jti_is_claimed_under_a_digest_of_iss_and_jti_until_exp_plus_leeway(
    world: World,
) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(jti="the-jti", exp=NOW + 100)))
    claims = [e for e in world.app.effects if isinstance(e, StoreClaim)]
    assert len(claims) == 1
    assert claims[0].store == "state"
    assert claims[0].expires_at == NOW + 100 + 60
    assert "the-jti" not in claims[0].identifier
    expected = LogoutTokenClaims(iss=ISSUER, jti="the-jti", iat=0, exp=None, sid="s", sub=None)
    assert claims[0].identifier == expected.replay_key
    assert expected.replay_expires_at(60) == DEFAULT_LIFETIME + 60
    other_issuer = attrs.evolve(expected, iss="https://other.example/")
    assert other_issuer.replay_key != expected.replay_key


def test_the_same_jti_from_another_issuer_or_after_its_window_is_not_a_replay(
    world: World,
) -> None:
    world.app.logout(mint(world.keys.rsa, logout_claims(jti="j", iat=NOW, exp=NOW + 10)))
    world.clock.advance(10 + 60)  # the first token is now expired, its claim forgotten
    world.app.logout(mint(world.keys.rsa, logout_claims(jti="j", iat=NOW + 70, exp=NOW + 200)))
    assert len(world.store.deletes) == 2


class SharedClaims:
    """A shared store's ``claim`` (Redis SET NX PX), seen by several instances."""

    def __init__(self, clock: FixedClock) -> None:
        self.table = ClaimTable(clock)
        self.calls: list[tuple[str, int]] = []

    def claim(self, identifier: str, expires_at: int) -> bool:
        self.calls.append((identifier, expires_at))
        return self.table.claim(identifier, expires_at)


def test_a_replay_is_refused_by_every_instance_sharing_the_store(world: World) -> None:
    shared = SharedClaims(world.clock)
    first = Instance(world.tenant, world.store, shared, world.clock)
    second = Instance(world.tenant, world.store, shared, world.clock)
    token = mint(world.keys.rsa, logout_claims())
    first.logout(token)
    with pytest.raises(BackchannelLogoutError) as info:
        second.logout(token)
    assert info.value.reason == "replayed"
    assert len(shared.calls) == 2
    assert len(world.store.deletes) == 1


# --- what the store and the tenant can do ------------------------------------------------------


def test_a_store_without_delete_by_logout_token_is_told_after_validation(world: World) -> None:
    class CookieLike:
        def get(self, identifier: str, options: Any = None) -> None:
            return None

    app = Instance(world.tenant, CookieLike(), world.claims, world.clock)
    with pytest.raises(BackchannelLogoutError) as refused:
        app.logout(mint(world.keys.rsa, logout_claims(nonce="n")))
    assert refused.value.reason == "nonce_present"  # the token is validated first
    with pytest.raises(StoreNotSupportedError):
        app.logout(mint(world.keys.rsa, logout_claims()))


def test_an_unreachable_jwks_is_not_a_token_error(world: World) -> None:
    world.tenant.down = True
    with pytest.raises(InvalidResponse):
        world.app.logout(mint(world.keys.rsa, logout_claims()))
    assert world.store.deletes == []
    # A JWKS fetch is safe to repeat: tried three times in all, with a backoff between.
    assert sum(isinstance(effect, Sleep) for effect in world.app.effects) == 2


# --- the pure pieces ----------------------------------------------------------------------------


def test_logout_tokens_never_use_hmac() -> None:
    assert logout_token_algorithms(("RS256", "HS256")) == ("RS256",)
    assert logout_token_algorithms(("HS256",)) == ("RS256",)
    assert logout_token_algorithms(("PS256", "ES256")) == ("PS256", "ES256")
    for bad in (("HS256",), ("none",), ()):
        with pytest.raises(ConfigurationError):
            LogoutTokenChecks(issuer=ISSUER, client_id=CLIENT_ID, algorithms=bad)
    with pytest.raises(ConfigurationError):
        LogoutTokenChecks(issuer=ISSUER, client_id=CLIENT_ID, algorithms="RS256")
    with pytest.raises(ConfigurationError):
        LogoutTokenChecks(issuer="", client_id=CLIENT_ID)
    with pytest.raises(ConfigurationError):
        LogoutTokenChecks(issuer=ISSUER, client_id=CLIENT_ID, leeway=-1)


def test_claims_repr_shows_no_identifier() -> None:
    claims = LogoutTokenClaims(
        iss=ISSUER, jti="secret-jti", iat=NOW, exp=None, sid="secret-sid", sub=None
    )
    text = repr(claims)
    assert "secret" not in text
    assert "sid=..., sub=None" in text


def test_every_reason_is_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "backchannel-logout.md").read_text()
    for reason in MESSAGES:
        assert f"`{reason}`" in doc, reason
        assert f"``{reason}``" in (BackchannelLogoutError.__doc__ or ""), reason
