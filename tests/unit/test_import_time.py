"""What importing an adapter (and constructing its client) loads: none of the heavy modules it
does not need until later (issue 14, item 5). Each case runs in a fresh interpreter; no timing
is asserted: the modules loaded are listed.

- neither adapter loads the emulated tenant, the other adapter's HTTP stack, trio, the
  optional extras' packages or the official SDK's stack;
- the async client loads httpcore (httpx's connection pool) and certifi (the CA bundle) on its
  first request, not at construction.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

OPTIONS = "domain='tenant.example.com', client_id='client', client_secret='x', secret='s' * 32"

NEVER = [
    "auth0_core.tenant",
    "auth0_tenant_server",
    "auth0_demo",
    "auth0_redis",
    "redis",
    "trio",
    "h11",
    "auth0_server_python",
    "authlib",
    "pydantic",
    "jwcrypto",
]

CASES = [
    ("import auth0_requests", [*NEVER, "httpx", "httpcore", "anyio"]),
    (
        f"import auth0_requests; auth0_requests.ServerClient({OPTIONS})",
        [*NEVER, "httpx", "httpcore", "anyio"],
    ),
    ("import auth0_anyio", [*NEVER, "requests", "httpcore", "certifi"]),
    (
        f"import auth0_anyio; auth0_anyio.ServerClient({OPTIONS})",
        [*NEVER, "requests", "httpcore", "certifi"],
    ),
]


def _loaded(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(("code", "absent"), CASES)
def test_importing_an_adapter_loads_no_heavy_module_it_does_not_need(
    code: str, absent: list[str]
) -> None:
    loaded = _loaded(code)
    assert sorted(name for name in absent if name in loaded) == []
