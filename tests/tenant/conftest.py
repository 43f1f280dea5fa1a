"""Fixtures for the emulated tenant's tests."""

from __future__ import annotations

import pytest

from auth0_core import FixedClock
from auth0_core.tenant import Tenant

from .tenant_helpers import NOW, make_tenant


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Run every ``@pytest.mark.anyio`` test on asyncio and on trio."""
    return str(request.param)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def tenant(clock: FixedClock) -> Tenant:
    return make_tenant(clock)
