"""The plugin keeps the house rules: loading it imports nothing a suite pays for, and the core
reaches the IO half (``auth0_tenant_server.testing``) at exactly one place, inside a function,
so ``auth0_core`` still imports no transport and no adapter at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import auth0_core

CORE = Path(auth0_core.__file__).resolve().parent
ADAPTER_PREFIX = "auth0_"
HEAVY = (
    "auth0_core.tenant",
    "auth0_core.testing._",
    "auth0_tenant_server",
    "auth0_requests",
    "auth0_anyio",
    "requests",
    "httpx",
    "anyio",
    "h11",
    "joserfc",
    "cryptography",
)


def _where_adapters_are_imported() -> set[tuple[str, str]]:
    """(file, the function importing an adapter or ``TYPE_CHECKING``) across the core."""
    found: set[tuple[str, str]] = set()
    for path in sorted(CORE.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for scope in ast.walk(tree):
            if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
                where = scope.name
            elif isinstance(scope, ast.If) and ast.unparse(scope.test) == "TYPE_CHECKING":
                where = "TYPE_CHECKING"
            elif isinstance(scope, ast.Module):
                where = "module"
            else:
                continue
            for node in scope.body:
                names: list[str] = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                for name in names:
                    top = name.split(".")[0]
                    if top.startswith(ADAPTER_PREFIX) and top != "auth0_core":
                        found.add((str(path.relative_to(CORE)), where))
    return found


def test_the_core_reaches_an_adapter_only_in_testing_io_and_for_types() -> None:
    assert _where_adapters_are_imported() == {
        ("testing/_tenant.py", "_io"),
        ("testing/_tenant.py", "TYPE_CHECKING"),
        ("testing/plugin.py", "TYPE_CHECKING"),
    }


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, auth0_core.testing.plugin\n"
        f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_pure_half_runs_without_the_io_half() -> None:
    code = (
        "import sys\n"
        "from auth0_core.testing import EmulatedTenant, call_wsgi\n"
        "tenant = EmulatedTenant.create()\n"
        "tenant.tokens.access_token('https://api.example.com')\n"
        "tenant.browser(lambda environ, start: [])\n"
        "io = ('auth0_tenant_server', 'auth0_requests', 'auth0_anyio', 'requests', 'httpx')\n"
        "print(sorted(m for m in sys.modules if m.startswith(io + ('anyio',))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
