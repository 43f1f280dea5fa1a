"""JWKS processing, key selection and the JWKS cache."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from joserfc.jwk import ECKey, OctKey, RSAKey

from auth0_core._config import make_config
from auth0_core._http import HttpResponse, json_response
from auth0_core._id_token import validate_id_token
from auth0_core._jwks import MAX_CANDIDATES, MAX_REFETCHES, JsonWebKeys, JwksCache, cache_max_age
from auth0_core.endpoints.authentication.jwks import prepare_jwks_request, process_jwks_response
from auth0_core.errors import IdTokenError, InvalidResponse

from .minting import NOW, Keys, checks, mint


def test_prepare_jwks_request() -> None:
    config = make_config(domain="t.auth0.com", client_id="cid", client_secret="x", secret="s" * 32)
    request = prepare_jwks_request(config, "https://t.auth0.com/.well-known/jwks.json")
    assert (request.method, request.url) == ("GET", "https://t.auth0.com/.well-known/jwks.json")
    assert request.header("accept") == "application/json"


def test_process_keeps_usable_signing_keys(keys: Keys) -> None:
    result = process_jwks_response(json_response(200, keys.jwks_document))
    assert [key.kid for key in result.keys] == ["k1", "k2", "e1"]
    assert all(not key.is_private for key in result.keys)
    assert "k1" in repr(result)


def test_private_members_are_never_imported(keys: Keys) -> None:
    document = {"keys": [keys.rsa.as_dict(private=True)]}
    (key,) = JsonWebKeys.from_document(document).keys
    assert key.is_private is False
    # Only the public members survive: the same key as its public form, nothing more.
    assert key.as_dict() == keys.rsa.as_dict(private=False)


def test_malformed_keys_are_skipped(keys: Keys) -> None:
    good = keys.rsa.as_dict(private=False)
    with warnings.catch_warnings():  # joserfc warns about generating a weak key
        warnings.simplefilter("ignore")
        small = RSAKey.generate_key(1024, parameters={"kid": "small"}).as_dict(private=False)
    bad: list[Any] = [
        5,
        "key",
        None,
        [],
        {},
        {"kty": "RSA"},
        {"kty": "RSA", "n": "!!", "e": "AQAB"},
        {"kty": "RSA", "n": 5, "e": "AQAB"},
        {**good, "kid": 7},
        {**good, "use": "enc"},
        {**good, "alg": "RSA-OAEP"},
        {**good, "alg": "none"},
        {**good, "key_ops": ["encrypt"]},
        {**good, "key_ops": "verify"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA"},
        {"kty": "EC", "crv": "secp256k1", "x": "AAAA", "y": "AAAA"},
        OctKey.generate_key(256).as_dict(private=True),
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        small,
    ]
    result = JsonWebKeys.from_document(
        {"keys": [*bad, good, {**good, "kid": "k-ops", "key_ops": ["verify"]}]}
    )
    assert [key.kid for key in result.keys] == ["k1", "k-ops"]


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(status=500, body=b'{"keys": []}'),
        HttpResponse(status=404, body=b"<html>not found</html>"),
        HttpResponse(status=200, body=b"not json"),
        HttpResponse(status=200, body=b""),
        json_response(200, []),
        json_response(200, {}),
        json_response(200, {"keys": {}}),
        json_response(200, {"keys": []}),
        json_response(200, {"keys": [1, 2, 3]}),
        json_response(200, {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}),
        json_response(200, {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}] * 101}),
    ],
    ids=[
        "500",
        "404-html",
        "not-json",
        "empty-body",
        "array",
        "no-keys",
        "keys-object",
        "keys-empty",
        "keys-garbage",
        "only-symmetric",
        "too-many-keys",
    ],
)
def test_unusable_documents_are_invalid_responses(response: HttpResponse) -> None:
    with pytest.raises(InvalidResponse):
        process_jwks_response(response)


def test_find(keys: Keys) -> None:
    jwks = keys.jwks
    assert jwks.find("k1", "RS256") is jwks.keys[0]
    assert jwks.find("k2", "PS256") is jwks.keys[1]  # no alg on the key: any RSA algorithm
    assert jwks.find("k1", "PS256") is None  # pinned to RS256
    assert jwks.find("e1", "ES256") is jwks.keys[2]
    assert jwks.find("e1", "ES384") is None  # wrong curve
    assert jwks.find("k1", "ES256") is None  # wrong key type
    assert jwks.find("k1", "HS256") is None  # never an HMAC key from a JWKS
    assert jwks.find("missing", "RS256") is None
    assert jwks.find(None, "ES256") is jwks.keys[2]  # the only EC key
    assert jwks.find(None, "PS256") is jwks.keys[1]  # the only RSA key not pinned to RS256
    assert jwks.find(None, "RS256") is None  # two candidates: a kid is needed


def test_find_ec_curves() -> None:
    p384 = ECKey.generate_key("P-384", parameters={"kid": "p384"})
    jwks = JsonWebKeys.from_document({"keys": [p384.as_dict(private=False)]})
    assert jwks.find("p384", "ES384") is not None
    assert jwks.find("p384", "ES256") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("public, max-age=3600", 3600),
        ("max-age=0", 0),
        ("MAX-AGE=120, must-revalidate", 120),
        ('max-age="300"', 300),
        ("s-maxage=500", None),
        ("max-age=abc", None),
        ("max-age=-5", None),
        ("max-age=99999999999", None),
        ("no-store", 0),
        ("public, no-cache", 0),
        ("private", None),
    ],
)
def test_cache_max_age(header: str | None, expected: int | None) -> None:
    headers = [("Cache-Control", header)] if header is not None else []
    assert cache_max_age(HttpResponse(status=200, headers=headers)) == expected


def test_cache_max_age_reads_every_header_line() -> None:
    response = HttpResponse(
        status=200, headers=[("cache-control", "public"), ("Cache-Control", "max-age=900")]
    )
    assert cache_max_age(response) == 900


@pytest.mark.parametrize(
    ("max_age", "ttl"),
    [(None, 600), (0, 60), (10, 60), (60, 60), (3000, 3000), (86_400, 86_400), (10**7, 86_400)],
)
def test_cache_ttl_is_bounded(keys: Keys, max_age: int | None, ttl: int) -> None:
    cache = JwksCache()
    cache.put("u", keys.jwks, 1000, max_age)
    assert cache.get("u", 1000) is keys.jwks
    assert cache.get("u", 1000 + ttl - 1) is keys.jwks
    assert cache.get("u", 1000 + ttl) is None
    entry = cache.entry("u")
    assert entry is not None
    assert (entry.fetched_at, entry.expires_at) == (1000, 1000 + ttl)


def test_cache_is_per_uri_and_can_be_invalidated(keys: Keys) -> None:
    cache = JwksCache()
    other = JsonWebKeys(keys.jwks.keys[:1])
    cache.put("a", keys.jwks, 0)
    cache.put("b", other, 0)
    assert cache.get("a", 1) is keys.jwks
    assert cache.get("b", 1) is other
    assert cache.get("c", 1) is None
    cache.invalidate("a")
    assert cache.get("a", 1) is None
    assert cache.get("b", 1) is other


def test_cache_ignores_entries_from_the_future(keys: Keys) -> None:
    cache = JwksCache()
    cache.put("a", keys.jwks, 1000)
    assert cache.get("a", 999) is None


def test_cache_replaces_and_evicts_oldest(keys: Keys) -> None:
    cache = JwksCache(max_entries=2)
    cache.put("a", keys.jwks, 0)
    cache.put("b", keys.jwks, 5)
    cache.put("a", keys.jwks, 10)  # replacing does not evict
    assert cache.get("b", 11) is not None
    cache.put("c", keys.jwks, 20)  # b is now the oldest fetch
    assert cache.get("b", 21) is None
    assert cache.get("a", 21) is not None
    assert cache.get("c", 21) is not None


def test_refetch_rate_limit() -> None:
    # At most MAX_REFETCHES re-fetches per REFETCH_INTERVAL per URI, whatever the kids.
    cache = JwksCache()
    for index in range(MAX_REFETCHES):
        assert cache.may_refetch("a", 1000 + index, f"kid-{index}")
        cache.refetch_done("a", cache.mark_refetch("a", 1000 + index, f"kid-{index}"))
    assert not cache.may_refetch("a", 1029, "kid-new")
    assert cache.may_refetch("b", 1001, "kid-new")  # per URI
    assert cache.may_refetch("a", 1030, "kid-new")  # the first one has left the interval
    cache.mark_refetch("a", 1030, "kid-new")
    assert not cache.may_refetch("a", 1030, "kid-other")


def test_a_kid_looked_for_in_vain_waits_for_the_next_fetch() -> None:
    cache = JwksCache()
    key = cache.mark_refetch("a", 1000, "forged")
    cache.refetch_done("a", key)
    cache.mark_missing("a", "forged")
    assert not cache.may_refetch("a", 1001, "forged")  # budget left, but already looked for
    assert cache.may_refetch("a", 1001, "rotated")
    cache.put("a", JsonWebKeys(()), 1001)  # any fetch: every kid may be looked for again
    assert cache.may_refetch("a", 1002, "forged")


def test_callers_asking_for_one_kid_at_once_share_a_refetch() -> None:
    cache = JwksCache(max_refetches=1)
    first = cache.mark_refetch("a", 1000, "new")
    assert cache.may_refetch("a", 1000, "new")  # joins the re-fetch in flight
    assert cache.mark_refetch("a", 1000, "new") == first  # and is not counted again
    assert not cache.may_refetch("a", 1000, "other")
    cache.refetch_done("a", first)
    assert not cache.may_refetch("a", 1000, "new")  # over: the budget applies again
    # A re-fetch against a newer set is another request (another shared key).
    cache.put("a", JsonWebKeys(()), 1000)
    assert cache.refetch_key("a", "new") != first


def test_refetch_allowed_after_clock_steps_back() -> None:
    cache = JwksCache(max_refetches=1)
    cache.refetch_done("a", cache.mark_refetch("a", 1000))
    assert cache.may_refetch("a", 500)


def test_refetch_records_are_pruned() -> None:
    cache = JwksCache(refetch_interval=30)
    for index in range(1000):
        cache.refetch_done(f"uri-{index}", cache.mark_refetch(f"uri-{index}", index * 31))
    assert len(cache._refetched_at) == 1
    assert not cache._in_flight


def test_refetch_interval_is_configurable() -> None:
    cache = JwksCache(refetch_interval=60, max_refetches=1)
    cache.refetch_done("a", cache.mark_refetch("a", 0))
    assert not cache.may_refetch("a", 59)
    assert cache.may_refetch("a", 60)


def test_documents_round_trip_through_json(keys: Keys) -> None:
    body = json.dumps(keys.jwks_document).encode()
    result = process_jwks_response(
        HttpResponse(status=200, headers=[("Content-Type", "application/json")], body=body)
    )
    assert len(result) == 3


def test_a_token_signed_by_the_second_key_under_one_kid_is_valid(keys: Keys) -> None:
    """Issue 10, item 11: a rollover can publish two keys with the same kid."""
    impostor = keys.impostor.as_dict(private=False)  # kid "k1", like keys.rsa
    jwks = JsonWebKeys.from_document({"keys": [impostor, keys.rsa.as_dict(private=False)]})
    assert [key.kid for key in jwks.candidates("k1", "RS256")] == ["k1", "k1"]
    claims = validate_id_token(mint(keys.rsa), keys=jwks, checks=checks(), now=NOW)
    assert claims.sub == "auth0|user-1"
    # Neither key made this one: still refused, as a bad signature.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    with pytest.raises(IdTokenError) as refused:
        validate_id_token(mint(stranger), keys=jwks, checks=checks(), now=NOW)
    assert refused.value.claim == "signature"


def test_candidates_under_one_kid_are_bounded(keys: Keys) -> None:
    same = [keys.rsa.as_dict(private=False)] * (MAX_CANDIDATES + 2)
    jwks = JsonWebKeys.from_document({"keys": same})
    assert len(jwks.candidates("k1", "RS256")) == MAX_CANDIDATES
