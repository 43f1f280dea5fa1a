"""Compressed answers: a gzip or deflate body is decoded (the async client decodes it itself,
a bounded piece at a time), and a gzip bomb is refused at ``max_response_bytes`` without
inflating much more than that in memory, in every facade."""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib

import pytest

from auth0_core.errors import InvalidResponse, ResponseTooLargeError

from .faults import answer
from .test_faults import DISCOVERY, JSON, assert_clean, faulty

pytestmark = pytest.mark.anyio

API = "https://api.example.com"
LIMIT = 2_000_000


def compressed_discovery(encode: str, document: bytes) -> bytes:
    if encode == "gzip":
        return gzip.compress(document)
    if encode == "deflate":
        return zlib.compress(document)
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # "deflate" as some servers send it
    return raw.compress(document) + raw.flush()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
async def test_a_compressed_answer_is_decoded(mode: str, encoding: str) -> None:
    with faulty(mode) as (app, server):
        document = json.dumps(app.tenant.discovery()).encode()
        header = ("Content-Encoding", "deflate" if encoding == "raw-deflate" else encoding)
        body = compressed_discovery(encoding, document)
        server.fail("GET", DISCOVERY, answer(200, body, JSON, header), times=1)
        url = await app.call("start_interactive_login")
        assert url.startswith(server.base_url + "/authorize")


def gzip_bomb(inflated: int = 1 << 30) -> bytes:
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunks = [squeeze.compress(b" " * (1 << 20)) for _ in range(inflated >> 20)]
    return b"".join([*chunks, squeeze.flush()])


BOMB = gzip_bomb()  # about 1 MB on the wire


async def test_a_gzip_bomb_is_refused_without_inflating_it(mode: str) -> None:
    with faulty(mode, retry_max_attempts=1, max_response_bytes=LIMIT) as (app, server):
        header = ("Content-Encoding", "gzip")
        server.fail("GET", DISCOVERY, answer(200, BOMB, JSON, header))
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLargeError) as caught:
                await app.call("get_client_credentials_token", API)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert_clean(caught.value)
        # The limit, the bomb's own bytes and buffers: not the 1 GiB it inflates to (the
        # async client used to hold 140 MiB here, one network read inflated whole).
        assert peak < 4 * LIMIT + 2 * len(BOMB)


async def test_a_body_that_does_not_decode_is_an_invalid_response(mode: str) -> None:
    with faulty(mode, retry_max_attempts=1) as (app, server):
        header = ("Content-Encoding", "gzip")
        server.fail("GET", DISCOVERY, answer(200, b"not gzip at all", JSON, header))
        with pytest.raises(InvalidResponse, match="does not decode") as caught:
            await app.call("start_interactive_login")
        assert_clean(caught.value)
