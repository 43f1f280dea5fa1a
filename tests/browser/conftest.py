"""One headless Chromium per test module, and the steps of each test: a screenshot and the
HTML of every step, written under ``tests/browser/artifacts/<test>/`` (git-ignored; or under
``$AUTH0_BROWSER_ARTIFACTS``) when the test fails, with the page it failed on. The failure
report says where they are.

Without Chromium the tests fail, naming the packages to install: they are never skipped
(CI's ``scripts/test.sh`` installs them).
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

import pytest

from .chromium import Browser, BrowserMissingError
from .steps import ARTIFACTS, Steps


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    try:
        started = Browser()
    except BrowserMissingError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def steps(browser: Browser) -> Steps:
    """The test's steps; each test starts with a browser that holds no cookie."""
    browser.clear_cookies()
    browser.open("about:blank")
    return Steps(browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    recorded = getattr(item, "funcargs", {}).get("steps")
    if report.when == "call" and report.failed and isinstance(recorded, Steps):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", item.nodeid.split("/")[-1])
        where = recorded.save(ARTIFACTS / name)
        report.sections.append(
            ("browser steps", f"screenshots and HTML of each step saved in {where}")
        )
    return report
