"""Concurrent callers on a cold client share one discovery request (protocol doc §1.1)."""

from __future__ import annotations

import pytest

from .conftest import App

pytestmark = pytest.mark.anyio


async def test_fifty_cold_callers_fetch_discovery_once(app: App) -> None:
    before = app.tenant.count(path="/.well-known/openid-configuration")
    urls = await app.concurrently(50, "start_interactive_login")
    assert len(set(urls)) == 50  # 50 distinct transactions...
    assert app.tenant.count(path="/.well-known/openid-configuration") == before + 1  # ...1 fetch
