"""The C decoders of the session read give the standard library's results and refusals."""

from __future__ import annotations

import base64
import binascii
import importlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth0_core import _codecs

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too (orjson read those as floats; msgspec does not)
    | st.integers(min_value=2**63 - 3, max_value=2**64 + 3)
    | st.integers(min_value=-(2**63) - 3, max_value=-(2**63) + 3)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def _outcome(load: Any, data: bytes) -> tuple[str, Any]:
    try:
        return ("value", load(data))
    except (ValueError, RecursionError) as error:
        return ("error", type(error))


@given(JSON_VALUES)
def test_json_values_read_as_json_reads_them(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, separators=(",", ":"), ensure_ascii=False)):
        data = text.encode("utf-8")
        got = _codecs.json_loads(data)
        assert got == json.loads(data)
        assert repr(got) == repr(json.loads(data))  # 1 and 1.0, -0.0 and 0.0 told apart


@given(st.binary(max_size=64) | st.text(max_size=64).map(lambda text: text.encode()))
def test_anything_else_is_accepted_or_refused_as_json_does(data: bytes) -> None:
    assert _outcome(_codecs.json_loads, data) == _outcome(json.loads, data)


@pytest.mark.parametrize(
    "text",
    [
        b"18446744073709551616",
        b"-9223372036854775809",
        b'{"n": 123456789012345678901234567890}',
        b"NaN",
        b"1e400",
        b'"\\ud800"',
        b"\xef\xbb\xbf{}",
        '{"a": 1}'.encode("utf-16"),
        b"[" * 2000 + b"]" * 2000,
        b"[" * 1000 + b"]" * 1000,
        b"[" * 400 + b"1.5" + b"]" * 400,  # deep, with a float: json decides
        b'{"a": [1, {"b": [2, 18446744073709551616]}]}',
        b'{"a": [1, {"b": [2, 1.5]}], "c": 1}',
        b"1" * 5000,  # more digits than int() takes
        b'"\xed\xa0\x80"',  # a surrogate in UTF-8, which json reads with surrogatepass
        b"[1e5, 1E+5, 1e-5, -0.0, -0, 4.9e-324, 2.2250738585072011e-308]",
    ],
)
def test_where_the_c_decoder_may_differ_json_decides(text: bytes) -> None:
    outcome = _outcome(_codecs.json_loads, text)
    assert outcome == _outcome(json.loads, text)
    assert repr(outcome) == repr(_outcome(json.loads, text))


@given(st.binary(max_size=48))
def test_base64url_decodes_as_the_standard_library(raw: bytes) -> None:
    text = base64.urlsafe_b64encode(raw)
    assert _codecs.b64url_decode(text) == raw


# As the seal calls it: no "+", "/" or "=" in the text (refused first), then the padding that
# completes the last quantum; any other character, and any length, may come.
@given(st.text(alphabet="ABCab01-_\n .~", max_size=16).map(str.encode))
def test_base64url_refuses_as_the_standard_library(unpadded: bytes) -> None:
    text = unpadded + b"=" * (-len(unpadded) % 4 if len(unpadded) % 4 != 1 else 0)
    standard = text.translate(bytes.maketrans(b"-_", b"+/"))
    try:
        expected: tuple[str, Any] = ("value", binascii.a2b_base64(standard, strict_mode=True))
    except binascii.Error:
        expected = ("error", binascii.Error)
    try:
        got: tuple[str, Any] = ("value", _codecs.b64url_decode(text))
    except binascii.Error:
        got = ("error", binascii.Error)
    assert got == expected


@pytest.fixture
def standard_library_codecs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """``_codecs`` as imported where neither pybase64 nor msgspec is installed."""
    monkeypatch.setitem(sys.modules, "pybase64", None)
    monkeypatch.setitem(sys.modules, "msgspec", None)
    try:
        yield importlib.reload(_codecs)
    finally:
        monkeypatch.undo()
        importlib.reload(_codecs)


def test_without_the_c_decoders_the_standard_library_is_used(
    standard_library_codecs: Any,
) -> None:
    codecs = standard_library_codecs
    assert codecs._fast_loads is None
    assert codecs.json_loads(b'{"n": 18446744073709551616}') == {"n": 18446744073709551616}
    assert codecs.b64url_decode(b"-_8=") == b"\xfb\xff"
    with pytest.raises(binascii.Error):
        codecs.b64url_decode(b"ab=c")


def test_the_c_decoders_are_used_where_installed() -> None:
    import msgspec  # both are dependencies on CPython
    import pybase64

    assert type(getattr(_codecs._fast_loads, "__self__", None)) is msgspec.json.Decoder
    assert _codecs._pybase64_decode is pybase64.b64decode
    assert _codecs.b64url_decode is _codecs._b64decode
    assert pybase64.b64decode(b"-_8=", altchars=b"-_", validate=True) == b"\xfb\xff"
