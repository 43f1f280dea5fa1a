"""DPoP (RFC 9449) at the token endpoint: proofs checked, tokens bound, nonces on demand."""

from __future__ import annotations

import json
import warnings
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, OKPKey, RSAKey

from auth0_core import FixedClock, HttpRequest, HttpResponse
from auth0_core._http import form_request
from auth0_core.tenant import Tenant, TenantConfig, browser_login_flow

from .tenant_helpers import (
    API,
    BASE,
    CALLBACK,
    MY_ACCOUNT,
    NOW,
    authorize_params,
    basic,
    body,
    claims_of,
    config_with_client,
    exchange,
    get,
    login,
    make_tenant,
    pkce,
    post_form,
    query_of,
    refresh,
    run_flow,
)
from .test_my_account_support import API_ROOT
from .test_tenant_dpop_support import TOKEN_URL, ProofKey, b64, token_post

CLIENT_CREDENTIALS = {"grant_type": "client_credentials", "audience": API}
FEDERATED_GRANT = (
    "urn:auth0:params:oauth:grant-type:token-exchange:federated-connection-access-token"
)


@pytest.fixture(scope="module")
def key() -> ProofKey:
    return ProofKey.es256()


def _error(response: HttpResponse) -> tuple[int, str]:
    return response.status, str(body(response)["error"])


def _code(tenant: Tenant, **extra: str) -> tuple[str, str]:
    verifier, challenge = pkce()
    return login(tenant, challenge, **extra)["code"], verifier


def _code_fields(code: str, verifier: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": CALLBACK,
        "code_verifier": verifier,
    }


def test_without_a_proof_tokens_stay_bearer(tenant: Tenant) -> None:
    response = token_post(tenant, CLIENT_CREDENTIALS)
    assert body(response)["token_type"] == "Bearer"
    assert "cnf" not in claims_of(body(response)["access_token"])
    assert response.header("dpop-nonce") is None


def test_a_code_exchange_with_a_proof_binds_the_tokens(tenant: Tenant, key: ProofKey) -> None:
    code, verifier = _code(tenant, audience=API)
    response = token_post(tenant, _code_fields(code, verifier), (key.proof("POST", TOKEN_URL),))
    assert response.status == 200, response.body
    tokens = body(response)
    assert tokens["token_type"] == "DPoP"
    assert claims_of(tokens["access_token"])["cnf"] == {"jkt": key.jkt}
    assert "cnf" not in claims_of(tokens["id_token"])
    # The refresh token is not bound (a confidential client): a refresh with another key gets
    # a token bound to that key, a refresh without a proof a Bearer token.
    other = ProofKey.es256()
    rebound = token_post(
        tenant,
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        (other.proof("POST", TOKEN_URL),),
    )
    assert claims_of(body(rebound)["access_token"])["cnf"] == {"jkt": other.jkt}
    plain = body(refresh(tenant, tokens["refresh_token"], audience=MY_ACCOUNT))
    assert plain["token_type"] == "Bearer"
    assert "cnf" not in claims_of(plain["access_token"])


def test_client_credentials_with_a_proof(tenant: Tenant, key: ProofKey) -> None:
    response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL),))
    assert body(response)["token_type"] == "DPoP"
    assert claims_of(body(response)["access_token"])["cnf"] == {"jkt": key.jkt}


def test_the_token_vault_answers_upstream_bearer_tokens(tenant: Tenant, key: ProofKey) -> None:
    code, verifier = _code(tenant)
    refresh_token = body(exchange(tenant, code, verifier))["refresh_token"]
    fields = {
        "grant_type": FEDERATED_GRANT,
        "subject_token": refresh_token,
        "subject_token_type": "urn:ietf:params:oauth:token-type:refresh_token",
        "requested_token_type": "http://auth0.com/oauth/token-type/federated-connection-access-token",
        "connection": "google-oauth2",
    }
    response = token_post(tenant, fields, (key.proof("POST", TOKEN_URL),))
    assert response.status == 200
    assert body(response)["token_type"] == "Bearer"  # the provider's token, not bound by Auth0


@pytest.mark.parametrize(
    ("make", "alg"),
    [
        (lambda: RSAKey.generate_key(2048), "RS256"),
        (lambda: RSAKey.generate_key(2048), "PS256"),
        (lambda: ECKey.generate_key("P-384"), "ES384"),
        (lambda: OKPKey.generate_key("Ed25519"), "Ed25519"),
    ],
)
def test_other_asymmetric_algorithms(tenant: Tenant, make: Any, alg: str) -> None:
    key = ProofKey(make(), alg)
    response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL),))
    assert response.status == 200, response.body
    assert claims_of(body(response)["access_token"])["cnf"] == {"jkt": key.jkt}


