"""The core never imports a transport (architecture rule), checked on the source."""

import ast
from pathlib import Path

import auth0_core

FORBIDDEN = {
    "requests",
    "httpx",
    "anyio",
    "h11",
    "socket",
    "asyncio",
    "trio",
    "ssl",
    "auth0_requests",
    "auth0_anyio",
}


def test_core_imports_no_transport() -> None:
    root = Path(auth0_core.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


def test_http_repr_redacts_credentials() -> None:
    request = auth0_core.HttpRequest(
        method="POST",
        url="https://t/oauth/token",
        headers={"Authorization": "Basic c2VjcmV0", "Accept": "x"},
        body=b"client_secret=hunter2",
    )
    text = repr(request)
    assert "c2VjcmV0" not in text
    assert "hunter2" not in text
    assert "Accept" in text
