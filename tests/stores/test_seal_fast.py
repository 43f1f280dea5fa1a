"""The direct ``dir`` + ``A256CBC-HS512`` unseal against the joserfc path it replaced.

``_old_unseal`` below is the previous implementation of ``auth0_core._seal.unseal`` (a regex
over the compact form, then joserfc's generic ``decrypt_compact``), kept here as the reference.
The new path must open everything the official SDK and our sealing write, and accept and refuse
exactly what the old path did (same payload, same error message), with two deliberate
differences: a protected header with members besides ``alg`` and ``enc`` (``kid``, ``typ``,
``cty``, ``crit``, ...), which joserfc tolerated and nobody writes, is refused; and
``"zip": "DEF"``, which the old path refused, is inflated (bounded) when the tag is authentic
(what a store with ``compress=True`` writes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import string
import zlib
from collections.abc import Sequence
from typing import Any

import pytest
from auth0_server_python import encryption as official  # type: ignore[import-untyped]
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwe
from joserfc.errors import JoseError

from auth0_core import _seal
from auth0_core._seal import MAX_SEALED_LENGTH, derive_key, seal, unseal
from auth0_core.errors import UnsealError

from ..hypothesis_budget import examples

CANONICAL_HEADER = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0"
SECRET = "s"
ID = "id"
B64 = string.ascii_letters + string.digits + "-_"

# --- the old path, verbatim in behaviour -------------------------------------------------------

_OLD_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")


def _old_unseal(token: Any, secrets: Sequence[str], identifier: str) -> dict[str, Any]:
    if not isinstance(token, str):
        raise UnsealError("The sealed value is not a string.")
    if len(token) > MAX_SEALED_LENGTH:
        raise UnsealError("The sealed value is too large.")
    if not _OLD_COMPACT.fullmatch(token):
        raise UnsealError("The sealed value is not a compact JWE.")
    if isinstance(secrets, str):
        secrets = [secrets]
    plaintext = None
    for secret in secrets:
        try:
            result = jwe.decrypt_compact(
                token, _seal._oct_key(secret, identifier), registry=_seal._REGISTRY
            )
        except (JoseError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if result.plaintext is not None:
            plaintext = result.plaintext
            break
    if plaintext is None:
        raise UnsealError()
    try:
        payload = json.loads(plaintext)
    except (ValueError, RecursionError):
        raise UnsealError("The sealed value does not hold JSON.") from None
    if not isinstance(payload, dict):
        raise UnsealError("The sealed value does not hold a JSON object.")
    return payload


def _outcome(fn: Any, token: Any, secrets: Sequence[str] = (SECRET,)) -> tuple[str, Any]:
    try:
        return ("opened", fn(token, secrets, ID))
    except UnsealError as exc:
        return ("refused", str(exc))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _header_members(token: str) -> dict[str, Any] | None:
    """The header as a dict, when it decodes to one (for the deliberate difference)."""
    segment = token.split(".")[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, RecursionError):
        return None
    return header if isinstance(header, dict) else None


def _only_new_is_stricter(token: str) -> bool:
    header = _header_members(token)
    return (
        header is not None
        and header.get("alg") == "dir"
        and header.get("enc") == "A256CBC-HS512"
        and set(header) != {"alg", "enc"}
        and header != ZIP
    )


def _is_zip(token: str) -> bool:
    return _header_members(token) == {"alg": "dir", "enc": "A256CBC-HS512", "zip": "DEF"}


def assert_agree(token: Any, secrets: Sequence[str] = (SECRET,)) -> tuple[str, Any]:
    new = _outcome(unseal, token, secrets)
    old = _outcome(_old_unseal, token, secrets)
    if new != old and isinstance(token, str) and _is_zip(token):
        # The second deliberate difference: "zip": "DEF" (what a store with compress=True
        # writes), which the old path refused, is inflated when authentic.
        assert old[0] == "refused"
        return new
    if new != old:
        # The first deliberate difference: old opened it, new refuses it, nothing else.
        assert isinstance(token, str), (token, old, new)
        assert _only_new_is_stricter(token), (token, old, new)
        assert old[0] == "opened"
        assert new == ("refused", str(UnsealError()))
    return new


# --- a forger: any header, IV, padding or tag, authentic under the real key --------------------


def forge(
    plaintext: bytes = b'{"a": 1}',
    *,
    header: str | bytes = CANONICAL_HEADER,
    iv: bytes = bytes(16),
    pad: bytes | None = None,
    secret: str = SECRET,
    tag_length: int = 32,
) -> str:
    """A compact JWE whose tag is valid for ``header`` (AAD) under the derived key."""
    key = derive_key(secret, ID)
    segment = header if isinstance(header, str) else _b64(header)
    if pad is None:
        n = 16 - len(plaintext) % 16
        pad = bytes([n]) * n
    padded = plaintext + pad
    if len(iv) == 16 and len(padded) % 16 == 0:
        encryptor = Cipher(algorithms.AES(key[32:]), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
    else:  # not encryptable as asked: random bytes of that shape (the tag still matches)
        ciphertext = hashlib.sha512(padded).digest()[: len(padded)] or b""
    aad = segment.encode()
    mac = hmac.new(
        key[:32], aad + iv + ciphertext + (len(aad) * 8).to_bytes(8, "big"), hashlib.sha512
    )
    tag = mac.digest()[:tag_length]
    return ".".join([segment, "", _b64(iv), _b64(ciphertext), _b64(tag)])


def test_the_forger_writes_what_both_paths_open() -> None:
    token = forge(b'{"user": {"sub": "x"}}')
    assert unseal(token, [SECRET], ID) == _old_unseal(token, [SECRET], ID) == {"user": {"sub": "x"}}


# --- what we and the official SDK write --------------------------------------------------------


def test_both_sdks_write_exactly_the_canonical_header_and_no_kid() -> None:
    ours = seal({"a": 1}, SECRET, ID)
    theirs = official.encrypt({"a": 1}, SECRET, ID)
    assert ours.split(".")[0] == theirs.split(".")[0] == CANONICAL_HEADER
    assert _header_members(theirs) == {"alg": "dir", "enc": "A256CBC-HS512"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=25,
)
sessions = st.dictionaries(st.text(), json_values, max_size=8)
texts = st.text(alphabet=st.characters(codec="utf-8"))  # no lone surrogates


@settings(max_examples=examples(150), deadline=None)
@given(sessions, texts.filter(bool), texts)
def test_opens_what_the_official_sdk_seals(
    payload: dict[str, Any], secret: str, identifier: str
) -> None:
    token = official.encrypt(payload, secret, identifier)
    assert unseal(token, [secret], identifier) == payload
    assert unseal(token, ["another", secret], identifier) == payload


@settings(max_examples=examples(150), deadline=None)
@given(sessions, texts.filter(bool), texts)
def test_opens_what_we_seal_and_agrees_with_the_old_path(
    payload: dict[str, Any], secret: str, identifier: str
) -> None:
    token = seal(payload, secret, identifier)
    assert unseal(token, [secret], identifier) == payload
    assert _old_unseal(token, [secret], identifier) == payload
    assert official.decrypt(token, secret, identifier) == payload


def test_large_sessions_open() -> None:
    big = {"blob": "x" * 150_000, "n": list(range(1000))}
    assert unseal(seal(big, SECRET, ID), [SECRET], ID) == big
    assert unseal(official.encrypt(big, SECRET, ID), [SECRET], ID) == big


# --- differential: every mutation, both paths agree --------------------------------------------

_VALID = seal({"user": {"sub": "auth0|1"}, "n": 1}, SECRET, ID)
_PARTS = _VALID.split(".")
_STANDARD = _VALID.replace("-", "+").replace("_", "/")


@settings(max_examples=examples(300))
@given(st.integers(0, len(_VALID) - 1), st.sampled_from(list(B64 + ".=+/ \n\x00é")))
def test_single_character_replacements(position: int, char: str) -> None:
    assert_agree(_VALID[:position] + char + _VALID[position + 1 :])


@settings(max_examples=examples(200))
@given(st.integers(0, len(_VALID)), st.text(alphabet=B64 + ".=", min_size=1, max_size=3))
def test_insertions(position: int, text: str) -> None:
    assert_agree(_VALID[:position] + text + _VALID[position:])


@settings(max_examples=examples(200))
@given(st.integers(0, len(_VALID) - 1), st.integers(1, 8))
def test_deletions_and_truncations(position: int, length: int) -> None:
    assert_agree(_VALID[:position] + _VALID[position + length :])
    assert_agree(_VALID[:position])


@settings(max_examples=examples(300))
@given(st.sampled_from([0, 2, 3, 4]), st.data())
def test_bit_flips_in_every_decoded_part(part: int, data: st.DataObject) -> None:
    segment = _PARTS[part]
    raw = bytearray(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    parts = list(_PARTS)
    parts[part] = _b64(bytes(raw))
    assert assert_agree(".".join(parts))[0] == "refused"


@given(st.lists(st.text(alphabet=B64, max_size=40), min_size=1, max_size=8))
def test_any_number_of_parts(parts: list[str]) -> None:
    assert_agree(".".join(parts))


@given(st.sampled_from([1, 2, 3, 4, 6]), st.sampled_from(["", "A", "AA", "AAA", "AAAA"]))
def test_too_many_and_too_few_parts(count: int, filler: str) -> None:
    parts = _PARTS[:count] if count <= 5 else [*_PARTS, filler]
    outcome = assert_agree(".".join(parts))
    assert outcome[0] == "refused"


@pytest.mark.parametrize(
    "token",
    [
        "",
        "....",
        ".....",
        "a.b.c.d.e",
        "a..b.c.d",
        "a..b..d",
        CANONICAL_HEADER + "..!!.x.y",
        _VALID + "=",
        _VALID.replace(".", "=.", 1),
        _VALID[:-1] + "=",
        _VALID.replace("..", ".AAAA."),
        _VALID.replace("..", ". ."),
        " " + _VALID,
        _VALID + "\n",
        # The standard base64 alphabet: "+" and "/" for "-" and "_" (about 3 % of seals hold
        # neither, and would be left valid: then a "+" is put in).
        _STANDARD if _STANDARD != _VALID else _VALID[:-1] + "+",
        _VALID[:-1] + "+",
        _VALID[:-1] + "/",
        "eyJhbGciOiJub25lIn0..AAECAwQFBgcICQoLDA0ODw.MO_6.sN8e",
        "A" * (MAX_SEALED_LENGTH + 1),
        "é" * 10,
    ],
)
def test_garbage(token: str) -> None:
    assert assert_agree(token)[0] == "refused"


def test_non_strings() -> None:
    for value in (None, b"abc", 12, ["a"]):
        assert assert_agree(value) == ("refused", "The sealed value is not a string.")


@pytest.mark.parametrize("padding_rest", [2, 3])
def test_non_canonical_base64_trailing_bits_are_refused_by_both(padding_rest: int) -> None:
    # 16 bytes -> 22 characters (rest 2): 4 unused bits in the last one.
    parts = list(_PARTS)
    index = 2 if padding_rest == 2 else 4  # the IV has rest 2, the 32-byte tag rest 3
    last = parts[index][-1]
    alphabet = B64.replace("-", "+").replace("_", "/")
    swapped = (alphabet.index(last) | 1) if alphabet.index(last) % 2 == 0 else alphabet.index(last)
    parts[index] = parts[index][:-1] + B64[swapped]
    token = ".".join(parts)
    assert token != _VALID
    assert assert_agree(token) == ("refused", str(UnsealError()))


# --- authentic (valid tag) but malformed: header, IV, tag, padding, ciphertext ----------------


def _header(value: Any, **dumps: Any) -> bytes:
    return json.dumps(value, **dumps).encode()


ZIP = {"alg": "dir", "enc": "A256CBC-HS512", "zip": "DEF"}


def _deflated(data: bytes) -> bytes:
    deflater = zlib.compressobj(wbits=-15)
    return deflater.compress(data) + deflater.flush()


AUTHENTIC_VARIANTS = {
    "reordered header": forge(header=_header({"enc": "A256CBC-HS512", "alg": "dir"})),
    "spaced header": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512"})),
    "utf-16 header": forge(
        header=json.dumps({"alg": "dir", "enc": "A256CBC-HS512"}).encode("utf-16")
    ),
    "duplicate alg": forge(header=b'{"alg":"none","alg":"dir","enc":"A256CBC-HS512"}'),
    "kid": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512", "kid": "k1"})),
    "typ": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512", "typ": "JWT"})),
    "cty": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512", "cty": "json"})),
    "known crit": forge(
        header=_header({"alg": "dir", "enc": "A256CBC-HS512", "kid": "k", "crit": ["kid"]})
    ),
    "unknown crit": forge(
        header=_header({"alg": "dir", "enc": "A256CBC-HS512", "x": 1, "crit": ["x"]})
    ),
    "unknown member": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512", "foo": 1})),
    "zip, not deflated": forge(header=_header(ZIP)),
    "zip": forge(_deflated(b'{"a": 1}'), header=_header(ZIP)),
    "zip, truncated": forge(_deflated(b'{"a": 1}')[:-2], header=_header(ZIP)),
    "zip, trailing bytes": forge(_deflated(b'{"a": 1}') + b"xx", header=_header(ZIP)),
    "zip bomb": forge(
        _deflated(b"[" + b" " * _seal.MAX_INFLATED_LENGTH + b"]"), header=_header(ZIP)
    ),
    "alg none": forge(header=_header({"alg": "none", "enc": "A256CBC-HS512"})),
    "alg A256KW": forge(header=_header({"alg": "A256KW", "enc": "A256CBC-HS512"})),
    "enc A256GCM": forge(header=_header({"alg": "dir", "enc": "A256GCM"})),
    "enc A128CBC-HS256": forge(header=_header({"alg": "dir", "enc": "A128CBC-HS256"})),
    "alg missing": forge(header=_header({"enc": "A256CBC-HS512"})),
    "enc missing": forge(header=_header({"alg": "dir"})),
    "alg not a string": forge(header=_header({"alg": ["dir"], "enc": "A256CBC-HS512"})),
    "header a list": forge(header=_header(["alg", "enc"])),
    "header not json": forge(header=b"alg=dir"),
    "header too long": forge(header=_header({"alg": "dir", "enc": "A256CBC-HS512"}, indent=800)),
    "header deeply nested": forge(header=b"[" * 380 + b"]" * 380),
    "IV of 8 bytes": forge(iv=bytes(8)),
    "IV of 12 bytes": forge(iv=bytes(12)),
    "IV of 32 bytes": forge(iv=bytes(32)),
    "IV empty": forge(iv=b""),
    "tag of 16 bytes": forge(tag_length=16),
    "tag of 64 bytes": forge(tag_length=64),
    "padding zero": forge(b'{"a": 1}', pad=bytes(8)),
    "padding 17": forge(b'{"a": 1}' + bytes(7), pad=bytes([17])),
    "padding inconsistent": forge(b'{"a": 1}', pad=bytes([8] * 7 + [7])),
    "padding a full block of 16s": forge(b'{"a": 1}' + b" " * 8, pad=bytes([16]) * 16),
    "padding of 2 where 8 fits": forge(b'{"a": 1}abcdef', pad=b"\x02\x02"),
    "ciphertext empty": forge(b"", pad=b""),
    "ciphertext not a block multiple": forge(b'{"a": 1}', pad=b"\x01"),
    "not JSON": forge(b"not json"),
    "JSON list": forge(b"[1, 2]"),
    "JSON string": forge(b'"x"'),
    "JSON in utf-16": forge('{"a": 1}'.encode("utf-16")),
    "invalid utf-8": forge(b"\xff\xfe\xfd"),
    "deep JSON": forge(b"[" * 5000 + b"]" * 5000),
    "wrong secret": forge(secret="another"),
}


@pytest.mark.parametrize("name", sorted(AUTHENTIC_VARIANTS))
def test_authentic_variants(name: str) -> None:
    token = AUTHENTIC_VARIANTS[name]
    outcome = assert_agree(token)
    old = _outcome(_old_unseal, token)
    if _only_new_is_stricter(token):
        assert old[0] == "opened" or name in {"unknown crit", "unknown member"}
        assert outcome[0] == "refused"
    if name.startswith("zip"):  # the old path refused every "zip"; ours inflates DEFLATE
        assert old[0] == "refused"
        expected = {
            "zip": ("opened", {"a": 1}),
            "zip bomb": ("refused", "The sealed value inflates to too much."),
        }.get(name, ("refused", "The sealed value does not inflate."))
        assert outcome == expected


def test_what_each_path_opens_among_the_authentic_variants() -> None:
    # Pinned, so a change of either path's acceptance is seen here and not only by agreement.
    opened = {n for n, t in AUTHENTIC_VARIANTS.items() if _outcome(unseal, t)[0] == "opened"}
    assert opened == {
        "reordered header",
        "spaced header",
        "utf-16 header",
        "duplicate alg",
        "padding a full block of 16s",
        "JSON in utf-16",
        "zip",
    }
    old_opened = {
        n for n, t in AUTHENTIC_VARIANTS.items() if _outcome(_old_unseal, t)[0] == "opened"
    }
    assert old_opened - opened == {"kid", "typ", "cty", "known crit"}


def test_authentic_padding_is_checked_strictly() -> None:
    for name in ("padding zero", "padding 17", "padding inconsistent", "padding of 2 where 8 fits"):
        assert _outcome(unseal, AUTHENTIC_VARIANTS[name])[0] == "refused", name


def test_rotation_tries_every_secret_and_bad_secrets_are_skipped() -> None:
    token = seal({"v": 1}, "second", ID)
    secrets: list[Any] = ["first", "\ud800", 7, "second"]
    assert assert_agree(token, secrets) == ("opened", {"v": 1})
    assert assert_agree(token, []) == ("refused", str(UnsealError()))
    assert assert_agree(token, "second") == ("opened", {"v": 1})


def test_the_tag_is_checked_before_decrypting(monkeypatch: pytest.MonkeyPatch) -> None:
    decrypted: list[bytes] = []
    real = _seal._CbcDecryptor.decrypt

    def spy(self: Any, data: memoryview) -> bytes:
        decrypted.append(b"")
        return real(self, data)

    monkeypatch.setattr(_seal._CbcDecryptor, "decrypt", spy)
    parts = list(_PARTS)
    parts[4] = _b64(bytes(32))
    with pytest.raises(UnsealError):
        unseal(".".join(parts), [SECRET], ID)
    with pytest.raises(UnsealError):
        unseal(_VALID, ["wrong"], ID)
    assert decrypted == []
    assert unseal(_VALID, [SECRET], ID)
    assert len(decrypted) == 1


def test_the_tag_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # the module _seal calls it through
    assert unseal(_VALID, [SECRET], ID)
    assert [(len(a), len(b)) for a, b in compared] == [(32, 32)]


def test_errors_never_carry_the_token_or_secret() -> None:
    token = seal({"refresh_token": "RT-VALUE"}, "the-secret", ID)
    for bad in (token, token[:-3] + "AAA", token + "."):
        with pytest.raises(UnsealError) as caught:
            unseal(bad, ["wrong-secret"], ID)
        shown = str(caught.value) + repr(caught.value)
        for needle in ("the-secret", "wrong-secret", "RT-VALUE", token[:20], token[-20:]):
            assert needle not in shown
        assert caught.value.__cause__ is None
        assert caught.value.__context__ is None or isinstance(
            caught.value.__context__, UnicodeEncodeError
        )


def test_keys_are_derived_once_per_secret_and_identifier() -> None:
    _seal._oct_key.cache_clear()
    _seal._unseal_keys.cache_clear()
    token = seal({"a": 1}, "kd-secret", "kd-id")
    for _ in range(10):
        unseal(token, ["kd-secret"], "kd-id")
    assert _seal._oct_key.cache_info().misses == 1
    info = _seal._unseal_keys.cache_info()
    assert info.misses == 1
    assert info.hits == 9


def test_the_shared_keyed_mac_serves_many_threads_at_once() -> None:
    """Each read copies the one HMAC keyed per secret; concurrent reads never mix states."""
    import threading

    tokens = [seal({"n": n, "pad": "x" * (3000 + n)}, "mt-secret", "mt-id") for n in range(8)]
    wrong: list[int] = []

    def read(n: int) -> None:
        for _ in range(300):
            if unseal(tokens[n], ["mt-secret"], "mt-id")["n"] != n:
                wrong.append(n)

    threads = [threading.Thread(target=read, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    tampered = tokens[0][:-2] + ("AA" if not tokens[0].endswith("AA") else "BB")
    with pytest.raises(UnsealError):
        unseal(tampered, ["mt-secret"], "mt-id")


def _cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(plaintext) + encryptor.finalize()


@settings(max_examples=examples(300))
@given(
    st.binary(min_size=32, max_size=32),
    st.lists(
        st.tuples(st.binary(min_size=16, max_size=16), st.integers(1, 40), st.randoms()),
        min_size=1,
        max_size=6,
    ),
)
def test_the_long_lived_cbc_context_decrypts_each_value_as_a_fresh_one_would(
    key: bytes, values: list[tuple[bytes, int, Any]]
) -> None:
    """One context per key and thread decrypts value after value (of any length, IV and
    content), each exactly as ``Cipher(key, CBC(iv)).decryptor()`` would: what it decrypted
    before never leaks into the next value."""
    decryptor = _seal._CbcDecryptor(algorithms.AES(key))
    for iv, blocks, rng in values:
        plaintext = rng.randbytes(16 * blocks)
        ciphertext = _cbc_encrypt(key, iv, plaintext)
        out = decryptor.decrypt(memoryview(iv + ciphertext))
        assert out[16:] == plaintext
        fresh = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        assert out[16:] == fresh.update(ciphertext) + fresh.finalize()


def test_each_thread_decrypts_with_its_own_context() -> None:
    import threading

    decryptor = _seal._CbcDecryptor(algorithms.AES(bytes(range(32))))
    contexts: list[int] = []

    def look() -> None:
        contexts.append(id(decryptor._context))

    look()
    thread = threading.Thread(target=look)
    thread.start()
    thread.join()
    look()
    assert contexts[0] == contexts[2] != contexts[1]