def _rejections(key: ProofKey) -> list[tuple[str, str, tuple[str, ...]]]:
    """Proofs the token endpoint must refuse: what is wrong, the words the
    ``error_description`` must contain, and the ``DPoP`` headers."""
    stranger = ProofKey.es256()
    private_jwk = dict(key.key.as_dict(private=True))
    with warnings.catch_warnings():  # joserfc warns about short keys: this one is on purpose
        warnings.simplefilter("ignore", SecurityWarning)
        small_rsa = ProofKey(RSAKey.generate_key(1024), "RS256")
    symmetric = {"kty": "oct", "k": "c2VjcmV0"}

    def proof(method: str = "POST", url: str = TOKEN_URL, **options: Any) -> tuple[str]:
        return (key.proof(method, url, **options),)

    return [
        ("typ JWT", "typ", proof(header={"typ": "JWT"})),
        ("no typ", "typ", proof(header={"typ": None})),
        ("alg none", "alg", proof(header={"alg": "none"})),
        ("alg HS256", "alg", proof(header={"alg": "HS256"})),
        ("private jwk", "public key", proof(header={"jwk": private_jwk})),
        ("symmetric jwk", "public key", proof(header={"jwk": symmetric})),
        ("no jwk", "jwk", proof(header={"jwk": None})),
        ("short RSA key", "2048 bits", (small_rsa.proof("POST", TOKEN_URL),)),
        (
            "bad signature",
            "signature",
            (stranger.proof("POST", TOKEN_URL, header={"jwk": key.jwk}),),
        ),
        ("htm GET", "htm", proof("GET")),
        ("htm lower case", "htm", proof("post")),
        ("htu other path", "htu", proof(url=BASE + "/oauth/par")),
        ("htu other host", "htu", proof(url="https://evil.example/oauth/token")),
        ("htu http", "htu", proof(url="http://tenant.example/oauth/token")),
        ("htu not a URL", "htu", proof(url="/oauth/token")),
        ("no htu", "htu", proof(drop=("htu",))),
        ("iat 61 s old", "iat", proof(iat=NOW - 61)),
        ("iat 61 s ahead", "iat", proof(iat=NOW + 61)),
        ("iat a string", "iat", proof(claims={"iat": str(NOW)})),
        ("no jti", "jti", proof(drop=("jti",))),
        ("two proofs", "one DPoP header", (*proof(), *proof())),
        ("garbage", "base64url", ("not.a.jwt",)),
        ("not compact", "compact", ("abc",)),
        ("huge", "compact", ("a" * 9000 + ".b.c",)),
    ]


def test_every_bad_proof_is_invalid_dpop_proof(tenant: Tenant, key: ProofKey) -> None:
    for name, reason, proofs in _rejections(key):
        response = token_post(tenant, CLIENT_CREDENTIALS, proofs)
        assert _error(response) == (400, "invalid_dpop_proof"), name
        assert reason in body(response)["error_description"], name


def test_a_refused_proof_leaves_the_code_usable(tenant: Tenant, key: ProofKey) -> None:
    code, verifier = _code(tenant)
    refused = token_post(tenant, _code_fields(code, verifier), (key.proof("GET", TOKEN_URL),))
    assert _error(refused) == (400, "invalid_dpop_proof")
    good = token_post(tenant, _code_fields(code, verifier), (key.proof("POST", TOKEN_URL),))
    assert good.status == 200


@pytest.mark.parametrize(
    "htu",
    [
        TOKEN_URL + "?query=dropped",
        TOKEN_URL + "#fragment",
        "HTTPS://Tenant.Example:443/oauth/token",
    ],
)
def test_htu_is_compared_without_query_fragment_case_or_default_port(
    tenant: Tenant, key: ProofKey, htu: str
) -> None:
    response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", htu),))
    assert response.status == 200, response.body


def test_iat_may_be_off_by_the_allowed_age(tenant: Tenant, key: ProofKey) -> None:
    for iat in (NOW - 60, NOW + 60):
        response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL, iat=iat),))
        assert response.status == 200


