"""The sealed (JWE) format: the protocol doc's test vector, round trips, rotation, rejection."""

from __future__ import annotations

import base64
import json

import pytest
from joserfc._rfc7518.jwe_encs import CBCHS2EncModel
from joserfc.jwe import JWERegistry
from joserfc.jwk import OctKey

from auth0_core import _seal
from auth0_core._seal import MAX_SEALED_LENGTH, derive_key, seal, unseal
from auth0_core.errors import InvalidArgumentError, UnsealError

SECRET = "example-secret-please-change"
VECTOR_KEYS = {
    "_a0_session": "b94a94ec62b0adf7251bbebdb61fca29e0167b5aad3d5efa8843587fe1b07667"
    "bdf9998d57da7e2045a7fcfab5fc05de35320586c8ea256213d3522b62338e76",
    "_a0_tx:abc": "a22ecb896c3e94c2f5702ce7cebdccb4c18825cda5ada1e9bd49a9884891ea75"
    "f3145960b1ea1c2c2bf3d9b378c44c1f0efa37478eef75ad9bf19ff5a13127cd",
    "mfa_token": "e78eea9c15f4fcd3b6b125574ea2ae0f7d669c433e2bbc29ef53b73d44b2402a"
    "a42ebbf0ff423b1c293dbd1dc2ca39de3faabaa6bc706bbb8cdb7dcea7c7f5a0",
}
VECTOR_IV = bytes(range(16))
VECTOR_PAYLOAD = {"user": {"sub": "auth0|123"}}
VECTOR_JWE = (
    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..AAECAwQFBgcICQoLDA0ODw."
    "MO_6IyZwMn546kfxxhAKYBNCJfSzAd2ivlrWx0ulnNY.sN8eadz-SIpdUD6m1UQfhG7IdmmPXfzH_hPKi2s6vao"
)
HEADER_B64 = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"


class _PinnedIv(CBCHS2EncModel):
    def generate_iv(self) -> bytes:
        return VECTOR_IV


class _PinnedRegistry(JWERegistry):
    """A registry whose A256CBC-HS512 uses the vector's IV (test only)."""

    def get_enc(self, name: str) -> CBCHS2EncModel:
        assert name == "A256CBC-HS512"
        return _PinnedIv(256, 512)


@pytest.mark.parametrize(("salt", "key_hex"), VECTOR_KEYS.items())
def test_derived_keys_match_the_vector(salt: str, key_hex: str) -> None:
    assert derive_key(SECRET, salt).hex() == key_hex


def test_vector_decrypts() -> None:
    assert unseal(VECTOR_JWE, [SECRET], "_a0_session") == VECTOR_PAYLOAD


def test_vector_encrypts_byte_for_byte_with_the_pinned_iv() -> None:
    key = OctKey.import_key(derive_key(SECRET, "_a0_session"))
    plaintext = json.dumps(VECTOR_PAYLOAD).encode()
    registry = _PinnedRegistry(algorithms=["dir", "A256CBC-HS512"])
    assert _seal._encrypt(plaintext, key, registry) == VECTOR_JWE


def test_seal_shape() -> None:
    token = seal({"a": 1}, SECRET, "_a0_session")
    header, encrypted_key, iv, ciphertext, tag = token.split(".")
    assert header == HEADER_B64
    assert encrypted_key == ""
    assert len(base64.urlsafe_b64decode(iv + "==")) == 16
    assert len(base64.urlsafe_b64decode(tag + "==")) == 32
    # '{"a":1}' is 7 bytes: one AES-CBC block once padded.
    assert len(base64.urlsafe_b64decode(ciphertext + "==")) == 16


def test_plaintext_uses_compact_separators_and_ascii() -> None:
    payload = {"user": {"sub": "auth0|1", "name": "Zoë", "note": "a, b: c"}, "n": [1, 2]}
    token = seal(payload, SECRET, "id")
    registry = JWERegistry(algorithms=["dir", "A256CBC-HS512"])
    key = OctKey.import_key(derive_key(SECRET, "id"))
    from joserfc import jwe

    plaintext = jwe.decrypt_compact(token, key, registry=registry).plaintext
    assert plaintext == json.dumps(payload, separators=(",", ":")).encode()
    assert plaintext == (
        b'{"user":{"sub":"auth0|1","name":"Zo\\u00eb","note":"a, b: c"},"n":[1,2]}'
    )


def test_round_trip_and_fresh_iv_each_time() -> None:
    payload = {"user": {"sub": "x"}, "token_sets": [{"audience": "a", "expires_at": 1}]}
    first, second = seal(payload, "s", "id"), seal(payload, "s", "id")
    assert first != second
    assert unseal(first, ["s"], "id") == payload == unseal(second, ["s"], "id")


def test_secret_rotation() -> None:
    old = seal({"v": "old"}, "old-secret", "id")
    new = seal({"v": "new"}, "new-secret", "id")
    rotation = ["new-secret", "old-secret"]
    assert unseal(old, rotation, "id") == {"v": "old"}
    assert unseal(new, rotation, "id") == {"v": "new"}
    with pytest.raises(UnsealError):
        unseal(old, ["new-secret"], "id")


def test_a_lone_string_is_one_secret_not_a_list_of_letters() -> None:
    assert unseal(seal({"a": 1}, "s", "id"), "s", "id") == {"a": 1}
    with pytest.raises(UnsealError):
        unseal(seal({"a": 1}, "s", "id"), "sx", "id")


def test_identifier_binds_the_value() -> None:
    token = seal({"a": 1}, "s", "_a0_tx:A")
    with pytest.raises(UnsealError):
        unseal(token, ["s"], "_a0_tx:B")


