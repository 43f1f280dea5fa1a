"""DPoP (RFC 9449) on the client: keys, proofs (verified with joserfc), the one nonce retry,
nonce memory per server, token types in token sets, and key material kept out of every repr
and message."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey, import_key
from joserfc.jws import JWSRegistry

from auth0_core import Env, FixedClock
from auth0_core._client import CoreClient
from auth0_core._config import ClientConfig, make_config
from auth0_core._dpop import check_token_type, token_fetch
from auth0_core._dpop_key import DPoPKey, generate_dpop_key, load_dpop_key, proof_target
from auth0_core._dpop_nonces import DPoPNonces, nonce_challenge
from auth0_core._http import HttpRequest, HttpResponse, form_request, json_response
from auth0_core._token_sets import new_token_set, usable_with
from auth0_core.effects import Effect, Flow, SharedRequest, run
from auth0_core.endpoints.authentication.token import TokenResponse
from auth0_core.errors import ConfigurationError, InvalidResponse
from auth0_core.flows._resource import resource_fetch
from auth0_core.flows.client_credentials import (
    client_credentials_flow,
    client_credentials_token_set_flow,
)
from auth0_core.records import TokenSet

NOW = 1_800_000_000
BASE = "https://tenant.example"
TOKEN_URL = f"{BASE}/oauth/token"
API_URL = f"{BASE}/me/v1/connected-accounts/accounts?take=10#frag"
SECRET = "a-session-secret-of-at-least-32-characters"


def counting_bytes() -> Callable[[int], bytes]:
    """A deterministic random source: every call gives new bytes."""
    counter = itertools.count(1)

    def token_bytes(n: int) -> bytes:
        seed = next(counter).to_bytes(8, "big")
        out = b""
        while len(out) < n:
            out += hashlib.sha256(seed + len(out).to_bytes(4, "big")).digest()
        return out[:n]

    return token_bytes


def make_env(clock: FixedClock | None = None) -> Env:
    return Env(clock=clock or FixedClock(NOW), token_bytes=counting_bytes())


def client_with(**options: Any) -> CoreClient:
    values: dict[str, Any] = {
        "domain": BASE,
        "client_id": "cid",
        "client_secret": "the-client-secret-0123456789",
        "secret": SECRET,
        "env": make_env(),
    }
    values.update(options)
    return CoreClient(make_config(**values))


def ec_key(curve: ec.EllipticCurve | None = None) -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(curve or ec.SECP256R1())


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: Any) -> bytes:
    return bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def verify(proof: str, alg: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Check ``proof`` with its own embedded public key, as a server does; return (header,
    claims)."""
    header = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == alg
    jwk = header["jwk"]
    assert "d" not in jwk
    assert not ({"p", "q", "dp", "dq", "qi"} & set(jwk))
    registry = JWSRegistry(algorithms=[alg])
    registry.max_header_length = 4096  # an RSA key's JWK is over joserfc's default 512
    token = jwt.decode(proof, import_key(jwk), algorithms=[alg], registry=registry)
    return dict(token.header), dict(token.claims)


