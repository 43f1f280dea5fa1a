"""Suite-wide: say where the packages under test come from, and insist on the wheel in CI.

``scripts/test.sh`` (what CI runs) installs the wheel it has just built and sets
``AUTH0_CORE_EXPECT_INSTALLED=1``: the suite then refuses to run against the source tree, so
a wheel that lacks a module or a data file fails here rather than for users.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from hypothesis import settings

# Ten times hypothesis' default budget; properties that set their own budget in code scale it
# through tests/hypothesis_budget.py. Use: pytest --hypothesis-profile=x10
settings.register_profile("x10", max_examples=1000)
# CI: no deadline (a shared runner's pauses are not slowness of ours), no example database, and
# a reproduction blob printed on failure; tests/hypothesis_budget.py gives the recorded-flow
# properties 2,000 examples per public call under it. Loaded when CI=true (most CI systems set
# it; .ci/run does), or with --hypothesis-profile=ci.
settings.register_profile("ci", deadline=None, database=None, print_blob=True)
if os.environ.get("CI", "").lower() == "true":
    settings.load_profile("ci")

SOURCE_TREE = Path(__file__).resolve().parents[1] / "src"
PACKAGES = (
    "auth0_core",
    "auth0_requests",
    "auth0_anyio",
    "auth0_redis",
    "auth0_tenant_server",
    "auth0_demo",
)


def _locations() -> dict[str, Path]:
    return {
        name: Path(importlib.import_module(name).__file__ or "").resolve().parent
        for name in PACKAGES
    }


def pytest_report_header() -> list[str]:
    return [f"{name}: {path}" for name, path in _locations().items()]


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("AUTH0_CORE_EXPECT_INSTALLED") != "1":
        return
    from_source = [name for name, path in _locations().items() if path.is_relative_to(SOURCE_TREE)]
    if from_source:
        raise pytest.UsageError(
            f"AUTH0_CORE_EXPECT_INSTALLED=1 but {from_source} import from {SOURCE_TREE}: "
            "install the built wheel (scripts/test.sh does)"
        )
