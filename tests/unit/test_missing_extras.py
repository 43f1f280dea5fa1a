"""Without its extra, each package says what to install, as an ImportError (typed as ours).

Each case runs in a fresh interpreter where the extra's packages are made unimportable (a
``None`` entry in ``sys.modules`` is how Python spells "not installed" to the import system).
The wheel tests (tests/packaging) check the same in real venvs without the packages.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

CASES = [
    ("import auth0_requests", ["requests"], "requests"),
    ("import auth0_anyio", ["httpx"], "anyio"),
    ("import auth0_anyio", ["anyio"], "anyio"),
    ("from auth0_tenant_server import serve", ["h11"], "tenant"),
    ("import auth0_demo", ["h11"], "demo"),
    ("import auth0_demo", ["hypercorn"], "demo"),
    ("import auth0_demo", ["starlette"], "demo"),
    ("import auth0_redis", ["redis"], "redis"),
]


def _run(code: str, blocked: list[str]) -> subprocess.CompletedProcess[str]:
    block = "".join(f"sys.modules[{name!r}] = None; " for name in blocked)
    return subprocess.run(
        [sys.executable, "-c", f"import sys; {block}\n{code}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("statement", "blocked", "extra"), CASES)
def test_an_import_without_its_extra_names_the_extra(
    statement: str, blocked: list[str], extra: str
) -> None:
    code = (
        "from auth0_core.errors import MissingExtraError\n"
        f"try:\n    {statement}\n"
        "except MissingExtraError as exc:\n"
        "    assert isinstance(exc, ImportError)\n"
        "    print(exc.extra, '|', exc)\n"
    )
    done = _run(code, blocked)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{extra} |"), done.stdout
    assert f"pip install 'auth0-core[{extra}]'" in done.stdout
    assert f"'{blocked[0]}' package" in done.stdout


def test_the_core_needs_no_extra() -> None:
    done = _run(
        "import auth0_core, auth0_core.tenant, auth0_core.stores, auth0_core.flows; print('ok')",
        ["requests", "httpx", "anyio", "h11", "trio"],
    )
    assert done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize(
    ("argv", "blocked", "extra"),
    [
        (["tenant", "--port", "0"], ["h11"], "tenant"),
        (["demo", "--port", "0"], ["httpx"], "demo"),
        (["tenant", "--backend", "trio"], ["trio"], "trio"),
        (["demo", "--backend", "trio"], ["trio"], "trio"),
    ],
)
def test_the_command_without_its_extra_prints_the_hint(
    argv: list[str], blocked: list[str], extra: str
) -> None:
    done = _run(f"from auth0_tenant_server._cli import main; sys.exit(main({argv!r}))", blocked)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("auth0-core: ")
    assert f"pip install 'auth0-core[{extra}]'" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_help_and_version_work_from_a_base_install() -> None:
    blocked = ["requests", "httpx", "anyio", "h11", "trio"]
    for argv in (["--help"], ["tenant", "--help"], ["demo", "--help"], ["--version"]):
        done = _run(f"from auth0_tenant_server._cli import main; main({argv!r})", blocked)
        assert done.returncode == 0, done.stderr
        assert "usage: auth0-core" in done.stdout or done.stdout.startswith("auth0-core 0.")