def b64_sha256(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()


# --- proofs ------------------------------------------------------------------------------------


def test_a_proof_carries_the_claims_rfc9449_asks_for() -> None:
    key = generate_dpop_key(make_env())
    proof = key.proof("POST", API_URL, iat=NOW, jti="j-1", nonce="n-1", access_token="at-xyz")
    header, claims = verify(proof, "ES256")
    assert set(header) == {"typ", "alg", "jwk"}
    assert claims == {
        "jti": "j-1",
        "htm": "POST",
        "htu": f"{BASE}/me/v1/connected-accounts/accounts",
        "iat": NOW,
        "nonce": "n-1",
        "ath": b64_sha256("at-xyz"),
    }
    assert import_key(header["jwk"]).thumbprint() == key.thumbprint


def test_a_token_request_proof_has_no_ath_nor_nonce_until_asked() -> None:
    key = generate_dpop_key(make_env())
    _, claims = verify(key.proof("POST", TOKEN_URL, iat=NOW, jti="j"), "ES256")
    assert set(claims) == {"jti", "htm", "htu", "iat"}


@pytest.mark.parametrize(
    ("url", "htu"),
    [
        ("https://t.example/a/b?x=1&y=2#z", "https://t.example/a/b"),
        ("https://t.example:8443/p#only-fragment", "https://t.example:8443/p"),
        ("https://t.example/oauth/token", "https://t.example/oauth/token"),
    ],
)
def test_htu_drops_query_and_fragment(url: str, htu: str) -> None:
    assert proof_target(url) == htu


def test_a_generated_key_comes_from_the_env_randomness() -> None:
    first = generate_dpop_key(Env(token_bytes=lambda n: b"\x07" * n))
    again = generate_dpop_key(Env(token_bytes=lambda n: b"\x07" * n))
    other = generate_dpop_key(Env(token_bytes=lambda n: b"\x08" * n))
    assert first.thumbprint == again.thumbprint != other.thumbprint
    assert first.alg == "ES256"
    p384 = generate_dpop_key(make_env(), "ES384")
    assert p384.public_jwk["crv"] == "P-384"
    verify(p384.proof("GET", API_URL, iat=NOW, jti="j"), "ES384")


def test_ecdsa_proofs_are_a_function_of_their_inputs() -> None:
    # Deterministic ECDSA (RFC 6979) where OpenSSL offers it: recorded exchanges replay.
    key = generate_dpop_key(Env(token_bytes=lambda n: b"\x07" * n))
    one = key.proof("GET", API_URL, iat=NOW, jti="j", access_token="t")
    assert one == key.proof("GET", API_URL, iat=NOW, jti="j", access_token="t")


@pytest.mark.parametrize(
    ("make", "alg", "expected"),
    [
        (lambda: ec_key(), None, "ES256"),
        (lambda: pem(ec_key()), None, "ES256"),
        (lambda: pem(ec_key()).decode(), None, "ES256"),
        (lambda: ECKey.import_key(ec_key()).as_dict(private=True), None, "ES256"),
        (lambda: ec_key(ec.SECP384R1()), None, "ES384"),
        (lambda: RSA_KEY, None, "RS256"),
        (lambda: RSA_KEY, "PS256", "PS256"),
        (lambda: pem(RSA_KEY), "RS256", "RS256"),
        (
            lambda: {**RSAKey.import_key(RSA_KEY).as_dict(private=True), "alg": "PS256"},
            None,
            "PS256",
        ),
    ],
    ids=[
        "ec-object",
        "ec-pem-bytes",
        "ec-pem-str",
        "ec-jwk",
        "p384",
        "rsa-default",
        "rsa-ps256",
        "rsa-pem",
        "rsa-jwk-alg",
    ],
)
def test_user_supplied_keys(make: Callable[[], Any], alg: str | None, expected: str) -> None:
    key = load_dpop_key(make(), alg)
    assert key.alg == expected
    header, claims = verify(key.proof("GET", API_URL, iat=NOW, jti="j", access_token="t"), expected)
    assert header["jwk"]["kty"] == ("RSA" if expected[0] in "RP" else "EC")
    assert claims["ath"] == b64_sha256("t")


def test_the_facade_options_take_a_user_key() -> None:
    key = ec_key()
    config = client_with(dpop_key=pem(key)).config
    assert config.dpop is not None
    assert config.dpop.alg == "ES256"
    assert config.dpop.thumbprint == ECKey.import_key(key).thumbprint()
    rsa_config = client_with(dpop_key=RSA_KEY, dpop_alg="PS256").config
    assert rsa_config.dpop is not None
    assert rsa_config.dpop.alg == "PS256"
    assert client_with().config.dpop is None
    assert client_with(dpop=False).config.dpop is None
    generated = client_with(dpop=True).config.dpop
    assert generated is not None
    assert generated.alg == "ES256"


BAD_KEYS: list[tuple[str, dict[str, Any]]] = [
    ("symmetric-jwk", {"dpop_key": {"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}}),
    ("public-jwk", {"dpop_key": ECKey.import_key(ec_key()).as_dict(private=False)}),
    ("public-object", {"dpop_key": ec_key().public_key()}),
    (
        "public-pem",
        {
            "dpop_key": RSA_KEY.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        },
    ),
    ("ed25519", {"dpop_key": ed25519.Ed25519PrivateKey.generate()}),
    ("p521", {"dpop_key": ec_key(ec.SECP521R1())}),
    ("secp256k1", {"dpop_key": ec_key(ec.SECP256K1())}),
    ("short-rsa", {"dpop_key": rsa.generate_private_key(public_exponent=65537, key_size=1024)}),
    ("ec-with-rsa-alg", {"dpop_key": ec_key(), "dpop_alg": "RS256"}),
    ("rsa-with-ec-alg", {"dpop_key": RSA_KEY, "dpop_alg": "ES256"}),
    ("unknown-alg", {"dpop": True, "dpop_alg": "HS256"}),
    ("alg-without-dpop", {"dpop_alg": "ES256"}),
    ("false-with-key", {"dpop": False, "dpop_key": ec_key()}),
    ("not-a-bool", {"dpop": "yes"}),
    ("garbage-string", {"dpop_key": "-----BEGIN PRIVATE KEY-----\nnot base64\n"}),
    (
        "encrypted-pem",
        {
            "dpop_key": ec_key().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(b"pw"),
            )
        },
    ),
    ("a-number", {"dpop_key": 42}),
    ("jwk-alg-mismatch", {"dpop_key": {**ECKey.import_key(ec_key()).as_dict(), "alg": "PS256"}}),
]


@pytest.mark.parametrize("options", [o for _, o in BAD_KEYS], ids=[n for n, _ in BAD_KEYS])
def test_bad_keys_are_configuration_errors(options: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as info:
        client_with(**options)
    assert info.value.code == "configuration_error"
    text = f"{info.value} {info.value!r}"
    assert "PRIVATE KEY" not in text
    assert "BEGIN" not in text
    for member in ("d", "k", "x", "n"):
        value = options.get("dpop_key")
        if isinstance(value, dict) and isinstance(value.get(member), str):
            assert value[member] not in text


# --- key material stays out of reprs, errors and pickles ----------------------------------------


def test_no_repr_shows_the_key() -> None:
    key = ec_key()
    jwk = ECKey.import_key(key).as_dict(private=True)
    private_pem = pem(key).decode()
    for client in (client_with(dpop_key=private_pem), client_with(dpop_key=jwk)):
        texts = [repr(client), repr(client.config), repr(client.config.dpop), str(client.config)]
        for text in texts:
            assert str(jwk["d"]) not in text
            assert "PRIVATE" not in text
        assert "DPoPKey(alg='ES256', thumbprint=" in repr(client.config)
    rsa_jwk = RSAKey.import_key(RSA_KEY).as_dict(private=True)
    config = client_with(dpop_key=rsa_jwk).config
    assert str(rsa_jwk["d"]) not in repr(config)
    assert str(rsa_jwk["p"]) not in repr(config)


def test_a_key_is_not_pickled_and_copies_are_the_same_object() -> None:
    key = generate_dpop_key(make_env())
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert copy.copy(key) is key
    assert copy.deepcopy(key) is key


def test_requests_with_proofs_redact_them_in_reprs() -> None:
    client = client_with(dpop=True)
    token = TokenSet(
        audience="a",
        access_token="secret-at-123",
        scope=None,
        expires_at=NOW + 60,
        token_type="DPoP",
    )
    sent: list[HttpRequest] = []

    def perform(effect: Effect) -> HttpResponse:
        assert isinstance(effect, HttpRequest)
        sent.append(effect)
        return json_response(200, {})

    run(resource_fetch(client, HttpRequest(method="GET", url=API_URL), token), perform)
    text = repr(sent[0])
    assert "secret-at-123" not in text
    assert (sent[0].header("DPoP") or "x") not in text


# --- the one retry -----------------------------------------------------------------------------


class Script:
    """A perform that answers each HTTP effect with the next scripted response and keeps
    what was sent (and, for shared requests, under which key)."""

    def __init__(self, *responses: HttpResponse) -> None:
        self.responses: Iterator[HttpResponse] = iter(responses)
        self.sent: list[HttpRequest] = []
        self.keys: list[str | None] = []

    def __call__(self, effect: Effect) -> HttpResponse:
        if isinstance(effect, SharedRequest):
            self.keys.append(effect.key)
            effect = effect.request
        else:
            self.keys.append(None)
        assert isinstance(effect, HttpRequest)
        self.sent.append(effect)
        return next(self.responses)

    def proofs(self, alg: str = "ES256") -> list[dict[str, Any]]:
        return [verify(r.header("DPoP") or "", alg)[1] for r in self.sent]


def use_nonce(nonce: str | None, status: int = 400) -> HttpResponse:
    headers = [("DPoP-Nonce", nonce)] if nonce is not None else []
    return json_response(
        status, {"error": "use_dpop_nonce", "error_description": "nonce required"}, headers
    )


def resource_challenge(nonce: str | None, error: str = "use_dpop_nonce") -> HttpResponse:
    headers = [("WWW-Authenticate", f'DPoP error="{error}", algs="ES256 PS256"')]
    if nonce is not None:
        headers.append(("DPoP-Nonce", nonce))
    return HttpResponse(status=401, headers=headers)


OK = json_response(200, {"access_token": "at", "token_type": "DPoP", "expires_in": 60})


def token_request_builder() -> tuple[Callable[[], HttpRequest], list[int]]:
    built: list[int] = []

    def build() -> HttpRequest:
        built.append(1)
        return form_request(TOKEN_URL, {"grant_type": "client_credentials", "n": str(len(built))})

    return build, built


def test_a_nonce_challenge_costs_exactly_one_retry_then_none() -> None:
    client = client_with(dpop=True)
    build, built = token_request_builder()
    script = Script(use_nonce("n-1"), OK)
    response = run(token_fetch(client, build), script)
    assert response.status == 200
    assert len(script.sent) == 2
    assert len(built) == 2
    first, second = script.proofs()
    assert "nonce" not in first
    assert second["nonce"] == "n-1"
    assert first["jti"] != second["jti"]
    assert first["htu"] == second["htu"] == TOKEN_URL
    # The next request to that server carries the nonce from the start.
    script = Script(OK)
    run(token_fetch(client, build), script)
    assert len(script.sent) == 1
    assert script.proofs()[0]["nonce"] == "n-1"


def test_a_second_challenge_is_the_answer() -> None:
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    script = Script(use_nonce("n-1"), use_nonce("n-2"), OK)
    response = run(token_fetch(client, build), script)
    assert response.status == 400
    assert len(script.sent) == 2
    assert client.dpop_nonces.get(TOKEN_URL, "token") == "n-2"  # remembered all the same


@pytest.mark.parametrize(
    "response",
    [
        use_nonce(None),  # nothing to retry with
        json_response(400, {"error": "invalid_grant"}, [("DPoP-Nonce", "n-9")]),
        json_response(400, {"error": "invalid_dpop_proof"}, [("DPoP-Nonce", "n-9")]),
        use_nonce("bad nonce with spaces"),
        resource_challenge("n-9"),  # a resource's challenge shape at a token endpoint
    ],
    ids=["no-nonce", "other-error", "invalid-proof", "malformed-nonce", "resource-shape"],
)
def test_no_retry_without_a_nonce_challenge(response: HttpResponse) -> None:
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    script = Script(response, OK)
    assert run(token_fetch(client, build), script).status == response.status
    assert len(script.sent) == 1


def test_a_challenge_naming_the_nonce_sent_still_costs_one_retry_only() -> None:
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    run(token_fetch(client, build), Script(json_response(200, {}, [("DPoP-Nonce", "n-1")])))
    script = Script(use_nonce("n-1"), use_nonce("n-1"), OK)
    assert run(token_fetch(client, build), script).status == 400
    assert len(script.sent) == 2


def test_every_response_updates_the_nonce_success_included() -> None:
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    run(token_fetch(client, build), Script(json_response(200, {}, [("DPoP-Nonce", "n-5")])))
    assert client.dpop_nonces.get(TOKEN_URL, "token") == "n-5"
    run(token_fetch(client, build), Script(json_response(400, {}, [("DPoP-Nonce", "n-6")])))
    assert client.dpop_nonces.get(TOKEN_URL, "token") == "n-6"


def test_shared_requests_are_keyed_by_the_nonce_generation() -> None:
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    script = Script(use_nonce("n-1"), OK)
    run(token_fetch(client, build, shared="refresh:abc"), script)
    assert script.keys == ["refresh:abc", "refresh:abc:dpop-nonce-1"]
    # A nonce a success brings keeps the generation: callers just behind still share.
    script = Script(json_response(200, {}, [("DPoP-Nonce", "n-2")]), OK)
    run(token_fetch(client, build, shared="refresh:abc"), script)
    assert script.keys == ["refresh:abc:dpop-nonce-1"]
    assert client.dpop_nonces.current(TOKEN_URL, "token") == ("n-2", 1)


def test_a_caller_that_built_its_proof_before_the_challenge_joins_the_retry() -> None:
    """Two callers of one shared refresh: B built its proof (no nonce) before A's request
    was challenged, and sends it after: B's request fails like A's did, and B's retry has the
    key of A's retry, so the refresh token goes out in one successful request only."""
    client = client_with(dpop=True)
    build, _ = token_request_builder()
    first = token_fetch(client, build, shared="refresh:abc")
    second = token_fetch(client, build, shared="refresh:abc")
    a_first = next(first)
    b_first = next(second)  # built before the challenge reached anyone
    assert isinstance(a_first, SharedRequest)
    assert isinstance(b_first, SharedRequest)
    assert a_first.key == b_first.key == "refresh:abc"
    a_retry = first.send(use_nonce("n-1"))
    b_retry = second.send(use_nonce("n-1"))  # its own stale request, challenged the same way
    assert isinstance(a_retry, SharedRequest)
    assert isinstance(b_retry, SharedRequest)
    assert a_retry.key == b_retry.key == "refresh:abc:dpop-nonce-1"
    # A caller starting now has the fresh nonce, and the retry's key.
    third = token_fetch(client, build, shared="refresh:abc")
    c_first = next(third)
    assert isinstance(c_first, SharedRequest)
    assert c_first.key == a_retry.key
    for flow in (first, second, third):
        with pytest.raises(StopIteration):
            flow.send(OK)


def test_one_challenge_read_by_many_callers_is_one_generation() -> None:
    nonces = DPoPNonces()
    challenge = use_nonce("n-1")
    for _ in range(3):
        nonces.remember(TOKEN_URL, "token", challenge, challenge=True)
    assert nonces.current(TOKEN_URL, "token") == ("n-1", 1)
    nonces.remember(TOKEN_URL, "token", use_nonce("n-2"), challenge=True)
    assert nonces.current(TOKEN_URL, "token") == ("n-2", 2)
    nonces.remember(TOKEN_URL, "token", challenge, challenge=True)  # a late copy of n-1's
    assert nonces.current(TOKEN_URL, "token") == ("n-1", 1)


def test_without_a_key_token_requests_are_unchanged() -> None:
    client = client_with()
    build, built = token_request_builder()
    script = Script(use_nonce("n-1"))
    assert run(token_fetch(client, build, shared="k"), script).status == 400
    assert len(built) == 1
    assert script.keys == ["k"]
    assert script.sent[0].header("DPoP") is None


# --- resource calls ----------------------------------------------------------------------------


def dpop_token(access_token: str = "at-1") -> TokenSet:
    return TokenSet(
        audience=f"{BASE}/me/",
        access_token=access_token,
        scope="read:me:connected_accounts",
        expires_at=NOW + 600,
        token_type="DPoP",
    )


def test_a_bound_token_goes_with_the_dpop_scheme_and_ath() -> None:
    client = client_with(dpop=True)
    script = Script(json_response(200, {"accounts": []}))
    request = HttpRequest(method="GET", url=API_URL, headers=(("Accept", "application/json"),))
    run(resource_fetch(client, request, dpop_token("at-77")), script)
    (sent,) = script.sent
    assert sent.header("Authorization") == "DPoP at-77"
    assert sent.header("Accept") == "application/json"
    (claims,) = script.proofs()
    assert claims["htm"] == "GET"
    assert claims["htu"] == f"{BASE}/me/v1/connected-accounts/accounts"
    assert claims["ath"] == b64_sha256("at-77")
    assert claims["iat"] == NOW


def test_a_resource_nonce_challenge_is_answered_once() -> None:
    client = client_with(dpop=True)
    script = Script(resource_challenge("rn-1"), resource_challenge("rn-2"), OK)
    response = run(
        resource_fetch(client, HttpRequest(method="DELETE", url=API_URL), dpop_token()), script
    )
    assert response.status == 401
    assert len(script.sent) == 2
    first, second = script.proofs()
    assert "nonce" not in first
    assert second["nonce"] == "rn-1"
    assert second["ath"] == first["ath"]
    assert second["jti"] != first["jti"]
    assert all(r.header("Authorization") == "DPoP at-1" for r in script.sent)
    # The resource server's nonce is its own: the token endpoint's memory is untouched.
    assert client.dpop_nonces.get(API_URL, "resource") == "rn-2"
    assert client.dpop_nonces.get(TOKEN_URL, "token") is None


@pytest.mark.parametrize(
    ("header", "retried"),
    [
        ('DPoP error="use_dpop_nonce"', True),
        ('Bearer realm="api", DPoP algs="ES256", error="use_dpop_nonce"', True),
        ('dpop error=use_dpop_nonce, Bearer error="invalid_token"', True),
        ('Bearer error="use_dpop_nonce"', False),
        ('DPoP error="invalid_token", error_description="use_dpop_nonce"', False),
        ('DPoP error="invalid_dpop_proof"', False),
    ],
)
def test_which_resource_challenges_ask_for_a_nonce(header: str, retried: bool) -> None:
    response = HttpResponse(
        status=401, headers=(("WWW-Authenticate", header), ("DPoP-Nonce", "rn"))
    )
    assert nonce_challenge(response, "resource") is retried
    assert not nonce_challenge(HttpResponse(status=403, headers=response.headers), "resource")


def test_a_bearer_token_goes_as_bearer_even_with_a_key() -> None:
    client = client_with(dpop=True)
    script = Script(resource_challenge("rn-1"))
    bearer = TokenSet(audience="a", access_token="plain", scope=None, expires_at=NOW + 60)
    run(resource_fetch(client, HttpRequest(method="GET", url=API_URL), bearer), script)
    assert script.sent[0].header("Authorization") == "Bearer plain"
    assert script.sent[0].header("DPoP") is None
    assert len(script.sent) == 1


def test_a_bound_token_without_a_key_is_a_configuration_error() -> None:
    client = client_with()
    with pytest.raises(ConfigurationError) as info:
        run(resource_fetch(client, HttpRequest(method="GET", url=API_URL), dpop_token()), Script())
    assert "at-1" not in str(info.value)


# --- nonce memory ------------------------------------------------------------------------------


def test_nonces_are_kept_per_origin_and_kind() -> None:
    nonces = DPoPNonces()
    nonces.remember("https://a.example/oauth/token", "token", OK_WITH("na"))
    nonces.remember("https://b.example:8443/oauth/token", "token", OK_WITH("nb"))
    assert nonces.get("https://A.example:443/other?x", "token") == "na"
    assert nonces.get("https://b.example:8443/x", "token") == "nb"
    assert nonces.get("https://b.example/x", "token") is None
    assert nonces.get("https://a.example/me/v1", "resource") is None
    assert nonces.remember("https://a.example/", "token", HttpResponse(status=200)) is None
    assert nonces.get("https://a.example/", "token") == "na"  # no header: kept
    assert "na" not in repr(nonces)


def OK_WITH(nonce: str) -> HttpResponse:
    return HttpResponse(status=200, headers=(("DPoP-Nonce", nonce),))


def test_nonce_memory_is_bounded() -> None:
    nonces = DPoPNonces()
    for index in range(100):
        nonces.remember(f"https://h{index}.example/", "resource", OK_WITH(f"n{index}"))
    assert nonces.get("https://h0.example/", "resource") is None
    assert nonces.get("https://h99.example/", "resource") == "n99"


# --- token types -------------------------------------------------------------------------------


def tokens(token_type: str) -> TokenResponse:
    return TokenResponse(access_token="at", token_type=token_type, expires_in=60, scope="s")


def test_a_bound_token_without_a_key_is_refused_a_bearer_token_with_one_accepted() -> None:
    with pytest.raises(InvalidResponse) as info:
        check_token_type(client_with(), tokens("DPoP"))
    assert info.value.code == "invalid_response"
    assert "at" not in str(info.value).split()
    check_token_type(client_with(), tokens("Bearer"))
    check_token_type(client_with(dpop=True), tokens("Bearer"))  # the API's policy: unbound
    check_token_type(client_with(dpop=True), tokens("dpop"))


def test_token_sets_remember_the_binding() -> None:
    key = generate_dpop_key(make_env())
    bound = new_token_set("api", "read", tokens("DPoP"), NOW, key)
    assert (bound.token_type, bound.dpop_jkt) == ("DPoP", key.thumbprint)
    assert bound.to_dict()["token_type"] == "DPoP"
    assert TokenSet.from_dict(bound.to_dict()) == bound
    bearer = new_token_set("api", "read", tokens("Bearer"), NOW, key)
    assert (bearer.token_type, bearer.dpop_jkt) == (None, None)
    assert "token_type" not in bearer.to_dict()
    assert "dpop_jkt" not in bearer.to_dict()
    # A stored set the official SDK wrote (no token_type) is a bearer token.
    official = TokenSet.from_dict(
        {"audience": "a", "access_token": "t", "scope": "s", "expires_at": NOW}
    )
    assert not official.is_dpop
    assert list(official.to_dict()) == ["audience", "access_token", "scope", "expires_at"]


def test_a_bound_set_is_usable_only_with_its_key() -> None:
    env = make_env()
    key, other = generate_dpop_key(env), generate_dpop_key(env)
    bound = new_token_set("api", "read", tokens("DPoP"), NOW, key)
    assert usable_with(bound, key)
    assert not usable_with(bound, other)
    assert not usable_with(bound, None)
    unnamed = TokenSet(
        audience="api", access_token="t", scope=None, expires_at=NOW, token_type="DPoP"
    )
    assert usable_with(unnamed, other)
    assert not usable_with(unnamed, None)
    bearer = new_token_set("api", "read", tokens("Bearer"), NOW, None)
    assert usable_with(bearer, None)
    assert usable_with(bearer, key)


# --- a whole flow --------------------------------------------------------------------------------


def tenant_discovery() -> HttpResponse:
    return json_response(
        200,
        {
            "issuer": f"{BASE}/",
            "authorization_endpoint": f"{BASE}/authorize",
            "token_endpoint": TOKEN_URL,
            "jwks_uri": f"{BASE}/.well-known/jwks.json",
            "end_session_endpoint": f"{BASE}/oidc/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        },
    )


def drive(flow: Flow[Any], script: Script) -> Any:
    return run(flow, script)


def test_client_credentials_through_a_nonce_challenge() -> None:
    client = client_with(dpop=True)
    script = Script(
        tenant_discovery(),
        use_nonce("n-1"),
        json_response(
            200,
            {"access_token": "cc-1", "token_type": "DPoP", "expires_in": 3600},
            [("DPoP-Nonce", "n-2")],
        ),
    )
    token_set = drive(client_credentials_token_set_flow(client, "https://api.example/"), script)
    assert token_set.token_type == "DPoP"
    assert token_set.access_token == "cc-1"
    assert [r.url for r in script.sent][1:] == [TOKEN_URL, TOKEN_URL]
    assert script.keys[1] is not None
    assert script.keys[2] == f"{script.keys[1]}:dpop-nonce-1"
    assert client.dpop_nonces.get(TOKEN_URL, "token") == "n-2"
    # Cached: no request at all.
    assert drive(client_credentials_flow(client, "https://api.example/"), Script()) == "cc-1"


def test_a_bound_answer_to_a_client_without_a_key_is_refused() -> None:
    client = client_with()
    script = Script(
        tenant_discovery(),
        json_response(200, {"access_token": "cc-1", "token_type": "DPoP", "expires_in": 3600}),
    )
    with pytest.raises(InvalidResponse):
        drive(client_credentials_flow(client, "https://api.example/"), script)
    assert client.client_credentials_cache == {}


def test_config_is_still_a_plain_frozen_record() -> None:
    config = client_with(dpop=True).config
    assert isinstance(config, ClientConfig)
    assert isinstance(config.dpop, DPoPKey)
    with pytest.raises(AttributeError):
        config.dpop = None  # type: ignore[misc]