def _flip(token: str, segment: int) -> str:
    parts = token.split(".")
    value = parts[segment]
    parts[segment] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]
    return ".".join(parts)


@pytest.mark.parametrize("segment", [0, 2, 3, 4])
def test_tampering_any_segment_is_rejected(segment: int) -> None:
    token = seal({"a": 1}, "s", "id")
    with pytest.raises(UnsealError):
        unseal(_flip(token, segment), ["s"], "id")


def test_truncation_is_rejected() -> None:
    token = seal({"a": "x" * 100}, "s", "id")
    for cut in (1, 5, 20, len(token) // 2, len(token) - 1):
        with pytest.raises(UnsealError):
            unseal(token[:cut], ["s"], "id")


def _forge(plaintext: bytes, key_secret: str = "s", identifier: str = "id") -> str:
    from joserfc import jwe

    key = OctKey.import_key(derive_key(key_secret, identifier))
    registry = JWERegistry(algorithms=["dir", "A256CBC-HS512"])
    return jwe.encrypt_compact(
        {"alg": "dir", "enc": "A256CBC-HS512"}, plaintext, key, registry=registry
    )


@pytest.mark.parametrize(
    "plaintext", [b"not json", b"[1, 2]", b'"str"', b"null", b"\xff\xfe", b"[" * 5000 + b"]" * 5000]
)
def test_authentic_but_not_an_object_is_rejected(plaintext: bytes) -> None:
    with pytest.raises(UnsealError):
        unseal(_forge(plaintext), ["s"], "id")


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "....",
        "a.b.c.d.e",
        "a..b.c.d",
        HEADER_B64 + "..!!.x.y",
        VECTOR_JWE.replace("..", ".AAAA."),
        "eyJhbGciOiJub25lIn0..AAECAwQFBgcICQoLDA0ODw.MO_6.sN8e",
        "W10..AAECAwQFBgcICQoLDA0ODw.MO_6IyZwMn546kfxxhAKYBNCJfSzAd2ivlrWx0ulnNY.sN8e",
    ],
)
def test_garbage_is_rejected(garbage: str) -> None:
    with pytest.raises(UnsealError):
        unseal(garbage, [SECRET], "_a0_session")


def test_other_algorithms_are_refused() -> None:
    from joserfc import jwe

    key = OctKey.import_key(derive_key("s", "id")[:32])
    token = jwe.encrypt_compact({"alg": "dir", "enc": "A256GCM"}, b"{}", key)
    with pytest.raises(UnsealError):
        unseal(token, ["s"], "id")


def test_zip_def_written_by_a_jose_library_opens() -> None:
    from joserfc import jwe

    key = OctKey.import_key(derive_key("s", "id"))
    registry = JWERegistry(algorithms=["dir", "A256CBC-HS512", "DEF"])
    token = jwe.encrypt_compact(
        {"alg": "dir", "enc": "A256CBC-HS512", "zip": "DEF"},
        b'{"a": "' + b"x" * 5000 + b'"}',
        key,
        registry=registry,
    )
    assert unseal(token, ["s"], "id") == {"a": "x" * 5000}


def test_compressed_seal_is_smaller_and_opens_in_both_sdks() -> None:
    from auth0_server_python.encryption import decrypt as official_decrypt  # type: ignore[import-untyped]

    payload = {"token_sets": [{"access_token": "eyJ" + "abc" * 400, "scope": "openid"}] * 10}
    plain = seal(payload, "s" * 32, "id")
    compressed = seal(payload, "s" * 32, "id", compress=True)
    assert len(compressed) * 3 < len(plain)
    assert compressed.startswith(
        "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIiwiemlwIjoiREVGIn0.."
    )
    assert unseal(compressed, ["s" * 32], "id") == payload
    assert official_decrypt(compressed, "s" * 32, "id") == payload


def test_oversized_input_is_rejected_before_parsing() -> None:
    with pytest.raises(UnsealError, match="too large"):
        unseal("A" * (MAX_SEALED_LENGTH + 1), ["s"], "id")


def test_non_string_is_rejected() -> None:
    with pytest.raises(UnsealError):
        unseal(b"abc", ["s"], "id")  # type: ignore[arg-type]


def test_errors_never_carry_secret_token_or_plaintext() -> None:
    token = seal({"refresh_token": "RT-SECRET-VALUE"}, "the-secret", "id")
    with pytest.raises(UnsealError) as caught:
        unseal(token, ["wrong-secret"], "id")
    shown = str(caught.value) + repr(caught.value)
    for needle in ("the-secret", "wrong-secret", "RT-SECRET-VALUE", token[:40]):
        assert needle not in shown
    assert caught.value.__cause__ is None


def test_unserializable_payload_is_a_typed_error_without_the_value() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        seal({"x": object(), "token": "TOPSECRET"}, "s", "id")
    assert "TOPSECRET" not in str(caught.value)


def test_derived_keys_are_cached() -> None:
    _seal._oct_key.cache_clear()
    _seal._unseal_keys.cache_clear()
    for _ in range(5):
        unseal(seal({"a": 1}, "cache-secret", "cache-id"), ["cache-secret"], "cache-id")
    info = _seal._oct_key.cache_info()
    assert info.misses == 1  # derived once, for sealing and unsealing alike
    assert info.hits >= 5
    assert info.maxsize is not None
    assert _seal._unseal_keys.cache_info().hits >= 4


def test_lone_surrogates_are_typed_errors() -> None:
    token = seal({"a": 1}, "s", "id")
    with pytest.raises(UnsealError):
        unseal(token, ["\ud800"], "id")
    with pytest.raises(UnsealError):
        unseal(token, ["s"], "_a0_tx:\udcff")
    with pytest.raises(InvalidArgumentError):
        seal({"a": 1}, "\ud800", "id")
