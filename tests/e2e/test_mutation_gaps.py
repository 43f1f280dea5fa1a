"""E2E test for a mutant the mutation run left alive (scripts/mutants.toml)."""

from __future__ import annotations

import pytest

from .conftest import App
from .test_tokens import API, refreshes, token

pytestmark = pytest.mark.anyio


async def test_refreshes_for_two_scopes_of_one_audience_are_not_shared(app: App) -> None:
    await app.login()
    before = refreshes(app)
    await token(app, options={"audience": API, "scope": "read:items"})
    await token(app, options={"audience": API, "scope": "write:items"})  # same second
    assert refreshes(app) == before + 2