def test_a_replayed_proof_is_refused(tenant: Tenant, key: ProofKey, clock: FixedClock) -> None:
    proof = key.proof("POST", TOKEN_URL)
    assert token_post(tenant, CLIENT_CREDENTIALS, (proof,)).status == 200
    replay = token_post(tenant, CLIENT_CREDENTIALS, (proof,))
    assert _error(replay) == (400, "invalid_dpop_proof")
    assert "jti" in body(replay)["error_description"]
    # Another key may use the same jti: a replay is the same proof, so the same key.
    jti = {"jti": "shared-jti"}
    assert (
        token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL, claims=jti),)).status
        == 200
    )
    other = ProofKey.es256().proof("POST", TOKEN_URL, claims=jti)
    assert token_post(tenant, CLIENT_CREDENTIALS, (other,)).status == 200
    # The replay cache forgets what would be too old anyway.
    clock.advance(61)
    assert len(tenant.state.dpop_replays) == 3
    late = key.proof("POST", TOKEN_URL, iat=NOW + 61)
    assert token_post(tenant, CLIENT_CREDENTIALS, (late,)).status == 200
    assert len(tenant.state.dpop_replays) == 1


def test_nonces_when_required(tenant: Tenant, key: ProofKey, clock: FixedClock) -> None:
    tenant.settings.dpop_require_nonce = True
    challenge = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL),))
    assert body(challenge) == {
        "error": "use_dpop_nonce",
        "error_description": "Authorization server requires nonce in DPoP proof",
    }
    assert challenge.status == 400
    nonce = challenge.header("dpop-nonce")
    assert nonce
    response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL, nonce=nonce),))
    assert response.status == 200
    assert body(response)["token_type"] == "DPoP"
    assert response.header("dpop-nonce") == nonce  # successful answers carry it too
    # A wrong nonce is a challenge again.
    wrong = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL, nonce="x"),))
    assert _error(wrong) == (400, "use_dpop_nonce")
    # Rotation: the previous nonce stays good for one more period, then it is stale.
    clock.advance(300)
    rotated = token_post(tenant, CLIENT_CREDENTIALS)
    assert rotated.header("dpop-nonce") not in (None, nonce)
    proof = key.proof("POST", TOKEN_URL, iat=NOW + 300, nonce=nonce)
    assert token_post(tenant, CLIENT_CREDENTIALS, (proof,)).status == 200
    clock.advance(300)
    stale = key.proof("POST", TOKEN_URL, iat=NOW + 600, nonce=nonce)
    assert _error(token_post(tenant, CLIENT_CREDENTIALS, (stale,))) == (400, "use_dpop_nonce")


def test_a_nonce_challenge_uses_up_neither_the_jti_nor_the_code(
    tenant: Tenant, key: ProofKey
) -> None:
    tenant.settings.dpop_require_nonce = True
    code, verifier = _code(tenant)
    jti = {"jti": "one-proof-id"}
    first = token_post(
        tenant, _code_fields(code, verifier), (key.proof("POST", TOKEN_URL, claims=jti),)
    )
    assert _error(first) == (400, "use_dpop_nonce")
    nonce = first.header("dpop-nonce")
    retry = key.proof("POST", TOKEN_URL, claims=jti, nonce=nonce)
    assert token_post(tenant, _code_fields(code, verifier), (retry,)).status == 200


def test_nonces_from_configuration(clock: FixedClock, key: ProofKey) -> None:
    tenant = make_tenant(clock, TenantConfig.from_dict({"dpop": {"require_nonce": True}}))
    assert tenant.settings.dpop_require_nonce is True
    response = token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL),))
    assert _error(response) == (400, "use_dpop_nonce")
    # Requests without a proof are not concerned, but learn the nonce.
    plain = token_post(tenant, CLIENT_CREDENTIALS)
    assert plain.status == 200
    assert plain.header("dpop-nonce") == response.header("dpop-nonce")


def test_a_client_may_require_dpop(clock: FixedClock, key: ProofKey) -> None:
    tenant = make_tenant(clock, config_with_client(require_dpop=True))
    refused = token_post(tenant, CLIENT_CREDENTIALS)
    assert _error(refused) == (400, "invalid_request")
    assert token_post(tenant, CLIENT_CREDENTIALS, (key.proof("POST", TOKEN_URL),)).status == 200


