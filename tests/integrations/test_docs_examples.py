"""The examples of docs/starlette.md (Starlette and FastAPI, on asyncio and trio),
docs/flask.md and docs/django.md run as written, against the emulated tenant served on a
loopback port."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth0_core.tenant import Tenant
from auth0_tenant_server._server import ServerThread

from .docs_examples import environment, examples, walk, write_examples
from .helpers import tenant_config

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tenant_url() -> Iterator[str]:
    with ServerThread(make_handler=lambda url: Tenant(tenant_config(), base_url=url).handle) as s:
        yield s.base_url


@pytest.fixture
def env(tenant_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in environment(tenant_url).items():
        monkeypatch.setenv(name, value)
    return tenant_url


def run_example(doc: str, name: str, folder: Path) -> dict[str, Any]:
    return runpy.run_path(str(write_examples(doc, folder)[name]))


def test_each_page_has_its_examples() -> None:
    assert set(examples("starlette.md")) == {"starlette_app.py", "fastapi_app.py"}
    assert set(examples("flask.md")) == {"flask_app.py"}
    assert set(examples("django.md")) == {"settings.py", "urls.py"}


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["starlette_app.py", "fastapi_app.py"])
async def test_the_starlette_examples(env: str, tmp_path: Path, name: str) -> None:
    namespace = run_example("starlette.md", name, tmp_path)
    transport = httpx.ASGITransport(app=namespace["app"])
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:

        async def get(url: str) -> tuple[int, str | None, str]:
            answer = await http.get(url)
            return answer.status_code, answer.headers.get("location"), answer.text

        await walk(get, env)
    await namespace["auth0"].client.aclose()


@pytest.mark.anyio
async def test_the_flask_example(env: str, tmp_path: Path) -> None:
    namespace = run_example("flask.md", "flask_app.py", tmp_path)
    http = namespace["app"].test_client()

    async def get(url: str) -> tuple[int, str | None, str]:
        answer = http.get(url)
        return answer.status_code, answer.headers.get("Location"), answer.get_data(as_text=True)

    await walk(get, env)
    namespace["auth0"].client.close()


def test_the_django_example(tenant_url: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integrations.django.run_docs_example",
            str(tmp_path),
            tenant_url,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        },
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "django example: ok" in done.stdout
