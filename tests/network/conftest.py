"""The fault suite runs each test through every facade over real loopback sockets: the sync
client (requests) and the async one (httpx) on asyncio and on trio."""

from __future__ import annotations

import pytest

MODES = ["sync-loopback", "asyncio-loopback", "trio-loopback"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def anyio_backend(mode: str) -> str:
    return "trio" if mode.startswith("trio") else "asyncio"