def test_dpop_jkt_binds_the_code(tenant: Tenant, key: ProofKey) -> None:
    for proofs in ((), (ProofKey.es256().proof("POST", TOKEN_URL),)):
        code, verifier = _code(tenant, dpop_jkt=key.jkt)
        refused = token_post(tenant, _code_fields(code, verifier), proofs)
        assert _error(refused) == (400, "invalid_grant")
    code, verifier = _code(tenant, dpop_jkt=key.jkt)
    bound = token_post(tenant, _code_fields(code, verifier), (key.proof("POST", TOKEN_URL),))
    assert body(bound)["token_type"] == "DPoP"


def test_a_malformed_dpop_jkt_is_refused_at_authorize(tenant: Tenant) -> None:
    _, challenge = pkce()
    response = get(tenant, "/authorize", authorize_params(challenge, dpop_jkt="not-a-thumbprint"))
    assert response.status == 302
    assert query_of(response.header("location") or "")["error"] == "invalid_request"


def _pushed_code(tenant: Tenant, challenge: str, headers: tuple[tuple[str, str], ...]) -> str:
    """Push an authorization request with ``headers``, log in through it: the code."""
    pushed = post_form(tenant, "/oauth/par", authorize_params(challenge), (*basic(), *headers))
    assert pushed.status == 201, pushed.body
    query = urlencode({"client_id": "demo-client", "request_uri": body(pushed)["request_uri"]})
    flow = browser_login_flow(f"{BASE}/authorize?{query}", "alice@example.com", "alice-password")
    return query_of(run_flow(flow, tenant.handle))["code"]


def test_a_proof_sent_to_par_binds_the_code(tenant: Tenant, key: ProofKey) -> None:
    verifier, challenge = pkce()
    par_url = BASE + "/oauth/par"
    code = _pushed_code(tenant, challenge, (("DPoP", key.proof("POST", par_url)),))
    assert _error(token_post(tenant, _code_fields(code, verifier))) == (400, "invalid_grant")
    code = _pushed_code(tenant, challenge, (("DPoP", key.proof("POST", par_url)),))
    bound = token_post(tenant, _code_fields(code, verifier), (key.proof("POST", TOKEN_URL),))
    assert body(bound)["token_type"] == "DPoP"
    mismatched = post_form(
        tenant,
        "/oauth/par",
        {**authorize_params(challenge), "dpop_jkt": ProofKey.es256().jkt},
        (*basic(), ("DPoP", key.proof("POST", par_url))),
    )
    assert _error(mismatched) == (400, "invalid_dpop_proof")


_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
)
_jwks = st.fixed_dictionaries(
    {"kty": st.sampled_from(["EC", "RSA", "OKP", "oct", "XX"]) | _values},
    optional={name: _values for name in ("crv", "x", "y", "n", "e", "d", "k")},
)
_headers = st.fixed_dictionaries(
    {},
    optional={
        "typ": st.just("dpop+jwt") | _values,
        "alg": st.sampled_from(["ES256", "RS256", "Ed25519", "none", "HS256"]) | _values,
        "jwk": _jwks | _values,
        "crit": _values,
    },
)
_claims = st.fixed_dictionaries(
    {},
    optional={name: _values for name in ("jti", "htm", "htu", "iat", "ath", "nonce")},
)
_FUZZ_TENANT = make_tenant(FixedClock(NOW))


def _segment(value: object) -> str:
    return b64(json.dumps(value).encode())


@settings(max_examples=300, deadline=None)
@given(
    header=_headers | _values,
    claims=_claims | _values,
    signature=st.binary(max_size=80),
    path=st.sampled_from(["/oauth/token", "/oauth/par", "/userinfo", f"{API_ROOT}/accounts"]),
    nonce_required=st.booleans(),
)
def test_any_proof_is_answered_never_with_a_crash(
    header: object, claims: object, signature: bytes, path: str, nonce_required: bool
) -> None:
    _FUZZ_TENANT.settings.dpop_require_nonce = nonce_required
    proof = f"{_segment(header)}.{_segment(claims)}.{b64(signature)}"
    scheme_headers = (("Authorization", "DPoP a.b.c"), ("DPoP", proof))
    method = "POST" if path.startswith("/oauth") else "GET"
    response = _FUZZ_TENANT.handle(
        form_request(BASE + path, CLIENT_CREDENTIALS, (*basic(), ("DPoP", proof)))
        if method == "POST"
        else HttpRequest(method="GET", url=BASE + path, headers=scheme_headers)
    )
    assert 400 <= response.status < 500
