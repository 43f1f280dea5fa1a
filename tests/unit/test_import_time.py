"""What importing an adapter (and constructing its client) loads: none of the heavy modules it
does not need until later (issue 14, item 5). Each case runs in a fresh interpreter; no timing
is asserted: the modules loaded are listed.

- neither adapter loads the emulated tenant, the other adapter's HTTP stack, trio, the
  optional extras' packages or the official SDK's stack;
- neither loads joserfc or cryptography (ID-token and logout-token checks, JWKS, DPoP keys,
  private_key_jwt, sealing: all on first use), the cookie stores, the back-channel logout
  endpoint, or the flows and types of the features few apps use (linking, connected accounts,
  management, CIBA, Token Vault, custom token exchange, client credentials, stateless refresh);
- each loads its own HTTP stack on its first request, not at import or construction: requests
  (and urllib3) for the sync client, httpx (and httpcore, certifi) for the async one.

Names that are loaded on first use still resolve, to the very objects they always were.
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
    "hypercorn",
    "starlette",
    "auth0_redis",
    "redis",
    "trio",
    "h11",
    "auth0_server_python",
    "authlib",
    "pydantic",
    "jwcrypto",
]

# Loaded on first use (issue 14: import time).
DEFERRED = [
    "joserfc",
    "cryptography",
    "auth0_core._seal",
    "auth0_core.stores._cookie",
    "auth0_core._logout_token",
    "auth0_core._backchannel_http",
    "auth0_core._my_account_types",
    "auth0_core._token_exchange_types",
    "auth0_core._mfa_types",
    "auth0_core._passwordless_types",
    "auth0_core._passkey_types",
    "auth0_core._webauthn_options",
    "auth0_core.endpoints.authentication.mfa",
    "auth0_core.endpoints.authentication.passwordless",
    "auth0_core.endpoints.authentication.passkeys",
    "auth0_core.auth_types",
    "auth0_core.flows.backchannel",
    "auth0_core.flows.ciba",
    "auth0_core.flows.client_credentials",
    "auth0_core.flows.connected_accounts",
    "auth0_core.flows.custom_token_exchange",
    "auth0_core.flows.linking",
    "auth0_core.flows.management",
    "auth0_core.flows.mfa",
    "auth0_core.flows.passwordless",
    "auth0_core.flows.passkeys",
    "auth0_core.flows.stateless",
    "auth0_core.flows.token_vault",
    # The standard library's too: email.utils (an HTTP-date Retry-After) brings socket,
    # datetime and locale.
    "email.utils",
    "socket",
]
SYNC_ABSENT = [
    *NEVER,
    *DEFERRED,
    "httpx",
    "httpcore",
    "anyio",
    "requests",
    "urllib3",
    "auth0_requests._adapters",
    "auth0_requests._backchannel",
]
ASYNC_ABSENT = [
    *NEVER,
    *DEFERRED,
    "requests",
    "httpx",
    "httpcore",
    "certifi",
    "asyncio",
    "ssl",
    "auth0_anyio._backchannel",
]

CASES = [
    ("import auth0_requests", SYNC_ABSENT),
    (f"import auth0_requests; auth0_requests.ServerClient({OPTIONS})", SYNC_ABSENT),
    ("import auth0_anyio", ASYNC_ABSENT),
    (f"import auth0_anyio; auth0_anyio.ServerClient({OPTIONS})", ASYNC_ABSENT),
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


# Every name an adapter (or auth0_core.stores) exports resolves, lazily loaded or not, to the
# object its defining module holds; the facade's options still resolve as type hints.
RESOLVES = """
import importlib, typing
for package in ("auth0_requests", "auth0_anyio", "auth0_core.stores"):
    module = importlib.import_module(package)
    for name in module.__all__:
        value = getattr(module, name)
        home = getattr(value, "__module__", None)
        if home is not None and home.startswith(("auth0_", "requests")) and hasattr(
            importlib.import_module(home), name
        ):
            assert getattr(importlib.import_module(home), name) is value, (package, name)
    namespace = {}
    exec(f"from {package} import *", namespace)
    assert set(module.__all__) <= set(namespace), package
import auth0_requests, auth0_requests._transport, requests.adapters
assert auth0_requests.AccessTokenForConnectionOptions is auth0_requests.ConnectionTokenOptions
assert issubclass(auth0_requests.HandlerAdapter, requests.adapters.BaseAdapter)
assert issubclass(auth0_requests._transport.SSLContextAdapter, requests.adapters.HTTPAdapter)
from auth0_core._facade import FacadeOptions
assert "dpop_key" in typing.get_type_hints(FacadeOptions)
"""


def test_what_is_loaded_on_first_use_still_resolves() -> None:
    _loaded(RESOLVES)


def test_type_hints_of_the_options_resolve_without_cryptography() -> None:
    loaded = _loaded(
        "import typing; from auth0_core._facade import FacadeOptions; "
        "typing.get_type_hints(FacadeOptions)"
    )
    assert sorted(name for name in ("joserfc", "cryptography") if name in loaded) == []
