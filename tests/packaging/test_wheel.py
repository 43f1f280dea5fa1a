"""What users install is what is tested: the built wheel and sdist, and a fresh venv per extra.

The artifacts come from ``AUTH0_CORE_DIST`` (``scripts/test.sh`` builds them with
``python -m build`` before the suite runs, and installs the same wheel into ``.venv``); without
it the tests build their own. Each extra gets its own venv with nothing but the wheel and what
the extra pulls in, where ``smoke.py`` logs in through each facade the extra provides and checks
that every other module says which extra to install.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

import auth0_core

ROOT = Path(__file__).resolve().parents[2]
SMOKE = Path(__file__).with_name("smoke.py")
PACKAGES = {
    "auth0_core",
    "auth0_requests",
    "auth0_anyio",
    "auth0_tenant_server",
    "auth0_demo",
    "auth0_redis",
    "auth0_web_common",
    "auth0_starlette",
    "auth0_flask",
    "auth0_django",
}
EXTRAS = [
    "none", "requests", "anyio", "trio", "tenant", "demo", "redis", "starlette", "flask", "django",
]  # fmt: skip
# Venvs are built two at a time: the machine (and CI) has two cores.
BUILDERS = 2


class Dist:
    def __init__(self, folder: Path) -> None:
        wheels = sorted(folder.glob("auth0_core-*.whl"))
        sdists = sorted(folder.glob("auth0_core-*.tar.gz"))
        assert len(wheels) == 1, f"one wheel in {folder}"
        assert len(sdists) == 1, f"one sdist in {folder}"
        self.wheel, self.sdist = wheels[0], sdists[0]


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    given = os.environ.get("AUTH0_CORE_DIST")
    if given:
        return Dist(Path(given))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return Dist(out)


def _wheel_names(dist: Dist) -> list[str]:
    with zipfile.ZipFile(dist.wheel) as wheel:
        return wheel.namelist()


def test_the_wheel_holds_the_packages_at_its_top_level_and_nothing_else(dist: Dist) -> None:
    names = _wheel_names(dist)
    tops = {name.split("/")[0] for name in names}
    info = f"auth0_core-{auth0_core.__version__}.dist-info"
    assert tops == PACKAGES | {info}
    for package in PACKAGES:
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    assert "auth0_core/tenant/default.toml" in names  # package data the tenant loads
    # The pytest plugin (docs/testing.md): its pure half and the IO half it imports lazily.
    assert {"auth0_core/testing/__init__.py", "auth0_core/testing/plugin.py"} <= set(names)
    assert "auth0_tenant_server/testing.py" in names
    # The demo's pages, and the one stylesheet the demo and the tenant's pages share.
    assert {"auth0_demo/_templates.py", "auth0_core/tenant/stylesheet.py"} <= set(names)
    # The public testing tool (docs/testing-with-fixtures.md).
    for module in ("auth0_requests", "auth0_anyio"):
        assert f"{module}/recording.py" in names
    assert "auth0_core/recording/__init__.py" in names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_wheel_metadata(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        info = f"auth0_core-{auth0_core.__version__}.dist-info"
        metadata = email.message_from_bytes(wheel.read(f"{info}/METADATA"))
        entry_points = wheel.read(f"{info}/entry_points.txt").decode()
    assert metadata["Name"] == "auth0-core"
    assert metadata["Version"] == auth0_core.__version__
    assert metadata["Requires-Python"] == ">=3.11"
    assert set(metadata.get_all("Provides-Extra") or []) >= {*EXTRAS[1:], "all"}
    assert "Typing :: Typed" in (metadata.get_all("Classifier") or [])
    urls = {url.split(",")[0] for url in metadata.get_all("Project-URL") or []}
    assert {"Homepage", "Documentation", "Changelog", "Issues"} <= urls
    assert re.search(r"^auth0-core = auth0_tenant_server\._cli:main$", entry_points, re.M)
    # pytest finds the plugin in every project that installs the wheel.
    assert re.search(
        r"^\[pytest11\]\nauth0_core = auth0_core\.testing\.plugin$", entry_points, re.M
    )


def test_the_sdist_builds_the_same_packages(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for package in ("auth0_core", "adapters/auth0_requests", "adapters/auth0_anyio"):
        assert f"src/{package}/__init__.py" in names
    for package in PACKAGES - {"auth0_core"}:
        assert f"src/adapters/{package}/py.typed" in names
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE"} <= names
    assert not [name for name in names if name.startswith((".venv", "dist/", ".git/"))]


@pytest.fixture(scope="session")
def venvs(
    dist: Dist, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[Path]]]:
    """One fresh venv per extra, built in the background while the first tests run."""
    root = tmp_path_factory.mktemp("venvs")

    def build(extra: str) -> Path:
        venv = root / extra
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        spec = str(dist.wheel) if extra == "none" else f"{dist.wheel}[{extra}]"
        # This venv's pip installs into the new one (``--python``), which saves bootstrapping
        # a pip per venv; the new venv sees none of this venv's packages.
        done = subprocess.run(
            [sys.executable, "-m", "pip", "--python", str(python), "install",
             "--quiet", "--disable-pip-version-check", spec],
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return python

    with ThreadPoolExecutor(BUILDERS) as pool:
        yield {extra: pool.submit(build, extra) for extra in EXTRAS}


@pytest.mark.parametrize("extra", EXTRAS)
def test_a_fresh_venv_per_extra(extra: str, venvs: dict[str, Future[Path]]) -> None:
    python = venvs[extra].result(timeout=900)
    done = subprocess.run(
        [str(python), "-I", str(SMOKE), extra],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=python.parent,  # not the repository: nothing of it may be importable
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"smoke {extra}: ok" in done.stdout
