from __future__ import annotations

import pytest

from .minting import Keys


@pytest.fixture(scope="session")
def keys() -> Keys:
    """RSA and EC keys, generated once per test session."""
    return Keys()
