"""docs/testing.md runs as written: every block whose first line is ``# example: NAME`` is the
file NAME of one user project, and the project's tests pass under pytest in a fresh
interpreter with the plugin loaded by its entry point."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
_BLOCK = re.compile(r"```(?:python|toml)\n(# example: (\S+)\n.*?)```", re.S)


def examples() -> dict[str, str]:
    """``{file name: content}`` of the doc's examples."""
    found: dict[str, str] = {}
    for content, name in _BLOCK.findall(DOC.read_text("utf-8")):
        assert name not in found, f"two examples named {name}"
        found[name] = content
    return found


def test_the_doc_has_the_worked_example_and_its_siblings() -> None:
    assert set(examples()) == {
        "app.py",
        "conftest.py",
        "test_app.py",
        "tenant.toml",
        "test_config.py",
        "test_served.py",
        "test_facade.py",
        "api.py",
        "test_tokens.py",
        "test_backchannel.py",
        "test_passkeys.py",
    }


def test_the_docs_examples_pass_as_a_users_project(pytester: pytest.Pytester) -> None:
    for name, content in examples().items():
        (pytester.path / name).write_text(content, "utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=11)
    result.stdout.fnmatch_lines(["*test_app.py::test_ada_sees_her_profile PASSED*"])
