"""The steps of one browser test: what the page looked like at each, kept in memory and
written out (a screenshot and the HTML per step) only when the test fails."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import attrs

from .chromium import Browser

ARTIFACTS = Path(
    os.environ.get("AUTH0_BROWSER_ARTIFACTS") or Path(__file__).resolve().parent / "artifacts"
)


@attrs.define
class Step:
    name: str
    url: str
    png: bytes
    html: str


@attrs.define
class Steps:
    """What the browser showed at each named step of one test (kept in memory; written out
    only when the test fails)."""

    browser: Browser
    taken: list[Step] = attrs.field(factory=list)

    def __call__(self, name: str) -> None:
        self.taken.append(self._capture(name))

    def _capture(self, name: str) -> Step:
        return Step(name, self.browser.url, self.browser.screenshot(), self.browser.html())

    def save(self, folder: Path) -> Path:
        """Write every step, then the page as it is now, into ``folder`` (emptied first)."""
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        try:
            last = [self._capture("at-failure")]
        except Exception as exc:  # the browser itself may be what failed
            (folder / "at-failure.txt").write_text(f"no screenshot of the failure: {exc!r}\n")
            last = []
        lines = []
        for number, step in enumerate([*self.taken, *last], start=1):
            stem = f"{number:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '-', step.name)}"
            (folder / f"{stem}.png").write_bytes(step.png)
            (folder / f"{stem}.html").write_text(step.html)
            lines.append(f"{stem}: {step.url}\n")
        (folder / "steps.txt").write_text("".join(lines))
        return folder
