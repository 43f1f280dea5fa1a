"""BodyDecoder: gzip and deflate (zlib-wrapped or raw) undone a bounded piece at a time, fed
in reads of any size; BoundedBody's declared length read without converting a huge number."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auth0_core import HttpRequest
from auth0_core._http import BodyDecoder, BoundedBody
from auth0_core.errors import InvalidResponse, ResponseTooLargeError

REQUEST = HttpRequest(method="GET", url="https://t.example/x?code=secret")


def raw_deflate(data: bytes) -> bytes:
    squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return squeeze.compress(data) + squeeze.flush()


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "x-gzip": gzip.compress,
    "deflate": zlib.compress,
    "raw": raw_deflate,
}


def decode(encoding: str | None, body: bytes, read: int) -> list[bytes]:
    decoder = BodyDecoder(REQUEST, "deflate" if encoding == "raw" else encoding)
    pieces: list[bytes] = []
    for start in range(0, len(body), read):
        pieces += decoder.pieces(body[start : start + read])
    return [*pieces, *decoder.rest()]


@given(
    data=st.binary(max_size=5000) | st.just(b"a" * 300_000),
    encoding=st.sampled_from(sorted(ENCODERS)),
    read=st.integers(min_value=1, max_value=70_000),
)
def test_every_encoding_comes_back_whatever_the_reads(
    data: bytes, encoding: str, read: int
) -> None:
    pieces = decode(encoding, ENCODERS[encoding](data), read)
    assert b"".join(pieces) == data
    assert all(len(piece) <= 64 * 1024 for piece in pieces)


def test_no_encoding_passes_through() -> None:
    assert decode(None, b"plain", 2) == [b"pl", b"ai", b"n"]
    assert decode("identity", b"x", 1) == [b"x"]


def test_a_bomb_comes_out_in_pieces() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB in about 64 KB
    decoder = BodyDecoder(REQUEST, "gzip")
    pieces = decoder.pieces(bomb)
    first = next(pieces)
    assert len(first) == 64 * 1024  # the rest is not inflated until asked for


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"not gzip"),
        ("deflate", b"\x78\x9cxx"),
        ("gzip", gzip.compress(b"{}" * 1000)[:-20]),  # cut short
    ],
)
def test_what_does_not_decode_is_an_invalid_response(encoding: str, body: bytes) -> None:
    with pytest.raises(InvalidResponse, match="does not decode") as caught:
        decode(encoding, body, 3)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("encoding", ["br", "zstd", "compress", "gzip, gzip"])
def test_an_encoding_not_asked_for_is_refused(encoding: str) -> None:
    with pytest.raises(InvalidResponse, match="Content-Encoding"):
        BodyDecoder(REQUEST, encoding)


def test_a_declared_length_of_thousands_of_digits_is_too_large_unconverted() -> None:
    with pytest.raises(ResponseTooLargeError):
        BoundedBody(REQUEST, 1000, "9" * 5000)
    with pytest.raises(ResponseTooLargeError):
        BoundedBody(REQUEST, 1000, "1001")
    BoundedBody(REQUEST, 1000, "1000")
